package dev.ann.runtime;

import static dev.ann.runtime.PlanBuilder.args;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ann.plan.Plan;
import dev.ann.runtime.train.Checkpoint;
import dev.ann.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, point 9: what a kill or a full disk leaves behind is cleaned or
 * repaired at the next start, best.ckpt always matches the best epoch that
 * last.ckpt names, and hand-edited checkpoint headers are refused with a message.
 */
class CheckpointSafetyTest {
    @TempDir Path tmp;

    static { Backend.init(); }

    /** iris, best chosen by early stopping's monitor (the best is kept in memory between checkpoints) */
    static Plan plan() {
        return new PlanBuilder(4).dense(8).act("relu").dense(3, "xavier").act("softmax")
                .loss("cross_entropy", args("from_logits", false)).optimizer("adam", args("lr", 5e-2))
                .loop(new Plan.Loop(16, 8, new Plan.EarlyStopping("val_loss", 50, 0, "min"), null, 1, "cpu"))
                .seed(7).data(Fixtures.iris().data()).build();
    }

    record Ran(Trainer.Result result, String log) {}

    Ran run(Path out, boolean resume, int interruptEpoch) {
        Trainer.Options o = new Trainer.Options();
        o.out = out;
        o.resume = resume;
        o.interruptEpoch = interruptEpoch;
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        o.log = new PrintStream(bo, true, StandardCharsets.UTF_8);
        Trainer.Result r = Trainer.train(plan(), o).get(0);
        return new Ran(r, bo.toString(StandardCharsets.UTF_8));
    }

    static float[] params(Ran r) {
        return r.result().net().params().data().asFloat();
    }

    @Test
    void aKillBetweenTheBestAndLastCheckpointsIsRepairedOnResume() throws Exception {
        Ran whole = run(tmp.resolve("whole"), false, -1);
        Path ck = tmp.resolve("cut/checkpoints");

        // killed after last.ckpt named the new best, before best.ckpt.new was renamed: the resume finishes the rename
        Ran cut = run(tmp.resolve("cut"), false, 4);
        assertTrue(cut.result().interrupted());
        assertTrue(Files.exists(ck.resolve("best.ckpt")), "the best of early stopping is on disk with last.ckpt");
        Files.move(ck.resolve("best.ckpt"), ck.resolve("best.ckpt.new"));
        Ran resumed = run(tmp.resolve("cut"), true, -1);
        assertEquals(whole.result().bestEpoch(), resumed.result().bestEpoch(), resumed.log());
        assertArrayEquals(params(whole), params(resumed));
        assertFalse(Files.exists(ck.resolve("best.ckpt.new")));

        // killed after a later best went to best.ckpt.new, before last.ckpt: the resume drops it
        Ran later = run(tmp.resolve("later"), false, 6);
        assertTrue(later.result().interrupted());
        Ran cut2 = run(tmp.resolve("cut2"), false, 4);
        assertTrue(cut2.result().interrupted());
        Files.copy(tmp.resolve("later/checkpoints/last.ckpt"), tmp.resolve("cut2/checkpoints/best.ckpt.new"));
        Ran resumed2 = run(tmp.resolve("cut2"), true, -1);
        assertEquals(whole.result().bestEpoch(), resumed2.result().bestEpoch(), resumed2.log());
        assertArrayEquals(params(whole), params(resumed2));
    }

    @Test
    void aMissingBestCheckpointIsSaidAndNoGoneEpochIsNamed() throws Exception {
        Ran cut = run(tmp.resolve("cut"), false, 4);
        Files.delete(tmp.resolve("cut/checkpoints/best.ckpt"));
        Ran resumed = run(tmp.resolve("cut"), true, -1);
        assertTrue(resumed.log().contains("does not hold the weights of epoch"), resumed.log());
        // the best is tracked anew from the resumed epochs: whatever it names, its weights exist
        assertTrue(resumed.result().bestEpoch() > 4, "best epoch " + resumed.result().bestEpoch());
        String summary = Files.readString(tmp.resolve("cut/summary.json"));
        assertTrue(summary.contains("\"best_epoch\": " + resumed.result().bestEpoch()), summary);
    }

