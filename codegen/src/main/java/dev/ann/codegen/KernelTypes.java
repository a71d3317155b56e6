package dev.ann.codegen;

import com.squareup.javapoet.ClassName;

/**
 * The kernel classes the generated trainer calls. Their sources are copied
 * unchanged into the generated project ({@link KernelSources}), so the
 * package stays {@code dev.ann.kernels} and the bytes stay identical.
 */
final class KernelTypes {
    private KernelTypes() {}

    static final String PACKAGE = "dev.ann.kernels";

    static final ClassName NETWORK = ClassName.get(PACKAGE, "Network");
    static final ClassName INIT = NETWORK.nestedClass("Init");
    static final ClassName FUSION = NETWORK.nestedClass("OutputFusion");
    static final ClassName LAYERS = ClassName.get(PACKAGE, "Layers");
    static final ClassName RECURRENT = ClassName.get(PACKAGE, "Recurrent");
    static final ClassName SEQUENCE = ClassName.get(PACKAGE, "Sequence");
    static final ClassName ACTIVATION = ClassName.get(PACKAGE, "Activation");
    static final ClassName LOSS = ClassName.get(PACKAGE, "Loss");
    static final ClassName K = ClassName.get(PACKAGE, "K");
    static final ClassName BATCH_HALVES = ClassName.get(PACKAGE, "BatchHalves");
    static final ClassName OPTIMIZER = ClassName.get(PACKAGE, "Optimizer");
    static final ClassName SCHEDULE = ClassName.get(PACKAGE, "Schedule");
    static final ClassName SEEDS = ClassName.get(PACKAGE, "Seeds");
    static final ClassName RESIZE = ClassName.get(PACKAGE, "Resize");
    static final ClassName CHECKPOINT_FILE = ClassName.get(PACKAGE, "CheckpointFile");
    static final ClassName CSV = ClassName.get(PACKAGE, "Csv");
    static final ClassName CSV_TABLE = CSV.nestedClass("Table");
    static final ClassName IDX = ClassName.get(PACKAGE, "Idx");
    static final ClassName IDX_SAMPLES = IDX.nestedClass("Samples");
    static final ClassName PICTURES = ClassName.get(PACKAGE, "Pictures");
    static final ClassName PICTURES_LISTING = PICTURES.nestedClass("Listing");
    static final ClassName LABELS = ClassName.get(PACKAGE, "Labels");
    static final ClassName SPLIT = ClassName.get(PACKAGE, "Split");
    static final ClassName SPLIT_PARTS = SPLIT.nestedClass("Parts");
    static final ClassName SPLIT_OF = SPLIT.nestedClass("Of");
    static final ClassName NORMALIZE = ClassName.get(PACKAGE, "Normalize");
    static final ClassName NORMALIZE_STATS = NORMALIZE.nestedClass("Stats");
    static final ClassName METRICS = ClassName.get(PACKAGE, "Metrics");
    static final ClassName METRICS_CLASSES = METRICS.nestedClass("Classes");
    static final ClassName METRICS_REGRESSION = METRICS.nestedClass("Regression");

    static ClassName layer(String simpleName) {
        return LAYERS.nestedClass(simpleName);
    }
}
