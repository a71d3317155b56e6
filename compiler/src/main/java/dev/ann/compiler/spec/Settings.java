package dev.ann.compiler.spec;

import static dev.ann.compiler.spec.ArgSpecs.arg;

import dev.ann.compiler.spec.SettingSpec.Form;
import java.util.ArrayList;
import java.util.List;

/** The settings of dataset, train and profile bodies. */
final class Settings {
    private Settings() {}

    private static SettingSpec s(String name, Category c, Form form, ArgSpec value, String doc) {
        return new SettingSpec(name, c, List.of(), doc, form, value, null);
    }

    static List<SettingSpec> dataset() {
        Category d = Category.DATASET_SETTING;
        return List.of(
                s("train", d, Form.SOURCE, null, "The training samples: `train idx(images, labels)` or `train csv(...)`."),
                s("test", d, Form.SOURCE, null, "The test samples, used only by evaluation."),
                new SettingSpec("validation", d, List.of(),
                        "Validation samples: a source, or a fraction held out of train (`validation 10%`).",
                        Form.SOURCE_OR_FRACTION, arg("fraction", Type.FRACTION).min(0).below(1).doc("fraction of train"), null),
                s("split", d, Form.SPLIT, arg("fraction", Type.FRACTION).above(0).max(1).doc("fraction of the samples"),
                        "Splits one source into train, validation and test: `split train 70%, validation 15%, test 15%` "
                                + "(fractions sum to 100%)."),
                s("scale", d, Form.VALUE, arg("factor", Type.FLOAT).above(0).doc("multiply every feature by this"),
                        "Multiplies every feature by a factor: `scale 1/255` maps pixel values to 0..1."),
                s("normalize", d, Form.VALUE, arg("method", Type.ENUM).choices("none", "standard", "minmax")
                                .doc("standard: mean 0, std 1; minmax: range 0..1"),
                        "Normalises each feature with statistics fitted on the training split only."),
                new SettingSpec("shuffle", d, List.of(arg("seed", Type.INT).def(null).min(0).doc("seed of the shuffle and split; the train block's seed when omitted")),
                        "Shuffles the samples before splitting and the training samples every epoch (on by default).",
                        Form.FLAG, arg("enabled", Type.BOOL).def(true).doc("false to keep the file's order"), null),
                s("classes", d, Form.LIST, arg("name", Type.STRING).doc("a class name, in label order"),
                        "Class names in label order (`classes \"cat\", \"dog\"`), or their number (`classes 10`)."),
                new SettingSpec("tokens", d, List.of(
                        arg("vocabulary", Type.INT).def(20000).min(3).max(10_000_000).doc("the id space: 0 padding, 1 unknown, then the most frequent training tokens"),
                        arg("length", Type.INT).def(200).min(1).max(1_000_000).doc("ids per text: truncated, or padded with 0 at the end"),
                        arg("lowercase", Type.BOOL).def(false).doc("lower-case the text first"),
                        arg("bag", Type.BOOL).def(false).doc("a bag of words instead: per text one count per id, shape `[vocabulary]`")),
                        "Makes the source's text column token ids: `tokens words, vocabulary 20000, length 200, lowercase`. "
                                + "The vocabulary is fitted on the training split only and saved with the checkpoint. "
                                + "Sample shape `[length]` (ids as numbers: feed it to `embedding`), or `[vocabulary]` with `bag`.",
                        Form.OPTIONS, arg("kind", Type.ENUM).choices("words", "characters")
                                .doc("words: runs of letters and digits; characters: one token per character"), null),
                new SettingSpec("window", d, List.of(
                        arg("horizon", Type.INT).def(1).min(1).max(100_000).doc("rows after the window to predict"),
                        arg("relative", Type.BOOL).def(false).doc("every value less its column's value in the window's last row: "
                                + "the network forecasts the change from the last value (as NLinear does); forecasts are levels again")),
                        "Windows over a CSV in time order: `window 52, horizon 1`. A sample is `size` consecutive rows of the "
                                + "feature columns, `[size, features]`; its target the next `horizon` rows of the target columns. "
                                + "The split is by time (train first, then validation, then test) with no window across a "
                                + "boundary, never shuffled; normalisation is fitted on the training rows; missing values "
                                + "(empty, `?`, `NA`) are interpolated linearly in time. `relative` forecasts the change from the "
                                + "window's last row: `window 52, horizon 1, relative`.",
                        Form.OPTIONS, arg("size", Type.INT).min(1).max(100_000).doc("rows per sample"), null),
                s("labels", d, Form.VALUE, arg("kind", Type.ENUM).choices("classes", "targets")
                                .doc("classes: integer class labels; targets: real values (regression)"),
                        "What the labels are, when the source does not say: `labels targets` reads an IDX or "
                                + "class-folder label as a real number."));
    }