    @Test
    void temporaryFilesOfAKilledRunAreRemovedAtTheNextStart() throws Exception {
        Path run = tmp.resolve("run");
        Path ck = Files.createDirectories(run.resolve("checkpoints"));
        Path a = Files.writeString(ck.resolve(".last.ckpt.8412390123.tmp"), "half a checkpoint");
        Path b = Files.writeString(run.resolve(".metrics.csv.77.tmp"), "half a table");
        Path keep = Files.writeString(run.resolve("notes.tmp"), "not ours");
        Ran r = run(run, false, 1);
        assertFalse(Files.exists(a) || Files.exists(b), "leftovers removed");
        assertTrue(Files.exists(keep), "other files stay");
        assertTrue(r.log().contains("removed 2 unfinished temporary files"), r.log());
        try (var s = Files.list(ck)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(), "the run itself leaves none");
        }
    }

    @Test
    void aFailedWriteLeavesNoTemporaryFile() throws Exception {
        Ran r = run(tmp.resolve("run"), false, 1);
        Checkpoint c = Checkpoint.read(tmp.resolve("run/checkpoints/last.ckpt"));
        Path target = Files.createDirectories(tmp.resolve("ro")).resolve("x.ckpt");
        Files.createDirectory(target); // the rename over a folder that is not empty fails after the bytes are written
        Files.writeString(target.resolve("inside"), "x");
        assertThrows(RunException.class, () -> c.write(target));
        try (var s = Files.list(tmp.resolve("ro"))) {
            assertEquals(1, s.count(), "only the folder: the temporary file was deleted");
        }
        assertTrue(r.result().interrupted());
    }

    /** Rewrites a checkpoint's JSON header (keeping its arrays), then appends extra bytes. */
    static Path edit(Path from, Path to, Consumer<JsonObject> change, byte[] extra) throws Exception {
        byte[] all = Files.readAllBytes(from);
        int hl = ByteBuffer.wrap(all, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        JsonObject h = JsonParser.parseString(new String(all, 12, hl, StandardCharsets.UTF_8)).getAsJsonObject();
        change.accept(h);
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(12 + hb.length + all.length - 12 - hl + extra.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(all, 0, 8).putInt(hb.length).put(hb).put(all, 12 + hl, all.length - 12 - hl).put(extra);
        Files.write(to, out.array());
        return to;
    }

    @Test
    void handEditedHeadersAreRefusedWithAMessage() throws Exception {
        run(tmp.resolve("run"), false, -1);
        Path good = tmp.resolve("run/model.ckpt");
        Checkpoint.read(good);
        String[][] cases = {
            {"class_names", "'class_names' must be a list, found null"},
            {"version", "checkpoint version 99, but this ann reads version 1"},
            {"trailing", "3 bytes follow the last array"},
            {"shape", "is larger than the file"},
            {"step", "'optimizer.step' must be a number, found \"x\""},
        };
        for (String[] c : cases) {
            Path bad = edit(good, tmp.resolve(c[0] + ".ckpt"), h -> {
                switch (c[0]) {
                    case "class_names" -> h.add("class_names", com.google.gson.JsonNull.INSTANCE);
                    case "version" -> h.addProperty("version", 99);
                    case "shape" -> h.getAsJsonArray("arrays").get(0).getAsJsonObject().getAsJsonArray("shape").set(0, new com.google.gson.JsonPrimitive(1 << 30));
                    case "step" -> h.getAsJsonObject("optimizer").addProperty("step", "x");
                    default -> { }
                }
            }, c[0].equals("trailing") ? new byte[] {1, 2, 3} : new byte[0]);
            RunException e = assertThrows(RunException.class, () -> Checkpoint.read(bad), c[0]);
            assertEquals(RunException.BAD_INPUT, e.exitCode, c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().startsWith(bad.toString()), c[0] + ": " + e.getMessage());
        }
        // a truncated one
        byte[] all = Files.readAllBytes(good);
        Path cut = Files.write(tmp.resolve("cut.ckpt"), Arrays.copyOf(all, all.length - 5));
        assertTrue(assertThrows(RunException.class, () -> Checkpoint.read(cut)).getMessage().contains("ends early"));
        Files.copy(good, tmp.resolve("copy.ckpt"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void decompressedImageCachesOfKilledRunsAreRemoved() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path tmpdir = Path.of(System.getProperty("java.io.tmpdir"));
        Path orphan = Files.writeString(tmpdir.resolve("ann-idx-" + gone.pid() + "-42.bytes"), "decompressed pictures");
        Path mine = Files.writeString(tmpdir.resolve("ann-idx-" + ProcessHandle.current().pid() + "-43.bytes"), "in use");
        try {
            java.io.ByteArrayOutputStream im = new java.io.ByteArrayOutputStream();
            try (var g = new java.util.zip.GZIPOutputStream(im); var d = new java.io.DataOutputStream(g)) {
                d.writeInt(0x803);
                d.writeInt(2);
                d.writeInt(2);
                d.writeInt(2);
                d.write(new byte[8]);
            }
            Files.write(tmp.resolve("im.gz"), im.toByteArray());
            Files.write(tmp.resolve("lb"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 0, 1});
            try (var s = dev.ann.runtime.data.IdxSamples.open(tmp.resolve("im.gz"), tmp.resolve("lb"))) {
                assertEquals(2, s.n);
            }
            assertFalse(Files.exists(orphan), "the cache of a process that is gone is removed");
            assertTrue(Files.exists(mine), "a live process's cache stays");
        } finally {
            Files.deleteIfExists(orphan);
            Files.deleteIfExists(mine);
        }
    }
}
