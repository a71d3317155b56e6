package dev.ann.runtime.nn;

import dev.ann.compiler.plan.Op;
import dev.ann.compiler.plan.Param;
import dev.ann.compiler.plan.Plan;
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
 * A Plan's network, ready to run: one layer object per op, every trainable
 * parameter a view into one flat buffer ({@link #params()}), every gradient a
 * view into another ({@link #grads()}), non-trainable state (batchnorm running
 * statistics) in a third. An activation that follows a dense or conv2d layer is
 * fused into it; a final softmax (or sigmoid) is fused into the loss when the
 * loss is cross-entropy (binary cross-entropy), so {@link #forward} then
 * returns logits and {@link #predict} applies the output function.
 */
public final class Net {
    /** What was fused away at the output. */
    public enum OutputFusion { NONE, SOFTMAX, SIGMOID }

    private final Plan plan;
    private final DataType dt;
    private final Layer[] layers;
    private final int[] alias;          // op -> op whose output it shares (fused activation), or -1
    private final boolean[] skipped;    // fused output function
    private final int[][] consumers;
    private final int outId;            // op whose output is the training output
    private final OutputFusion fusion;
    private final INDArray params, grads, state;
    private final Map<String, INDArray> paramViews = new LinkedHashMap<>();
    private final Map<String, INDArray> stateViews = new LinkedHashMap<>();
    private final List<Param> trainable = new ArrayList<>(), nonTrainable = new ArrayList<>();
    private final Map<Long, INDArray[]> accBufs = new HashMap<>();

    public Net(Plan plan, DataType dt) {
        this.plan = plan;
        this.dt = dt;
        List<Op> ops = plan.ops();
        int n = ops.size();
        layers = new Layer[n];
        alias = new int[n];
        skipped = new boolean[n];
        java.util.Arrays.fill(alias, -1);
        List<List<Integer>> cons = new ArrayList<>();
        for (int i = 0; i < n; i++) cons.add(new ArrayList<>());
        for (Op op : ops) for (int in : op.inputs()) cons.get(in).add(op.id());
        consumers = new int[n][];
        for (int i = 0; i < n; i++) consumers[i] = cons.get(i).stream().mapToInt(Integer::intValue).toArray();

        for (int i = 0; i < n; i++) layers[i] = create(ops.get(i));
        for (int i = 0; i < n; i++) {
            Layer l = layers[i];
            l.outShape = toLong(ops.get(i).outShape().toArray());
            l.inShapes = new long[ops.get(i).inputs().size()][];
            for (int k = 0; k < l.inShapes.length; k++) l.inShapes[k] = toLong(ops.get(ops.get(i).inputs().get(k)).outShape().toArray());
            l.needInputGrad = !(ops.get(i).inputs().size() == 1 && ops.get(i).inputs().get(0) == 0);
        }

        // the output function fused into the loss
        int last = n - 1;
        String loss = plan.loss().kind();
        Op lastOp = ops.get(last);
        OutputFusion f = OutputFusion.NONE;
        if (lastOp.inputs().size() == 1 && consumers[lastOp.inputs().get(0)].length == 1) {
            if (loss.equals("cross_entropy") && lastOp.kind().equals("softmax")) f = OutputFusion.SOFTMAX;
            if (loss.equals("binary_cross_entropy") && lastOp.kind().equals("sigmoid")
                    && K.d(lastOp.args(), "beta", 1) == 1.0) f = OutputFusion.SIGMOID;
        }
        fusion = f;
        if (f != OutputFusion.NONE) skipped[last] = true;
        outId = f != OutputFusion.NONE ? lastOp.inputs().get(0) : last;

        // activations fused into the dense or conv2d before them
        for (int i = 1; i < n; i++) {
            Op op = ops.get(i);
            if (skipped[i] || !Act.isActivation(op.kind()) || op.inputs().size() != 1) continue;
            int p = op.inputs().get(0);
            if (consumers[p].length != 1) continue;
            Act act = new Act(op.kind(), op.args());
            if (layers[p] instanceof Layers.Dense d && d.act == null && !op.kind().equals("softmax")) {
                d.act = act;
                alias[i] = p;
            } else if (layers[p] instanceof Layers.Conv2d c && c.act == null && !op.kind().equals("softmax")) {
                c.act = act;
                alias[i] = p;
            }
        }

        // flat buffers
        long nt = 0, ns = 0;
        for (Param p : plan.params()) {
            if (p.trainable()) { trainable.add(p); nt += p.shape().size(); }
            else { nonTrainable.add(p); ns += p.shape().size(); }
        }
        params = Nd4j.zeros(dt, Math.max(nt, 1));
        grads = Nd4j.zeros(dt, Math.max(nt, 1));
        state = Nd4j.zeros(dt, Math.max(ns, 1));
        Map<Integer, Map<String, INDArray>> pv = new HashMap<>(), gv = new HashMap<>();
        long off = 0;
        for (Param p : trainable) {
            long len = p.shape().size();
            INDArray v = view(params, off, len, p);
            paramViews.put(p.name(), v);
            pv.computeIfAbsent(p.op(), k -> new HashMap<>()).put(p.role(), v);
            gv.computeIfAbsent(p.op(), k -> new HashMap<>()).put(p.role(), view(grads, off, len, p));
            off += len;
        }
        off = 0;
        for (Param p : nonTrainable) {
            long len = p.shape().size();
            INDArray v = view(state, off, len, p);
            stateViews.put(p.name(), v);
            pv.computeIfAbsent(p.op(), k -> new HashMap<>()).put(p.role(), v);
            off += len;
        }
        for (int i = 0; i < n; i++) layers[i].bind(pv.getOrDefault(i, Map.of()), gv.getOrDefault(i, Map.of()));
    }

    private static INDArray view(INDArray flat, long off, long len, Param p) {
        INDArray v = flat.get(NDArrayIndex.interval(off, off + len));
        long[] shape = toLong(p.shape().toArray());
        return shape.length == 1 ? v : v.reshape('c', shape);
    }

    private static long[] toLong(int[] a) {
        long[] o = new long[a.length];
        for (int i = 0; i < a.length; i++) o[i] = a[i];
        return o;
    }

    private Layer create(Op op) {
        return switch (op.kind()) {
            case "input" -> new Layers.Input(op, dt);
            case "dense" -> new Layers.Dense(op, dt);
            case "conv2d" -> new Layers.Conv2d(op, dt);
            case "maxpool" -> new Layers.Pool(op, dt, true);
            case "avgpool" -> new Layers.Pool(op, dt, false);
            case "globalavgpool" -> new Layers.GlobalAvgPool(op, dt);
            case "flatten", "reshape" -> new Layers.Reshape(op, dt);
            case "dropout" -> new Layers.Dropout(op, dt);
            case "batchnorm" -> new Layers.BatchNorm(op, dt);
            case "layernorm" -> new Layers.LayerNorm(op, dt);
            case "concat" -> new Layers.Concat(op, dt);
            case "add" -> new Layers.Add(op, dt);
            default -> {
                if (Act.isActivation(op.kind())) yield new Layers.Activation(op, dt);
                throw new IllegalArgumentException("the runtime does not know the op kind '" + op.kind() + "' (" + op.name() + ")");
            }
        };
    }

    /** Initialises every parameter from the seed: one java.util.Random(seed), params in plan order. */
    public void init(long seed) {
        Random r = new Random(seed);
        for (Param p : plan.params()) {
            INDArray v = p.trainable() ? paramViews.get(p.name()) : stateViews.get(p.name());
            Param.Init in = p.init();
            String kind = in == null ? defaultInit(p) : in.kind();
            if (in == null && (kind.equals("he") || kind.equals("xavier"))) {
                throw new IllegalArgumentException("parameter " + p.name() + " has no initialiser in the plan");
            }
            double std = switch (kind) {
                case "he" -> Math.sqrt(2.0 / Math.max(1, in.fanIn()));
                case "xavier" -> Math.sqrt(2.0 / Math.max(1, in.fanIn() + in.fanOut()));
                case "normal" -> in.std();
                default -> 0;
            };
            int len = (int) p.shape().size();
            double[] vals = new double[len];
            if (kind.equals("ones")) java.util.Arrays.fill(vals, 1.0);
            else if (std > 0) for (int k = 0; k < len; k++) vals[k] = r.nextGaussian() * std;
            v.assign(Nd4j.createFromArray(vals).castTo(dt).reshape(v.shape()));
        }
    }

    private static String defaultInit(Param p) {
        return switch (p.role()) {
            case "gamma", "running_var" -> "ones";
            case "weight" -> "he";
            default -> "zeros";
        };
    }

    private long[][] timing;

    /** The training output: logits when the output function is fused into the loss. */
    public INDArray forward(INDArray x, boolean training) {
        for (int i = 0; i < layers.length; i++) {
            if (skipped[i]) continue;
            if (alias[i] >= 0) { layers[i].out = layers[alias[i]].out; continue; }
            Op op = plan.ops().get(i);
            long t0 = timing != null ? System.nanoTime() : 0;
            if (i == 0) {
                layers[0].forward(new INDArray[] {x}, training);
            } else {
                INDArray[] in = new INDArray[op.inputs().size()];
                for (int k = 0; k < in.length; k++) in[k] = layers[op.inputs().get(k)].out;
                layers[i].forward(in, training);
            }
            if (timing != null) timing[i][0] += System.nanoTime() - t0;
        }
        return layers[outId].out;
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
            if (skipped[i]) continue;
            if (g[i] == null) continue;
            if (alias[i] >= 0) { g[alias[i]] = g[i]; continue; }
            long t0 = timing != null ? System.nanoTime() : 0;
            INDArray[] gi = layers[i].backward(g[i]);
            if (timing != null) timing[i][1] += System.nanoTime() - t0;
            List<Integer> ins = plan.ops().get(i).inputs();
            for (int k = 0; k < ins.size(); k++) {
                int j = ins.get(k);
                if (j == 0 || gi[k] == null) continue;
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
        Op op = plan.ops().get(i);
        return op.name() + " (" + op.kind() + ")";
    }

    public INDArray params() { return params; }
    public INDArray grads() { return grads; }
    public INDArray state() { return state; }
    public OutputFusion fusion() { return fusion; }
    public Plan plan() { return plan; }
    public DataType dataType() { return dt; }
    public List<Param> trainableParams() { return trainable; }
    public List<Param> stateParams() { return nonTrainable; }
    public Map<String, INDArray> paramViews() { return paramViews; }
    /** Views of the non-trained state (batchnorm running statistics) by parameter name. */
    public Map<String, INDArray> stateViews() { return stateViews; }
    public long trainableCount() { return trainable.stream().mapToLong(p -> p.shape().size()).sum(); }
}
