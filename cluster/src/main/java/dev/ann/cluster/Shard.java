package dev.ann.cluster;

import dev.ann.plan.Plan;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.data.Samples;
import dev.ann.runtime.train.Batches;
import dev.ann.runtime.train.Step;
import dev.ann.runtime.train.Trainer;
import java.io.Serializable;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What runs on an executor: ann's own runtime trains a run of consecutive batches of the epoch's
 * training order (parameter averaging), or computes the gradient of a slice of one batch (gradient
 * averaging), starting from the driver's weights. The executor opens the data itself from the path in
 * the Plan (a folder all machines see) as streamed Samples with the driver's fitted normalisation, so
 * it reads only the samples of the batches and slices it is given (no statistics pass, nothing held
 * in memory), and keeps it, with the network, between rounds.
 */
final class Shard {
    private Shard() {}

    /** Parameters, layer state (batch-norm statistics) and optimiser state, flat. */
    record Weights(float[] params, float[] state, float[] s1, float[] s2, long step) implements Serializable {}

    /** A task's answer: the weights after its steps, and the sums of what they saw. */
    record Part(Weights w, int batches, double lossSum, long seen, long correct, double lr) implements Serializable {}

    /** The driver's fitted normalisation ({@link Pipeline.Transform}, which is not Serializable). */
    record Fit(int[] resize, float scale, float[] shift, float[] mul) implements Serializable {
        static Fit of(Pipeline.Transform t) {
            return t == null ? null : new Fit(t.resize(), t.scale(), t.shift(), t.mul());
        }

        Pipeline.Transform transform() {
            return new Pipeline.Transform(resize, scale, shift, mul);
        }
    }

    /** Samples read by this JVM's workers, and how many of them were read from memory: what ClusterTrainTest counts. */
    static final java.util.concurrent.atomic.LongAdder READ = new java.util.concurrent.atomic.LongAdder(), READ_IN_MEMORY = new java.util.concurrent.atomic.LongAdder();

    /** The training samples as the worker's batches read them, counted. */
    static final class Counted extends Samples {
        final Samples base;

        Counted(Samples base) {
            super(base.n, base.sampleShape, base.labels, base.targets, base.targetWidth, base.classNames);
            this.base = base;
        }

        @Override
        public void read(int i, float[] dst, int off) {
            READ.increment();
            if (base.inMemory()) READ_IN_MEMORY.increment();
            base.read(i, dst, off);
        }

        @Override
        public boolean inMemory() {
            return base.inMemory();
        }
    }

    /** The executor's working set for one Plan, kept between rounds (tasks of one JVM run one at a time per core). */
    private static final class Local {
        final String key;
        final Plan plan;
        final Step step;
        final Pipeline.Splits data;
        final Batches feeder;

        Local(String key, Plan plan, Fit fit) {
            // ND4J started as ann train starts it, its libraries all loaded once per executor JVM before this task
            // thread and the others use it (K.loadLibraries: a library loading beside them crashed the JVM)
            dev.ann.runtime.Backend.init();
            this.key = key;
            this.plan = plan;
            this.step = new Step(plan, 0);
            // memory budget 0: streamed, each sample read when a batch asks for it; the driver's statistics
            this.data = Pipeline.load(plan.data(), 0L, fit == null ? null : fit.transform());
            this.feeder = new Batches(new Counted(data.train()), plan);
        }
    }

    private static final ThreadLocal<Local> LOCAL = new ThreadLocal<>();

    private static Local local(String planJson, Fit fit) {
        Local l = LOCAL.get();
        if (l == null || !l.key.equals(planJson)) {
            if (l != null) l.data.close();
            l = new Local(planJson, Plan.fromJson(planJson), fit);
            LOCAL.set(l);
        }
        return l;
    }

    /**
     * A worker's share of one step of synchronous gradient averaging: the gradient of the mean loss over the
     * samples [lo, hi) of batch b, times their number (so the driver's sum over slices, divided by the batch
     * size, is the gradient of the whole batch), and the layer state after the forward pass.
     */
    record Grad(float[] gradSum, float[] state, double lossSum, long seen, long correct) implements Serializable {}

    static Grad gradient(String planJson, Fit fit, Weights in, long seed, int e, int b, int lo, int hi) {
        Local l = local(planJson, fit);
        Step s = l.step;
        put(in.params(), s.net.params());
        put(in.state(), s.net.state());
        Samples train = l.data.train();
        int batch = l.plan.loop().batch();
        int[] order = dev.ann.kernels.Seeds.order(l.plan.data().shuffle(), train.n, new Random(dev.ann.kernels.Seeds.mix(seed, e)));
        int n = hi - lo;
        // dropout masks: the first slice draws from (seed, e, b) as the local step does (one worker is the local run
        // bit for bit); the others from a seed of their own, so that no two slices share a mask
        long draw = lo == 0 ? seed : dev.ann.kernels.Seeds.mix(seed, lo);
        Step.Outcome r = s.gradient(l.feeder.fill(order, b * batch + lo, n), draw, e, b, train.isClassification());
        if (!Double.isFinite(r.loss())) return new Grad(null, null, r.loss() * n, n, 0);
        float[] g = floats(s.net.grads());
        for (int i = 0; i < g.length; i++) g[i] *= n;
        return new Grad(g, floats(s.net.state()), r.loss() * n, n, r.correct());
    }

    static Part train(String planJson, Fit fit, Weights in, long seed, int e, int from, int to, int nb, int epochs) {
        Local l = local(planJson, fit);
        Step s = l.step;
        load(in, s);
        Samples train = l.data.train();
        int batch = l.plan.loop().batch();
        int[] order = dev.ann.kernels.Seeds.order(l.plan.data().shuffle(), train.n, new Random(dev.ann.kernels.Seeds.mix(seed, e)));
        double lossSum = 0, lr = 0;
        long seen = 0, correct = 0;
        // batch by batch, no read-ahead: the task reads the samples of its batches and no others
        for (int b = from; b < to; b++) {
            int n = Math.min(batch, train.n - b * batch);
            Step.Outcome r = s.run(l.feeder.fill(order, b * batch, n), seed, e, b, nb, epochs, train.isClassification());
            lossSum += r.loss() * n;
            seen += n;
            if (!Double.isFinite(r.loss())) break;
            correct += r.correct();
            lr = r.lr();
        }
        return new Part(save(s), to - from, lossSum, seen, correct, lr);
    }

    static Weights save(Step s) {
        return new Weights(floats(s.net.params()), floats(s.net.state()), floats(s.opt.s1), floats(s.opt.s2), s.opt.step);
    }

    static void load(Weights w, Step s) {
        put(w.params(), s.net.params());
        put(w.state(), s.net.state());
        put(w.s1(), s.opt.s1);
        put(w.s2(), s.opt.s2);
        s.opt.step = w.step();
    }

    static float[] floats(INDArray a) {
        return a == null ? null : a.dup().data().asFloat();
    }

    static void put(float[] v, INDArray a) {
        if (v == null || a == null) return;
        a.assign(Nd4j.createFromArray(v).reshape(a.shape()));
    }
}
