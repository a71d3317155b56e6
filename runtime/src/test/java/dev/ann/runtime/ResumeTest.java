package dev.ann.runtime;

import static dev.ann.runtime.PlanBuilder.args;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.plan.Plan;
import dev.ann.runtime.train.Checkpoint;
import dev.ann.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interrupted and resumed runs end with the weights of uninterrupted ones; wrong checkpoints are refused. */
class ResumeTest {
    @TempDir Path tmp;

    static { Backend.init(); }

    /** iris with batchnorm and dropout, so that running statistics and the dropout generator must resume too */
    static Plan plan(int hidden) {
        Plan iris = Fixtures.iris();
        return new PlanBuilder(4).dense(hidden).norm("batchnorm").act("relu").dropout(0.2).dense(3, "xavier").act("softmax")
                .loss("cross_entropy", args("from_logits", false)).optimizer("adam", args("lr", 1e-2))
                .schedule("cosine", args("warmup", 1))
                .loop(new Plan.Loop(16, 5, null, null, 1, "cpu")).seed(42).data(iris.data()).build();
    }

    Trainer.Result run(Plan p, Path out, boolean resume, int epoch, int batch) {
        Trainer.Options o = new Trainer.Options();
        o.out = out;
        o.resume = resume;
        o.interruptEpoch = epoch;
        o.interruptBatch = batch;
        o.log = new PrintStream(new ByteArrayOutputStream(), true);
        return Trainer.train(p, o).get(0);
    }

    @Test
    void resumedMidEpochEndsWithTheSameWeights() throws Exception {
        float[] a = run(plan(16), tmp.resolve("a"), false, -1, 0).net().params().data().asFloat();
        Trainer.Result cut = run(plan(16), tmp.resolve("b"), false, 2, 3);
        assertTrue(cut.interrupted());
        assertTrue(Files.exists(tmp.resolve("b/checkpoints/last.ckpt")));
        Trainer.Result res = run(plan(16), tmp.resolve("b"), true, -1, 0);
        assertEquals(5, res.epochsRun());
        assertArrayEquals(a, res.net().params().data().asFloat());
        assertArrayEquals(run(plan(16), tmp.resolve("c"), false, -1, 0).net().state().data().asFloat(), res.net().state().data().asFloat());
        // the resumed run's metrics.csv holds all five epochs
        assertEquals(6, lines(tmp.resolve("b/metrics.csv")));
    }

    @Test
    void resumedAtAnEpochBoundaryEndsWithTheSameWeights() {
        float[] a = run(plan(16), tmp.resolve("a"), false, -1, 0).net().params().data().asFloat();
        run(plan(16), tmp.resolve("b"), false, 3, 0);
        float[] b = run(plan(16), tmp.resolve("b"), true, -1, 0).net().params().data().asFloat();
        assertArrayEquals(a, b);
    }

    @Test
    void sameSeedSameNumbers() {
        float[] a = run(plan(16), tmp.resolve("a"), false, -1, 0).net().params().data().asFloat();
        float[] b = run(plan(16), tmp.resolve("b"), false, -1, 0).net().params().data().asFloat();
        assertArrayEquals(a, b);
    }

    @Test
    void aCheckpointOfAnotherArchitectureIsRefusedWithWhatChanged() {
        run(plan(16), tmp.resolve("a"), false, 1, 0);
        RunException e = assertThrows(RunException.class, () -> run(plan(32), tmp.resolve("a"), true, -1, 0));
        assertEquals(RunException.BAD_INPUT, e.exitCode);
        assertTrue(e.getMessage().contains("another architecture"), e.getMessage());
        assertTrue(e.getMessage().contains("dense_1.weight was [4, 16], is now [4, 32]"), e.getMessage());
    }

    @Test
    void resumeWithoutACheckpointSaysSo() {
        RunException e = assertThrows(RunException.class, () -> run(plan(16), tmp.resolve("none"), true, -1, 0));
        assertEquals(RunException.BAD_INPUT, e.exitCode);
        assertTrue(e.getMessage().contains("no checkpoint to resume from"), e.getMessage());
    }

