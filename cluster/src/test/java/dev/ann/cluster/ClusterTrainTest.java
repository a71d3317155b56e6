package dev.ann.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import dev.ann.runtime.Backend;
import dev.ann.runtime.train.Remote;
import dev.ann.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-parallel training on Spark in local mode (an in-process executor): the driver's run is a local run's. */
class ClusterTrainTest {
    @TempDir Path tmp;

    static { Backend.init(); }

    static Plan iris() throws Exception {
        return Compiler.compile(Path.of("../examples/iris.ann").toAbsolutePath().normalize()).plan(null, null);
    }

    static Trainer.Result train(Plan plan, Path out, String cluster, int k, Integer epochs, ByteArrayOutputStream log) {
        return train(plan, out, cluster, Remote.Combine.PARAMETERS, k, epochs, log);
    }

    static Trainer.Result train(Plan plan, Path out, String cluster, Remote.Combine combine, int k, Integer epochs, ByteArrayOutputStream log) {
        Trainer.Options o = new Trainer.Options();
        o.out = out;
        o.epochs = epochs;
        o.log = new PrintStream(log, true, StandardCharsets.UTF_8);
        if (cluster == null) return Trainer.train(plan, o).get(0);
        try (Remote r = new SparkRemote.Provider().open(cluster, plan, null, combine, k, o.log)) {
            o.remote = r;
            return Trainer.train(plan, o).get(0);
        }
    }

