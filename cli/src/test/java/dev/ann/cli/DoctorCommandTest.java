package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ann doctor on this (CPU-only) machine and build: the fields are the real ones. */
class DoctorCommandTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @TempDir Path tmp;

    static JsonObject json(String... args) {
        Run r = Run.of(args);
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void jsonHasTheRealJavaBackendCpuAndGpuFacts() {
        JsonObject d = json("doctor", "--json");
        assertEquals(System.getProperty("java.version"), d.getAsJsonObject("java").get("version").getAsString());
        assertEquals(System.getProperty("java.home"), d.getAsJsonObject("java").get("home").getAsString());

        JsonObject b = d.getAsJsonObject("backend");
        assertEquals("cpu", b.get("chosen").getAsString());
        assertEquals("this build has no CUDA backend", b.get("why").getAsString());
        assertEquals(1, b.getAsJsonArray("found").size(), b.toString());
        assertTrue(b.getAsJsonArray("found").get(0).getAsString().startsWith("nd4j-native (CPU"), b.toString());
        assertTrue(b.get("native library").getAsString().endsWith("libnd4jcpu.so"), b.toString());
        assertTrue(Files.exists(Path.of(b.get("native library").getAsString())), "the library it names exists");

        JsonObject c = d.getAsJsonObject("cpu");
        assertEquals(Runtime.getRuntime().availableProcessors(), c.get("cores").getAsInt());
        if (Files.exists(Path.of("/proc/cpuinfo"))) {
            for (String isa : c.get("instruction sets").getAsString().split(" ")) {
                if (!isa.isEmpty()) assertTrue(cpuFlags().contains(" " + isa + " "), isa + " is not a flag of this CPU");
            }
        }
        assertTrue(d.getAsJsonObject("blas").get("library").getAsString().startsWith("OpenBLAS 0.3."), d.getAsJsonObject("blas").toString());
        assertEquals(org.nd4j.linalg.factory.Nd4j.getEnvironment().maxMasterThreads(),
                d.getAsJsonObject("openmp").get("nd4j threads").getAsInt());
        String conv = d.get("3x3 convolutions").getAsString();
        if (java.lang.module.ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent()) {
            assertTrue(conv.startsWith("Winograd") || conv.contains("will not relaunch"), conv);
            assertEquals(dev.ann.kernels.Blocked.winogradAvailable(), conv.contains("this JVM has"), conv);
        } else {
            assertTrue(conv.contains("has no jdk.incubator.vector"), conv);
        }

        JsonObject g = d.getAsJsonObject("gpu");
        assertFalse(g.get("cuda backend in this build").getAsBoolean());
        assertFalse(g.get("usable").getAsBoolean());
        assertTrue(g.get("nd4j needs").getAsString().contains("CUDA 11.6") && g.get("nd4j needs").getAsString().contains("cuDNN 8.3"));
        assertTrue(g.get("to use it").getAsString().contains("-Pcuda,cuda-natives"), g.toString());
        assertEquals(Files.exists(Path.of("/proc/driver/nvidia/version")), !g.get("nvidia kernel driver").getAsString().startsWith("none"));

        String budget = d.getAsJsonObject("data").get("memory budget").getAsString();
        assertTrue(budget.startsWith(dev.ann.runtime.data.Budget.format(Runtime.getRuntime().maxMemory() / 4)), budget);
        assertTrue(d.getAsJsonObject("class data").has("this process"));
    }

    @Test
    void withAFileItShowsTheThreadChoiceAnnTrainMakes() {
        boolean userSet = System.getenv("OMP_NUM_THREADS") != null || System.getenv("OMP_WAIT_POLICY") != null;
        JsonObject small = json("doctor", EXAMPLES.resolve("iris.ann").toString(), "--json").getAsJsonObject("openmp");
        assertTrue(small.has("ann train IrisNet sets"), small.toString());
        assertTrue(small.get("why").getAsString().contains("one OpenMP thread"), small.toString());
        if (!userSet) assertEquals("OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1", small.get("ann train IrisNet sets").getAsString());
    }

    @Test
    void textNamesEachSectionAndTheJavaVersion() {
        Run r = Run.of("doctor");
        assertEquals(0, r.exit(), r.err());
        for (String s : new String[] {"ann:", "java:", "backend:", "cpu:", "blas:", "openmp:", "gpu:", "data:", "class data:"}) {
            assertTrue(r.out().contains("\n" + s + "\n") || r.out().startsWith(s + "\n"), s + " in\n" + r.out());
        }
        assertTrue(r.out().contains("\n  version: " + System.getProperty("java.version") + "\n"), r.out());
        assertTrue(r.out().contains("  chosen: cpu\n"), r.out());
    }

    @Test
    void aFileWithErrorsExitsOneAndAMissingFileTwo() throws Exception {
        Path bad = tmp.resolve("bad.ann");
        Files.writeString(bad, "network N {\n    input [4]\n    dense(3) -> nosuch\n}\n");
        Run r = Run.of("doctor", bad.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("bad.ann:3:"), r.err());
        Run m = Run.of("doctor", tmp.resolve("none.ann").toString());
        assertEquals(2, m.exit());
        assertTrue(m.err().contains("no such file"), m.err());
    }

    static String cpuFlags() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("flags")) return " " + l.substring(l.indexOf(':') + 1).strip() + " ";
            }
        } catch (java.io.IOException e) {
            return "";
        }
        return "";
    }
}
