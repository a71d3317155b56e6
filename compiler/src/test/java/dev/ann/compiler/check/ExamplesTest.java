package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.plan.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every example checks clean, and every train block of it plans, with and without each profile. */
class ExamplesTest {

    static Path examples() {
        Path p = Path.of("../examples").toAbsolutePath().normalize();
        return Files.isDirectory(p) ? p : Path.of("examples").toAbsolutePath();
    }

    static boolean fashionInstalled() {
        return Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"));
    }

    /** Whether the file names a Debian package's data file (under /usr/share/doc/weka or statsmodels' datasets) that is not here. */
    static boolean debianDataMissing(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(/usr/(?:share/doc/weka|lib/python3/dist-packages/statsmodels)/[^\"]+)\"").matcher(text);
        while (m.find()) if (!Files.exists(Path.of(m.group(1)))) return true;
        return false;
    }

    @TestFactory
    Stream<DynamicTest> examplesCheckCleanAndPlan() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(examples())) {
            files = s.filter(f -> f.toString().endsWith(".ann")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Compilation c = Compiler.compile(new Workspace(), f);
            List<Diagnostic> ds = c.diagnostics();
            boolean usesFashion = Files.readString(f).contains("fashion");
            // data from Debian packages other than Fashion-MNIST's: weka (ARFF files), python3-statsmodels (co2.csv)
            boolean packageMissing = debianDataMissing(Files.readString(f));
            if (usesFashion && !fashionInstalled() || packageMissing) {
                // Without the Debian package only missing-file errors are allowed, and they do not stop planning.
                assertEquals(List.of(), c.planningErrors().stream().map(Object::toString).toList());
                assertFalse(c.missingData().isEmpty(), "the Fashion-MNIST files are missing here");
                for (String t : c.trainNames()) {
                    Plan plan = c.planWithoutData(t, null);
                    assertEquals(plan.inputShape(), plan.data().sampleShape(), "the samples are what the network takes");
                    for (String p : c.profileNames()) assertEquals(p, c.planWithoutData(t, p).profile());
                    assertThrows(CompileException.class, () -> c.plan(t, null), "training needs the data");
                }
                return;
            }
            assertEquals(List.of(), ds.stream().map(d -> d.code() + " " + (d.line() + 1) + ": " + d.message()).toList());
            for (String t : c.trainNames()) {
                Plan plain = c.plan(t, null);
                assertEquals(t, plain.train());
                for (String p : c.profileNames()) assertEquals(p, c.plan(t, p).profile());
            }
        }));
    }
}
