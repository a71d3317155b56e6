package dev.ann.runtime.nn;

import dev.ann.compiler.plan.Plan;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdaGradUpdater;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.api.ops.impl.updaters.RmsPropUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The optimiser, applied to the one flat parameter buffer with the one flat
 * gradient buffer: an update is one or two ND4J ops whatever the number of
 * layers. State (momentum, Adam's moments) lives in flat buffers too, so that
 * a checkpoint is a handful of arrays.
 *
 * <ul>
 * <li>sgd: {@code v = momentum*v - lr*g; p += v} (nesterov: {@code p += momentum*v - lr*g})</li>
 * <li>adam / adamw: ND4J's adam_updater (bias-corrected moments); adamw first decays {@code p *= 1 - lr*weight_decay}</li>
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
                Nd4j.exec(new AdamUpdater(grads, s2, s1, update, s2, s1, lr, beta1, beta2, eps, (int) step));
                params.subi(update);
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
}
