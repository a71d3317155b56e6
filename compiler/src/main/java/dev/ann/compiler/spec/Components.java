package dev.ann.compiler.spec;

import static dev.ann.compiler.spec.ArgSpecs.arg;

import java.util.ArrayList;
import java.util.List;

/** Losses, optimisers, schedules, metrics, initialisers and data sources. */
final class Components {
    private Components() {}

    static List<ComponentSpec> all() {
        List<ComponentSpec> out = new ArrayList<>();
        out.addAll(losses());
        out.addAll(optimizers());
        out.addAll(schedules());
        out.addAll(metrics());
        out.addAll(initializers());
        out.addAll(sources());
        return out;
    }

    private static ComponentSpec loss(String name, List<ArgSpec> args, String task, String doc) {
        return new ComponentSpec(name, Category.LOSS, args, doc, task, null);
    }

    static List<ComponentSpec> losses() {
        return List.of(
                loss("mse", List.of(), "regression",
                        "Mean squared error `L = mean((x - y)²)`, the common loss for regression."),
                loss("mae", List.of(), "regression",
                        "Mean absolute error `L = mean(|x - y|)`: less swayed by outliers than MSE."),
                loss("huber", List.of(arg("delta", Type.FLOAT).def(1.0).above(0).doc("where the loss turns from squared to linear")),
                        "regression", "Huber loss: squared error for `|x - y| ≤ delta`, linear beyond: MSE near the "
                                + "target, MAE far from it."),
                loss("cross_entropy", List.of(), "classification",
                        "Cross-entropy `L = -log(e^(x_y) / Σ e^(x_i))`, the common loss for classification with one "
                                + "output per class. After a final `softmax` it is computed fused and stable; without "
                                + "one the outputs are taken as logits."),
                loss("binary_cross_entropy", List.of(), "binary",
                        "Binary cross-entropy `L = -(y·log p + (1-y)·log(1-p))` for two-class problems with one "
                                + "output `p` (after `sigmoid`; without it the output is taken as a logit)."));
    }

    private static ArgSpec lr(double def) {
        return arg("lr", Type.FLOAT).def(def).above(0).max(10).doc("learning rate: the step size of each update");
    }

    private static ArgSpec eps(double def) {
        return arg("eps", Type.FLOAT).def(def).above(0).doc("added to denominators for numerical stability");
    }

    private static ComponentSpec opt(String name, List<ArgSpec> args, String doc) {
        return new ComponentSpec(name, Category.OPTIMIZER, args, doc, null, null);
    }

    static List<ComponentSpec> optimizers() {
        ArgSpec beta1 = arg("beta1", Type.FLOAT).def(0.9).min(0).below(1).doc("decay of the running mean of gradients");
        ArgSpec beta2 = arg("beta2", Type.FLOAT).def(0.999).min(0).below(1).doc("decay of the running mean of squared gradients");
        return List.of(
                opt("sgd", List.of(lr(0.01),
                        arg("momentum", Type.FLOAT).def(0.0).min(0).below(1).doc("fraction of the last update added to this one"),
                        arg("nesterov", Type.BOOL).def(false).doc("Nesterov's look-ahead momentum"),
                        arg("weight_decay", Type.FLOAT).def(0.0).min(0).doc("L2 penalty added to the gradient")),
                        "Stochastic gradient descent: `w ← w - lr·∇L`, optionally with momentum."),
                opt("adam", List.of(lr(1e-3), beta1, beta2, eps(1e-8),
                        arg("weight_decay", Type.FLOAT).def(0.0).min(0).doc("L2 penalty added to the gradient")),
                        "Adam: gradient descent with per-weight step sizes from running means of the gradient and its square."),
                opt("adamw", List.of(lr(1e-3),
                        arg("weight_decay", Type.FLOAT).def(0.01).min(0).doc("decoupled weight decay: `w ← w - lr·weight_decay·w`"),
                        beta1, beta2, eps(1e-8)),
                        "Adam with decoupled weight decay (AdamW)."),
                opt("rmsprop", List.of(lr(1e-3),
                        arg("rho", Type.FLOAT).def(0.9).min(0).below(1).doc("decay of the running mean of squared gradients"),
                        arg("momentum", Type.FLOAT).def(0.0).min(0).below(1).doc("momentum"),
                        eps(1e-8)),
                        "RMSprop: divides each step by a running root-mean-square of recent gradients."),
                opt("adagrad", List.of(lr(1e-2), eps(1e-10)),
                        "Adagrad: per-weight step sizes shrinking with the sum of that weight's squared gradients."));
    }

    private static ComponentSpec sched(String name, List<ArgSpec> args, String doc) {
        return new ComponentSpec(name, Category.SCHEDULE, args, doc, null, null);
    }

