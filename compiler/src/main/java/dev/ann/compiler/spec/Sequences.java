package dev.ann.compiler.spec;

import static dev.ann.compiler.spec.ArgSpecs.arg;

import dev.ann.compiler.spec.LayerSpec.Tensor;
import dev.ann.plan.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The sequence layers, each declared once: token ids {@code [T]} and sequences {@code [T, F]} (steps by
 * features; a batch is {@code [n, T, F]}, time before features). Parameter roles and layouts are PyTorch's,
 * so that weights compare one to one: the kernels' {@code bind} reads them by role.
 */
final class Sequences {
    private Sequences() {}

    static LayerSpec embedding() {
        return new LayerSpec("embedding", Category.LAYER, List.of(
                arg("dim", Type.INT).min(1).doc("length of each token's vector"),
                arg("vocabulary", Type.INT).def(null).min(2)
                        .doc("size of the id space (ids 0..vocabulary-1; 0 pads, 1 is the unknown word); taken from the "
                                + "dataset's `tokens ..., vocabulary N` when the network is trained on one"),
                arg("init", Type.INIT).def("xavier").doc("initialiser of the vectors")),
                "Turns token ids into vectors: each id picks its row of a trained table `weight [vocabulary, dim]` "
                        + "(as Keras' Embedding or PyTorch's nn.Embedding). Its input is the token ids of a text source, "
                        + "straight from `input`; the vocabulary size comes from the dataset's tokenizer, so a dataset with "
                        + "`vocabulary 20000` and `embedding(64)` give 1,280,000 parameters. Id 0 is padding: the layers "
                        + "after it ignore padded steps (masking).",
                "`[T]` (token ids) → `[T, dim]`",
                (in, a) -> {
                    if (in.rank() == 2) {
                        throw new ShapeException("embedding turns token ids [T] into vectors, but gets " + in
                                + ", which are vectors already; remove embedding, or feed it the token ids of a text source");
                    }
                    if (in.rank() != 1) {
                        throw new ShapeException("embedding turns token ids [T] into vectors, but gets the picture " + in
                                + "; its input must be token ids [T] from a text source (a dataset with `tokens ...`)");
                    }
                    return Shape.of(in.dim(0), a.getInt("dim"));
                },
                (in, out, a) -> {
                    if (!a.has("vocabulary")) return List.of();   // unknown: the checker reports it (E014)
                    int v = a.getInt("vocabulary");
                    int d = a.getInt("dim");
                    return List.of(new Tensor("weight", Shape.of(v, d), true, Inits.of(a.get("init"), v, d)));
                },
                (in, out, a) -> 0, true).takes(1);
    }

