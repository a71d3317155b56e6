package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ann train` of a network with 3x3 convolutions, relaunched as users run it: the training JVM gets the Vector API's
 * module and runs the 16 -> 16 convolution as a Winograd convolution (kernels' WinogradConv), the JVM's incubator
 * warning never reaches the user, and the run trains to the numbers of a JVM without the module (oneDNN's direct
 * convolution: OpenMP set up by hand, so no relaunch) up to float rounding.
 */
class WinogradRelaunchTest {
    @TempDir Path tmp;

    record Run(int rc, String out, String err, Path dir) {}

    private void pictures(Path dir) throws Exception {
        Random rnd = new Random(5);
        for (String split : List.of("train", "test")) {
            int n = split.equals("train") ? 96 : 48;
            byte[] img = new byte[n * 144], lab = new byte[n];
            for (int i = 0; i < n; i++) {
                lab[i] = (byte) (i % 3);
                for (int j = 0; j < 144; j++) img[i * 144 + j] = (byte) (rnd.nextInt(120) + (j % 3 == i % 3 ? 120 : 0));
            }
            Files.write(dir.resolve(split + "-images.idx"), TrainCommandTest.idx(0x803, new int[] {n, 12, 12}, img));
            Files.write(dir.resolve(split + "-labels.idx"), TrainCommandTest.idx(0x801, new int[] {n}, lab));
        }
        Files.writeString(dir.resolve("pics.ann"), """
                dataset Pics {
                    train idx("train-images.idx", "train-labels.idx")
                    test idx("test-images.idx", "test-labels.idx")
                    scale 1/255
                    classes "a", "b", "c"
                }

                network Net {
                    input [1, 12, 12]
                    conv2d(16, kernel: 3, padding: same) -> relu
                    conv2d(16, kernel: 3, padding: same) -> relu
                    flatten
                    dense(3) -> softmax
                }

                train Net on Pics {
                    loss cross_entropy
                    optimizer adam(lr: 1e-2)
                    batch 16
                    epochs 3
                    seed 1
                }
                """);
    }

    Run train(String name, Map<String, String> env) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        pictures(dir);
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-verbose:class", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", dir.resolve("pics.ann").toString(), "--out", dir.resolve("run").toString())
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

    /** The train_loss column of metrics.csv, epoch by epoch. */
    static double[] losses(Path run) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        int col = List.of(lines.get(0).split(",")).indexOf("train_loss");
        assertTrue(col >= 0, "a train_loss column: " + lines.get(0));
        return lines.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[col])).toArray();
    }

    @Test
    void theRelaunchedTrainingRunsTheWinogradConvolutionQuietlyToTheSameNumbersUpToRounding() throws Exception {
        boolean hasModule = java.lang.module.ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent();
        Run wino = train("winograd", Map.of());
        assertEquals(0, wino.rc(), wino.err());
        assertEquals(hasModule, wino.out().contains("dev.ann.kernels.WinogradConv "), "the training JVM loaded WinogradConv");
        assertFalse(wino.err().contains("incubator"), "the incubator warning was passed on: " + wino.err());

        Run direct = train("direct", Map.of("OMP_WAIT_POLICY", "passive"));
        assertEquals(0, direct.rc(), direct.err());
        assertFalse(direct.out().contains("dev.ann.kernels.WinogradConv "), "no module, no Winograd convolution");
        double[] a = losses(wino.dir()), b = losses(direct.dir());
        assertEquals(3, a.length, "three epochs");
        assertEquals(3, b.length, "three epochs");
        for (int e = 0; e < 3; e++) {
            assertEquals(b[e], a[e], 1e-3 * Math.abs(b[e]), "epoch " + (e + 1) + "'s training loss, up to float rounding");
        }
        assertTrue(a[2] < a[0], "it learns: " + a[0] + " -> " + a[2]);
    }
}
