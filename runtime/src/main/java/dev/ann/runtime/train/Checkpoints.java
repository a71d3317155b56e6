package dev.ann.runtime.train;

import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The checkpoint policy of a run: where checkpoints live, when they are
 * written, and how {@code best.ckpt} and {@code last.ckpt} stay consistent.
 *
 * <p>{@code last.ckpt} records the best epoch so far; {@code best.ckpt} must
 * hold that epoch's weights. A new best is therefore committed in three steps:
 * write it to {@code best.ckpt.new}, write {@code last.ckpt} (which names the
 * new best epoch), rename {@code best.ckpt.new} to {@code best.ckpt}. A run
 * killed between the steps is repaired when it resumes: the rename is done
 * if {@code last.ckpt} names the pending best, else the pending file is
 * dropped (the old {@code best.ckpt} still matches the old {@code last.ckpt}).
 */
final class Checkpoints {
    static final String LAST = "last.ckpt", BEST = "best.ckpt", BEST_PENDING = "best.ckpt.new";
    /** last.ckpt is written at least this often (besides epoch boundaries the train block asks for, the end and a stop) */
    static final long EVERY_NANOS = 30_000_000_000L;

    final Path dir;
    private long lastWrite = System.nanoTime();

    Checkpoints(Path dir) {
        this.dir = dir;
    }

    /** The folder of a run's checkpoints: the train block's {@code checkpoint "dir"}, else RUN/checkpoints. */
    static Path dir(Plan plan, Path runDir) {
        return plan.loop().checkpoint() != null ? Path.of(plan.loop().checkpoint().dir()) : runDir.resolve("checkpoints");
    }

    /** The checkpoint --resume continues from. */
    static Path findResume(Plan plan, Path out, Path runsRoot) {
        if (plan.loop().checkpoint() != null) {
            Path p = Path.of(plan.loop().checkpoint().dir()).resolve(LAST);
            if (Files.exists(p)) return p;
        }
        if (out != null && Files.exists(out.resolve("checkpoints").resolve(LAST))) return out.resolve("checkpoints").resolve(LAST);
        Path root = runsRoot.resolve(plan.train());
        if (Files.isDirectory(root)) {
            try (var s = Files.list(root)) {
                var found = s.map(d -> d.resolve("checkpoints").resolve(LAST)).filter(Files::exists).sorted().toList();
                if (!found.isEmpty()) return found.get(found.size() - 1);
            } catch (IOException e) {
                // fall through
            }
        }
        throw new RunException(RunException.BAD_INPUT, "--resume: no checkpoint to resume from (looked for last.ckpt in "
                + (plan.loop().checkpoint() != null ? plan.loop().checkpoint().dir() + " and " : "") + root
                + "/*/checkpoints); train without --resume first");
    }

    /** Removes what a killed or disk-full run left half-written in the run and checkpoint folders. */
    void clean(Path runDir, PrintStream log) {
        int n = AtomicFile.removeLeftovers(runDir) + (dir.equals(runDir) ? 0 : AtomicFile.removeLeftovers(dir));
        if (n > 0) log.printf("removed %d unfinished temporary file%s of an earlier run%n", n, n == 1 ? "" : "s");
    }

    /** Whether last.ckpt is due at the end of this epoch ({@code every}, {@code end}: as the caller decides), or has not been written for 30 s. */
    boolean due(boolean every, boolean end) {
        return every || end || System.nanoTime() - lastWrite > EVERY_NANOS;
    }

    /** Writes last.ckpt, and before it a new best (null: none), in the order the class comment gives. */
    void commit(Checkpoint last, Checkpoint newBest) {
        Path pending = dir.resolve(BEST_PENDING);
        if (newBest != null) newBest.write(pending);
        last.write(dir.resolve(LAST));
        lastWrite = System.nanoTime();
        if (newBest != null) move(pending, dir.resolve(BEST));
    }

    void writeEpoch(Checkpoint c, int epoch) {
        c.write(dir.resolve(String.format("epoch-%04d.ckpt", epoch)));
    }

    /**
     * On resume: finishes or drops a pending best (see the class comment) and
     * returns the best checkpoint that matches the resumed state, or null.
     * When none matches (best.ckpt deleted, or written by an older ann that
     * kept the best of early stopping in memory only), says so and forgets the
     * best so far, so that no report names an epoch whose weights are gone.
     */
    Checkpoint recoverBest(Trainer.State st, PrintStream log) {
        Path pending = dir.resolve(BEST_PENDING), best = dir.resolve(BEST);
        if (Files.exists(pending)) {
            boolean matches = false;
            try {
                matches = st.bestValue != null && bestEpoch(Checkpoint.read(pending)) == st.bestEpoch;
            } catch (RunException e) {
                // damaged: dropped below
            }
            if (matches) move(pending, best);
            else delete(pending);
        }
        if (st.bestValue == null) return null;
        if (Files.exists(best)) {
            Checkpoint b = Checkpoint.read(best);
            if (bestEpoch(b) == st.bestEpoch) return b;
        }
        log.printf("warning: %s does not hold the weights of epoch %d, the best so far; the best is tracked anew from here%n",
                best, st.bestEpoch);
        st.bestValue = null;
        st.bestEpoch = 0;
        return null;
    }

    /** The epoch a best checkpoint was taken at: its state's epoch, which must be the best epoch it records (else -1). */
    private static int bestEpoch(Checkpoint c) {
        if (!c.header.has("best") || !c.header.has("epoch") || !c.header.getAsJsonObject("best").has("epoch")) return -1;
        int e = c.header.get("epoch").getAsInt();
        return c.header.getAsJsonObject("best").get("epoch").getAsInt() == e ? e : -1;
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, to + ": cannot write the checkpoint: " + e.getMessage(), e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, p + ": cannot remove: " + e.getMessage(), e);
        }
    }
}
