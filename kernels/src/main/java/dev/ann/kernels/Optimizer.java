package dev.ann.kernels;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdaGradUpdater;
import org.nd4j.linalg.api.ops.impl.updaters.RmsPropUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The optimiser, applied to the one flat parameter buffer with the one flat
 * gradient buffer: an update is one or two ND4J ops (Adam: one loop) whatever
 * the number of layers. State (momentum, Adam's moments) lives in flat buffers too, so that
 * a checkpoint is a handful of arrays.
 *
 * <ul>
 * <li>sgd: {@code v = momentum*v - lr*g; p += v} (nesterov: {@code p += momentum*v - lr*g})</li>
 * <li>adam: bias-corrected moments, one Java loop over the buffers ({@link #adam})</li>
 * <li>adamw: adam after the decoupled decay {@code p *= 1 - lr*weight_decay}</li>
 * <li>rmsprop: {@code s = rho*s + (1-rho) g^2; u = lr g / (sqrt(s) + eps)}; with momentum
 *     {@code b = momentum*b + u; p -= b}, else {@code p -= u}</li>
 * <li>adagrad: {@code s += g^2; p -= lr g / (sqrt(s) + eps)}</li>
 * </ul>
 * sgd and adam take {@code weight_decay} as an L2 penalty: {@code g += weight_decay * p} before the update.
 */
public final class Optimizer {
    /** The optimisers of the language. */
    public enum Fn { SGD, ADAM, ADAMW, RMSPROP, ADAGRAD }

    public final Fn fn;
    public final double lr0;
    final double momentum, beta1, beta2, eps, weightDecay, rho;
    final boolean nesterov;
    /** state arrays, each as long as the parameter buffer (s2 is null where the optimiser needs one) */
    public final INDArray s1, s2;
    private final INDArray update;
    /** number of updates done */
    public long step;

    private Optimizer(Fn fn, INDArray params, double lr, double momentum, boolean nesterov, double beta1, double beta2,
                      double eps, double weightDecay, double rho) {
        this.fn = fn;
        this.lr0 = lr;
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.rho = rho;
        s1 = params.ulike().assign(0);
        s2 = fn == Fn.ADAM || fn == Fn.ADAMW || (fn == Fn.RMSPROP && momentum != 0) ? params.ulike().assign(0) : null;
        update = params.ulike();
    }

    public static Optimizer sgd(INDArray params, double lr, double momentum, boolean nesterov, double weightDecay) {
        return new Optimizer(Fn.SGD, params, lr, momentum, nesterov, 0, 0, 0, weightDecay, 0);
    }

    public static Optimizer adam(INDArray params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new Optimizer(Fn.ADAM, params, lr, 0, false, beta1, beta2, eps, weightDecay, 0);
    }

    public static Optimizer adamw(INDArray params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new Optimizer(Fn.ADAMW, params, lr, 0, false, beta1, beta2, eps, weightDecay, 0);
    }

    public static Optimizer rmsprop(INDArray params, double lr, double rho, double momentum, double eps) {
        return new Optimizer(Fn.RMSPROP, params, lr, momentum, false, 0, 0, eps, 0, rho);
    }

    public static Optimizer adagrad(INDArray params, double lr, double eps) {
        return new Optimizer(Fn.ADAGRAD, params, lr, 0, false, 0, 0, eps, 0, 0);
    }

    /** One update of params from grads at learning rate lr. */
    public void apply(INDArray params, INDArray grads, double lr) {
        if (weightDecay != 0 && (fn == Fn.SGD || fn == Fn.ADAM)) { // L2: g += weight_decay * p
            Nd4j.getBlasWrapper().level1().axpy(params.length(), weightDecay, params, grads);
        }
        switch (fn) {
            case SGD -> {
                if (momentum == 0) {
                    Nd4j.getBlasWrapper().level1().axpy(params.length(), -lr, grads, params);
                } else {
                    s1.muli(momentum);
                    Nd4j.getBlasWrapper().level1().axpy(params.length(), -lr, grads, s1);
                    if (nesterov) {
                        Nd4j.getBlasWrapper().level1().axpy(params.length(), momentum, s1, params);
                        Nd4j.getBlasWrapper().level1().axpy(params.length(), -lr, grads, params);
                    } else {
                        params.addi(s1);
                    }
                }
            }
            case ADAM, ADAMW -> {
                if (fn == Fn.ADAMW && weightDecay != 0) params.muli(1.0 - lr * weightDecay);
                double t = step + 1;
                adam(params, grads, s1, s2, lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)), beta1, beta2, eps);
            }
            case RMSPROP -> {
                Nd4j.exec(new RmsPropUpdater(grads, s1, update, s1, lr, rho, eps));
                if (momentum != 0) {
                    s2.muli(momentum).addi(update);
                    params.subi(s2);
                } else {
                    params.subi(update);
                }
            }
            case ADAGRAD -> {
                Nd4j.exec(new AdaGradUpdater(grads, s1, update, s1, lr, eps));
                params.subi(update);
            }
        }
        step++;
    }

    /**
     * One Adam step over the flat buffers in one pass over their memory (chunk by chunk, see
     * {@link #adamRange}): m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
     * p -= stepSize m / (sqrt(v) + eps), with the bias correction folded into
     * stepSize = lr sqrt(1 - beta2^t) / (1 - beta1^t) as in ND4J's adam_updater. float32 arithmetic,
     * as the updater did; the generated trainer runs this very code (the kernel sources are copied).
     * On two threads when the buffers are large and a core is idle ({@link #PARALLEL_FROM}): the same numbers either way.
     * Timings: bench/training/ops.sh (ops-results.md).
     */
    static void adam(INDArray p, INDArray g, INDArray m, INDArray v, double stepSize, double beta1, double beta2, double eps) {
        adam(p, g, m, v, stepSize, beta1, beta2, eps, p.length() >= PARALLEL_FROM && Halves.otherCoreFree());
    }

    /** {@link #adam}, on two threads or on the calling one alone: the same numbers either way. */
    static void adam(INDArray p, INDArray g, INDArray m, INDArray v, double stepSize, double beta1, double beta2, double eps,
                     boolean twoThreads) {
        for (INDArray a : new INDArray[] {p, g, m, v}) {
            if (a.offset() != 0 || a.length() != p.length() || a.dataType() != p.dataType()) {
                throw new IllegalStateException("adam works on whole flat buffers of one type");
            }
        }
        int n = (int) p.length();
        if (p.dataType() == DataType.DOUBLE) { // the gradient checks and tests run in double
            DoubleBuffer pb = p.data().asNioDouble(), gb = g.data().asNioDouble(), mb = m.data().asNioDouble(), vb = v.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                double gi = gb.get(i);
                double mi = beta1 * mb.get(i) + (1 - beta1) * gi;
                double vi = beta2 * vb.get(i) + (1 - beta2) * gi * gi;
                mb.put(i, mi);
                vb.put(i, vi);
                pb.put(i, pb.get(i) - stepSize * mi / (Math.sqrt(vi) + eps));
            }
            return;
        }
        FloatBuffer pb = p.data().asNioFloat(), gb = g.data().asNioFloat(), mb = m.data().asNioFloat(), vb = v.data().asNioFloat();
        float b1 = (float) beta1, b2 = (float) beta2, c1 = 1 - b1, c2 = 1 - b2, lr = (float) stepSize, e = (float) eps;
        // blocks taken by this thread and the helper as each gets to them (ann trains small networks with one OpenMP
        // thread, so the other core is free while the optimiser runs, unless the JIT or other processes use it)
        Halves.shared(n, twoThreads, BLOCK, (from, to) -> adamRange(pb.duplicate(), gb.duplicate(), mb.duplicate(), vb.duplicate(),
                from, to, b1, b2, c1, c2, lr, e));
    }

    /** Elements per chunk: four chunks of floats sit in the L1 cache. */
    static final int CHUNK = 2048;
    /** Each thread's four chunk arrays (a step calls {@link #adamRange} once a block). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][CHUNK]);
    /** Elements per block that a thread takes at a time on two threads (about 20-40 µs of work). */
    static final int BLOCK = 8 * CHUNK;
    /**
     * Below this many parameters the step runs on the calling thread alone: waking the helper would cost about
     * what it saves. From 2026-12-02 to 2026-12-04 this was 524,288, after `ann train` runs in which two fixed
     * halves lost (fashion_mlp, 235k parameters, 49-54k samples/s on one thread against 44-54k on two): the
     * calling thread waited for a helper that the JIT's compiler threads kept off the other core. With blocks
     * taken as each thread gets to them ({@link Halves#shared}), on the 2-core AMD machine, alternating with one
     * thread (2026-12-04): fashion_mlp's StepBench ahead in 6 rounds of 6 (medians 56.6k against 48.4k samples/s;
     * Adam 0.26-0.43 ms a step against 0.44-0.75), its `ann train --epochs 4` ahead in 6 of 8 (median of epochs
     * 2-4, 41.7k against 39.7k), reuters_corn's BagOfWords (320k) level in `ann train` (3 of 6, 16.2k against
     * 17.4k, scattered 11-31k; 8 more rounds later, 5 of 8, 26.4k against 25.5k).
     */
    static final int PARALLEL_FROM = 1 << 16;
    /**
     * Adam over elements [from, to): chunk by chunk, the buffers' floats are copied into small arrays
     * (bulk copies), updated there by a loop the JIT vectorises, and p, m and v copied back. Per
     * element the arithmetic is that of the plain loop, in the same order, so the results are the same
     * bit for bit; it only runs about three times faster than reading the buffers element by element.
     */
    private static void adamRange(FloatBuffer pb, FloatBuffer gb, FloatBuffer mb, FloatBuffer vb, int from, int to,
                                  float b1, float b2, float c1, float c2, float lr, float e) {
        float[][] scratch = SCRATCH.get();
        float[] pa = scratch[0], ga = scratch[1], ma = scratch[2], va = scratch[3];
        for (int s = from; s < to; s += CHUNK) {
            int len = Math.min(CHUNK, to - s);
            pb.get(s, pa, 0, len);
            gb.get(s, ga, 0, len);
            mb.get(s, ma, 0, len);
            vb.get(s, va, 0, len);
            for (int i = 0; i < len; i++) {
                float gi = ga[i];
                float mi = b1 * ma[i] + c1 * gi;
                float vi = b2 * va[i] + c2 * gi * gi;
                ma[i] = mi;
                va[i] = vi;
                pa[i] = pa[i] - lr * mi / ((float) Math.sqrt(vi) + e);
            }
            pb.put(s, pa, 0, len);
            mb.put(s, ma, 0, len);
            vb.put(s, va, 0, len);
        }
    }
}
