package dev.ann.runtime.nn;

import dev.ann.compiler.plan.Plan;
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
 * <li>adam / adamw: bias-corrected moments, one Java loop over the buffers ({@link #adam}); adamw first decays {@code p *= 1 - lr*weight_decay}</li>
 * <li>rmsprop: {@code s = rho*s + (1-rho) g^2; p -= lr g / (sqrt(s) + eps)}</li>
 * <li>adagrad: {@code s += g^2; p -= lr g / (sqrt(s) + eps)}</li>
 * </ul>
 */
public final class Optimizer {
    public final String kind;
    public final double lr0;
    final double momentum, beta1, beta2, eps, weightDecay, rho;
    final boolean nesterov;
    /** state arrays, each as long as the parameter buffer */
    public final INDArray s1, s2;
    private final INDArray update;
    /** number of updates done */
    public long step;

    public Optimizer(Plan.Component c, INDArray params) {
        kind = c.kind();
        var a = c.args();
        lr0 = K.d(a, "lr", kind.equals("sgd") ? 0.01 : 1e-3);
        momentum = K.d(a, "momentum", 0);
        nesterov = K.b(a, "nesterov", false);
        beta1 = K.d(a, "beta1", 0.9);
        beta2 = K.d(a, "beta2", 0.999);
        eps = K.d(a, "eps", K.d(a, "epsilon", kind.equals("adagrad") ? 1e-6 : 1e-8));
        weightDecay = K.d(a, "weight_decay", kind.equals("adamw") ? 0.01 : 0);
        rho = K.d(a, "rho", K.d(a, "decay", 0.9));
        switch (kind) {
            case "sgd", "adam", "adamw", "rmsprop", "adagrad" -> {}
            default -> throw new IllegalArgumentException("the runtime does not know the optimizer '" + kind + "'");
        }
        s1 = params.ulike().assign(0);
        s2 = kind.startsWith("adam") ? params.ulike().assign(0) : null;
        update = params.ulike();
    }

    /** One update of params from grads at learning rate lr. */
    public void apply(INDArray params, INDArray grads, double lr) {
        switch (kind) {
            case "sgd" -> {
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
            case "adam", "adamw" -> {
                if (weightDecay != 0) params.muli(1.0 - lr * weightDecay);
                double t = step + 1;
                adam(params, grads, s1, s2, lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)), beta1, beta2, eps);
            }
            case "rmsprop" -> {
                Nd4j.exec(new RmsPropUpdater(grads, s1, update, s1, lr, rho, eps));
                params.subi(update);
            }
            case "adagrad" -> {
                Nd4j.exec(new AdaGradUpdater(grads, s1, update, s1, lr, eps));
                params.subi(update);
            }
            default -> throw new IllegalStateException();
        }
        step++;
    }

    /**
     * One Adam step over the flat buffers, element by element in one Java
     * loop over their memory: m = beta1 m + (1 - beta1) g,
     * v = beta2 v + (1 - beta2) g^2, p -= stepSize m / (sqrt(v) + eps), with
     * the bias correction folded into stepSize = lr sqrt(1 - beta2^t) / (1 - beta1^t)
     * as in ND4J's adam_updater. For fashion_mlp's 235k parameters this takes
     * 0.8 ms where adam_updater and the subtraction take 1.3 ms (bench/training/ops.sh).
     * float32 arithmetic, as the updater did; the generated trainer has the same loop.
     */
    static void adam(INDArray p, INDArray g, INDArray m, INDArray v, double stepSize, double beta1, double beta2, double eps) {
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
        for (int i = 0; i < n; i++) {
            float gi = gb.get(i);
            float mi = b1 * mb.get(i) + c1 * gi;
            float vi = b2 * vb.get(i) + c2 * gi * gi;
            mb.put(i, mi);
            vb.put(i, vi);
            pb.put(i, pb.get(i) - lr * mi / ((float) Math.sqrt(vi) + e));
        }
    }
}
