package dev.ann.compiler.spec;

import static dev.ann.compiler.spec.ArgSpecs.arg;

import dev.ann.plan.Args;
import dev.ann.plan.Shape;
import dev.ann.compiler.spec.LayerSpec.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The layer kinds, each declared once. Per-sample shapes: {@code [n]} flat features (or token ids {@code [T]}),
 * {@code [T, F]} sequences (steps by features), {@code [c, h, w]} pictures.
 */
final class Layers {
    private Layers() {}

    private static final List<ArgSpec> NONE = List.of();

    static List<LayerSpec> all() {
        return List.of(input(), dense(), conv2d(), pool("maxpool", "the largest"), pool("avgpool", "the mean"),
                globalavgpool(), flatten(), reshape(), dropout(), batchnorm(), layernorm(),
                Sequences.embedding(), Sequences.recurrent(false), Sequences.recurrent(true), Sequences.conv1d(),
                Sequences.pool1d("maxpool1d", "the largest"), Sequences.pool1d("avgpool1d", "the mean"),
                Sequences.globalmaxpool(), Sequences.attention(), Sequences.positional());
    }

    static LayerSpec input() {
        return new LayerSpec("input", Category.LAYER,
                List.of(arg("shape", Type.SHAPE).min(1).doc("per-sample shape; the batch is implicit: `[4]`, `[1, 28, 28]`")),
                "The network's input: the shape of one sample, without the batch dimension. "
                        + "First statement of every network, exactly once.",
                "→ `shape`",
                (in, a) -> new Shape(a.getInts("shape")), (in, out, a) -> List.of(), (in, out, a) -> 0, true);
    }

    static LayerSpec dense() {
        return new LayerSpec("dense", Category.LAYER, List.of(
                arg("units", Type.INT).min(1).doc("number of neurons (outputs)"),
                arg("bias", Type.BOOL).def(true).doc("add a bias `b` to each weighted input"),
                arg("init", Type.INIT).def("he").doc("initialiser of the weights: he, xavier, normal(std) or zeros")),
                "A fully connected layer of `units` neurons. Each neuron computes the lecture's *weighted input* "
                        + "`z = w·x + b` over all of its inputs; follow it with `-> activation` to apply an "
                        + "activation function. Weights `[in, units]`, bias `[units]`. On a sequence `[T, F]` it acts on "
                        + "the last axis, step by step, with the same weights `[F, units]` at every step (as Keras' Dense).",
                "`[n]` → `[units]`; `[T, F]` → `[T, units]`",
                (in, a) -> {
                    if (in.rank() == 2) return Shape.of(in.dim(0), a.getInt("units"));
                    if (in.rank() != 1) {
                        throw new ShapeException("dense needs a flat [features] input (or a sequence [T, F]) but gets " + in
                                + "; add `flatten` (or `globalavgpool`) before it", null, ShapeException.Hint.NEEDS_FLATTEN);
                    }
                    return Shape.of(a.getInt("units"));
                },
                (in, out, a) -> {
                    int n = features(in);
                    int u = features(out);
                    List<Tensor> t = new ArrayList<>();
                    t.add(new Tensor("weight", Shape.of(n, u), true, Inits.of(a.get("init"), n, u)));
                    if (a.getBool("bias")) t.add(new Tensor("bias", Shape.of(u), true, Inits.constant("zeros", n, u)));
                    return t;
                },
                (in, out, a) -> steps(in) * (2L * features(in) * features(out) + (a.getBool("bias") ? features(out) : 0)),
                true).takes(1, 2);
    }

