package dev.ann.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network for the kernels' tests, built op by op on a {@link Network} (double precision unless told) with the shapes and
 * parameter roles the compiler's Registry declares (so the tests need no compiler): each method adds one op after
 * the current one and keeps its per-sample shape.
 */
final class SeqNet {
    final Network net;
    final long[] inShape;
    int cur;
    private long[] shape;
    private int count;

    SeqNet(long... inShape) { this(DataType.DOUBLE, inShape); }

    SeqNet(DataType dt, long... inShape) {
        net = new Network(dt);
        this.inShape = inShape;
        cur = net.input(inShape);
        shape = inShape;
    }

    /**
     * A test layer standing for an embedding: passes its input on and says which steps are real, the first
     * {@code lengths[i]} steps of sample i (padding at the end), as the Network's mask of its output.
     */
    static final class Masked extends Layer {
        final INDArray m;
        /** the gradient that came back to this layer: the gradient of the network's input */
        INDArray gradIn;

        /** lengths null: no mask */
        Masked(long t, int... lengths) {
            if (lengths == null) { m = null; return; }
            double[][] a = new double[lengths.length][(int) t];
            for (int i = 0; i < lengths.length; i++) for (int j = 0; j < lengths[i]; j++) a[i][j] = 1;
            m = Nd4j.createFromArray(a);
        }

        void forward(INDArray[] in, boolean training) { out = in[0]; }

        /** steps[i][t]: 1 where step t of sample i is real, 0 where it pads (anywhere: at the start, between real steps) */
        Masked(double[][] steps) { m = Nd4j.createFromArray(steps); }

        INDArray[] backward(INDArray g) {
            gradIn = g;
            return new INDArray[] {g};
        }

        @Override INDArray outMask() { return m == null ? null : m.castTo(dt); }
    }

    long[] shape() { return shape.clone(); }

    SeqNet from(int op) {
        cur = op;
        shape = shapeOf(op);
        return this;
    }

    private final java.util.Map<Integer, long[]> shapes = new java.util.HashMap<>();

    long[] shapeOf(int op) { return op == 0 ? inShape : shapes.get(op); }

    SeqNet op(String kind, Layer layer, long[] out, int... from) {
        cur = net.add(kind + (++count), layer, out, from.length == 0 ? new int[] {cur} : from);
        shapes.put(cur, out.clone());
        layers.put(cur, layer);
        shape = out;
        return this;
    }

    private void param(String role, Network.Init init, long... s) { net.param(cur, role, s, true, init); }

    SeqNet masked(int... lengths) { return op("masked", new Masked(shape[0], lengths), shape); }

    SeqNet masked(double[][] steps) { return op("masked", new Masked(steps), shape); }

    /** The layer of op i (after {@link #op}), for tests that look inside. */
    private final java.util.Map<Integer, Layer> layers = new java.util.HashMap<>();

    Layer layer(int op) { return layers.get(op); }

    static long conv1dSteps(long t, int kernel, int stride, int dilation, boolean same) {
        if (same) return (t + stride - 1) / stride;
        long eff = (long) (kernel - 1) * dilation + 1;
        return (t - eff) / stride + 1;
    }

    SeqNet conv1d(int filters, int kernel, int stride, int dilation, boolean same, boolean bias) {
        long f = shape[1];
        op("conv1d", new Sequence.Conv1d(kernel, stride, dilation, same),
                new long[] {conv1dSteps(shape[0], kernel, stride, dilation, same), filters});
        param("weight", Network.Init.he(f * kernel), filters, f, kernel);
        if (bias) param("bias", Network.Init.zeros(), filters);
        return this;
    }

    SeqNet pool1d(boolean max, int size, int stride, boolean same) {
        return op("pool1d", new Sequence.Pool1d(max, size, stride, same),
                new long[] {conv1dSteps(shape[0], size, stride, 1, same), shape[1]});
    }

    SeqNet conv2d(int filters, int kernel) {
        long c = shape[0];
        op("conv2d", new Layers.Conv2d(kernel, kernel, 1, 1, 1, 1, true), new long[] {filters, shape[1], shape[2]});
        param("weight", Network.Init.he(c * kernel * kernel), filters, c, kernel, kernel);
        param("bias", Network.Init.zeros(), filters);
        return this;
    }

    SeqNet globalMaxPool() { return op("globalmaxpool", new Sequence.GlobalMaxPool(), new long[] {shape[shape.length == 2 ? 1 : 0]}); }

    SeqNet globalAvgPool() { return op("globalavgpool", new Layers.GlobalAvgPool(), new long[] {shape[shape.length == 2 ? 1 : 0]}); }

    SeqNet attention(int heads, boolean causal) {
        long f = shape[1];
        op("attention", new Sequence.Attention(heads, causal), shape);
        param("in_weight", Network.Init.xavier(f, 3 * f), 3 * f, f);
        param("in_bias", Network.Init.zeros(), 3 * f);
        param("out_weight", Network.Init.xavier(f, f), f, f);
        param("out_bias", Network.Init.zeros(), f);
        return this;
    }

    SeqNet positional(boolean learned) {
        op("positional", new Sequence.Positional(learned), shape);
        if (learned) param("weight", Network.Init.normal(0.02), shape[0], shape[1]);
        return this;
    }

    /** dense on [T, F]: each step on its own, [T, units] */
    SeqNet denseSteps(int units, boolean bias) {
        long f = shape[1];
        op("dense", new Layers.Dense(), new long[] {shape[0], units});
        param("weight", Network.Init.he(f), f, units);
        if (bias) param("bias", Network.Init.zeros(), units);
        return this;
    }

    /** dense on the whole sample, [units] */
    SeqNet dense(int units) {
        long in = Layers.prod(shape);
        op("dense", new Layers.Dense(), new long[] {units});
        param("weight", Network.Init.he(in), in, units);
        param("bias", Network.Init.zeros(), units);
        return this;
    }

    SeqNet flatten() { return op("flatten", new Layers.Reshape(), new long[] {Layers.prod(shape)}); }

    SeqNet act(Activation.Fn fn) { return op("act", new Layers.ActivationLayer(new Activation(fn, fn == Activation.Fn.LEAKY_RELU ? 0.01 : 1.0)), shape); }

    /** layernorm: on [T, F] each step over F (gamma, beta [F]) */
    SeqNet layerNorm() {
        long c = shape.length == 2 ? shape[1] : shape[0];
        op("layernorm", new Layers.LayerNorm(1e-5), shape);
        param("gamma", Network.Init.ones(), c);
        param("beta", Network.Init.zeros(), c);
        return this;
    }

    SeqNet concat(int... ops) {
        long[] s = shapeOf(ops[0]).clone();
        int axis = s.length == 2 ? 1 : 0;
        s[axis] = 0;
        for (int o : ops) s[axis] += shapeOf(o)[axis];
        return op("concat", new Layers.Concat(), s, ops);
    }

    SeqNet add(int... ops) { return op("add", new Layers.Add(), shapeOf(ops[0]), ops); }

    /** The network, built for mean squared error, its parameters from seed 3. */
    Network build() {
        Network n = net.gradientsToData().build(Loss.Fn.MSE); // the Masked layer reads the input's gradient
        n.init(3);
        return n;
    }
}
