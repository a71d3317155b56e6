package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Fix;
import dev.ann.compiler.diag.TextEdit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Applying a diagnostic's fix gives the intended text, and the diagnostic goes away. */
class FixesTest {
    static final Path FILE = FixtureTest.ROOT.resolve("fixes_test.ann");

    static Compilation compile(String text) {
        Workspace ws = new Workspace();
        ws.open(FILE, text);
        return Compiler.compile(ws, FILE);
    }

    /** Applies the first fix of the only diagnostic with this code. */
    static String fix(String text, String code) {
        Compilation c = compile(text);
        List<Diagnostic> ds = c.diagnostics().stream().filter(d -> d.code().equals(code)).toList();
        assertEquals(1, ds.size(), () -> "one " + code + " expected in " + c.diagnostics());
        assertFalse(ds.get(0).fixes().isEmpty(), () -> code + " has no fix: " + ds.get(0).message());
        Fix f = ds.get(0).fixes().get(0);
        List<TextEdit> edits = new ArrayList<>(f.edits());
        edits.sort(Comparator.comparingInt((TextEdit e) -> e.range().start()).reversed());
        StringBuilder sb = new StringBuilder(text);
        for (TextEdit e : edits) {
            assertEquals(FILE, e.file());
            sb.replace(e.range().start(), e.range().end(), e.newText());
        }
        String fixed = sb.toString();
        assertEquals(List.of(), compile(fixed).diagnostics().stream().filter(d -> d.code().equals(code)).toList(),
                "the fix removes " + code);
        return fixed;
    }

    @Test
    void didYouMeanForLayersArgumentsValuesSettingsAndNames() {
        String net = "network N {\n    input [1, 8, 8]\n    conv2d(4, kernal: 3, padding: sme)\n    maxpol(2)\n}\n";
        assertEquals(net.replace("maxpol", "maxpool"), fix(net, "E011"));
        assertEquals(net.replace("kernal", "kernel"), fix(net, "E013"));
        assertEquals(net.replace("sme", "same"), fix(net, "E019"));
        String data = "dataset D {\n    csv(\"data/numbers.csv\", header: true, features: 0..2, label: 3)\n    normalise standard\n}\n";
        assertEquals(data.replace("normalise", "normalize"), fix(data, "E040"));
        String names = "const width = 4\nnetwork M {\n    input [2]\n    dense(widht)\n}\n";
        assertEquals(names.replace("widht", "width"), fix(names, "E010"));
    }

    @Test
    void insertFlattenBetweenAConvStackAndDense() {
        String text = "network N {\n    input [1, 8, 8]\n    conv2d(4, kernel: 3)\n    dense(10)\n}\n";
        assertEquals("network N {\n    input [1, 8, 8]\n    conv2d(4, kernel: 3)\n    flatten\n    dense(10)\n}\n",
                fix(text, "E033"));
    }

    @Test
    void setTheInputToTheDatasetsShape() {
        String text = """
                dataset D { csv("data/numbers.csv", header: true, features: 0..2, label: 3) }
                network N {
                    input [5]
                    dense(4) -> softmax
                }
                train N on D { loss cross_entropy }
                """;
        assertEquals(text.replace("input [5]", "input [3]"), fix(text, "E045"));
        String none = text.replace("    input [5]\n", "");
        assertEquals(text.replace("input [5]", "input [3]"), fix(none, "E030"));
    }

    @Test
    void addAMissingArgumentAndMakeTheOutputFit() {
        String text = "network N {\n    input [2]\n    dense\n    dense()\n}\n";
        String once = fix(text.replace("    dense()\n", ""), "E014");
        assertEquals("network N {\n    input [2]\n    dense(1)\n}\n", once);
        String width = """
                dataset D { csv("data/numbers.csv", header: true, features: 0..2, label: 3) }
                network N {
                    input [3]
                    dense(3) -> softmax
                }
                train N on D { loss cross_entropy }
                """;
        assertEquals(width.replace("dense(3)", "dense(4)"), fix(width, "E046"));
    }

    @Test
    void lossFixes() {
        String regression = """
                dataset D { csv("data/houses.csv", header: true, features: 0..2, target: 3) }
                network N { input [3]; dense(1) }
                train N on D { loss cross_entropy }
                """;
        assertEquals(regression.replace("loss cross_entropy", "loss mse"), fix(regression, "E047"));
        String softmax = """
                dataset D { csv("data/numbers.csv", header: true, features: 0..2, label: 3) }
                network N { input [3]; dense(4) -> softmax }
                train N on D { loss mse }
                """;
        assertEquals(softmax.replace("loss mse", "loss cross_entropy"), fix(softmax, "W001"));
        String lossless = """
                dataset D { csv("data/numbers.csv", header: true, features: 0..2, label: 3) }
                network N { input [3]; dense(4) -> softmax }
                train N on D {
                    epochs 2
                }
                """;
        assertEquals(lossless.replace("    epochs 2", "    loss cross_entropy\n    epochs 2"), fix(lossless, "E053"));
    }
}
