package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckCommandTest {
    static final Path EXAMPLES = Path.of("../examples");

    /** The examples, reading a few pictures of the Fashion-MNIST shape (FashionFixture) in place of the package's files. */
    @ParameterizedTest
    @ValueSource(strings = {"iris.ann", "xor.ann", "projectile.ann", "fashion_mlp.ann", "fashion_cnn.ann",
        "inception.ann", "fashion_data.ann"})
    void everyExampleChecksWithoutErrors(String example, @TempDir Path dir) throws IOException {
        Run r = Run.of("check", FashionFixture.examples(dir, true).resolve(example).toString());
        assertEquals(Main.OK, r.exit(), r.out() + r.err());
        assertFalse(r.out().contains("error["), r.out());
    }

    @Test
    void missingDataFilesAreErrorsThatSayWhatToDo(@TempDir Path dir) throws IOException {
        Run r = Run.of("check", FashionFixture.examples(dir, false).resolve("fashion_cnn.ann").toString());
        assertEquals(Main.ERRORS, r.exit(), r.out());
        assertEquals(4, r.out().lines().filter(l -> l.contains("error[E043]")).count(), "two IDX pairs: " + r.out());
        assertTrue(r.out().contains("check the path"), r.out());
        Path f = dir.resolve("d.ann");
        Files.writeString(f, """
                dataset D {
                    train idx("/usr/share/datasets/ann-no-such-set/images.gz", "/usr/share/datasets/ann-no-such-set/labels.gz")
                }
                """);
        Run debian = Run.of("check", f.toString());
        assertEquals(Main.ERRORS, debian.exit(), debian.out());
        assertTrue(debian.out().contains("d.ann:2:15: error[E043]: IDX image file not found"), debian.out());
        assertTrue(debian.out().contains("apt-get install dataset-fashion-mnist"), debian.out());
    }

    @Test
    void severalErrorsAreAllReportedInTheCompilerLayout() throws IOException {
        Run r = Run.of("check", "src/test/resources/broken.ann");
        assertEquals(Main.ERRORS, r.exit());
        Golden.assertMatches("check-broken.txt", r.out());
        long errors = r.out().lines().filter(l -> l.matches("^src/test/resources/broken\\.ann:\\d+:\\d+: error\\[E\\d{3}\\]: .+")).count();
        assertTrue(errors >= 3, "expected every error of the file, got:\n" + r.out());
    }

    @Test
    void jsonFormatGivesOneObjectPerDiagnosticWithPositions() {
        Run r = Run.of("check", "--format", "json", "src/test/resources/broken.ann");
        assertEquals(Main.ERRORS, r.exit());
        var arr = JsonParser.parseString(r.out()).getAsJsonArray();
        assertTrue(arr.size() >= 3);
        for (var e : arr) {
            var o = e.getAsJsonObject();
            assertTrue(o.get("line").getAsInt() >= 1);
            assertTrue(o.get("column").getAsInt() >= 1);
            assertTrue(o.get("code").getAsString().matches("[EW]\\d{3}"));
        }
    }

    @Test
    void warningsAloneExitZero(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("w.ann");
        Files.writeString(f, """
                dataset D {
                    csv("d.csv", header: true, features: 0..1, target: 2)
                    split train 80%, test 20%
                }
                network N {
                    input [2]
                    dense(3) -> step
                    dense(1)
                }
                train N on D {
                    loss mse
                    epochs 1
                }
                """);
        Files.writeString(dir.resolve("d.csv"), "a,b,y\n1,2,3\n4,5,6\n");
        Run r = Run.of("check", f.toString());
        assertTrue(r.out().contains("warning[W002]"), "the file must warn for this test to mean anything:\n" + r.out());
        assertEquals(Main.OK, r.exit(), r.out());
    }

    @Test
    void theExamplesAreInTheCanonicalLayout() {
        Run r = Run.of("fmt", "--check", "../examples");
        assertEquals(Main.OK, r.exit(), r.out() + r.err());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(Main.USAGE, Run.of("check", "--no-such-flag", "x.ann").exit());
        Run missing = Run.of("check", "does/not/exist.ann");
        assertEquals(Main.USAGE, missing.exit());
        assertTrue(missing.err().contains("does/not/exist.ann"), missing.err());
        assertEquals(Main.USAGE, Run.of("check").exit());
        assertEquals(Main.USAGE, Run.of("check", "--format", "xml", "../examples/iris.ann").exit());
    }

    @Test
    void helpAndVersion() {
        Run help = Run.of("--help");
        assertEquals(0, help.exit());
        for (String cmd : List.of("check", "plan", "train", "eval", "predict", "generate", "fmt", "doctor", "lsp")) {
            assertTrue(help.out().contains("  " + cmd + " "), help.out());
            Run sub = Run.of(cmd, "--help");
            assertEquals(0, sub.exit(), cmd + " --help: " + sub.err());
            assertFalse(sub.err().contains("WARN"), cmd + " --help: " + sub.err());
        }
        Run version = Run.of("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("ann "), version.out());
        assertEquals(0, Run.of("check", "--help").exit());
    }
}