    @Test
    void oneExecutorCombiningEveryStepIsTheLocalRun() throws Exception {
        Plan plan = iris();
        Trainer.Result local = train(plan, tmp.resolve("local"), null, 1, 4, new ByteArrayOutputStream());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result spark = train(plan, tmp.resolve("spark"), "local[1]", 1, 4, log);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("cluster local[1]: 1 workers"), log.toString(StandardCharsets.UTF_8));
        assertEquals(local.history().size(), spark.history().size());
        for (int e = 0; e < local.history().size(); e++) {
            Map<String, Double> a = local.history().get(e), b = spark.history().get(e);
            for (String m : List.of("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr")) {
                assertEquals(a.get(m), b.get(m), 1e-6 * Math.max(1, Math.abs(a.get(m))), "epoch " + (e + 1) + " " + m);
            }
        }
        assertEquals(local.test().metrics().get("accuracy"), spark.test().metrics().get("accuracy"));
        // the driver's run folder is a local run's
        for (String f : List.of("metrics.csv", "report.md", "model.ckpt", "checkpoints/last.ckpt")) {
            assertTrue(Files.exists(tmp.resolve("spark").resolve(f)), f);
        }
    }

    /**
     * A driver stopped after epoch 2 (the state a driver killed there leaves: checkpoints/last.ckpt of that epoch
     * boundary) and resumed with --resume on the cluster ends with the weights of a run that was never stopped.
     */
    @Test
    void aStoppedDriverResumesOnTheClusterFromItsLastCheckpoint() throws Exception {
        Plan plan = iris();
        Trainer.Result whole = train(plan, tmp.resolve("whole"), "local[2]", 2, 4, new ByteArrayOutputStream());
        Trainer.Options o = new Trainer.Options();
        o.out = tmp.resolve("cut");
        o.epochs = 4;
        o.interruptEpoch = 2;
        o.log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Remote r = new SparkRemote.Provider().open("local[2]", plan, null, Remote.Combine.PARAMETERS, 2, o.log)) {
            o.remote = r;
            assertTrue(Trainer.train(plan, o).get(0).interrupted());
        }
        assertTrue(Files.exists(tmp.resolve("cut/checkpoints/last.ckpt")));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        o.interruptEpoch = -1;
        o.resume = true;
        o.log = new PrintStream(log, true, StandardCharsets.UTF_8);
        Trainer.Result resumed;
        try (Remote r = new SparkRemote.Provider().open("local[2]", plan, null, Remote.Combine.PARAMETERS, 2, o.log)) {
            o.remote = r;
            resumed = Trainer.train(plan, o).get(0);
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming from"), log.toString(StandardCharsets.UTF_8));
        assertEquals(4, resumed.history().size());
        org.junit.jupiter.api.Assertions.assertArrayEquals(whole.net().params().data().asFloat(), resumed.net().params().data().asFloat());
    }

    /** `ann train` on a file whose profile says `cluster "local[1]"` trains on Spark, as --cluster does. */
    @Test
    void theClusterSettingOfAProfileTrainsOnSpark() throws Exception {
        System.setProperty("ann.noRelaunch", "true");
        Path ann = tmp.resolve("iris.ann");
        Files.copy(Path.of("../examples/iris.csv"), tmp.resolve("iris.csv"));
        Files.writeString(ann, Files.readString(Path.of("../examples/iris.ann")) + "\nprofile spark {\n    epochs 2\n    cluster \"local[1]\"\n}\n");
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        var cl = dev.ann.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        int code = cl.execute("train", ann.toString(), "--profile", "spark", "--out", tmp.resolve("run").toString());
        assertEquals(0, code, err + "\n" + out);
        assertTrue(out.toString().contains("cluster local[1]: 1 workers, gradients averaged every step"), out.toString());
        assertTrue(out.toString().contains("epoch 2/2"), out.toString());
    }

    @Test
    void twoExecutorsAveragingEveryTwoStepsLearnIris() throws Exception {
        Plan plan = iris();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result spark = train(plan, tmp.resolve("spark2"), "local[2]", 2, 30, log);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("2 workers, parameters averaged every 2 steps"));
        // a round trains 2 x 2 batches: the epoch still sees every training sample once
        List<Map<String, Double>> h = spark.history();
        assertEquals(30, h.size());
        assertTrue(h.get(29).get("train_loss") < h.get(0).get("train_loss"), "the loss falls: " + h);
        assertTrue(spark.test().metrics().get("accuracy") >= 0.8, "test accuracy " + spark.test().metrics());
    }

    /**
     * Synchronous gradient averaging: two workers each take half of every batch and the driver takes one step on
     * the sum of their gradients, so the run is the local one (iris has no dropout or batch norm) to float rounding.
     */
    @Test
    void twoExecutorsAveragingGradientsTrainAsALocalRun() throws Exception {
        Plan plan = iris();
        Trainer.Result local = train(plan, tmp.resolve("local"), null, 1, 5, new ByteArrayOutputStream());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result spark = train(plan, tmp.resolve("grad2"), "local[2]", Remote.Combine.GRADIENTS, 1, 5, log);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("cluster local[2]: 2 workers, gradients averaged every step"),
                log.toString(StandardCharsets.UTF_8));
        assertEquals(5, spark.history().size());
        for (int e = 0; e < 5; e++) {
            Map<String, Double> a = local.history().get(e), b = spark.history().get(e);
            for (String m : List.of("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr")) {
                assertEquals(a.get(m), b.get(m), 1e-5 * Math.max(1, Math.abs(a.get(m))), "epoch " + (e + 1) + " " + m);
            }
        }
        float[] p = local.net().params().data().asFloat(), q = spark.net().params().data().asFloat();
        assertEquals(p.length, q.length);
        for (int i = 0; i < p.length; i++) assertEquals(p[i], q[i], 1e-4f * Math.max(1f, Math.abs(p[i])), "parameter " + i);
        // the steps really were split: the slices of a batch of 16 for 2 workers
        assertEquals(List.of(0, 8, 8, 16), SparkRemote.slices(16, 2).stream().flatMap(r -> java.util.stream.IntStream.of(r).boxed()).toList());
    }

    /**
     * Workers open the data streamed, with the driver's normalisation (no statistics pass of their own), and
     * read only the samples of the slices and batches they are given: over an epoch the two workers together
     * read each training sample once, in both modes, and none from a copy held in memory.
     */
    @Test
    void workersReadOnlyTheSamplesTheyTrainOn() throws Exception {
        Plan plan = iris();
        int n;
        try (var d = dev.ann.runtime.data.Pipeline.load(plan.data())) {
            n = d.train().n;
        }
        for (Remote.Combine c : Remote.Combine.values()) {
            Shard.READ.reset();
            Shard.READ_IN_MEMORY.reset();
            train(plan, tmp.resolve("read-" + c.word()), "local[2]", c, c == Remote.Combine.GRADIENTS ? 1 : 2, 3, new ByteArrayOutputStream());
            assertEquals(3L * n, Shard.READ.sum(), c.word() + ": samples read by the workers over 3 epochs of " + n);
            assertEquals(0L, Shard.READ_IN_MEMORY.sum(), c.word() + ": the workers' data is streamed");
        }
    }
}