    static LayerSpec conv2d() {
        return new LayerSpec("conv2d", Category.LAYER, List.of(
                arg("filters", Type.INT).min(1).doc("number of output channels (feature maps)"),
                arg("kernel", Type.INT_OR_PAIR).def(3).min(1).doc("kernel height and width: `3` or `[3, 5]`"),
                arg("stride", Type.INT_OR_PAIR).def(1).min(1).doc("step between kernel positions"),
                arg("padding", Type.ENUM).def("valid").choices("valid", "same")
                        .doc("`valid`: no padding, the picture shrinks; `same`: zero-pad so that size = ceil(size / stride)"),
                arg("dilation", Type.INT_OR_PAIR).def(1).min(1).doc("spacing between kernel taps"),
                arg("bias", Type.BOOL).def(true).doc("add a bias per filter"),
                arg("init", Type.INIT).def("he").doc("initialiser of the kernels")),
                "A 2-D convolution (NCHW). Each of the `filters` neurons computes a weighted input over a "
                        + "`kernel`-sized window of all input channels, at every position of the picture: the same "
                        + "weights everywhere. Weights `[filters, channels, kh, kw]`, bias `[filters]`. With "
                        + "`padding: same` the input is zero-padded by `(out-1)·stride + dilation·(k-1) + 1 - size`, "
                        + "the smaller half before.",
                "`[c, h, w]` → `[filters, h', w']`; valid: `h' = floor((h - dilation·(k-1) - 1) / stride) + 1`; "
                        + "same: `h' = ceil(h / stride)`",
                (in, a) -> {
                    needImage("conv2d", in);
                    int[] k = Layers.pair(a, "kernel");
                    int[] s = Layers.pair(a, "stride");
                    int[] d = Layers.pair(a, "dilation");
                    boolean same = "same".equals(a.getString("padding"));
                    int h = spatial("conv2d", in, 1, k[0], s[0], d[0], same);
                    int w = spatial("conv2d", in, 2, k[1], s[1], d[1], same);
                    return Shape.of(a.getInt("filters"), h, w);
                },
                (in, out, a) -> {
                    int[] k = pair(a, "kernel");
                    int c = in.dim(0);
                    int f = out.dim(0);
                    long fanIn = (long) c * k[0] * k[1];
                    long fanOut = (long) f * k[0] * k[1];
                    List<Tensor> t = new ArrayList<>();
                    t.add(new Tensor("weight", Shape.of(f, c, k[0], k[1]), true, Inits.of(a.get("init"), fanIn, fanOut)));
                    if (a.getBool("bias")) t.add(new Tensor("bias", Shape.of(f), true, Inits.constant("zeros", fanIn, fanOut)));
                    return t;
                },
                (in, out, a) -> {
                    int[] k = pair(a, "kernel");
                    long positions = (long) out.dim(1) * out.dim(2);
                    long macs = (long) in.dim(0) * k[0] * k[1] * out.dim(0) * positions;
                    return 2 * macs + (a.getBool("bias") ? out.dim(0) * positions : 0);
                }, true).takes(3);
    }

    static LayerSpec pool(String name, String what) {
        return new LayerSpec(name, Category.LAYER, List.of(
                arg("size", Type.INT_OR_PAIR).def(2).min(1).doc("window height and width"),
                arg("stride", Type.INT_OR_PAIR).def(null).min(1).doc("step between windows; the window size when omitted"),
                arg("padding", Type.ENUM).def("valid").choices("valid", "same")
                        .doc("`valid`: only whole windows; `same`: pad so that size = ceil(size / stride)")),
                "Pooling: each channel's picture is cut into `size` windows and each window is replaced by "
                        + what + " of its values. No parameters. Halves height and width with the defaults.",
                "`[c, h, w]` → `[c, h', w']`; valid: `h' = floor((h - size) / stride) + 1`; same: `h' = ceil(h / stride)`",
                (in, a) -> {
                    needImage(name, in);
                    int[] k = pair(a, "size");
                    int[] s = a.has("stride") ? pair(a, "stride") : k;
                    boolean same = "same".equals(a.getString("padding"));
                    return Shape.of(in.dim(0), spatial(name, in, 1, k[0], s[0], 1, same),
                            spatial(name, in, 2, k[1], s[1], 1, same));
                },
                (in, out, a) -> List.of(),
                (in, out, a) -> {
                    int[] k = pair(a, "size");
                    return out.size() * k[0] * k[1];
                }, true).takes(3);
    }

    static LayerSpec globalavgpool() {
        return new LayerSpec("globalavgpool", Category.LAYER, NONE,
                "Global average pooling: each channel's whole picture becomes its mean, one number per channel; "
                        + "on a sequence `[T, F]`, each feature's mean over the real (not padded) steps. "
                        + "A cheap way from feature maps or a sequence to a flat vector for `dense`.",
                "`[c, h, w]` → `[c]`; `[T, F]` → `[F]`",
                (in, a) -> globalPool("globalavgpool", in),
                (in, out, a) -> List.of(), (in, out, a) -> in.size(), true).takes(2, 3);
    }