    /** {@code lstm} (4 gates i, f, g, o) or {@code gru} (3 gates r, z, n), as PyTorch's nn.LSTM and nn.GRU. */
    static LayerSpec recurrent(boolean gru) {
        String name = gru ? "gru" : "lstm";
        int g = gru ? 3 : 4;
        String count = gru ? "`3·u·(F+u) + 6·u`" : "`4·u·(F+u) + 8·u`";
        return new LayerSpec(name, Category.LAYER, List.of(
                arg("units", Type.INT).min(1).doc("size of the hidden state (outputs per step)"),
                arg("sequences", Type.BOOL).def(false)
                        .doc("`false`: only the output after the last real step, `[units]`; `true`: the output at every "
                                + "step, `[T, units]` (zeros at padded steps), to stack another sequence layer on it"),
                arg("bidirectional", Type.BOOL).def(false)
                        .doc("also run backwards from the last real step, and put both outputs side by side (`2·units`)"),
                arg("init", Type.INIT).def("xavier").doc("initialiser of `weight_ih` and `weight_hh` (biases start at zero)")),
                (gru ? "A gated recurrent unit (GRU) layer: gates r (reset), z (update) and n (new), "
                        + "`n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`, `h' = (1 - z) * n + z * h`. "
                        : "A long short-term memory (LSTM) layer: gates i (input), f (forget), g (cell), o (output); "
                        + "`c' = f * c + i * g`, `h' = o * tanh(c')`. ")
                        + "Reads a sequence step by step, carrying its state; padded steps (id 0 of the text) are skipped, "
                        + "the state carried over them unchanged. Parameters as PyTorch's nn." + (gru ? "GRU" : "LSTM")
                        + " (two bias vectors): `weight_ih [" + g + "u, F]`, `weight_hh [" + g + "u, u]`, `bias_ih [" + g
                        + "u]`, `bias_hh [" + g + "u]`, and the same four `_reverse` when bidirectional: " + count
                        + " per direction. Defaults as Keras: `sequences: false` (Keras' `return_sequences`).",
                "`[T, F]` → `[units]`, or `[T, units]` with `sequences: true`; `2·units` when bidirectional",
                (in, a) -> {
                    needSequence(name, in);
                    int units = a.getInt("units") * (a.getBool("bidirectional") ? 2 : 1);
                    return a.getBool("sequences") ? Shape.of(in.dim(0), units) : Shape.of(units);
                },
                (in, out, a) -> {
                    int f = in.dim(1);
                    int u = a.getInt("units");
                    List<Tensor> t = new ArrayList<>();
                    for (String suffix : a.getBool("bidirectional") ? List.of("", "_reverse") : List.of("")) {
                        t.add(new Tensor("weight_ih" + suffix, Shape.of(g * u, f), true, Inits.of(a.get("init"), f, (long) g * u)));
                        t.add(new Tensor("weight_hh" + suffix, Shape.of(g * u, u), true, Inits.of(a.get("init"), u, (long) g * u)));
                        t.add(new Tensor("bias_ih" + suffix, Shape.of(g * u), true, Inits.constant("zeros", f, (long) g * u)));
                        t.add(new Tensor("bias_hh" + suffix, Shape.of(g * u), true, Inits.constant("zeros", u, (long) g * u)));
                    }
                    return t;
                },
                (in, out, a) -> {
                    long u = a.getInt("units");
                    long perStep = 2L * g * u * (in.dim(1) + u) + 2L * g * u;
                    return in.dim(0) * perStep * (a.getBool("bidirectional") ? 2 : 1);
                }, true).takes(2);
    }

    static LayerSpec conv1d() {
        return new LayerSpec("conv1d", Category.LAYER, List.of(
                arg("filters", Type.INT).min(1).doc("number of output features per step"),
                arg("kernel", Type.INT).def(3).min(1).doc("number of steps each filter sees"),
                arg("stride", Type.INT).def(1).min(1).doc("step between kernel positions"),
                arg("padding", Type.ENUM).def("valid").choices("valid", "same")
                        .doc("`valid`: no padding, the sequence shrinks; `same`: zero-pad so that T' = ceil(T / stride)"),
                arg("dilation", Type.INT).def(1).min(1).doc("spacing between kernel taps"),
                arg("bias", Type.BOOL).def(true).doc("add a bias per filter"),
                arg("init", Type.INIT).def("he").doc("initialiser of the kernels")),
                "A 1-D convolution over time: each of the `filters` neurons computes a weighted input over `kernel` "
                        + "consecutive steps of all features, at every position: the same weights everywhere. Weights "
                        + "`[filters, F, kernel]`, bias `[filters]` (PyTorch's Conv1d layout). With `padding: same` the "
                        + "sequence is zero-padded as conv2d pads a picture.",
                "`[T, F]` → `[T', filters]`; valid: `T' = floor((T - dilation·(kernel-1) - 1) / stride) + 1`; "
                        + "same: `T' = ceil(T / stride)`",
                (in, a) -> {
                    needSequence("conv1d", in);
                    int t = steps("conv1d", "kernel", in, a.getInt("kernel"), a.getInt("stride"), a.getInt("dilation"),
                            "same".equals(a.getString("padding")));
                    return Shape.of(t, a.getInt("filters"));
                },
                (in, out, a) -> {
                    int k = a.getInt("kernel");
                    int f = in.dim(1);
                    int filters = out.dim(1);
                    List<Tensor> t = new ArrayList<>();
                    t.add(new Tensor("weight", Shape.of(filters, f, k), true,
                            Inits.of(a.get("init"), (long) f * k, (long) filters * k)));
                    if (a.getBool("bias")) {
                        t.add(new Tensor("bias", Shape.of(filters), true, Inits.constant("zeros", (long) f * k, (long) filters * k)));
                    }
                    return t;
                },
                (in, out, a) -> {
                    long positions = out.dim(0);
                    long macs = (long) in.dim(1) * a.getInt("kernel") * out.dim(1) * positions;
                    return 2 * macs + (a.getBool("bias") ? out.dim(1) * positions : 0);
                }, true).takes(2);
    }

