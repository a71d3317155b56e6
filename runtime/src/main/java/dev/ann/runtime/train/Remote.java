package dev.ann.runtime.train;

import dev.ann.kernels.Network;
import dev.ann.kernels.Optimizer;

/**
 * Where the batches of an epoch are trained when not here: data-parallel workers (ann-cluster's
 * SparkRemote). The {@link Trainer} keeps everything else (progress, validation, metrics, checkpoints,
 * report, resume) and asks for one round at a time, so a stop signal is seen between rounds.
 */
public interface Remote extends AutoCloseable {
    /**
     * Trains batches from {@code b} on of epoch {@code e} (nb batches, training order from the seed as in a
     * local run), starting from net's parameters and state and opt's state, and leaves the combined result
     * in them. Returns what the round did.
     */
    Round round(long seed, int e, int b, int nb, int epochs, Network net, Optimizer opt);

    /**
     * Called once the driver has loaded the data, before the first round: the normalisation it fitted (its
     * streaming pass over the training split) and the number of training samples, for the workers, which then
     * read only the samples they train on.
     */
    default void data(dev.ann.runtime.data.Pipeline.Transform fitted, int trainSamples) {}

    /** batches: how many of the epoch's batches the round trained; sums over all its samples. */
    record Round(int batches, double lossSum, long seen, long correct, double lr) {}

    @Override
    void close();

    /**
     * How the workers' results are combined: GRADIENTS, each step every worker computes the gradient of its
     * slice of the batch and the driver takes one optimiser step on their sum (a local run's steps); PARAMETERS,
     * each worker takes k steps of its own and the driver averages parameters and optimiser state.
     */
    enum Combine {
        GRADIENTS, PARAMETERS;

        /** The option's spelling: gradients, parameters. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The mode a word names, or null. */
        public static Combine of(String word) {
            for (Combine c : values()) if (c.word().equals(word)) return c;
            return null;
        }
    }

    /**
     * Opens a Remote for a cluster address ({@code local[N]}, {@code spark://HOST:PORT}, ...); found with
     * {@link java.util.ServiceLoader}, so only a JVM started with ann-cluster's classpath has one.
     */
    interface Provider {
        Remote open(String cluster, dev.ann.plan.Plan plan, Long dataMemory, Combine combine, int stepsPerCombine, java.io.PrintStream log);

        /** Opens a runner for a sweep's independent runs (one task each) on the cluster. */
        Sweep.Runner runs(String cluster, String appName, java.io.PrintStream log);
    }
}
