package dev.ann.codegen;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.JavaFile;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeSpec;
import dev.ann.plan.Plan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * {@code ann generate}: one Java class per train block that orders calls of
 * the kernel library ({@code dev.ann.kernels}, whose sources travel with it
 * unchanged, see {@link KernelSources}) exactly as {@code ann train} does: the
 * same network, loss, optimiser and schedule objects, the same seeds, the same
 * loop, metrics, early stopping and checkpoint format. It needs only the JDK
 * and ND4J. The class is put together here from one emitter per concern:
 * {@link MainCode} (main and options), {@link DataCode} (loading and
 * preparing the data), {@link KernelCalls} (the network, loss, optimiser and
 * schedule), {@link LoopCode} (the training loop and evaluation),
 * {@link CheckpointCode} (checkpoints, resume, metrics.csv) and
 * {@link ReportCode} (what it prints).
 */
public final class TrainerGenerator {
    /** The ND4J version the generated code is compiled and run against (the root pom's). */
    public static final String ND4J_VERSION = "1.0.0-M2.1";

    private final Plan plan;
    private final String packageName;
    private final String className;
    private final DataCode data;
    private final KernelCalls kernels;
    private final LoopCode loop;
    private final CheckpointCode checkpoints;
    private final ReportCode report;
    private final MainCode main;
    private final boolean classification;

    private TrainerGenerator(Plan plan, String packageName) {
        this.plan = plan;
        this.packageName = packageName == null ? "" : packageName;
        this.className = JavaNames.trainerClass(plan.train());
        this.data = new DataCode(plan);
        this.classification = !data.regression;
        this.kernels = new KernelCalls(plan, new SourceLines());
        this.loop = new LoopCode(plan, data, kernels);
        this.checkpoints = new CheckpointCode(plan, data, loop.hasState());
        this.report = new ReportCode(classification);
        this.main = new MainCode(plan, className, data, kernels.learningRate());
    }

    /** The trainer class's simple name for a train block, e.g. {@code IrisNetTrainer}. */
    public static String className(Plan plan) {
        return JavaNames.trainerClass(plan.train());
    }

    /**
     * Generates the trainer for a plan. It imports {@code dev.ann.kernels}: write {@link KernelSources} beside it.
     *
     * @param packageName the Java package, or empty for none
     * @throws IllegalArgumentException when the plan cannot be generated, saying why
     */
    public static JavaFile generate(Plan plan, String packageName) {
        return new TrainerGenerator(plan, packageName).file();
    }

    private JavaFile file() {
        TypeSpec.Builder t = TypeSpec.classBuilder(className)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc(classDoc());
        t.addField(constant(int.class, "SAMPLE_SIZE", String.valueOf(data.sampleShape.length == 0 ? 1 : plan.inputShape().size()),
                "Values per sample: input " + plan.inputShape() + "."));
        t.addField(constant(int.class, "OUTPUTS", String.valueOf(data.outputs), "Values per output: " + plan.outputShape() + "."));
        t.addField(FieldSpec.builder(long[].class, "INPUT_SHAPE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("{$L}", Code.longs(data.sampleShape)).build());
        if (classification && !plan.data().labels().classNames().isEmpty()) {
            List<String> quoted = new ArrayList<>();
            for (String c : plan.data().labels().classNames()) quoted.add(CodeBlock.of("$S", c).toString());
            t.addField(FieldSpec.builder(ParameterizedTypeName.get(List.class, String.class), "CLASS_NAMES",
                            Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer("$T.of($L)", List.class, String.join(", ", quoted)).build());
        }
        t.addField(FieldSpec.builder(String.class, "PLAN_HASH", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The architecture's hash: a checkpoint of another architecture is refused.\n")
                .initializer("$S", plan.architectureHash()).build());
        for (FieldSpec f : loop.fields()) t.addField(f);

        // the methods, in reading order
        t.addMethod(main.mainMethod());
        t.addMethod(main.relaunchMethod());
        t.addMethod(data.loadDataMethod());
        for (var m : data.helperMethods()) t.addMethod(m);
        t.addMethod(kernels.networkMethod());
        t.addMethod(loop.constructor());
        t.addMethod(loop.trainMethod());
        t.addMethod(loop.evaluateMethod());
        t.addMethod(loop.fillMethod());
        t.addMethod(loop.batchMethod());
        t.addMethod(report.printEpochMethod());
        t.addMethod(report.printResultMethod());
        t.addMethod(checkpoints.saveCheckpointMethod());
        t.addMethod(checkpoints.resumeMethod());
        if (plan.loop().initFrom() != null) t.addMethod(checkpoints.initFromMethod());
        if (loop.bestMetric() != null) t.addMethod(checkpoints.readWeightsMethod());
        t.addMethod(checkpoints.valueMethod());
        t.addMethod(checkpoints.jsonMethod());
        t.addMethod(checkpoints.writeMetricsMethod());

        t.addType(main.optionsType());
        for (TypeSpec nested : data.types()) t.addType(nested);
        t.addType(loop.batchType());
        t.addType(loop.stateType());

        return JavaFile.builder(packageName, t.build())
                .skipJavaLangImports(true)
                .indent("    ")
                .addFileComment("Generated by `ann generate` from $L (train block $L$L).\n", Path.of(plan.file()).getFileName(),
                        plan.train(), plan.profile() != null ? ", profile " + plan.profile() : "")
                .addFileComment("Needs only the JDK, ND4J $L (nd4j-native) and the kernel sources written beside it (dev/ann/kernels).",
                        ND4J_VERSION)
                .build();
    }

    private static FieldSpec constant(Class<?> type, String name, String value, String doc) {
        return FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc(doc + "\n").initializer(value).build();
    }

    private CodeBlock classDoc() {
        String file = Path.of(plan.file()).getFileName().toString();
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("Trains network {@code $L} on dataset {@code $L} as train block {@code $L} of {@code $L} declares it$L.\n",
                plan.network(), plan.data().dataset(), plan.train(), file,
                plan.profile() != null ? ", with profile {@code " + plan.profile() + "}" : "");
        b.add("\n<p>It trains exactly like {@code ann train $L$L}: it calls the same kernels ({@code dev.ann.kernels},\n", file,
                plan.train().equals(plan.network()) ? "" : " --train " + plan.train());
        b.add("whose sources come with it) in the same order, with the same initial weights from the seed and the\n");
        b.add("same order of samples; it prints the same per-epoch metrics and writes checkpoints and the trained\n");
        b.add("weights ({@code model.ckpt}) in the checkpoint format of {@code ann train}, which {@code ann eval} and\n");
        b.add("{@code ann predict} read.\n");
        b.add("\n<pre>\n  java $L $L[--epochs N] [--batch N] [--lr RATE] [--seed S] [--out DIR] [--resume]\n</pre>\n",
                className, data.pathOptions.isEmpty() ? "" : data.pathOptions.stream().map(o -> "[" + o.flag() + " " + o.metavar() + "] ")
                        .reduce("", String::concat));
        return b.build();
    }
}