    static LayerSpec pool1d(String name, String what) {
        return new LayerSpec(name, Category.LAYER, List.of(
                arg("size", Type.INT).def(2).min(1).doc("window length in steps"),
                arg("stride", Type.INT).def(null).min(1).doc("step between windows; the window size when omitted"),
                arg("padding", Type.ENUM).def("valid").choices("valid", "same")
                        .doc("`valid`: only whole windows; `same`: pad so that T' = ceil(T / stride)")),
                "Pooling over time: each feature's sequence is cut into windows of `size` steps and each window is "
                        + "replaced by " + what + " of its values. No parameters. Halves the length with the defaults.",
                "`[T, F]` → `[T', F]`; valid: `T' = floor((T - size) / stride) + 1`; same: `T' = ceil(T / stride)`",
                (in, a) -> {
                    needSequence(name, in);
                    int size = a.getInt("size");
                    int stride = a.has("stride") ? a.getInt("stride") : size;
                    return Shape.of(steps(name, "size", in, size, stride, 1, "same".equals(a.getString("padding"))), in.dim(1));
                },
                (in, out, a) -> List.of(),
                (in, out, a) -> out.size() * a.getInt("size"), true).takes(2);
    }

    static LayerSpec globalmaxpool() {
        return new LayerSpec("globalmaxpool", Category.LAYER, List.of(),
                "Global max pooling: each channel's whole picture becomes its largest value; on a sequence `[T, F]`, "
                        + "each feature's largest value over the real (not padded) steps (0 when every step is padding).",
                "`[c, h, w]` → `[c]`; `[T, F]` → `[F]`",
                (in, a) -> Layers.globalPool("globalmaxpool", in),
                (in, out, a) -> List.of(), (in, out, a) -> in.size(), true).takes(2, 3);
    }

    static LayerSpec attention() {
        return new LayerSpec("attention", Category.LAYER, List.of(
                arg("heads", Type.INT).min(1).doc("number of heads; must divide the features F (each head sees F / heads)"),
                arg("causal", Type.BOOL).def(false).doc("`true`: each step attends only to itself and earlier steps")),
                "Multi-head self-attention over a sequence (as PyTorch's nn.MultiheadAttention with query = key = value): "
                        + "each step's output is a weighted mean of every step's value, weighted by the softmax of "
                        + "`q·k / sqrt(F / heads)`; padded steps are never attended to. Parameters `in_weight [3F, F]` "
                        + "(query, key and value stacked), `in_bias [3F]`, `out_weight [F, F]`, `out_bias [F]`: "
                        + "`4·F·F + 4·F`. Keeps the shape, so it fits in a `residual`.",
                "`[T, F]` → `[T, F]`",
                (in, a) -> {
                    needSequence("attention", in);
                    int f = in.dim(1);
                    int heads = a.getInt("heads");
                    if (f % heads != 0) {
                        List<Integer> near = nearestDivisors(f, heads);
                        throw new ShapeException("attention splits the " + f + " features of " + in + " into " + heads
                                + " heads, but " + heads + " does not divide " + f + "; use " + near.stream()
                                .map(String::valueOf).reduce((x, y) -> x + " or " + y).orElse("1") + " heads "
                                + "(or make the features a multiple of " + heads + ")",
                                "heads", new ShapeException.Fixed(ShapeException.Hint.ARGUMENT, String.valueOf(near.get(0))));
                    }
                    return in;
                },
                (in, out, a) -> {
                    int f = in.dim(1);
                    return List.of(
                            new Tensor("in_weight", Shape.of(3 * f, f), true, Inits.of("xavier", f, 3L * f)),
                            new Tensor("in_bias", Shape.of(3 * f), true, Inits.constant("zeros", f, 3L * f)),
                            new Tensor("out_weight", Shape.of(f, f), true, Inits.of("xavier", f, f)),
                            new Tensor("out_bias", Shape.of(f), true, Inits.constant("zeros", f, f)));
                },
                (in, out, a) -> {
                    long t = in.dim(0);
                    long f = in.dim(1);
                    long projections = 2 * t * f * 3 * f + 3 * t * f + 2 * t * f * f + t * f;
                    long scores = 2 * t * t * f + 3 * t * t * a.getInt("heads");   // q·k, softmax
                    return projections + scores + 2 * t * t * f;                     // + the weighted sum of values
                }, true).takes(2);
    }

