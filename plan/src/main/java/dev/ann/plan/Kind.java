package dev.ann.plan;

import java.util.List;

/**
 * What an op computes, with its arguments typed: a closed set, so that every
 * backend (the runtime, the code generator) switches over it exhaustively and
 * the Java compiler names a case that one of them forgot.
 *
 * <p>Backends go through {@link Visitor}, one method per kind: Java 17 has no
 * exhaustive switch over a sealed type, so a kind added here is a compile error
 * in every backend until it handles it.
 *
 * <p>{@link #of} is the one place where an op's language name and resolved
 * arguments (defaults already filled in by the checker) become a typed kind;
 * a missing argument is an error here, never a second default.
 */
public sealed interface Kind {

    /** The op's name in the language ({@code dense}, {@code maxpool}, {@code relu}, ...). */
    String name();

    /** Calls the visitor's method for this kind. */
    <R> R accept(Visitor<R> v);

    /** One method per kind: what a backend does with each. */
    interface Visitor<R> {
        R input(Input k);
        R dense(Dense k);
        R conv2d(Conv2d k);
        R pool(Pool k);
        R globalAvgPool(GlobalAvgPool k);
        R reshape(Reshape k);
        R dropout(Dropout k);
        R batchNorm(BatchNorm k);
        R layerNorm(LayerNorm k);
        R activation(Activation k);
        R concat(Concat k);
        R add(Add k);
        R embedding(Embedding k);
        R recurrent(Recurrent k);
        R conv1d(Conv1d k);
        R pool1d(Pool1d k);
        R globalMaxPool(GlobalMaxPool k);
        R attention(Attention k);
        R positional(Positional k);
    }

    /** The data. */
    record Input() implements Kind {
        public <R> R accept(Visitor<R> v) { return v.input(this); }
        public String name() { return "input"; }
    }

