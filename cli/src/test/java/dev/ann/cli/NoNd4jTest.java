package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Commands that only read .ann files must not load ND4J (its native backend
 * costs 0.7-2.5 s). A child JVM with -verbose:class lists every class it loads.
 */
class NoNd4jTest {

    @ParameterizedTest
    @ValueSource(strings = {"check", "plan"})
    void commandLoadsNoNd4jClass(String command) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-verbose:class", "-cp", System.getProperty("java.class.path"),
                "dev.ann.cli.Main", command, "../examples/iris.ann");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out.lines().filter(l -> !l.startsWith("[")).toList().toString());
        List<String> loaded = out.lines().filter(l -> l.contains("[class,load]")).toList();
        assertTrue(loaded.stream().anyMatch(l -> l.contains("dev.ann.compiler")), "the compiler ran");
        List<String> heavy = loaded.stream().filter(l -> l.contains("org.nd4j") || l.contains("org.bytedeco")
                || l.contains("dev.ann.runtime")).toList();
        int first = heavy.isEmpty() ? -1 : loaded.indexOf(heavy.get(0));
        assertTrue(heavy.isEmpty(), "ND4J or the runtime was loaded by `ann " + command + "`: "
                + (first < 0 ? "" : loaded.subList(Math.max(0, first - 3), first + 1)));
    }
}
