package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: a few hundred seeded mutations through {@code ann check},
 * {@code ann fmt --check} and the language server ({@link Fuzz}): no exception
 * escapes, every request is answered, output and memory stay bounded.
 * {@code -Dann.fuzz.mutations=N -Dann.fuzz.seed=S -Dann.fuzz.report=FILE} make
 * it the benchmark of bench/fuzz (10,000 mutations).
 */
class FuzzTest {
    /** The live heap the run may reach (CLI and server in one JVM; the server alone runs with -Xmx1g). */
    static final long HEAP_BOUND = 768L << 20;

    @TempDir
    Path dir;

    @Test
    void mutatedFilesNeverBreakTheCommandLineOrTheLanguageServer() throws Exception {
        int count = Integer.getInteger("ann.fuzz.mutations", 200);
        long seed = Long.getLong("ann.fuzz.seed", 20261202L);
        String report = System.getProperty("ann.fuzz.report");
        java.util.function.Consumer<Fuzz.Report> write = r -> {
            if (report == null || report.isBlank()) return;
            try {
                Files.writeString(Path.of(report), "seed " + seed + ", " + count + " mutations asked: " + r.summary() + "\n"
                        + String.join("\n", r.failures) + "\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Fuzz.Report r = new Fuzz(dir).run(count, seed, write);
        write.accept(r);
        String summary = r.summary();
        assertEquals(0, r.failures.size(), () -> summary + "\n" + String.join("\n\n", r.failures));
        assertEquals(count, r.mutations, summary);
        assertTrue(r.maxHeap < HEAP_BOUND, summary);
        assertTrue(r.exitErrors > 0 && r.exitOk > 0, "the mutations should both keep and break files: " + summary);
        System.out.println("fuzz: " + summary);
    }
}