    static List<ComponentSpec> schedules() {
        return List.of(
                sched("constant", List.of(), "The learning rate stays as the optimiser's `lr`."),
                sched("step", List.of(
                        arg("every", Type.INT).def(10).min(1).doc("epochs between decays"),
                        arg("gamma", Type.FLOAT).def(0.1).above(0).max(1).doc("factor applied every `every` epochs")),
                        "Multiplies the learning rate by `gamma` every `every` epochs."),
                sched("exponential", List.of(arg("gamma", Type.FLOAT).def(0.95).above(0).max(1).doc("factor applied after every epoch")),
                        "Multiplies the learning rate by `gamma` after every epoch: `lr·gamma^epoch`."),
                sched("cosine", List.of(
                        arg("warmup", Type.INT).def(0).min(0).doc("epochs of linear warm-up from 0 to `lr`")),
                        "Linear warm-up for `warmup` epochs, then a half cosine from `lr` down to 0 at the last epoch."));
    }

    private static ComponentSpec metric(String name, String task, String mode, String doc) {
        return new ComponentSpec(name, Category.METRIC, List.of(), doc, task, mode);
    }

    static List<ComponentSpec> metrics() {
        return List.of(
                metric("accuracy", "classification", "max", "Ratio of correctly classified samples: a rate over n samples."),
                metric("loss", "any", "min", "The training loss, averaged over the samples."),
                metric("precision", "classification", "max", "Of the samples predicted as a class, the fraction that are (macro-averaged)."),
                metric("recall", "classification", "max", "Of the samples of a class, the fraction predicted as it (macro-averaged)."),
                metric("f1", "classification", "max", "Harmonic mean of precision and recall (macro-averaged)."),
                metric("mae", "regression", "min", "Mean absolute error of the predictions."),
                metric("r2", "regression", "max", "Coefficient of determination R²: 1 - SS_res / SS_tot."));
    }

    private static ComponentSpec init(String name, List<ArgSpec> args, String doc) {
        return new ComponentSpec(name, Category.INITIALIZER, args, doc, null, null);
    }

    static List<ComponentSpec> initializers() {
        return List.of(
                init("he", List.of(), "Normal with std `sqrt(2 / fan_in)`: suits ReLU layers (the default)."),
                init("xavier", List.of(), "Normal with std `sqrt(2 / (fan_in + fan_out))`: suits tanh and sigmoid layers."),
                init("normal", List.of(arg("std", Type.FLOAT).def(0.01).above(0).doc("standard deviation")),
                        "Normal with mean 0 and the given `std`."),
                init("zeros", List.of(), "All zeros (every neuron starts alike: only for experiments and biases)."));
    }

    private static ComponentSpec source(String name, List<ArgSpec> args, String doc) {
        return new ComponentSpec(name, Category.DATA_SOURCE, args, doc, null, null);
    }

    static List<ComponentSpec> sources() {
        return List.of(
                source("csv", List.of(
                        arg("path", Type.STRING).doc("the CSV file, relative to the .ann file"),
                        arg("header", Type.BOOL).def(false).doc("the first row holds column names"),
                        arg("features", Type.COLUMNS).def(null).doc("feature columns (0-based): `0..3`, `[0, 2, 5]`"),
                        arg("label", Type.INT).def(null).min(0).doc("the class-label column (numbers or names): classification"),
                        arg("target", Type.COLUMNS).def(null).doc("the real-valued target column(s): regression"),
                        arg("delimiter", Type.STRING).def(",").doc("field separator"),
                        arg("text", Type.INT).def(null).min(0).doc("a text column, made token ids by the dataset's `tokens` line (instead of features)")),
                        "A CSV file with one sample per row. Give `label` for classification or `target` for "
                                + "regression. Sample shape: `[number of feature columns]`; with `text:` and a `tokens` line, "
                                + "`[length]` token ids; with a `window` line, `[window, features]`."),
                source("arff", List.of(
                        arg("path", Type.STRING).doc("the ARFF file (Weka's format; `.arff.gz` allowed), relative to the .ann file"),
                        arg("label", Type.STRING).doc("the answer's attribute: nominal for classes (in declared order), numeric for regression"),
                        arg("text", Type.STRING).def(null).doc("a string attribute, made token ids by the dataset's `tokens` line")),
                        "An ARFF file (Weka). Without `text:` every other attribute is a feature: a numeric one a number "
                                + "(missing `?` as 0), a nominal one one-hot (one feature per value, missing: all 0); "
                                + "string and date attributes are left out. With `text:` and a `tokens` line the sample is that "
                                + "attribute's token ids, `[length]`."),
                source("idx", List.of(
                        arg("images", Type.STRING).doc("IDX image file (`.gz` allowed), e.g. train-images-idx3-ubyte.gz"),
                        arg("labels", Type.STRING).doc("IDX label file (`.gz` allowed)")),
                        "MNIST-style IDX files: 8-bit greyscale pictures and one byte label each. Sample shape "
                                + "`[1, h, w]`, read from the file's header."),
                source("images", List.of(
                        arg("folder", Type.STRING).doc("a folder with one sub-folder of pictures per class"),
                        arg("size", Type.SHAPE).doc("`[channels, height, width]` the pictures are converted to")),
                        "A folder of pictures, one sub-folder per class (the class names, sorted). Sample shape: `size`."));
    }
}