    /** {@code z = x W + b} over the flattened sample. */
    record Dense(int units, boolean bias) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.dense(this); }
        public String name() { return "dense"; }
    }

    /** 2-D convolution over NCHW samples, weights {@code [filters, channels, kh, kw]}. */
    record Conv2d(int filters, Pair kernel, Pair stride, Pair dilation, boolean same, boolean bias) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.conv2d(this); }
        public String name() { return "conv2d"; }
    }

    /** Max or average pooling over each channel's plane. */
    record Pool(boolean max, Pair size, Pair stride, boolean same) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.pool(this); }
        public String name() { return max ? "maxpool" : "avgpool"; }
    }

    /**
     * The mean of each channel's plane ({@code [c, h, w] -> [c]}), or over time
     * ({@code [T, F] -> [F]}, padded steps ignored).
     */
    record GlobalAvgPool() implements Kind {
        public <R> R accept(Visitor<R> v) { return v.globalAvgPool(this); }
        public String name() { return "globalavgpool"; }
    }

    /** A new per-sample shape for the same values ({@code flatten} is {@code [n]}). */
    record Reshape(boolean flatten, List<Integer> shape) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.reshape(this); }
        public Reshape { shape = List.copyOf(shape); }
        public String name() { return flatten ? "flatten" : "reshape"; }
    }

    /** Inverted dropout: zeroes a {@code rate} of the values while training. */
    record Dropout(double rate) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.dropout(this); }
        public String name() { return "dropout"; }
    }

    /** Batch normalisation per channel, with running statistics. */
    record BatchNorm(double momentum, double eps) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.batchNorm(this); }
        public String name() { return "batchnorm"; }
    }

    /** Layer normalisation over each sample. */
    record LayerNorm(double eps) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.layerNorm(this); }
        public String name() { return "layernorm"; }
    }

    /** An activation function on its own. */
    record Activation(Function function, double param) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.activation(this); }
        public String name() { return function.languageName(); }
    }

    /** The end of {@code parallel concat}: inputs side by side on the channel axis. */
    record Concat() implements Kind {
        public <R> R accept(Visitor<R> v) { return v.concat(this); }
        public String name() { return "concat"; }
    }

    /** The end of {@code residual}: the sum of the inputs. */
    record Add() implements Kind {
        public <R> R accept(Visitor<R> v) { return v.add(this); }
        public String name() { return "add"; }
    }

    // ---- sequences: per-sample shapes [T] (token ids) and [T, F] (steps x features) ----------

    /** Token ids {@code [T]} to vectors {@code [T, dim]}; weight {@code [vocabulary, dim]}; id 0 pads (masked). */
    record Embedding(int vocabulary, int dim) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.embedding(this); }
        public String name() { return "embedding"; }
    }

    /**
     * An LSTM or a GRU over {@code [T, F]}: {@code [units]} (the last real step), or {@code [T, units]} with
     * {@code sequences}; twice the units when {@code bidirectional}. Parameters as PyTorch's nn.LSTM / nn.GRU:
     * roles {@code weight_ih [G*u, F]}, {@code weight_hh [G*u, u]}, {@code bias_ih [G*u]}, {@code bias_hh [G*u]}
     * (G = 4, gates i, f, g, o for LSTM; G = 3, gates r, z, n for GRU), and the same four with the suffix
     * {@code _reverse} for the backward direction.
     */
    record Recurrent(boolean gru, int units, boolean sequences, boolean bidirectional) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.recurrent(this); }
        public String name() { return gru ? "gru" : "lstm"; }
    }

    /** 1-D convolution over time of {@code [T, F]} to {@code [T', filters]}; weight {@code [filters, F, kernel]}, bias {@code [filters]}. */
    record Conv1d(int filters, int kernel, int stride, int dilation, boolean same, boolean bias) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.conv1d(this); }
        public String name() { return "conv1d"; }
    }

    /** Max or average pooling over time of {@code [T, F]}, each feature on its own. */
    record Pool1d(boolean max, int size, int stride, boolean same) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.pool1d(this); }
        public String name() { return max ? "maxpool1d" : "avgpool1d"; }
    }

    /** The largest value of each channel's plane, or over time ({@code [T, F] -> [F]}, padded steps ignored). */
    record GlobalMaxPool() implements Kind {
        public <R> R accept(Visitor<R> v) { return v.globalMaxPool(this); }
        public String name() { return "globalmaxpool"; }
    }

    /**
     * Multi-head self-attention over {@code [T, F]} (F divisible by {@code heads}), as PyTorch's
     * nn.MultiheadAttention: roles {@code in_weight [3F, F]} (query, key, value stacked), {@code in_bias [3F]},
     * {@code out_weight [F, F]}, {@code out_bias [F]}; padded keys are ignored; {@code causal}: a step sees
     * only itself and earlier steps.
     */
    record Attention(int heads, boolean causal) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.attention(this); }
        public String name() { return "attention"; }
    }

    /** Adds a position code to {@code [T, F]}: learned (role {@code weight [T, F]}) or sinusoidal (no parameters). */
    record Positional(boolean learned) implements Kind {
        public <R> R accept(Visitor<R> v) { return v.positional(this); }
        public String name() { return "positional"; }
    }

    /**
     * The activation functions of the language: the one list of their names,
     * each with the name of its one argument, if it has one.
     */
    enum Function {
        IDENTITY("identity", null),
        STEP("step", "threshold"),
        SIGMOID("sigmoid", "beta"),
        TANH("tanh", null),
        RELU("relu", null),
        LEAKY_RELU("leaky_relu", "alpha"),
        ELU("elu", "alpha"),
        GELU("gelu", null),
        SOFTPLUS("softplus", null),
        SWISH("swish", null),
        SOFTMAX("softmax", null);

        private final String languageName;
        private final String argument;

        Function(String languageName, String argument) {
            this.languageName = languageName;
            this.argument = argument;
        }

        /** The name a .ann file uses. */
        public String languageName() { return languageName; }

        /** The name of its argument ({@code beta}, {@code alpha}, {@code threshold}), or null. */
        public String argument() { return argument; }

        /** The function a .ann file names, or null when the name is not an activation. */
        public static Function named(String name) {
            for (Function f : values()) if (f.languageName.equals(name)) return f;
            return null;
        }
    }

    /** Height and width (of a kernel, a stride, a window). */
    record Pair(int h, int w) {
        static Pair of(Args a, String name) {
            List<Integer> l = a.getInts(name);
            return l.size() == 1 ? new Pair(l.get(0), l.get(0)) : new Pair(l.get(0), l.get(1));
        }
    }

    /** Whether this kind is an activation function. */
    static boolean isActivation(String name) {
        return Function.named(name) != null;
    }

    /**
     * The typed kind of an op from its language name and its resolved arguments.
     *
     * @throws IllegalArgumentException for a name that is no op, or an argument that is missing
     */
    static Kind of(String name, Args a) {
        Function f = Function.named(name);
        if (f != null) return new Activation(f, f.argument() == null ? 0 : a.getDouble(f.argument()));
        return switch (name) {
            case "input" -> new Input();
            case "dense" -> new Dense(a.getInt("units"), a.getBool("bias"));
            case "conv2d" -> new Conv2d(a.getInt("filters"), Pair.of(a, "kernel"), Pair.of(a, "stride"),
                    Pair.of(a, "dilation"), a.getString("padding").equals("same"), a.getBool("bias"));
            case "maxpool", "avgpool" -> {
                Pair size = Pair.of(a, "size");
                yield new Pool(name.equals("maxpool"), size, a.has("stride") ? Pair.of(a, "stride") : size,
                        a.getString("padding").equals("same"));
            }
            case "globalavgpool" -> new GlobalAvgPool();
            case "globalmaxpool" -> new GlobalMaxPool();
            case "embedding" -> new Embedding(a.getInt("vocabulary"), a.getInt("dim"));
            case "lstm", "gru" -> new Recurrent(name.equals("gru"), a.getInt("units"), a.getBool("sequences"),
                    a.getBool("bidirectional"));
            case "conv1d" -> new Conv1d(a.getInt("filters"), a.getInt("kernel"), a.getInt("stride"), a.getInt("dilation"),
                    a.getString("padding").equals("same"), a.getBool("bias"));
            case "maxpool1d", "avgpool1d" -> {
                int size = a.getInt("size");
                yield new Pool1d(name.equals("maxpool1d"), size, a.has("stride") ? a.getInt("stride") : size,
                        a.getString("padding").equals("same"));
            }
            case "attention" -> new Attention(a.getInt("heads"), a.getBool("causal"));
            case "positional" -> new Positional(a.getString("kind").equals("learned"));
            case "flatten" -> new Reshape(true, List.of());
            case "reshape" -> new Reshape(false, a.getInts("shape"));
            case "dropout" -> new Dropout(a.getDouble("rate"));
            case "batchnorm" -> new BatchNorm(a.getDouble("momentum"), a.getDouble("eps"));
            case "layernorm" -> new LayerNorm(a.getDouble("eps"));
            case "concat" -> new Concat();
            case "add" -> new Add();
            default -> throw new IllegalArgumentException("no op kind '" + name + "'");
        };
    }
}
