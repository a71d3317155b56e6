package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, points 1 and 2, with real signals to a real `ann train` process:
 * SIGTERM or SIGINT after the first epoch ends it at once with the checkpoint,
 * the "interrupted at" line, metrics, plot and report; SIGKILL of the process
 * that relaunched itself takes the training JVM with it.
 */
class SignalTest {
    @TempDir Path tmp;

    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    /** A running `ann train` child and what it printed so far. */
    record Child(Process p, List<String> out, List<String> err) {
        boolean printed(String s) {
            return out.stream().anyMatch(l -> l.contains(s));
        }

        void await(String s, long ms) throws InterruptedException {
            long end = System.currentTimeMillis() + ms;
            while (!printed(s) && System.currentTimeMillis() < end && p.isAlive()) Thread.sleep(20);
            assertTrue(printed(s), "never printed '" + s + "': " + out + err);
        }
    }

    Child train(boolean relaunch) throws Exception {
        Files.copy(EXAMPLES.resolve("iris.ann"), tmp.resolve("iris.ann"));
        Files.copy(EXAMPLES.resolve("iris.csv"), tmp.resolve("iris.csv"));
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", tmp.resolve("iris.ann").toString(), "--epochs", "100000", "--out", tmp.resolve("run").toString());
        var env = pb.environment();
        for (String k : List.of("ANN_NO_RELAUNCH", "ANN_RELAUNCHED", "ANN_PARENT_PID", "OMP_WAIT_POLICY", "OMP_NUM_THREADS")) env.remove(k);
        if (!relaunch) env.put("ANN_NO_RELAUNCH", "1");
        Process p = pb.start();
        Child c = new Child(p, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        pump(p.getInputStream(), c.out());
        pump(p.getErrorStream(), c.err());
        return c;
    }

    static void pump(java.io.InputStream in, List<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) into.add(l);
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
    }

    static void signal(long pid, String sig) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).start().waitFor());
    }

    /** SIGINT stays ignored in processes started from a background shell job; the JVM then cannot see Ctrl-C. */
    static boolean sigintIgnored() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("SigIgn:")) return (Long.parseUnsignedLong(l.substring(7).trim(), 16) & 0x2) != 0;
        }
        return false;
    }

    void stopsCleanly(String sig, int exit) throws Exception {
        Child c = train(false);
        c.await("epoch 2/", 120_000);
        long t0 = System.nanoTime();
        signal(c.p().pid(), sig);
        assertTrue(c.p().waitFor(30, TimeUnit.SECONDS), "still running 30 s after SIG" + sig);
        double secs = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(200); // the pumps read the last lines
        System.out.printf("SignalTest: SIG%s to exit in %.2f s%n", sig, secs);
        assertEquals(exit, c.p().exitValue(), c.out() + "\n" + c.err());
        assertTrue(c.printed("interrupted at epoch"), c.out().toString());
        assertTrue(c.err().stream().noneMatch(l -> l.startsWith("error")), c.err().toString());
        Path run = tmp.resolve("run");
        for (String f : List.of("checkpoints/last.ckpt", "metrics.csv", "curves.png", "summary.json", "report.md")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertTrue(Files.readString(run.resolve("summary.json")).contains("\"interrupted\": true"));
        assertTrue(secs < 10, "took " + secs + " s");
    }

    @Test
    void sigtermAfterTheFirstEpochStopsAtOnceWithCheckpointPlotAndReport() throws Exception {
        stopsCleanly("TERM", 143);
    }

    @Test
    void sigintAfterTheFirstEpochStopsAtOnceWithCheckpointPlotAndReport() throws Exception {
        assumeFalse(sigintIgnored(), "SIGINT is ignored in this process (started from a background job); run the tests from a foreground shell");
        stopsCleanly("INT", 130);
    }

    @Test
    void killingTheParentWithSigkillEndsTheRelaunchedChild() throws Exception {
        Child c = train(true);
        c.await("epoch 2/", 120_000);
        List<ProcessHandle> kids = c.p().toHandle().children().toList();
        assertEquals(1, kids.size(), "ann relaunched itself once: " + kids);
        c.p().destroyForcibly();
        assertTrue(c.p().waitFor(10, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        ProcessHandle child = kids.get(0);
        while (child.isAlive() && System.nanoTime() - t0 < 20_000_000_000L) Thread.sleep(50);
        boolean alive = child.isAlive();
        if (alive) child.destroyForcibly(); // do not leave it behind when the test fails
        assertFalse(alive, "the training JVM outlived its parent by 20 s");
        System.out.printf("SignalTest: orphaned child ended %.2f s after the parent's SIGKILL%n", (System.nanoTime() - t0) / 1e9);
        // it stopped as on SIGTERM: with a checkpoint
        assertTrue(Files.exists(tmp.resolve("run/checkpoints/last.ckpt")));
    }
}
