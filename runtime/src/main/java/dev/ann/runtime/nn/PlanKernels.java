package dev.ann.runtime.nn;

import dev.ann.kernels.Activation;
import dev.ann.kernels.Layer;
import dev.ann.kernels.Layers;
import dev.ann.kernels.Loss;
import dev.ann.kernels.Network;
import dev.ann.kernels.Optimizer;
import dev.ann.kernels.Recurrent;
import dev.ann.kernels.Schedule;
import dev.ann.kernels.Sequence;
import dev.ann.plan.Args;
import dev.ann.plan.Kind;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Plan as kernel objects: the network, the loss, the optimiser and the
 * schedule that {@code ann train} runs. The code generator writes the same
 * calls as Java source (codegen's {@code KernelCalls}); both switch over the
 * Plan's closed kinds, and the generated-trainer equality test holds them to
 * the same numbers. Every argument comes resolved from the Plan: no default
 * is applied here.
 */
public final class PlanKernels {
    private PlanKernels() {}

    /** The network of the plan, built for its loss; parameters are zero until {@code init} or a checkpoint. */
    public static Network network(Plan plan, DataType dt) {
        return network(plan, dt, true);
    }

    /** {@link #network(Plan, DataType)}, its convolutions on the runtime's engine only when {@code engine} (Network.withoutEngine). */
    public static Network network(Plan plan, DataType dt, boolean engine) {
        Network net = new Network(dt);
        if (!engine) net.withoutEngine();
        for (Op op : plan.ops()) {
            long[] shape = longs(op.outShape().toArray());
            if (op.id() == 0) {
                net.input(shape);
                continue;
            }
            int[] from = op.inputs().stream().mapToInt(Integer::intValue).toArray();
            net.add(op.name(), layer(op.layer()), shape, from);
        }
        for (Param p : plan.params()) {
            net.param(p.op(), p.role(), longs(p.shape().toArray()), p.trainable(), init(p));
        }
        return net.build(lossFn(plan.loss()));
    }

    /** The kernel layer of an op kind. */
    public static Layer layer(Kind kind) {
        return kind.accept(LAYERS);
    }

    private static final Kind.Visitor<Layer> LAYERS = new Kind.Visitor<>() {
        public Layer input(Kind.Input k) { return new Layers.Input(); }
        public Layer dense(Kind.Dense k) { return new Layers.Dense(); }
        public Layer conv2d(Kind.Conv2d k) {
            return new Layers.Conv2d(k.kernel().h(), k.kernel().w(), k.stride().h(), k.stride().w(),
                    k.dilation().h(), k.dilation().w(), k.same());
        }
        public Layer pool(Kind.Pool k) {
            return new Layers.Pool(k.max(), k.size().h(), k.size().w(), k.stride().h(), k.stride().w(), k.same());
        }
        public Layer globalAvgPool(Kind.GlobalAvgPool k) { return new Layers.GlobalAvgPool(); }
        public Layer reshape(Kind.Reshape k) { return new Layers.Reshape(); }
        public Layer dropout(Kind.Dropout k) { return new Layers.Dropout(k.rate()); }
        public Layer batchNorm(Kind.BatchNorm k) { return new Layers.BatchNorm(k.momentum(), k.eps()); }
        public Layer layerNorm(Kind.LayerNorm k) { return new Layers.LayerNorm(k.eps()); }
        public Layer activation(Kind.Activation k) { return new Layers.ActivationLayer(PlanKernels.activation(k)); }
        public Layer concat(Kind.Concat k) { return new Layers.Concat(); }
        public Layer add(Kind.Add k) { return new Layers.Add(); }
        public Layer embedding(Kind.Embedding k) { return new Recurrent.Embedding(); }
        public Layer recurrent(Kind.Recurrent k) { return new Recurrent.Rnn(k.gru(), k.units(), k.sequences(), k.bidirectional()); }
        public Layer conv1d(Kind.Conv1d k) { return new Sequence.Conv1d(k.kernel(), k.stride(), k.dilation(), k.same()); }
        public Layer pool1d(Kind.Pool1d k) { return new Sequence.Pool1d(k.max(), k.size(), k.stride(), k.same()); }
        public Layer globalMaxPool(Kind.GlobalMaxPool k) { return new Sequence.GlobalMaxPool(); }
        public Layer attention(Kind.Attention k) { return new Sequence.Attention(k.heads(), k.causal()); }
        public Layer positional(Kind.Positional k) { return new Sequence.Positional(k.learned()); }
    };

    public static Activation activation(Kind.Activation k) {
        return new Activation(Activation.Fn.valueOf(k.function().name()), k.param());
    }

    static Network.Init init(Param p) {
        Param.Init in = p.init();
        if (in == null) throw new IllegalArgumentException("parameter " + p.name() + " has no initialiser in the plan");
        return switch (in.kind()) {
            case "he" -> Network.Init.he(in.fanIn());
            case "xavier" -> Network.Init.xavier(in.fanIn(), in.fanOut());
            case "normal" -> Network.Init.normal(in.std());
            case "zeros" -> Network.Init.zeros();
            case "ones" -> Network.Init.ones();
            default -> throw new IllegalArgumentException("parameter " + p.name() + ": no initialiser '" + in.kind() + "'");
        };
    }

    public static Loss.Fn lossFn(Plan.Component c) {
        return Loss.Fn.valueOf(c.kind().toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * The batch-halves trainer of net and its loss when the plan trains in halves (a twin network and loss built
     * from the plan), else null.
     */
    public static dev.ann.kernels.BatchHalves halves(Plan plan, Network net, Loss loss) {
        if (!plan.trainsInHalves()) return null;
        Network twin = network(plan, net.dataType());
        return new dev.ann.kernels.BatchHalves(net, loss, twin, loss(plan, twin));
    }

    /** The loss of the plan, for a network built by {@link #network}. */
    public static Loss loss(Plan plan, Network net) {
        Args a = plan.loss().args();
        return new Loss(lossFn(plan.loss()), a.has("from_logits") && a.getBool("from_logits"),
                a.has("delta") ? a.getDouble("delta") : 0, net.fusion());
    }

    public static Optimizer optimizer(Plan.Component c, INDArray params) {
        Args a = c.args();
        return switch (Optimizer.Fn.valueOf(c.kind().toUpperCase(java.util.Locale.ROOT))) {
            case SGD -> Optimizer.sgd(params, a.getDouble("lr"), a.getDouble("momentum"), a.getBool("nesterov"),
                    a.getDouble("weight_decay"));
            case ADAM -> Optimizer.adam(params, a.getDouble("lr"), a.getDouble("beta1"), a.getDouble("beta2"),
                    a.getDouble("eps"), a.getDouble("weight_decay"));
            case ADAMW -> Optimizer.adamw(params, a.getDouble("lr"), a.getDouble("beta1"), a.getDouble("beta2"),
                    a.getDouble("eps"), a.getDouble("weight_decay"));
            case RMSPROP -> Optimizer.rmsprop(params, a.getDouble("lr"), a.getDouble("rho"), a.getDouble("momentum"),
                    a.getDouble("eps"));
            case ADAGRAD -> Optimizer.adagrad(params, a.getDouble("lr"), a.getDouble("eps"));
        };
    }

    public static Schedule schedule(Plan.Component c) {
        if (c == null) return Schedule.constant();
        Args a = c.args();
        return switch (Schedule.Fn.valueOf(c.kind().toUpperCase(java.util.Locale.ROOT))) {
            case CONSTANT -> Schedule.constant();
            case STEP -> Schedule.step(a.getInt("every"), a.getDouble("gamma"));
            case EXPONENTIAL -> Schedule.exponential(a.getDouble("gamma"));
            case COSINE -> Schedule.cosine(a.getDouble("warmup"));
        };
    }

    static long[] longs(int[] a) {
        long[] o = new long[a.length];
        for (int i = 0; i < a.length; i++) o[i] = a[i];
        return o;
    }
}
