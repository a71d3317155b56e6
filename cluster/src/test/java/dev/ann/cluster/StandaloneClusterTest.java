package dev.ann.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import dev.ann.runtime.Backend;
import dev.ann.runtime.train.Remote;
import dev.ann.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone cluster: a Spark master and two workers (one core each), each its own JVM on
 * 127.0.0.1, started from the Spark Maven artifacts on this test's classpath (SPARK_HOME's jars/ is a
 * folder of links to them; no Spark distribution). The test JVM is the driver. The cluster is stopped
 * at the end whatever happens (and by a shutdown hook if the JVM ends first).
 *
 * <p>A worker starts each executor through Spark's launcher, which needs SPARK_SCALA_VERSION when
 * SPARK_HOME is not a distribution (a distribution's scripts set it): without it every executor failed
 * with "Cannot find any build directories", the master removed the application after ten of them, and
 * the driver saw "SparkContext has been shutdown". A failure here prints the executors' stderr.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    static { Backend.init(); }

    @TempDir static Path tmp;
    static final List<Process> procs = new ArrayList<>();
    static String master;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Process start(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptions().split("\\s+")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", tmp.resolve("spark").toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_WORKER_DIR", tmp.resolve(name + "-work").toString());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        procs.add(p);
        return p;
    }

    /** Waits until the process listens on 127.0.0.1:port. */
    static void await(String name, int port) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError(name + " did not listen on port " + port + " within 120 s:\n" + logs());
    }

    /** The cluster's logs, the executors' stderr included (the tail of each), for a failure's message. */
    static String logs() {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path f : files.filter(f -> f.getFileName().toString().equals("stderr") || f.getFileName().toString().endsWith(".log")).toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                out.append("== ").append(tmp.relativize(f)).append('\n').append(text.substring(Math.max(0, text.length() - 3000))).append('\n');
            }
        } catch (IOException e) {
            out.append("(cannot read the logs: ").append(e.getMessage()).append(")");
        }
        return out.toString();
    }

    @BeforeAll
    static void cluster() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(StandaloneClusterTest::stop));
        Path jars = Files.createDirectories(tmp.resolve("spark/jars"));
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(jars.resolve(p.getFileName()))) {
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
            }
        }
        int port = freePort();
        master = "spark://127.0.0.1:" + port;
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", "0");
        await("master", port);
        for (int w = 1; w <= 2; w++) {
            int wp = freePort();
            start("worker" + w, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", String.valueOf(wp),
                    "--cores", "1", "--memory", "1g", "--webui-port", "0", master);
            await("worker" + w, wp);
        }
    }

    @AfterAll
    static void stop() {
        for (Process p : procs) p.descendants().forEach(ProcessHandle::destroyForcibly);
        for (Process p : procs) p.destroyForcibly();
    }

    static Plan plan(String file, String profile) throws Exception {
        return Compiler.compile(Path.of("../examples", file).toAbsolutePath().normalize()).plan(null, profile);
    }

    static Trainer.Result onCluster(Plan plan, Path out, int k, Integer epochs, ByteArrayOutputStream log) {
        return onCluster(plan, out, Remote.Combine.PARAMETERS, k, epochs, log);
    }

    static Trainer.Result onCluster(Plan plan, Path out, Remote.Combine combine, int k, Integer epochs, ByteArrayOutputStream log) {
        try {
            Trainer.Result r = ClusterTrainTest.train(plan, out, master, combine, k, epochs, log);
            // the driver's log in the test report: epoch times are what docs/cluster.md's round cost is read from
            System.out.println("== " + plan.train() + " on " + master + ", " + combine.word() + ", k = " + k + "\n" + log.toString(StandardCharsets.UTF_8));
            return r;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("the cluster run failed: " + e + "\n" + log.toString(StandardCharsets.UTF_8) + "\n" + logs(), e);
        }
    }

    static double accuracy(Trainer.Result r) {
        return r.test().metrics().get("accuracy");
    }

    @Test
    @Order(1)
    void irisOnTwoWorkersLandsWithinAPointOfTheLocalRun() throws Exception {
        Plan plan = plan("iris.ann", null);
        Trainer.Result local = ClusterTrainTest.train(plan, tmp.resolve("iris-local"), null, 1, null, new ByteArrayOutputStream());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // k = 4: a round is both workers' 4 batches (iris has 7 a epoch), so one round an epoch; the test accuracy
        // is the local run's (95.45%, 21 of 22) with k = 1, 2 and 4 in local[2] too
        Trainer.Result spark = onCluster(plan, tmp.resolve("iris-spark"), 4, null, log);
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("cluster " + master + ": 2 workers, parameters averaged every 4 steps"), text);
        assertEquals(local.history().size(), spark.history().size(), text);
        assertEquals(accuracy(local), accuracy(spark), 0.01, "test accuracy, local vs cluster:\n" + text);
        irisLocal = local;
        irisSpark = spark;
    }

    static Trainer.Result irisLocal, irisSpark;

    /**
     * The same run with iris.csv on a real HDFS (MiniDFSCluster in this JVM, on 127.0.0.1): the driver and the
     * executors of both workers open hdfs://127.0.0.1:PORT/data/iris.csv themselves through Hadoop's FileSystem. The
     * run is the one from the path above, epoch by epoch, so its test accuracy is the local run's too.
     */
    @Test
    @Order(2)
    void irisFromHdfsOnTwoWorkersIsTheRunFromThePath() throws Exception {
        Assumptions.assumeTrue(irisSpark != null, "needs the iris run from the path (the test before)");
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        conf.set(org.apache.hadoop.hdfs.MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        org.apache.hadoop.hdfs.MiniDFSCluster dfs = new org.apache.hadoop.hdfs.MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            dfs.waitActive();
            dfs.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(Path.of("../examples/iris.csv").toAbsolutePath().toString()),
                    new org.apache.hadoop.fs.Path("/data/iris.csv"));
            Path dir = Files.createDirectories(tmp.resolve("iris-hdfs-ann"));
            Plan plan = HadoopDataTest.plan(dir, "hdfs://127.0.0.1:" + dfs.getNameNodePort() + "/data/iris.csv");
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Trainer.Result spark = onCluster(plan, tmp.resolve("iris-hdfs"), 4, null, log);
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("cluster " + master + ": 2 workers"), text);
            HadoopDataTest.sameRun(irisSpark, spark);
            assertEquals(accuracy(irisLocal), accuracy(spark), 0.01, "test accuracy, local vs cluster from HDFS:\n" + text);
        } finally {
            dfs.shutdown();
        }
    }

    @Test
    @Order(3)
    void fashionMlpDevOnTwoWorkersLandsWithinAPointOfTheLocalRun() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist (the iris part ran)");
        Plan plan = plan("fashion_mlp.ann", "dev");
        // synchronous gradient averaging: each step both workers compute the gradient of half the batch and the
        // driver takes one optimiser step on their sum, so the run is the local run at the same batch (dropout
        // masks differ: each worker draws its own for its slice)
        Trainer.Result local = ClusterTrainTest.train(plan, tmp.resolve("fashion-local"), null, 1, null, new ByteArrayOutputStream());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result spark = onCluster(plan, tmp.resolve("fashion-spark"), Remote.Combine.GRADIENTS, 1, null, log);
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("cluster " + master + ": 2 workers, gradients averaged every step"), text);
        assertEquals(accuracy(local), accuracy(spark), 0.01, "test accuracy, local vs cluster (gradients, same batch):\n" + text);
    }

    /** Four combinations x 2 seeds of iris, one Spark task each: every run finishes and the report ranks the combinations. */
    @Test
    @Order(4)
    void aSweepOfEightRunsFinishesOnTheClusterAndIsRanked() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("sweep"));
        Files.copy(Path.of("../examples/iris.csv"), dir.resolve("iris.csv"));
        Files.writeString(dir.resolve("iris.ann"), Files.readString(Path.of("../examples/iris.ann")) + """

                profile tune {
                    epochs 15
                    sweep batch 8, 32
                    sweep optimizer adam(lr: 1e-2), sgd(lr: 1e-3)
                    repeat 2
                }
                """);
        var c = Compiler.compile(dir.resolve("iris.ann"));
        var points = c.sweep(null, "tune").stream().map(p -> new dev.ann.runtime.train.Sweep.Point(p.label(), p.plan())).toList();
        assertEquals(4, points.size());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Options o = new Trainer.Options();
        o.out = dir.resolve("run");
        o.log = new java.io.PrintStream(log, true, StandardCharsets.UTF_8);
        List<dev.ann.runtime.train.Sweep.Outcome> outcomes;
        try (var runner = new SparkRemote.Provider().runs(master, "ann sweep test", o.log)) {
            outcomes = dev.ann.runtime.train.Sweep.run(points, o, runner);
        } catch (RuntimeException e) {
            throw new AssertionError(e + "\n" + log.toString(StandardCharsets.UTF_8) + "\n" + logs(), e);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(8, outcomes.size(), text);
        assertTrue(outcomes.stream().allMatch(x -> x.error() == null), text);
        // each (combination, seed) ran once: seeds 42 and 43 of every combination
        assertEquals(8, outcomes.stream().map(x -> x.point() + "/" + x.seed()).distinct().count(), text);
        assertTrue(text.contains("8 runs, as independent tasks on the cluster"), text);
        // the ranking: by test accuracy, higher first, with mean ± sd over the 2 seeds
        String report = Files.readString(o.out.resolve("report.md"));
        assertTrue(report.contains("ranked by the test split's accuracy (higher first)"), report);
        var ranking = com.google.gson.JsonParser.parseString(Files.readString(o.out.resolve("summary.json")))
                .getAsJsonObject().getAsJsonArray("ranking");
        assertEquals(4, ranking.size());
        double prev = Double.MAX_VALUE;
        for (var e : ranking) {
            double m = e.getAsJsonObject().getAsJsonObject("accuracy").get("mean").getAsDouble();
            assertTrue(m <= prev, "ranked by accuracy, higher first: " + ranking);
            prev = m;
            assertEquals(2, e.getAsJsonObject().get("runs").getAsInt());
        }
        // sgd at lr 1e-3 for 15 epochs learns far less than adam at 1e-2: an adam combination ranks first
        assertTrue(ranking.get(0).getAsJsonObject().get("combination").getAsString().contains("adam"), ranking.toString());
        // the executors' run folders come back to the driver's: one per combination and seed
        for (int i = 1; i <= 4; i++) {
            for (long seed : new long[] {42, 43}) {
                Path f = o.out.resolve(String.format("sweep-%02d/seed-%d", i, seed));
                assertTrue(Files.isRegularFile(f.resolve("metrics.csv")) && Files.isRegularFile(f.resolve("model.ckpt")), f.toString());
            }
        }
    }

    /** Worker 2 (and its executor) is killed once the first epoch is written: Spark reruns the lost task on worker 1. */
    @Test
    @Order(5)
    void aWorkerKilledMidTrainingIsReplacedAndTrainingFinishes() throws Exception {
        Plan plan = plan("iris.ann", null);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path out = tmp.resolve("iris-kill");
        Process w2 = procs.get(2);
        Thread killer = new Thread(() -> {
            try {
                while (!Files.exists(out.resolve("metrics.csv"))) Thread.sleep(20);
                w2.descendants().forEach(ProcessHandle::destroyForcibly);
                w2.destroyForcibly();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        killer.setDaemon(true);
        killer.start();
        Trainer.Result r = onCluster(plan, out, 4, 20, log);
        String text = log.toString(StandardCharsets.UTF_8);
        assertFalse(w2.isAlive(), "worker 2 was killed");
        assertEquals(20, r.history().size(), text);
        assertTrue(text.contains("was lost"), "the log notes the lost executor:\n" + text);
        assertTrue(accuracy(r) >= 0.8, "test accuracy " + r.test().metrics() + "\n" + text);
    }
}
