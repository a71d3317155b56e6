package dev.ann.runtime.nn;

import dev.ann.compiler.plan.Plan;

/**
 * Learning rate as a function of training progress, in epochs (fractional
 * within an epoch). constant; step(every, gamma): lr * gamma^floor(epoch/every);
 * exponential(gamma): lr * gamma^epoch (per epoch); cosine(warmup): linear
 * warm-up over the first {@code warmup} epochs, then lr * (1 + cos(pi t)) / 2
 * down to 0 at the last epoch.
 */
public final class Schedule {
    final String kind;
    final double gamma, warmup;
    final int every;

    public Schedule(Plan.Component c) {
        kind = c == null ? "constant" : c.kind();
        var a = c == null ? null : c.args();
        gamma = K.d(a, "gamma", kind.equals("step") ? 0.1 : 0.95);
        every = K.i(a, "every", 10);
        warmup = K.d(a, "warmup", 0);
        switch (kind) {
            case "constant", "step", "exponential", "cosine" -> {}
            default -> throw new IllegalArgumentException("the runtime does not know the schedule '" + kind + "'");
        }
    }

    /** @param epoch 0-based epoch, @param frac fraction of it done (0..1), @param epochs total epochs */
    public double lr(double lr0, int epoch, double frac, int epochs) {
        return switch (kind) {
            case "step" -> lr0 * Math.pow(gamma, Math.floor((double) epoch / every));
            case "exponential" -> lr0 * Math.pow(gamma, epoch);
            case "cosine" -> {
                double t = epoch + frac;
                if (t < warmup) yield lr0 * (t + 1e-3) / warmup;
                double span = Math.max(1e-9, epochs - warmup);
                yield lr0 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, (t - warmup) / span)));
            }
            default -> lr0;
        };
    }
}
