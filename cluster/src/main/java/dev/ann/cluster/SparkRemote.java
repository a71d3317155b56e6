package dev.ann.cluster;

import dev.ann.kernels.Network;
import dev.ann.kernels.Optimizer;
import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import dev.ann.runtime.train.Remote;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Data-parallel rounds on Spark in one of two modes ({@link Remote.Combine}). Gradient averaging: each round is
 * one step; the driver broadcasts the parameters and layer state, each of W tasks computes the gradient of its
 * slice of the batch with runtime's Step, and the driver takes the one optimiser step of a local run on their
 * sample-weighted sum (losses equal a local run's to float rounding). Parameter averaging as DL4J's ParameterAveragingTrainingMaster does:
 * each round the driver broadcasts the parameters, layer state and optimiser state; each of W tasks
 * trains k consecutive batches of the epoch's order (task w the batches b + w*k .. b + (w+1)*k) with
 * ann's runtime; the driver averages what they return, weighted by the samples each saw. With one task
 * and k = 1 this is the local loop exactly (ClusterTrainTest).
 */
public final class SparkRemote implements Remote {
    private final JavaSparkContext sc;
    private final String planJson;
    private final int k, workers;
    private final PrintStream log;
    private final Remote.Combine combine;
    private final dev.ann.kernels.Schedule sched;
    private final int batch;

    SparkRemote(JavaSparkContext sc, Plan plan, Remote.Combine combine, int k, int workers, PrintStream log) {
        this.sc = sc;
        this.combine = combine;
        this.sched = dev.ann.runtime.nn.PlanKernels.schedule(plan.schedule());
        this.batch = plan.loop().batch();
        this.planJson = plan.toJson();
        this.k = k;
        this.workers = workers;
        this.log = log;
    }

    /** Opens a Spark context on the cluster address; workers = its default parallelism. */
    public static final class Provider implements Remote.Provider {
        @Override
        public Remote open(String cluster, Plan plan, Long dataMemory, Remote.Combine combine, int k, PrintStream log) {
            JavaSparkContext sc = context(cluster, "ann " + plan.train(), log);
            int w = Math.max(1, sc.defaultParallelism());
            if (combine == Remote.Combine.GRADIENTS) {
                log.printf("cluster %s: %d workers, gradients averaged every step%n", cluster, w);
            } else {
                log.printf("cluster %s: %d workers, parameters averaged every %d step%s%n", cluster, w, k, k == 1 ? "" : "s");
            }
            return new SparkRemote(sc, plan, combine, k, w, log);
        }

        @Override
        public dev.ann.runtime.train.Sweep.Runner runs(String cluster, String appName, PrintStream log) {
            JavaSparkContext sc = context(cluster, appName, log);
            log.printf("cluster %s: %d workers, one task per run%n", cluster, Math.max(1, sc.defaultParallelism()));
            return new SweepRunner(sc);
        }
    }

    /** A Spark context on the cluster address, with notes of lost executors and failed tasks in the log. */
    static JavaSparkContext context(String cluster, String appName, PrintStream log) {
        SparkConf conf = new SparkConf().setMaster(cluster).setAppName(appName)
                .set("spark.ui.enabled", "false")
                .set("spark.task.maxFailures", "4")
                .set("spark.executor.extraJavaOptions", String.join(" ", ClusterLaunch.javaOptions()))
                .set("spark.executor.extraClassPath", ClusterLaunch.classpath());
        JavaSparkContext sc;
        try {
            sc = new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw new RunException(RunException.FAILURE, "cannot start Spark on '" + cluster + "': " + firstLine(String.valueOf(e.getMessage()))
                    + "; check the address (local[N] or spark://HOST:PORT) and that the master runs");
        }
        sc.setLogLevel("ERROR");
        // a worker that dies: Spark reruns its tasks elsewhere from the same broadcast weights; say so
        sc.sc().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onExecutorRemoved(org.apache.spark.scheduler.SparkListenerExecutorRemoved r) {
                log.printf("%nnote: executor %s was lost (%s); Spark reruns its tasks on the others%n", r.executorId(), r.reason());
            }

            @Override
            public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd t) {
                if (t.taskInfo() != null && t.taskInfo().failed()) {
                    log.printf("%nnote: a task on executor %s failed (%s); Spark runs it again%n",
                            t.taskInfo().executorId(), firstLine(String.valueOf(t.reason())));
                }
            }
        });
        try {
            awaitExecutors(sc, cluster, log);
        } catch (RuntimeException e) {
            sc.stop();
            throw e;
        }
        return sc;
    }

    /** A sweep's runs as one Spark job of independent tasks, one run each (Spark retries a lost one). */
    static final class SweepRunner implements dev.ann.runtime.train.Sweep.Runner {
        private final JavaSparkContext sc;

        SweepRunner(JavaSparkContext sc) {
            this.sc = sc;
        }

        @Override
        public List<dev.ann.runtime.train.Sweep.Outcome> run(List<dev.ann.runtime.train.Sweep.Job> jobs) {
            if (sc.sc().isStopped()) throw stopped(sc.master());
            try {
                return sc.parallelize(jobs, jobs.size()).map(dev.ann.runtime.train.Sweep::runHere).collect();
            } catch (RuntimeException ex) {
                throw new RunException(RunException.FAILURE, "the cluster failed during the sweep"
                        + (sc.sc().isStopped() ? " (Spark stopped the application)" : " (Spark gave up after its retries)")
                        + ": " + firstLine(String.valueOf(ex.getMessage())));
            }
        }

        @Override
        public void close() {
            sc.stop();
        }
    }

    /**
     * On a cluster (not local[N]) executors register after the context starts: waits until at least one has
     * and their number has not grown for 3 s, so that the number of workers counts them all. An application
     * the master removed (its executors could not start) is said here, with where the reason is written.
     */
    static void awaitExecutors(JavaSparkContext sc, String cluster, PrintStream log) {
        if (cluster.startsWith("local")) return;
        long start = System.nanoTime(), stableSince = start;
        int seen = 0;
        while (true) {
            if (sc.sc().isStopped()) throw stopped(cluster);
            int n = sc.sc().statusTracker().getExecutorInfos().length - 1; // the driver is listed too
            long now = System.nanoTime();
            if (n != seen) {
                seen = n;
                stableSince = now;
            }
            if (seen > 0 && now - stableSince > 3_000_000_000L) return;
            if (now - start > 120_000_000_000L) {
                if (seen > 0) return;
                throw new RunException(RunException.FAILURE, "no executor registered with " + cluster + " within 120 s: check that"
                        + " workers run and have the cores and memory an executor asks for (spark.executor.memory, 1g by default)");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunException(RunException.FAILURE, "interrupted while waiting for executors on " + cluster);
            }
        }
    }

    private static RunException stopped(String cluster) {
        return new RunException(RunException.FAILURE, "Spark stopped the application on " + cluster + ": the master removes it when"
                + " its executors keep failing to start; each worker writes why in SPARK_WORKER_DIR/app-*/N/stderr (and its own log)");
    }

    @Override
    public Round round(long seed, int e, int b, int nb, int epochs, Network net, Optimizer opt) {
        return combine == Remote.Combine.GRADIENTS ? gradientRound(seed, e, b, nb, epochs, net, opt) : parameterRound(seed, e, b, nb, epochs, net, opt);
    }

    /** The slices [lo, hi) of a batch of n samples for the workers: as equal as they can be, none empty. */
    static List<int[]> slices(int n, int workers) {
        List<int[]> out = new ArrayList<>();
        int w = Math.max(1, Math.min(workers, n));
        for (int i = 0; i < w; i++) out.add(new int[] {(int) ((long) n * i / w), (int) ((long) n * (i + 1) / w)});
        return out;
    }

    /** One step of batch b: the workers' gradients of their slices, summed here, and one optimiser step. */
    private Round gradientRound(long seed, int e, int b, int nb, int epochs, Network net, Optimizer opt) {
        if (trainSamples < 0) throw new IllegalStateException("data(...) was not called before the first round");
        int n = Math.min(batch, trainSamples - b * batch);
        List<int[]> ranges = slices(n, workers);
        Shard.Weights now = new Shard.Weights(Shard.floats(net.params()), Shard.floats(net.state()), null, null, 0);
        List<Shard.Grad> parts = run(e, b, bw -> {
            String pj = planJson;
            Shard.Fit f = fit;
            return sc.parallelize(ranges, ranges.size()).map(r -> Shard.gradient(pj, f, bw.value(), seed, e, b, r[0], r[1])).collect();
        }, now);
        long seen = 0, correct = 0;
        double loss = 0;
        for (Shard.Grad p : parts) {
            seen += p.seen();
            loss += p.lossSum();
            correct += p.correct();
        }
        if (!Double.isFinite(loss)) return new Round(1, loss, seen, correct, Double.NaN);
        double[] acc = new double[parts.get(0).gradSum().length];
        for (Shard.Grad p : parts) {
            float[] g = p.gradSum();
            for (int i = 0; i < acc.length; i++) acc[i] += g[i];
        }
        float[] sum = new float[acc.length];
        for (int i = 0; i < sum.length; i++) sum[i] = (float) (acc[i] / seen);
        Shard.put(sum, net.grads());
        if (net.state() != null && parts.get(0).state() != null) {
            double[] st = new double[parts.get(0).state().length];
            for (Shard.Grad p : parts) {
                for (int i = 0; i < st.length; i++) st[i] += (double) p.seen() / seen * p.state()[i];
            }
            float[] sf = new float[st.length];
            for (int i = 0; i < sf.length; i++) sf[i] = (float) st[i];
            Shard.put(sf, net.state());
        }
        double lr = dev.ann.runtime.train.Step.update(opt, sched, net.params(), net.grads(), e, b, nb, epochs);
        return new Round(1, loss, seen, correct, lr);
    }

    private Shard.Fit fit;
    private int trainSamples = -1;

    @Override
    public void data(dev.ann.runtime.data.Pipeline.Transform fitted, int trainSamples) {
        this.fit = Shard.Fit.of(fitted);
        this.trainSamples = trainSamples;
    }

    private <T> List<T> run(int e, int b, java.util.function.Function<Broadcast<Shard.Weights>, List<T>> job, Shard.Weights now) {
        if (sc.sc().isStopped()) throw stopped(sc.master());
        Broadcast<Shard.Weights> bw = null;
        try {
            bw = sc.broadcast(now);
            return job.apply(bw);
        } catch (RuntimeException ex) {
            throw new RunException(RunException.FAILURE, "the cluster failed at epoch " + (e + 1) + ", batch " + (b + 1)
                    + (sc.sc().isStopped() ? " (Spark stopped the application)" : " (Spark gave up after its retries)")
                    + ": " + firstLine(String.valueOf(ex.getMessage())) + "; the last checkpoint stays; continue with --resume");
        } finally {
            // a context that Spark stopped (the job's failure above) has nothing left to free
            if (bw != null && !sc.sc().isStopped()) bw.destroy();
        }
    }

    private Round parameterRound(long seed, int e, int b, int nb, int epochs, Network net, Optimizer opt) {
        List<int[]> ranges = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int from = b + w * k, to = Math.min(nb, from + k);
            if (from < nb) ranges.add(new int[] {from, to});
        }
        Shard.Weights now = new Shard.Weights(Shard.floats(net.params()), Shard.floats(net.state()),
                Shard.floats(opt.s1), Shard.floats(opt.s2), opt.step);
        List<Shard.Part> parts = run(e, b, w -> {
            String pj = planJson;
            Shard.Fit f = fit;
            return sc.parallelize(ranges, ranges.size()).map(r -> Shard.train(pj, f, w.value(), seed, e, r[0], r[1], nb, epochs)).collect();
        }, now);
        Shard.Weights avg = average(parts);
        Shard.put(avg.params(), net.params());
        Shard.put(avg.state(), net.state());
        Shard.put(avg.s1(), opt.s1);
        Shard.put(avg.s2(), opt.s2);
        opt.step = avg.step();
        int batches = 0;
        double loss = 0, lr = 0;
        long seen = 0, correct = 0;
        for (Shard.Part p : parts) {
            batches += p.batches();
            loss += p.lossSum();
            seen += p.seen();
            correct += p.correct();
            lr = p.lr();
        }
        return new Round(batches, loss, seen, correct, lr);
    }

    /** The sample-weighted mean of the parts' weights; one part is taken as it is (bit for bit). */
    static Shard.Weights average(List<Shard.Part> parts) {
        if (parts.size() == 1) return parts.get(0).w();
        long total = parts.stream().mapToLong(Shard.Part::seen).sum();
        long step = parts.stream().mapToLong(p -> p.w().step()).max().orElse(0);
        return new Shard.Weights(mean(parts, total, 0), mean(parts, total, 1), mean(parts, total, 2), mean(parts, total, 3), step);
    }

    private static float[] mean(List<Shard.Part> parts, long total, int which) {
        float[] first = pick(parts.get(0).w(), which);
        if (first == null) return null;
        double[] acc = new double[first.length];
        for (Shard.Part p : parts) {
            float[] v = pick(p.w(), which);
            double wgt = (double) p.seen() / total;
            for (int i = 0; i < acc.length; i++) acc[i] += wgt * v[i];
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) acc[i];
        return out;
    }

    private static float[] pick(Shard.Weights w, int which) {
        return switch (which) { case 0 -> w.params(); case 1 -> w.state(); case 2 -> w.s1(); default -> w.s2(); };
    }

    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        sc.stop();
    }
}