    static LayerSpec flatten() {
        return new LayerSpec("flatten", Category.LAYER, NONE,
                "Lays a sample's values out in one row, so that `dense` can weigh every one of them.",
                "`[d1, d2, ...]` → `[d1·d2·...]`",
                (in, a) -> Shape.of(checked(in.size(), in)), (in, out, a) -> List.of(), (in, out, a) -> 0, true);
    }

    static LayerSpec reshape() {
        return new LayerSpec("reshape", Category.LAYER,
                List.of(arg("shape", Type.SHAPE).doc("the new per-sample shape; one dimension may be -1 (inferred)")),
                "Gives a sample's values a new shape with the same number of elements, e.g. `[784]` → `[1, 28, 28]`.",
                "`[d...]` → `shape` (same number of elements)",
                (in, a) -> {
                    List<Integer> dims = new ArrayList<>(a.getInts("shape"));
                    long known = 1;
                    int infer = -1;
                    for (int i = 0; i < dims.size(); i++) {
                        int d = dims.get(i);
                        if (d == -1 && infer < 0) infer = i;
                        else if (d < 1) throw new ShapeException("reshape dimensions must be positive (one may be -1); got " + dims, "shape");
                        else known *= d;
                    }
                    if (infer >= 0) {
                        if (in.size() % known != 0) {
                            throw new ShapeException("cannot reshape " + in + " (" + in.size() + " values) to " + dims
                                    + ": " + in.size() + " is not a multiple of " + known, "shape");
                        }
                        dims.set(infer, checked(in.size() / known, in));
                    } else if (known != in.size()) {
                        throw new ShapeException("cannot reshape " + in + " (" + in.size() + " values) to " + dims + " ("
                                + known + " values); the shapes must hold the same number of values", "shape");
                    }
                    return new Shape(dims);
                },
                (in, out, a) -> List.of(), (in, out, a) -> 0, true);
    }

    static LayerSpec dropout() {
        return new LayerSpec("dropout", Category.LAYER,
                List.of(arg("rate", Type.FLOAT).def(0.5).min(0).below(1).doc("fraction of values set to zero, in [0, 1)")),
                "While training, sets a random `rate` fraction of the values to zero and scales the rest by "
                        + "`1/(1-rate)` (inverted dropout); does nothing when evaluating. Keeps neurons from relying on each other.",
                "unchanged",
                (in, a) -> in, (in, out, a) -> List.of(), (in, out, a) -> 0, true);
    }

    static LayerSpec batchnorm() {
        return new LayerSpec("batchnorm", Category.LAYER, List.of(
                arg("momentum", Type.FLOAT).def(0.9).min(0).below(1)
                        .doc("running statistics: `running = momentum·running + (1-momentum)·batch`"),
                arg("eps", Type.FLOAT).def(1e-5).above(0).doc("added to the variance before the square root")),
                "Batch normalisation: each channel (or feature, for a flat input) is normalised to mean 0 and "
                        + "variance 1 over the batch, then scaled by `gamma` and shifted by `beta` (trainable, `[c]`). "
                        + "Running mean and variance (not trained) replace the batch's when evaluating.",
                "unchanged (`[c, h, w]` or `[c]`)",
                (in, a) -> {
                    if (in.rank() == 2) {
                        throw new ShapeException("batchnorm normalises channels of pictures or flat features, not sequences "
                                + in + " (padded steps would count in its batch statistics); use `layernorm`, which "
                                + "normalises each step over its features", null, ShapeException.Hint.use("layernorm"));
                    }
                    return in;
                },
                (in, out, a) -> {
                    int c = in.dim(0);
                    return List.of(
                            new Tensor("gamma", Shape.of(c), true, Inits.constant("ones", c, c)),
                            new Tensor("beta", Shape.of(c), true, Inits.constant("zeros", c, c)),
                            new Tensor("running_mean", Shape.of(c), false, Inits.constant("zeros", c, c)),
                            new Tensor("running_var", Shape.of(c), false, Inits.constant("ones", c, c)));
                },
                (in, out, a) -> 2 * in.size(), true).takes(1, 3);
    }