    static LayerSpec positional() {
        return new LayerSpec("positional", Category.LAYER, List.of(
                arg("kind", Type.ENUM).def("learned").choices("learned", "sinusoidal")
                        .doc("`learned`: a trained vector per position, `weight [T, F]` (as BERT and Keras' "
                                + "PositionEmbedding); `sinusoidal`: the fixed sines and cosines of the Transformer paper, "
                                + "no parameters")),
                "Adds a position code to each step of a sequence, so that attention (which ignores order) can tell "
                        + "steps apart. Sinusoidal: `PE(t, 2i) = sin(t / 10000^(2i/F))`, `PE(t, 2i+1) = cos(...)`.",
                "`[T, F]` → `[T, F]`",
                (in, a) -> {
                    needSequence("positional", in);
                    return in;
                },
                (in, out, a) -> "learned".equals(a.getString("kind"))
                        ? List.of(new Tensor("weight", in, true, Inits.of(Map.of("kind", "normal", "std", 0.02),
                                in.dim(0), in.dim(1))))
                        : List.of(),
                (in, out, a) -> in.size(), true).takes(2);
    }

    // ---- helpers ------------------------------------------------------------------------

    /** The message for a layer of sequences given something else: in the user's words, with what to do. */
    static void needSequence(String layer, Shape in) throws ShapeException {
        if (in.rank() == 2) return;
        if (in.rank() == 3) {
            int c = in.dim(0);
            int h = in.dim(1);
            int w = in.dim(2);
            String reshape = "reshape([" + h + ", " + ((long) c * w) + "])";
            throw new ShapeException(layer + " reads sequences [T, F] (steps by features), but gets a picture " + in
                    + " ([c, h, w]); for pictures use conv2d, or read the rows as steps with `" + reshape + "` before it",
                    null, new ShapeException.Fixed(ShapeException.Hint.INSERT_BEFORE, reshape));
        }
        throw new ShapeException(layer + " reads sequences [T, F] (steps by features), but gets the flat " + in
                + "; for token ids put `embedding(dim)` before it, for a series of " + in.dim(0) + " single values `reshape(["
                + in.dim(0) + ", 1])`");
    }

    /** Output length of a window over time; as {@link Layers#spatial} on one axis. */
    static int steps(String layer, String argName, Shape in, int k, int stride, int dilation, boolean same)
            throws ShapeException {
        int size = in.dim(0);
        if (same) return (size + stride - 1) / stride;
        int span = dilation * (k - 1) + 1;
        if (span > size) {
            throw new ShapeException(layer + " window " + (dilation > 1 ? span + " (kernel " + k + ", dilation " + dilation
                    + ")" : String.valueOf(k)) + " is longer than the sequence's " + size + " steps (input " + in
                    + "); use a smaller " + argName + " or `padding: same`", argName);
        }
        return (size - span) / stride + 1;
    }

    /** The divisors of {@code f} nearest to {@code heads}: the one below and the one above (nearest first). */
    static List<Integer> nearestDivisors(int f, int heads) {
        TreeSet<Integer> divisors = new TreeSet<>();
        for (int d = 1; (long) d * d <= f; d++) {
            if (f % d == 0) {
                divisors.add(d);
                divisors.add(f / d);
            }
        }
        Integer below = divisors.lower(heads);
        Integer above = divisors.higher(heads);
        List<Integer> out = new ArrayList<>();
        if (below != null) out.add(below);
        if (above != null) out.add(above);
        if (below != null && above != null && above - heads < heads - below) java.util.Collections.reverse(out);
        return out;
    }
}
