package dev.ann.kernels;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A network ready to run: one {@link Layer} per op, added in topological
 * order, every trainable parameter a view into one flat buffer
 * ({@link #params()}), every gradient a view into another ({@link #grads()}),
 * non-trainable state (batchnorm running statistics) in a third.
 *
 * <p>Built in three steps: {@link #input}, then {@link #add} and {@link #param}
 * for each op, then {@link #build}, which fuses an activation into the dense,
 * conv2d or batchnorm before it, and a final softmax (or sigmoid) into the loss when the loss
 * is cross-entropy (binary cross-entropy): {@link #forward} then returns logits
 * and {@link #predict} applies the output function.
 */
public final class Network {
    /**
     * Samples per forward pass when a whole split is run in evaluation mode: the validation after each epoch of
     * {@code ann train}, {@code ann eval}, {@code ann predict} and the generated trainer's evaluation.
     */
    public static final int EVALUATION_BATCH = 256;

    /** What was fused away at the output. */
    public enum OutputFusion { NONE, SOFTMAX, SIGMOID }

    /**
     * How a parameter starts, from the one seed. he: normal with std sqrt(2 / fanIn);
     * xavier: normal with std sqrt(2 / (fanIn + fanOut)); normal: with {@code std}; zeros, ones.
     */
    public record Init(Kind kind, double std, long fanIn, long fanOut) {
        public enum Kind { HE, XAVIER, NORMAL, ZEROS, ONES }

        public static Init he(long fanIn) { return new Init(Kind.HE, 0, fanIn, 0); }
        public static Init xavier(long fanIn, long fanOut) { return new Init(Kind.XAVIER, 0, fanIn, fanOut); }
        public static Init normal(double std) { return new Init(Kind.NORMAL, std, 0, 0); }
        public static Init zeros() { return new Init(Kind.ZEROS, 0, 0, 0); }
        public static Init ones() { return new Init(Kind.ONES, 0, 0, 0); }

        /** The standard deviation of the normal it draws from; 0 for the constants. */
        double deviation() {
            return switch (kind) {
                case HE -> Math.sqrt(2.0 / Math.max(1, fanIn));
                case XAVIER -> Math.sqrt(2.0 / Math.max(1, fanIn + fanOut));
                case NORMAL -> std;
                case ZEROS, ONES -> 0;
            };
        }
    }

    /** A parameter tensor: {@code <op name>.<role>}, owned by op {@code op}. */
    public record Param(String name, int op, String role, long[] shape, boolean trainable, Init init) {
        public long size() {
            long p = 1;
            for (long v : shape) p *= v;
            return p;
        }
    }

    private final DataType dt;
    private final List<Layer> layerList = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<int[]> inputList = new ArrayList<>();
    private final List<Param> paramList = new ArrayList<>();

    private Layer[] layers;
    private int[][] inputs;
    private int[] alias;          // op -> op whose output it shares (fused activation), or -1
    private boolean[] constant;   // op computed from the data alone: no gradient reaches it
    private boolean[] skipped;    // fused output function
    private int[][] consumers;
    private int outId;            // op whose output is the training output
    private OutputFusion fusion;
    private INDArray params, grads, state;
    private final Map<String, INDArray> paramViews = new LinkedHashMap<>();
    private final Map<String, INDArray> stateViews = new LinkedHashMap<>();
    private final List<Param> trainable = new ArrayList<>(), nonTrainable = new ArrayList<>();
    private final Map<Long, INDArray[]> accBufs = new HashMap<>();

    /** @param dt the type of every array: FLOAT to train, DOUBLE for gradient checks */
    public Network(DataType dt) {
        this.dt = dt;
    }

    /** whether {@link #build} asks for an engine ({@link Blocked}) */
    private boolean engineWanted = true;

    /** Builds without an engine: every layer on plain arrays (a few samples' inference, where loading one costs more). */
    public Network withoutEngine() {
        engineWanted = false;
        return this;
    }

    /** Adds the data as op 0, with its per-sample shape; returns 0. */
    public int input(long... shape) {
        if (!layerList.isEmpty()) throw new IllegalStateException("the input is the first op");
        return add("input", new Layers.Input(), shape);
    }

    /**
     * Adds an op: its layer, its per-sample output shape and the ops it reads.
     *
     * @return the op's id, for later ops' inputs and for {@link #param}
     */
    public int add(String name, Layer layer, long[] outShape, int... from) {
        if (layers != null) throw new IllegalStateException("the network is built already");
        int id = layerList.size();
        for (int f : from) if (f < 0 || f >= id) throw new IllegalArgumentException(name + " reads op " + f + ", which comes later");
        layer.dt = dt;
        layer.outShape = outShape.clone();
        layer.inShapes = new long[from.length][];
        for (int k = 0; k < from.length; k++) layer.inShapes[k] = layerList.get(from[k]).outShape;
        layerList.add(layer);
        names.add(name);
        inputList.add(from.clone());
        return id;
    }

    /** Declares a parameter tensor of op {@code op}; parameters are laid out in the order declared. */
    public void param(int op, String role, long[] shape, boolean trainable, Init init) {
        paramList.add(new Param(names.get(op) + "." + role, op, role, shape.clone(), trainable, init));
    }

    private boolean gradientsToData;

    /**
     * Back-propagates into the layers between the input and the first trainable layer too (flatten, a
     * pool...), which training skips: for a tool or test that reads the gradient reaching them. Before
     * {@link #build}.
     */
    public Network gradientsToData() {
        gradientsToData = true;
        return this;
    }

    /**
     * Fuses what can be fused for this loss, lays out the flat buffers and binds
     * every layer to its parameters. The parameters are zero until {@link #init}
     * or a checkpoint sets them.
     */
    public Network build(Loss.Fn loss) {
        layers = layerList.toArray(new Layer[0]);
        inputs = inputList.toArray(new int[0][]);
        int n = layers.length;
        alias = new int[n];
        skipped = new boolean[n];
        java.util.Arrays.fill(alias, -1);
        List<List<Integer>> cons = new ArrayList<>();
        for (int i = 0; i < n; i++) cons.add(new ArrayList<>());
        for (int i = 0; i < n; i++) for (int in : inputs[i]) cons.get(in).add(i);
        consumers = new int[n][];
        for (int i = 0; i < n; i++) consumers[i] = cons.get(i).stream().mapToInt(Integer::intValue).toArray();

        // ops computed from the data alone (the input, and what follows it with no trainable parameter on the way:
        // flatten, resize, a pool): no gradient needs to reach them, so the layers reading only them skip their
        // input's gradient (a first dense after flatten: a gemm as large as its forward pass) and backward stops there
        constant = new boolean[n];
        constant[0] = true;
        java.util.Set<Integer> trained = new java.util.HashSet<>();
        for (Param p : paramList) if (p.trainable()) trained.add(p.op());
        for (int i = 1; i < n; i++) {
            boolean fromData = true;
            for (int in : inputs[i]) fromData &= constant[in];
            constant[i] = fromData && !trained.contains(i) && !gradientsToData;
            layers[i].needInputGrad = !fromData;
        }

        // the output function fused into the loss
        int last = n - 1;
        OutputFusion f = OutputFusion.NONE;
        if (layers[last] instanceof Layers.ActivationLayer a && inputs[last].length == 1
                && consumers[inputs[last][0]].length == 1) {
            if (loss == Loss.Fn.CROSS_ENTROPY && a.act.fn == Activation.Fn.SOFTMAX) f = OutputFusion.SOFTMAX;
            if (loss == Loss.Fn.BINARY_CROSS_ENTROPY && a.act.fn == Activation.Fn.SIGMOID && a.act.p == 1.0) {
                f = OutputFusion.SIGMOID;
            }
        }
        fusion = f;
        if (f != OutputFusion.NONE) skipped[last] = true;
        outId = f != OutputFusion.NONE ? inputs[last][0] : last;

        // activations fused into the dense, conv2d or batchnorm before them
        for (int i = 1; i < n; i++) {
            if (skipped[i] || !(layers[i] instanceof Layers.ActivationLayer a) || inputs[i].length != 1) continue;
            int p = inputs[i][0];
            if (consumers[p].length != 1 || a.act.fn == Activation.Fn.SOFTMAX) continue;
            if (layers[p] instanceof Layers.Dense d && d.act == null) {
                d.act = a.act;
                alias[i] = p;
            } else if (layers[p] instanceof Layers.Conv2d c && c.act == null) {
                c.act = a.act;
                alias[i] = p;
            } else if (layers[p] instanceof Layers.BatchNorm b && b.act == null) {
                b.act = a.act;
                alias[i] = p;
            }
        }

        // a relu whose only reader is a global max pool: applied to the pool's output instead, relu(max x) =
        // max relu(x), with the same gradient (the first largest value's, 0 when the largest is not above 0), on
        // [n, F] values in place of [n, T, F] (reuters_corn's conv1d -> relu -> globalmaxpool: 0.5 ms a step)
        for (int i = 1; i < n; i++) {
            if (skipped[i] || alias[i] >= 0 || !(layers[i] instanceof Layers.ActivationLayer a) || a.act.fn != Activation.Fn.RELU
                    || inputs[i].length != 1 || consumers[inputs[i][0]].length != 1 || consumers[i].length != 1) continue;
            int q = consumers[i][0];
            if (layers[q] instanceof Sequence.GlobalMaxPool pool && pool.after == null && inputs[q].length == 1) {
                pool.after = a.act;
                alias[i] = inputs[i][0];
            }
        }

        // oneDNN's blocked layout between convolutions (Blocked): from each convolution the engine runs, through
        // the batchnorms, max pools and elementwise activations after it, up to the first layer that reads plain
        // arrays; the training output stays plain (the loss reads it)
        boolean convs = false;
        for (Layer layer : layers) convs |= Blocked.wanted(layer);
        Blocked.Engine e = engineWanted && convs && dt == DataType.FLOAT && Flat.host() ? Blocked.engine() : null;
        if (e != null) { // a sequence's convolutions on the engine too, their batches plain
            for (int i = 1; i < n; i++) if (!skipped[i] && layers[i] instanceof Sequence.Conv1d c) c.useEngine(e);
        }
        if (e != null) {
            int l = e.lanes(), outSource = source(outId);
            for (int i = 1; i < n; i++) {
                if (skipped[i] || alias[i] >= 0 || i == outSource) continue;
                Layer layer = layers[i];
                boolean fromBlocked = inputs[i].length == 1 && lanes(inputs[i][0]) > 1;
                boolean blocked;
                if (layer instanceof Layers.Conv2d c) blocked = c.blockable(e);
                else if (!fromBlocked) blocked = false;
                else if (layer instanceof Layers.BatchNorm) blocked = layer.inShapes[0].length == 3 && Blocked.fits(layer.inShapes[0][0], l);
                else if (layer instanceof Layers.Pool pool) blocked = pool.blockable();
                else if (layer instanceof Layers.ActivationLayer a) blocked = a.act.fn != Activation.Fn.SOFTMAX;
                else blocked = false;
                if (blocked) layer.lanes = l;
            }
        }
        engine = e;

        // flat buffers
        long nt = 0, ns = 0;
        for (Param p : paramList) {
            if (p.trainable()) { trainable.add(p); nt += p.size(); }
            else { nonTrainable.add(p); ns += p.size(); }
        }
        params = Nd4j.zeros(dt, Math.max(nt, 1));
        grads = Nd4j.zeros(dt, Math.max(nt, 1));
        state = Nd4j.zeros(dt, Math.max(ns, 1));
        bindAll();
        return this;
    }

    /**
     * Makes this network, built from the same ops, read {@code main}'s parameters and state (its own
     * arrays are dropped) and keep gradients of its own: the second half of a batch ({@link BatchHalves}).
     */
    public Network share(Network main) {
        if (layers == null || main.layers == null) throw new IllegalStateException("build both networks first");
        if (main.paramList.size() != paramList.size() || main.params.length() != params.length() || main.state.length() != state.length()) {
            throw new IllegalArgumentException("only a network of the same ops can share another's parameters");
        }
        for (int i = 0; i < paramList.size(); i++) {
            if (!paramList.get(i).name().equals(main.paramList.get(i).name())) {
                throw new IllegalArgumentException("only a network of the same ops can share another's parameters");
            }
        }
        params = main.params;
        state = main.state;
        bindAll();
        return this;
    }

    /** Lays the parameter, gradient and state views over the flat buffers and binds every layer to its own. */
    private void bindAll() {
        int n = layers.length;
        paramViews.clear();
        stateViews.clear();
        Map<Integer, Map<String, INDArray>> pv = new HashMap<>(), gv = new HashMap<>();
        long off = 0;
        for (Param p : trainable) {
            INDArray v = view(params, off, p);
            paramViews.put(p.name(), v);
            pv.computeIfAbsent(p.op(), k -> new HashMap<>()).put(p.role(), v);
            gv.computeIfAbsent(p.op(), k -> new HashMap<>()).put(p.role(), view(grads, off, p));
            off += p.size();
        }
        off = 0;
        for (Param p : nonTrainable) {
            INDArray v = view(state, off, p);
            stateViews.put(p.name(), v);
            pv.computeIfAbsent(p.op(), k -> new HashMap<>()).put(p.role(), v);
            off += p.size();
        }
        for (int i = 0; i < n; i++) layers[i].bind(pv.getOrDefault(i, Map.of()), gv.getOrDefault(i, Map.of()));
    }

    private static INDArray view(INDArray flat, long off, Param p) {
        INDArray v = flat.get(NDArrayIndex.interval(off, off + p.size()));
        return p.shape().length == 1 ? v : v.reshape('c', p.shape());
    }

    /** Initialises every parameter from the seed: one java.util.Random(seed), parameters in the order declared. */
    public void init(long seed) {
        Random r = new Random(seed);
        for (Param p : paramList) {
            INDArray v = p.trainable() ? paramViews.get(p.name()) : stateViews.get(p.name());
            double std = p.init().deviation();
            int len = (int) p.size();
            double[] vals = new double[len];
            if (p.init().kind() == Init.Kind.ONES) java.util.Arrays.fill(vals, 1.0);
            else if (std > 0) for (int k = 0; k < len; k++) vals[k] = r.nextGaussian() * std;
            v.assign(Nd4j.createFromArray(vals).castTo(dt).reshape(v.shape()));
        }
    }

    /**
     * Sets every parameter and every state array (batchnorm's running
     * statistics) from the array of the same name ({@code <layer>.<role>})
     * and the same shape: the start of fine-tuning from a checkpoint
     * ({@code init from "file"}). Arrays the network has no parameter for
     * (an optimiser's state, a data transform) are not read.
     *
     * @param arrays the values of each array, row-major
     * @param shapes the shape of each array
     * @param from   where the arrays come from, for the messages
     * @throws IllegalArgumentException naming the parameter and both shapes when a shape differs, or
     *                                  the parameters that have no array
     */
    public void assign(Map<String, float[]> arrays, Map<String, long[]> shapes, String from) {
        List<String> missing = new ArrayList<>();
        for (Param p : paramList) {
            float[] v = arrays.get(p.name());
            if (v == null) {
                missing.add(p.name());
                continue;
            }
            long[] s = shapes.get(p.name());
            if (s == null || !java.util.Arrays.equals(s, p.shape()) || v.length != p.size()) {
                throw new IllegalArgumentException(from + ": parameter " + p.name() + " has shape "
                        + (s == null ? "(none)" : java.util.Arrays.toString(s)) + " in the checkpoint but "
                        + java.util.Arrays.toString(p.shape()) + " in this network; start from a checkpoint of a network"
                        + " with the same layers, or change the layer to match");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(from + ": the checkpoint has no array for "
                    + String.join(", ", missing.subList(0, Math.min(8, missing.size())))
                    + (missing.size() > 8 ? " and " + (missing.size() - 8) + " more" : "")
                    + "; start from a checkpoint of a network with these layers (names are <layer>.<role>)");
        }
        for (Param p : paramList) {
            INDArray v = p.trainable() ? paramViews.get(p.name()) : stateViews.get(p.name());
            v.assign(Nd4j.createFromArray(arrays.get(p.name())).castTo(dt).reshape(v.shape()));
        }
    }

    private long[][] timing;

    /** the engine of the blocked layers, when there are any */
    private Blocked.Engine engine;
    /** the batches reordered between layouts, per edge, direction and batch size */
    private final Map<String, INDArray> reordered = new HashMap<>();

    /** The lanes of op i's output's layout: 1 plain, 8 or 16 blocked ({@link Blocked}); a fused activation's are its source's. */
    private int lanes(int i) {
        return layers[source(i)].lanes;
    }

    /** The op whose output op i's is: i, or the op a fused activation shares its output with. */
    private int source(int i) {
        while (alias[i] >= 0) i = alias[i];
        return i;
    }

    /**
     * {@code v}, a batch of op j's layout going to op i's input k ({@code forward}) or its gradient coming back, in
     * the layout of the side it goes to: reordered where the two differ.
     */
    private INDArray across(int j, int i, int k, boolean forward, INDArray v) {
        int from = forward ? lanes(j) : lanes(i), to = forward ? lanes(i) : lanes(j);
        if (from == to) return v;
        INDArray r = reordered.computeIfAbsent(i + "," + k + "," + forward + "," + v.size(0), key -> Nd4j.createUninitialized(dt, v.shape()));
        if (to > 1) engine.toBlocked(v, r);
        else engine.toPlain(v, r);
        return r;
    }

    /** The training output: logits when the output function is fused into the loss. */
    public INDArray forward(INDArray x, boolean training) {
        for (int i = 0; i < layers.length; i++) {
            if (skipped[i]) continue;
            if (alias[i] >= 0) { layers[i].out = layers[alias[i]].out; continue; }
            long t0 = timing != null ? System.nanoTime() : 0;
            if (i == 0) {
                layers[0].forward(new INDArray[] {x}, training);
            } else {
                INDArray[] in = new INDArray[inputs[i].length];
                for (int k = 0; k < in.length; k++) in[k] = across(inputs[i][k], i, k, true, layers[inputs[i][k]].out);
                layers[i].mask = maskOf(inputs[i][0]);
                layers[i].forward(in, training);
            }
            if (timing != null) timing[i][0] += System.nanoTime() - t0;
        }
        return layers[outId].out;
    }

    /** The padding mask of op i's output ({@code [n, T]}), or null: the input has none, a fused op shares its producer's. */
    private INDArray maskOf(int i) {
        if (i == 0) return null;
        return alias[i] >= 0 ? layers[alias[i]].outMask() : layers[i].outMask();
    }

    /** What the network computes, output function included (probabilities for softmax). */
    public INDArray predict(INDArray x) {
        INDArray o = forward(x, false);
        return switch (fusion) {
            case SOFTMAX -> Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax(o, o.ulike(), 1))[0];
            case SIGMOID -> org.nd4j.linalg.ops.transforms.Transforms.sigmoid(o, true);
            case NONE -> o;
        };
    }

    /** Back-propagates the gradient of the loss with respect to the training output into {@link #grads()}. */
    public void backward(INDArray gradOut) {
        int n = layers.length;
        INDArray[] g = new INDArray[n];
        int[] arrived = new int[n];
        g[outId] = gradOut;
        long batch = gradOut.size(0);
        for (int i = n - 1; i >= 1; i--) {
            if (skipped[i] || constant[i]) continue;
            if (g[i] == null) continue;
            if (alias[i] >= 0) { g[alias[i]] = g[i]; continue; }
            long t0 = timing != null ? System.nanoTime() : 0;
            INDArray[] gi = layers[i].backward(g[i]);
            if (timing != null) timing[i][1] += System.nanoTime() - t0;
            int[] ins = inputs[i];
            for (int k = 0; k < ins.length; k++) {
                int j = ins[k];
                if (constant[j] || gi[k] == null) continue;
                gi[k] = across(j, i, k, false, gi[k]);
                if (consumers[j].length == 1) { g[j] = gi[k]; continue; }
                INDArray acc = accBufs.computeIfAbsent(batch, b -> new INDArray[n])[j];
                if (acc == null) {
                    acc = Nd4j.createUninitialized(dt, gi[k].shape());
                    accBufs.get(batch)[j] = acc;
                }
                if (arrived[j]++ == 0) acc.assign(gi[k]);
                else acc.addi(gi[k]);
                g[j] = acc;
            }
        }
    }

    /**
     * Per-layer timing for benchmarks: after this call, forward and backward
     * add the nanoseconds each layer took to the returned [layer][fwd, bwd]
     * array (ND4J's CPU ops are synchronous, so wall time is op time).
     */
    public long[][] enableTiming() {
        timing = new long[layers.length][2];
        return timing;
    }

    /** The name and kind of layer i, for timing reports. */
    public String layerLabel(int i) {
        return names.get(i) + " (" + layers[i].getClass().getSimpleName() + ")";
    }

    public INDArray params() { return params; }
    public INDArray grads() { return grads; }
    public INDArray state() { return state; }
    public OutputFusion fusion() { return fusion; }
    public DataType dataType() { return dt; }
    public List<Param> trainableParams() { return trainable; }
    public List<Param> stateParams() { return nonTrainable; }
    public Map<String, INDArray> paramViews() { return paramViews; }
    /** Views of the non-trained state (batchnorm running statistics) by parameter name. */
    public Map<String, INDArray> stateViews() { return stateViews; }
    public long trainableCount() { return trainable.stream().mapToLong(Param::size).sum(); }
    /** How many ops run on the engine ({@link Blocked}): on its blocked layout, or a sequence's convolution; 0 without one. */
    public int engineOps() {
        int c = 0;
        for (Layer l : layers) if (l.lanes > 1 || l instanceof Sequence.Conv1d s && s.onEngine()) c++;
        return c;
    }

    /** The number of ops, the input included. */
    public int size() { return layers.length; }
}