    static LayerSpec layernorm() {
        return new LayerSpec("layernorm", Category.LAYER,
                List.of(arg("eps", Type.FLOAT).def(1e-5).above(0).doc("added to the variance before the square root")),
                "Layer normalisation: each sample is normalised to mean 0 and variance 1 over all its values, "
                        + "then each channel (or feature) is scaled by `gamma` and shifted by `beta` (trainable, `[c]`). "
                        + "On a sequence `[T, F]`, each step is normalised over its `F` features and `gamma`, `beta` are "
                        + "`[F]` (as in a transformer). "
                        + "Same in training and evaluation; no running statistics, so no momentum.",
                "unchanged",
                (in, a) -> in,
                (in, out, a) -> {
                    int c = in.rank() == 2 ? in.dim(1) : in.dim(0);
                    return List.of(new Tensor("gamma", Shape.of(c), true, Inits.constant("ones", c, c)),
                            new Tensor("beta", Shape.of(c), true, Inits.constant("zeros", c, c)));
                },
                (in, out, a) -> 5 * in.size(), true);
    }

    // ---- helpers shared by the rules ----------------------------------------------------

    /** A dimension that must fit an int. */
    static int checked(long size, Shape in) throws ShapeException {
        if (size > Integer.MAX_VALUE) {
            throw new ShapeException("a sample of " + in + " holds " + size + " values, more than one dimension can; use smaller shapes");
        }
        return (int) size;
    }

    /** An int argument or a pair {@code [h, w]} as {h, w}. */
    static int[] pair(Args a, String name) {
        List<Integer> v = a.getInts(name);
        return v.size() == 1 ? new int[] {v.get(0), v.get(0)} : new int[] {v.get(0), v.get(1)};
    }

    /** Features of a flat {@code [n]} (n) or of a sequence {@code [T, F]} (F). */
    static int features(Shape s) {
        return s.dim(s.rank() - 1);
    }

    /** Steps of a sequence {@code [T, F]} (T); 1 for a flat {@code [n]}. */
    static long steps(Shape s) {
        return s.rank() == 2 ? s.dim(0) : 1;
    }

    /** {@code globalavgpool} and {@code globalmaxpool}: {@code [c, h, w] -> [c]}, {@code [T, F] -> [F]}. */
    static Shape globalPool(String layer, Shape in) throws ShapeException {
        if (in.rank() == 2) return Shape.of(in.dim(1));
        if (in.rank() == 3) return Shape.of(in.dim(0));
        throw new ShapeException(layer + " pools a picture [c, h, w] or a sequence [T, F] into one vector, but gets the flat "
                + in + ", which has nothing left to pool; remove it");
    }

    static void needImage(String layer, Shape in) throws ShapeException {
        if (in.rank() == 2) {
            String seq = switch (layer) {
                case "conv2d" -> "conv1d";
                case "maxpool" -> "maxpool1d";
                case "avgpool" -> "avgpool1d";
                default -> null;
            };
            throw new ShapeException(layer + " works on pictures [channels, height, width] but gets a sequence " + in
                    + " ([T, F])" + (seq != null ? "; over time use `" + seq + "`" : "; reshape it to [channels, height, width] first"),
                    null, new ShapeException.Fixed(seq != null ? ShapeException.Hint.RENAME : ShapeException.Hint.NONE, seq));
        }
        if (in.rank() != 3) {
            String what = in.rank() == 1
                    ? "; give the network an image input such as `input [1, 28, 28]`, or `reshape([c, h, w])` first"
                    : "; reshape it to [channels, height, width] first";
            throw new ShapeException(layer + " needs a [channels, height, width] input but gets " + in + what);
        }
    }

    /** Output size of one spatial axis (1 = height, 2 = width). */
    static int spatial(String layer, Shape in, int axis, int k, int stride, int dilation, boolean same)
            throws ShapeException {
        int size = in.dim(axis);
        if (same) return (size + stride - 1) / stride;
        int span = dilation * (k - 1) + 1;
        if (span > size) {
            String argName = layer.equals("conv2d") ? "kernel" : "size";
            throw new ShapeException(layer + " window " + (dilation > 1 ? span + " (kernel " + k + ", dilation "
                    + dilation + ")" : String.valueOf(k)) + " is larger than the input's " + (axis == 1 ? "height " : "width ")
                    + size + " (input " + in + "); use a smaller " + argName + " or `padding: same`", argName);
        }
        return (size - span) / stride + 1;
    }
}
