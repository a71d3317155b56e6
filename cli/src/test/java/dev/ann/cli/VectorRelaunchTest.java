package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ann train` relaunched as users run it: the training JVM gets the Vector API's module and runs Adam's vector loop
 * (dev.ann.kernels.VectorAdam), the JVM's incubator warning never reaches the user, and the run trains to the very
 * numbers of a JVM without it (the plain loop: OpenMP set up by hand, so no relaunch).
 */
class VectorRelaunchTest {
    @TempDir Path tmp;

    record Run(int rc, String out, String err, Path dir) {}

    /**
     * Trains iris.ann in a folder of its own; {@code wide}: with two hidden layers of 256 (67,843 parameters, more than
     * Optimizer.VECTOR_FROM) in place of its one of 16 (131).
     */
    Run train(String name, boolean wide, Map<String, String> env) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.copy(SignalTest.EXAMPLES.resolve("iris.csv"), dir.resolve("iris.csv"));
        String ann = Files.readString(SignalTest.EXAMPLES.resolve("iris.ann"));
        if (wide) {
            String hidden = "hidden = dense(16) -> relu";
            assertTrue(ann.contains(hidden), "iris.ann's hidden layer");
            ann = ann.replace(hidden, "hidden = dense(256) -> relu\n    dense(256) -> relu");
        }
        Files.writeString(dir.resolve("iris.ann"), ann);
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-verbose:class", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", dir.resolve("iris.ann").toString(), "--epochs", "40", "--out", dir.resolve("run").toString())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        for (String k : List.of("ANN_NO_RELAUNCH", "ANN_RELAUNCHED", "ANN_PARENT_PID", "OMP_WAIT_POLICY", "OMP_NUM_THREADS", "ANN_JAVA_OPTS")) {
            pb.environment().remove(k);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ann train ended within 2 minutes");
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8), dir.resolve("run"));
    }

    /** metrics.csv without its timing columns (seconds, samples/s). */
    static List<String> losses(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.csv")).stream().map(l -> l.replaceFirst(",[^,]*,[^,]*$", "")).toList();
    }

    @Test
    void theRelaunchedTrainingRunsTheVectorLoopQuietlyToTheSameNumbers() throws Exception {
        boolean fits = Runtime.version().feature() <= dev.ann.kernels.Optimizer.VECTOR_API_LAST_JDK;
        Run vector = train("vector", true, Map.of());
        assertEquals(0, vector.rc(), vector.err());
        assertEquals(fits, vector.out().contains("dev.ann.kernels.VectorAdam "), "the training JVM loaded VectorAdam on JDK "
                + Runtime.version().feature());
        assertFalse(vector.err().contains("incubator"), "the incubator warning was passed on: " + vector.err());
        String summary = Files.readString(vector.dir().resolve("summary.json"));
        assertEquals(fits, summary.contains("Adam's loop on the Vector API from step "), summary);

        // OpenMP set up as the relaunch would: no relaunch, so no module and the plain loop
        Run plain = train("plain", true, Map.of("OMP_WAIT_POLICY", "passive", "OMP_NUM_THREADS", "1"));
        assertEquals(0, plain.rc(), plain.err());
        assertFalse(plain.out().contains("dev.ann.kernels.VectorAdam "), "no module, no vector loop");
        assertFalse(Files.readString(plain.dir().resolve("summary.json")).contains("Vector API"));
        List<String> a = losses(vector.dir()), b = losses(plain.dir());
        assertEquals(41, a.size(), "a header and 40 epochs");
        assertEquals(b, a, "the same losses and accuracies, epoch by epoch");
        byte[] pa = arrays(vector.dir().resolve("model.ckpt")), pb = arrays(plain.dir().resolve("model.ckpt"));
        assertTrue(pa.length > 4 * 67_843, "a model's parameters and Adam's moments");
        assertTrue(java.util.Arrays.equals(pa, pb), "the same parameters and moments, bit for bit");
    }

    @Test
    void aSmallAdamTrainsWithoutTheModule() throws Exception {
        Run small = train("small", false, Map.of());
        assertEquals(0, small.rc(), small.err());
        assertFalse(small.out().contains("dev.ann.kernels.VectorAdam "), "131 parameters: the plain loop, no module to load");
        assertFalse(small.out().contains("jdk.incubator.vector"), "the module's classes were not loaded");
    }

    /** A checkpoint's arrays, as bytes: what follows its header (which records the run's folder and times). */
    static byte[] arrays(Path ckpt) throws Exception {
        int header;
        try (var r = new dev.ann.kernels.CheckpointFile.Reader(ckpt)) {
            header = r.headerLength();
        }
        byte[] all = Files.readAllBytes(ckpt);
        return java.util.Arrays.copyOfRange(all, 12 + header, all.length);
    }
}