    /** Train settings; profiles accept all of them too. */
    static List<SettingSpec> train(Category c) {
        return List.of(
                new SettingSpec("loss", c, List.of(), "The loss function the optimiser minimises.", Form.COMPONENT, null, Category.LOSS),
                new SettingSpec("optimizer", c, List.of(), "How the weights are updated from the gradients (default adam).",
                        Form.COMPONENT, null, Category.OPTIMIZER),
                new SettingSpec("schedule", c, List.of(), "How the learning rate changes over the epochs (default constant).",
                        Form.COMPONENT, null, Category.SCHEDULE),
                s("batch", c, Form.VALUE, arg("size", Type.INT).min(1).doc("samples per gradient step"),
                        "Samples per gradient step (default 32)."),
                s("epochs", c, Form.VALUE, arg("count", Type.INT).min(1).doc("passes over the training samples"),
                        "Passes over the training samples (default 10)."),
                s("metrics", c, Form.LIST, arg("metric", Type.METRIC).doc("a metric"),
                        "Metrics reported after every epoch and by evaluation."),
                new SettingSpec("early_stopping", c, List.of(
                        arg("monitor", Type.METRIC).def("val_loss").doc("the metric watched, usually a val_ one"),
                        arg("patience", Type.INT).def(5).min(1).doc("epochs without improvement before stopping"),
                        arg("min_delta", Type.FLOAT).def(0.0).min(0).doc("smallest change that counts as improvement")),
                        "Stops training when the monitored metric has not improved for `patience` epochs; the best weights are kept.",
                        Form.ARGS, null, null),
                new SettingSpec("checkpoint", c, List.of(),
                        "Writes checkpoints to a folder: `checkpoint \"runs/x\" every 1, keep best(val_accuracy)`.",
                        Form.CHECKPOINT, arg("dir", Type.STRING).doc("folder, relative to the .ann file"), null),
                s("init", c, Form.FROM, arg("checkpoint", Type.STRING).doc("a checkpoint file, relative to the .ann file"),
                        "Starts training from the weights (and batchnorm statistics) of a checkpoint instead of the initialisers, "
                                + "matched by layer name and shape; the optimiser starts fresh: `init from \"imported/Net.ckpt\"`."),
                s("seed", c, Form.VALUE, arg("seed", Type.INT).min(0).doc("the one seed all randomness derives from"),
                        "The one seed all randomness derives from: initial weights, shuffles, dropout (default 0)."),
                s("device", c, Form.VALUE, arg("device", Type.ENUM).choices("cpu", "gpu", "auto").doc("where to train"),
                        "Where to train: cpu, gpu or auto (gpu when one is usable; the default)."),
                s("cluster", c, Form.VALUE, arg("address", Type.STRING).doc("local[N], spark://HOST:PORT, yarn or k8s://..."),
                        "Trains data-parallel on Apache Spark, as `ann train --cluster` does (the option wins): "
                                + "`cluster \"local[2]\"` (cores of this machine) or `cluster \"spark://HOST:7077\"`."),
                s("repeat", c, Form.VALUE, arg("runs", Type.INT).min(1).max(100).doc("number of runs"),
                        "Trains under this many seeds (seed, seed+1, ...) and reports each metric as mean ± standard deviation."));
    }

    static List<SettingSpec> profile() {
        Category p = Category.PROFILE_SETTING;
        List<SettingSpec> out = new ArrayList<>();
        out.add(s("subset", p, Form.VALUE, arg("fraction", Type.FRACTION).above(0).max(1).doc("fraction of every split kept"),
                "Keeps only this fraction of every split: fewer samples, faster epochs."));
        out.add(s("resize", p, Form.VALUE, arg("size", Type.SHAPE).min(1).doc("`[height, width]`"),
                "Resizes every picture to `[height, width]`; the network's input shape follows, and the compiler "
                        + "re-checks every shape under it."));
        out.addAll(train(p));
        out.add(s("sweep", p, Form.SWEEP, null,
                "Trains once per value of a setting: `sweep batch 32, 64`, `sweep optimizer adam(lr: 1e-3), adam(lr: 3e-3)`. "
                        + "Several sweep lines make a grid (every combination); with `repeat K` each combination runs under K seeds. "
                        + "The report ranks the runs (mean ± standard deviation over the seeds). Any setting a profile can "
                        + "override, except " + String.join(", ", NOT_SWEPT.keySet()) + "."));
        return out;
    }

    private static final java.util.regex.Pattern CLUSTER = java.util.regex.Pattern.compile(
            "local(\\[(\\d+|\\*)(,\\d+)?])?|spark://[^\\s/:]+:\\d+(,[^\\s/:]+:\\d+)*|yarn|k8s://\\S+");

    /** What is wrong with a cluster address (the `cluster` setting, `--cluster`), or null when Spark can take it. */
    static String clusterProblem(String address) {
        if (CLUSTER.matcher(address).matches()) return null;
        return "'" + address + "' is not a cluster address: write local[N] (N cores of this machine), spark://HOST:PORT"
                + " (a standalone master), yarn or k8s://HOST:PORT";
    }

    /** The profile settings a sweep cannot vary, and why: the one list the checker and completion read. */
    static final java.util.Map<String, String> NOT_SWEPT = new java.util.LinkedHashMap<>();

    static {
        NOT_SWEPT.put("sweep", "a sweep line names the setting it varies, not another sweep");
        NOT_SWEPT.put("repeat", "repeat K already runs every combination under K seeds: write `repeat K` beside the sweep");
        NOT_SWEPT.put("seed", "seeds are what `repeat K` varies: write `repeat K` beside the sweep");
        NOT_SWEPT.put("resize", "resize changes the network's shapes: make one profile per size");
        NOT_SWEPT.put("metrics", "the runs are ranked by the same metrics: set them once");
        NOT_SWEPT.put("cluster", "the runs of a sweep go where the sweep runs: set it once (or pass --cluster)");
        NOT_SWEPT.put("checkpoint", "the runs write their checkpoints in their own run folders: set it once");
    }
}
