package dev.ann.runtime.bench;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import dev.ann.runtime.Backend;
import dev.ann.kernels.Loss;
import dev.ann.kernels.Network;
import dev.ann.kernels.Optimizer;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Steady-state training throughput of a .ann file's network: forward,
 * loss, backward and optimiser update on random data held in preallocated
 * buffers (no data loading), after warm-up. A network that starts with an
 * embedding gets random token ids 1..vocabulary-1 (no padding). Not a test: bench/training/ runs
 * it under different thread settings and records the results.
 *
 * <pre>java -cp ... dev.ann.runtime.bench.StepBench FILE [batch] [seconds] [profile]</pre>
 *
 * {@code -Dann.noHalves=true}: one pass over the whole batch where ann train would train it in halves.
 * {@code -Dann.benchKernels=true}: first prints the folder or jar the kernels' classes came from (bench/ab.sh).
 * {@code -Dann.realBatch=true}: the training split's first samples, scaled as ann train scales them, instead of
 * random values (a bag of words is mostly zeros, and the dense layer's products take that path).
 * With {@code -Dann.layerTimes=true} it also prints the milliseconds each
 * layer's forward and backward pass took per step; with {@code -Dann.window=N}, from the first step on, the
 * milliseconds a step every N steps and how long the JIT compiled meanwhile (its compiler threads share the
 * cores with the training's second thread).
 */
public final class StepBench {
    private StepBench() {}

    /**
     * The benchmarks' threads as {@code ann train} runs the plan (Relaunch.wanted): one thread for a plan that trains
     * best on one, unless OMP_NUM_THREADS is set; true when it set one. ND4J's, BLAS's and OpenMP's counts: oneDNN's
     * convolutions read OpenMP's (with ND4J's two alone reuters_corn's conv1d ran 1.6 -> 1.1 ms forward faster here
     * than under OMP_NUM_THREADS=1).
     */
    static boolean threadsAsAnnTrain(Plan plan) {
        if (System.getenv("OMP_NUM_THREADS") != null || !plan.trainsBestOnOneThread()) return false;
        Backend.oneThread();
        return true;
    }

    /** The training split's first {@code batch} samples as ann train's batches hold them. */
    static INDArray realBatch(Plan plan, int batch, long[] shape) {
        try (var splits = dev.ann.runtime.data.Pipeline.load(plan.data())) {
            var train = splits.train();
            int s = train.sampleSize;
            float[] v = new float[batch * s];
            for (int i = 0; i < batch; i++) {
                train.read(i % train.n, v, i * s);
                splits.transform().applyInPlace(v, i * s, s);
            }
            return Nd4j.create(v, shape);
        }
    }

    public static void main(String[] a) throws Exception {
        if (Boolean.getBoolean("ann.benchKernels")) { // bench/ab.sh: which build of the kernels this run loaded
            System.out.println("kernels: " + dev.ann.kernels.Network.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        }
        Backend.init();
        String blas = System.getProperty("ann.blasThreads");
        if (blas != null) Nd4j.factory().blas().setMaxThreads(Integer.parseInt(blas));
        String omp = System.getProperty("ann.ompThreads");
        if (omp != null) Nd4j.getEnvironment().setMaxMasterThreads(Integer.parseInt(omp));
        Compilation c = Compiler.compile(Path.of(a[0]));
        Plan plan = c.plan(System.getProperty("ann.train"), a.length > 3 ? a[3] : null); // -Dann.train=NAME: a train block by name
        if (omp == null && blas == null && threadsAsAnnTrain(plan)) omp = blas = "1";
        int batch = a.length > 1 ? Integer.parseInt(a[1]) : plan.loop().batch();
        double seconds = a.length > 2 ? Double.parseDouble(a[2]) : 10;
        Network net = dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT);
        net.init(1);
        Loss loss = dev.ann.runtime.nn.PlanKernels.loss(plan, net);
        Optimizer opt = dev.ann.runtime.nn.PlanKernels.optimizer(plan.optimizer(), net.params());
        // as ann train: the batch in two halves on two threads where the plan says so
        dev.ann.kernels.BatchHalves halves = Boolean.getBoolean("ann.noHalves") ? null : dev.ann.runtime.nn.PlanKernels.halves(plan, net, loss);
        long[] xs = new long[plan.inputShape().rank() + 1];
        xs[0] = batch;
        for (int i = 0; i < plan.inputShape().rank(); i++) xs[i + 1] = plan.inputShape().dim(i);
        INDArray x = Nd4j.rand(DataType.FLOAT, xs);
        if (!plan.ops().isEmpty() && plan.ops().get(0).layer() instanceof dev.ann.plan.Kind.Embedding e) {
            // token ids: whole numbers 1..vocabulary-1, so no step is padding (id 0) and every step is computed
            x = Nd4j.rand(DataType.FLOAT, xs).muli(e.vocabulary() - 1).addi(1);
            x = org.nd4j.linalg.ops.transforms.Transforms.floor(x, false);
            if (Boolean.getBoolean("ann.pad")) { // -Dann.pad=true: texts of 1/4 to all of the length, the rest padding (id 0), as real texts
                java.util.Random r = new java.util.Random(1);
                long t = xs[1];
                for (int i = 0; i < batch; i++) {
                    long len = t / 4 + r.nextInt((int) (t - t / 4) + 1);
                    if (len < t) x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.interval(len, t)).assign(0);
                }
            }
        }
        if (Boolean.getBoolean("ann.realBatch")) x = realBatch(plan, batch, xs);
        int k = (int) plan.outputShape().size();
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, k);
        for (int i = 0; i < batch; i++) y.putScalar(i, i % k, 1);
        boolean layers = Boolean.getBoolean("ann.layerTimes");
        long[][] timing = null;
        long optNanos = 0;
        INDArray g = null;
        long warm = System.nanoTime() + (long) (Math.min(3, seconds / 3) * 1e9);
        long steps = 0, t0 = 0, cpu0 = 0;
        // -Dann.window=N: the warm-up as it goes, every N steps from the first: ms a step and the JIT's compile time
        int window = Integer.getInteger("ann.window", 0);
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long windowAt = System.nanoTime(), jitAt = jit.getTotalCompilationTime(), all = 0;
        while (true) {
            long now = System.nanoTime();
            if (window > 0 && all > 0 && all % window == 0) {
                System.out.printf("  steps %5d-%5d: %7.2f ms a step, the JIT compiling %4d ms of them%n", all - window + 1, all,
                        (now - windowAt) / 1e6 / window, jit.getTotalCompilationTime() - jitAt);
                windowAt = now;
                jitAt = jit.getTotalCompilationTime();
            }
            all++;
            if (t0 == 0 && now > warm) { t0 = now; steps = 0; cpu0 = processCpuNanos(); if (layers) timing = net.enableTiming(); }
            if (t0 != 0 && now - t0 > seconds * 1e9) break;
            if (halves != null) {
                halves.gradient(x, y, steps);
            } else {
                INDArray out = net.forward(x, true);
                if (g == null) g = out.ulike();
                loss.compute(out, y, g);
                net.backward(g);
            }
            long o0 = System.nanoTime();
            opt.apply(net.params(), net.grads(), 1e-3);
            if (t0 != 0) optNanos += System.nanoTime() - o0;
            steps++;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuMs = (processCpuNanos() - cpu0) / 1e6 / steps;
        System.out.printf("%s batch %d: %.0f samples/s (%d steps in %.1f s, %.1f ms CPU time a step; %s; OMP_NUM_THREADS=%s OMP_WAIT_POLICY=%s blas=%s omp=%s)%n",
                Path.of(a[0]).getFileName(), batch, steps * batch / secs, steps, secs, cpuMs, Backend.describe(),
                System.getenv("OMP_NUM_THREADS"), System.getenv("OMP_WAIT_POLICY"), blas, omp);
        if (timing != null) {
            System.out.printf("  %-28s %9s %9s   (ms per step)%n", "layer", "forward", "backward");
            for (int i = 0; i < timing.length; i++) {
                if (timing[i][0] + timing[i][1] == 0) continue;
                System.out.printf("  %-28s %9.2f %9.2f%n", net.layerLabel(i), timing[i][0] / 1e6 / steps, timing[i][1] / 1e6 / steps);
            }
            System.out.printf("  %-28s %9.2f%n", "optimiser update", optNanos / 1e6 / steps);
        }
    }

    /**
     * CPU time of the whole process (all its threads): on a machine shared with other work the wall clock
     * counts the waits for a core, the CPU time much less so; a change that does less work shows here even
     * when the samples/s are noisy.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
