package dev.ann.runtime.train;

import dev.ann.plan.Kind;
import dev.ann.plan.Plan;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Trains a throwaway copy of the network on made-up batches while the data loads, so that the JVM's JIT has
 * compiled the step's Java kernels (the optimiser, the sparse products, activations, dropout) by the time the
 * real training starts, instead of in its first epochs.
 *
 * <p>On the 2-core machine a JVM runs ann's step 2-3 times slower for its first few hundred steps than later, and
 * its one C2 compiler thread is busy for the first 4-5 s of a run: reuters_corn's BagOfWords (44 steps an epoch)
 * trained its epochs 2-4 at 8.5-9k samples/s and its epochs 10-30 at about 12.5k. Reading the data takes 0.5-2 s,
 * mostly on one core; this runs on the other. Measured effect and where it does not pay: {@link #wanted}.
 *
 * <p>Nothing of it reaches the training: its own {@link Step} (parameters, optimiser state), its
 * own made-up data, and ND4J's random generator is the thread's own (dropout masks of the real steps are seeded
 * per step on the training thread). It stops when the data has loaded ({@link #close}, which waits for the step
 * under way), after {@link #MAX_SECONDS}, or at its first failure (the training then meets the same failure
 * where it reports it).
 */
final class Warmup implements AutoCloseable {
    /** Stops by itself after this long: the JIT has compiled the step by then, and the data may take minutes. */
    static final double MAX_SECONDS = 3;
    /** Networks with more parameters train long enough that warming up is not worth its memory (four copies). */
    static final long MAX_PARAMETERS = 4_000_000;
    /**
     * Nor where a batch holds more input values than this (16 MB of floats, made up on the heap while the real data
     * loads beside it): fashion_mlp's batch holds 100,352, reuters_corn's bag of words 160,000.
     */
    static final long MAX_BATCH_VALUES = 4_000_000;

    private final Thread thread;
    private volatile boolean stop;
    private volatile int steps;

    private Warmup(Plan plan) {
        thread = new Thread(() -> run(plan), "ann-warmup");
        thread.setDaemon(true);
    }

    /** A warm-up started for plan, or null where it does not apply (see {@link #wanted}). */
    static Warmup start(Plan plan, String device) {
        if (!wanted(plan, device)) return null;
        Warmup w = new Warmup(plan);
        w.thread.start();
        return w;
    }

    /**
     * Whether a plan gets a warm-up: on the CPU, for networks of dense layers and what goes between them
     * (activations, dropout, reshapes, normalisation, adds and concatenations), of at most {@link #MAX_PARAMETERS}
     * and batches of at most {@link #MAX_BATCH_VALUES} input values.
     * Their step is ann's Java kernels around the BLAS's products, and it is those that the JIT compiles: measured
     * with {@code ./ann train --epochs 4}, the median of epochs 2-4 rose 9% for fashion_mlp (3 rounds of 3) and 22%
     * for reuters_corn's BagOfWords (4 of 4), their first epochs 40% and 3x. Convolutions, recurrent layers,
     * attention and embeddings spend their steps in native code, and there the warm-up's share of the cores while
     * the data loads cost more than it saved (reuters_corn's conv 2 rounds of 2 behind; co2's lstm and the
     * transformer level). {@code -Dann.noWarmup=true} turns it off (benchmarks).
     */
    static boolean wanted(Plan plan, String device) {
        if (device == null || !device.startsWith("cpu") || Boolean.getBoolean("ann.noWarmup")) return false;
        for (var op : plan.ops()) {
            if (!(op.layer() instanceof Kind.Input || op.layer() instanceof Kind.Dense || op.layer() instanceof Kind.Reshape
                    || op.layer() instanceof Kind.Dropout || op.layer() instanceof Kind.Activation
                    || op.layer() instanceof Kind.BatchNorm || op.layer() instanceof Kind.LayerNorm
                    || op.layer() instanceof Kind.Add || op.layer() instanceof Kind.Concat)) return false;
        }
        long params = 0;
        for (var p : plan.params()) params += p.shape().size();
        return params <= MAX_PARAMETERS && plan.inputShape().size() * plan.loop().batch() <= MAX_BATCH_VALUES;
    }

    private void run(Plan plan) {
        try {
            long t0 = System.nanoTime();
            Step s = new Step(plan, 1);
            INDArray[] xy = batch(plan, plan.loop().batch(), new SplittableRandom(1));
            boolean classification = plan.task() != Plan.Task.REGRESSION;
            while (!stop && System.nanoTime() - t0 < MAX_SECONDS * 1e9) {
                // seed 1, epoch 0 of 10, batch `steps` of 1000: any values do, the schedule's learning rate is all they set
                Step.Outcome o = s.run(xy, 1, 0, steps, 1000, 10, classification);
                if (!Double.isFinite(o.loss())) break;
                steps++;
            }
        } catch (RuntimeException | Error e) {
            // only a warm-up: the training meets the same failure and reports it
        }
    }

    /** Steps run so far. */
    int steps() { return steps; }

    /** Stops the warm-up and waits for the step under way. */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A made-up batch like the plan's data: a bag of words 2% nonzero (reuters_corn's is 1-2%: the sparse products'
     * path), values in [0, 1) otherwise; one-hot labels (classification), 0/1 (binary) or values in [0, 1)
     * (regression).
     */
    static INDArray[] batch(Plan plan, int n, SplittableRandom r) {
        var in = plan.inputShape();
        int s = (int) in.size(); // wanted() bounds n * s
        float[] x = new float[n * s];
        boolean bag = plan.data().text() != null && plan.data().text().bag();
        for (int i = 0; i < n * s; i++) {
            if (bag) x[i] = r.nextInt(50) == 0 ? 1 : 0;
            else x[i] = (float) r.nextDouble();
        }
        long[] xs = new long[in.rank() + 1];
        xs[0] = n;
        for (int i = 0; i < in.rank(); i++) xs[i + 1] = in.dim(i);
        int k = (int) plan.outputShape().size();
        float[] y = new float[n * k];
        for (int i = 0; i < n; i++) {
            switch (plan.task()) {
                case CLASSIFICATION -> y[i * k + i % k] = 1;
                case BINARY -> { for (int j = 0; j < k; j++) y[i * k + j] = (i + j) % 2; }
                default -> { for (int j = 0; j < k; j++) y[i * k + j] = (float) r.nextDouble(); }
            }
        }
        return new INDArray[] {Nd4j.create(x, xs, DataType.FLOAT), Nd4j.create(y, new long[] {n, k}, DataType.FLOAT)};
    }
}