    @Test
    void checkpointRoundTripAndDamagedFiles() throws Exception {
        Trainer.Result r = run(plan(16), tmp.resolve("a"), false, -1, 0);
        Checkpoint c = Checkpoint.read(r.runDir().resolve("model.ckpt"));
        assertEquals("ann-checkpoint", c.header.get("format").getAsString());
        assertArrayEquals(new int[] {4, 16}, c.shapes.get("dense_1.weight"));
        assertEquals(5, c.header.get("epoch").getAsInt());
        Path junk = tmp.resolve("junk.ckpt");
        Files.writeString(junk, "hello");
        RunException e = assertThrows(RunException.class, () -> Checkpoint.read(junk));
        assertTrue(e.getMessage().contains("not an ann checkpoint"), e.getMessage());
        byte[] all = Files.readAllBytes(r.runDir().resolve("model.ckpt"));
        Path cut = tmp.resolve("cut.ckpt");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 10));
        e = assertThrows(RunException.class, () -> Checkpoint.read(cut));
        assertTrue(e.getMessage().contains("ends early"), e.getMessage());
        // the run folder
        for (String f : new String[] {"metrics.csv", "summary.json", "curves.png", "report.md", "model.ckpt"}) {
            assertTrue(Files.size(r.runDir().resolve(f)) > 0, f);
        }
        // without keep best, the best epoch is the one with the lowest validation loss
        var summary = com.google.gson.JsonParser.parseString(Files.readString(r.runDir().resolve("summary.json"))).getAsJsonObject();
        assertEquals("val_loss", summary.get("best_metric").getAsString());
        int best = summary.get("best_epoch").getAsInt();
        for (var row : r.history()) {
            assertTrue(row.get("val_loss") >= r.history().get(best - 1).get("val_loss"), "epoch " + best + " has the lowest val_loss");
        }
        String report = Files.readString(r.runDir().resolve("report.md"));
        assertTrue(report.contains("confusion matrix") && report.contains("virginica"), report);
        // no temporary files left behind
        try (var s = Files.walk(r.runDir())) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")));
        }
    }

    @Test
    void aLossThatBecomesNanStopsWithEpochBatchAndAdvice() {
        Plan p = Fixtures.projectile(5);
        Plan bad = new PlanBuilder(3).dense(32).act("relu").dense(32).act("relu").dense(1).loss("mse", java.util.Map.of())
                .optimizer("sgd", args("lr", 1e3)).loop(p.loop()).seed(5).data(p.data()).build();
        RunException e = assertThrows(RunException.class, () -> run(bad, tmp.resolve("nan"), false, -1, 0));
        assertEquals(RunException.FAILURE, e.exitCode);
        assertTrue(e.getMessage().matches("(?s)the loss became (NaN|infinite) at epoch \\d+, batch \\d+.*lower learning rate.*"), e.getMessage());
    }

    @Test
    void repeatTrainsUnderKSeedsAndReportsMeanAndSd() throws Exception {
        Plan one = plan(16);
        Plan p = new PlanBuilder(4).dense(16).act("relu").dense(3, "xavier").act("softmax")
                .loss("cross_entropy", args("from_logits", false)).optimizer("adam", args("lr", 1e-2))
                .loop(new Plan.Loop(16, 2, null, null, 3, "cpu")).seed(42).data(one.data()).build();
        Trainer.Options o = new Trainer.Options();
        o.out = tmp.resolve("rep");
        o.log = new PrintStream(new ByteArrayOutputStream(), true);
        var rs = Trainer.train(p, o);
        assertEquals(3, rs.size());
        assertEquals(java.util.List.of(42L, 43L, 44L), rs.stream().map(Trainer.Result::seed).toList());
        String sum = Files.readString(tmp.resolve("rep/summary.json"));
        assertTrue(sum.contains("\"accuracy\"") && sum.contains("\"mean\"") && sum.contains("\"sd\""), sum);
        assertTrue(Files.exists(tmp.resolve("rep/seed-43/summary.json")));
    }

    static long lines(Path p) throws java.io.IOException {
        return Files.readAllLines(p).stream().filter(l -> !l.isBlank()).count();
    }
}
