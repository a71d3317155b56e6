package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ann predict` and `ann eval` of a small network run in the JVM they start in, on one OpenMP thread, without
 * relaunching (Relaunch.infersInProcess); with an OpenMP variable set by the user they relaunch as before. Real
 * processes: the test watches the command's child processes while it runs.
 */
class InferenceInProcessTest {
    @TempDir Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true"); // the training below runs in this JVM
    }

    /** What a command printed and how many child processes it started. */
    record Outcome(int code, String out, int children) {}

    Outcome ann(Map<String, String> env, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile());
        for (String k : List.of("ANN_NO_RELAUNCH", "ANN_RELAUNCHED", "ANN_PARENT_PID", "OMP_WAIT_POLICY", "OMP_NUM_THREADS")) pb.environment().remove(k);
        pb.environment().putAll(env);
        Process p = pb.start();
        Set<Long> children = new HashSet<>();
        long deadline = System.nanoTime() + 120_000_000_000L; // a hung command ends the test, not the build
        while (p.isAlive()) { // a relaunched child lives as long as the command (about a second): seen many times over
            p.toHandle().children().forEach(c -> children.add(c.pid()));
            if (System.nanoTime() > deadline) {
                p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("ann " + String.join(" ", args) + " still ran after 120 s");
            }
            Thread.sleep(2);
        }
        return new Outcome(p.waitFor(), Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8), children.size());
    }

    @Test
    void aSmallNetworkPredictsAndEvaluatesWithoutASecondJvm() throws Exception {
        Path ann = TrainCommandTest.trainedIris(tmp, "--epochs", "3");
        Path ckpt = tmp.resolve("run").resolve("model.ckpt");
        Path in = tmp.resolve("in.csv");
        Files.writeString(in, "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n");

        Outcome own = ann(Map.of(), "predict", ann.toString(), "--checkpoint", ckpt.toString(), "--input", in.toString());
        assertEquals(0, own.code(), own.out());
        assertEquals(0, own.children(), "predict ran in its own JVM: " + own.out());
        Outcome relaunched = ann(Map.of("OMP_NUM_THREADS", "1"), "predict", ann.toString(), "--checkpoint", ckpt.toString(), "--input", in.toString());
        assertEquals(0, relaunched.code(), relaunched.out());
        assertEquals(1, relaunched.children(), "with OMP_NUM_THREADS set by the user, the relaunch adds passive waiting in a child JVM");
        assertEquals(relaunched.out(), own.out(), "the same predictions either way");
        assertEquals(2, own.out().strip().lines().count(), own.out());

        Outcome eval = ann(Map.of(), "eval", ann.toString(), "--checkpoint", ckpt.toString(), "--json");
        assertEquals(0, eval.code(), eval.out());
        assertEquals(0, eval.children(), "eval ran in its own JVM");
        assertTrue(eval.out().contains("\"accuracy\""), eval.out());
    }
}
