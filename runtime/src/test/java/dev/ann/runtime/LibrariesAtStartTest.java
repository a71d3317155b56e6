package dev.ann.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every JavaCPP library that training uses on the CPU is loaded while ND4J starts ({@link Backend#init(String)}),
 * none later: a library that loads while another thread uses ND4J's buffers can crash the JVM
 * ({@link dev.ann.kernels.K#loadLibraries}). In a child JVM, so that no other test has loaded them first.
 */
class LibrariesAtStartTest {
    @Test
    void oneDnnIsLoadedWhenNd4jStartsAndNothingLoadsAfter() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc/self/maps to list the loaded libraries");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), LibrariesAtStartMain.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        String atInit = line(out, "after init: "), afterUse = line(out, "after use: ");
        assertTrue(atInit.contains("libjnind4jcpu.so") && atInit.contains("libjnidnnl.so"), out);
        assertEquals(atInit, afterUse, "a library loaded after ND4J started:\n" + out);
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length()))
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "' in:\n" + out));
    }
}
