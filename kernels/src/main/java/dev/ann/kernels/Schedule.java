package dev.ann.kernels;

/**
 * Learning rate as a function of training progress, in epochs (fractional
 * within an epoch). constant; step(every, gamma): lr * gamma^floor(epoch/every);
 * exponential(gamma): lr * gamma^epoch (per epoch); cosine(warmup): linear
 * warm-up over the first {@code warmup} epochs, then lr * (1 + cos(pi t)) / 2
 * down to 0 at the last epoch.
 */
public final class Schedule {
    /** The schedules of the language. */
    public enum Fn { CONSTANT, STEP, EXPONENTIAL, COSINE }

    final Fn fn;
    final double gamma, warmup;
    final int every;

    private Schedule(Fn fn, double gamma, int every, double warmup) {
        this.fn = fn;
        this.gamma = gamma;
        this.every = every;
        this.warmup = warmup;
    }

    /** The learning rate stays the optimiser's. */
    public static Schedule constant() { return new Schedule(Fn.CONSTANT, 1, 1, 0); }

    /** lr * gamma^floor(epoch / every). */
    public static Schedule step(int every, double gamma) { return new Schedule(Fn.STEP, gamma, every, 0); }

    /** lr * gamma^epoch. */
    public static Schedule exponential(double gamma) { return new Schedule(Fn.EXPONENTIAL, gamma, 1, 0); }

    /** Linear warm-up over {@code warmup} epochs, then a half cosine down to 0 at the last epoch. */
    public static Schedule cosine(double warmup) { return new Schedule(Fn.COSINE, 1, 1, warmup); }

    /** @param epoch 0-based epoch, @param frac fraction of it done (0..1), @param epochs total epochs */
    public double lr(double lr0, int epoch, double frac, int epochs) {
        return switch (fn) {
            case CONSTANT -> lr0;
            case STEP -> lr0 * Math.pow(gamma, Math.floor((double) epoch / every));
            case EXPONENTIAL -> lr0 * Math.pow(gamma, epoch);
            case COSINE -> {
                double t = epoch + frac;
                if (t < warmup) yield lr0 * (t + 1e-3) / warmup;
                double span = Math.max(1e-9, epochs - warmup);
                yield lr0 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, (t - warmup) / span)));
            }
        };
    }
}
