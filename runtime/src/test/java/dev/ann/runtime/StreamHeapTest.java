package dev.ann.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streamed pipeline's heap stays bounded: 60,000 pictures of 28x28 (180 MiB
 * as float32, normalisation fitted on them) are read through in a child JVM
 * whose heap is 48 MiB. In memory they could not even be decoded there.
 */
class StreamHeapTest {
    @TempDir Path tmp;

    @Test
    void dataFourTimesTheHeapStreamsThroughASmallHeap() throws Exception {
        int n = 60_000;
        Path im = tmp.resolve("big-images.idx"), lb = tmp.resolve("big-labels.idx");
        Random r = new Random(1);
        byte[] block = new byte[784 * 1000];
        try (DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(im), 1 << 16))) {
            d.writeInt(0x803);
            d.writeInt(n);
            d.writeInt(28);
            d.writeInt(28);
            for (int k = 0; k < n / 1000; k++) {
                r.nextBytes(block);
                d.write(block);
            }
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte) r.nextInt(10);
        try (OutputStream o = Files.newOutputStream(lb)) {
            o.write(DataTest.idx(0x801, new int[] {n}, labels));
        }
        String[] streamed = child(im, lb);
        assertEquals("0", streamed[0], streamed[1]);
        assertTrue(streamed[1].contains("data: streamed from disk"), streamed[1]);
        assertTrue(streamed[1].contains("samples 54000 checksum"), streamed[1]);
        // the same data forced into memory does not fit that heap
        String[] inMemory = child(im, lb, String.valueOf(1L << 30));
        assertTrue(inMemory[1].contains("OutOfMemoryError"), inMemory[1]);
    }

    /** {exit code, output} of StreamHeapMain in a JVM with a 48 MiB heap. */
    static String[] child(Path im, Path lb, String... more) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx48m", "-cp", System.getProperty("java.class.path"),
                StreamHeapMain.class.getName(), im.toString(), lb.toString()));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
        return new String[] {String.valueOf(p.exitValue()), out};
    }
}
