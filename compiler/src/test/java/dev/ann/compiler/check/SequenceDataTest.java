package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ARFF sources, text tokenised by a tokens line, and windows over a series: what the checker finds and the Plan says. */
class SequenceDataTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws IOException {
        Files.writeString(dir.resolve("docs.arff"), """
                @relation docs
                @attribute Text string
                @attribute kind {ham, spam}
                @data
                'buy cheap pills now',spam
                'meeting at noon',ham
                """);
        Files.writeString(dir.resolve("table.arff"), """
                @relation t
                @attribute a numeric
                @attribute colour {red, green, blue}
                @attribute note string
                @attribute y real
                @data
                1,red,'x',0.5
                """);
        Files.writeString(dir.resolve("texts.csv"), "text,label\n\"good film\",pos\nbad,neg\n");
        Files.writeString(dir.resolve("series.csv"), "date,a,b\n1,1,2\n2,,3\n3,4,5\n");
    }

    Compilation compile(String text) {
        Workspace ws = new Workspace();
        Path file = dir.resolve("t.ann");
        ws.open(file, text);
        return Compiler.compile(ws, file);
    }

    static String train(String dataset, String input, String out) {
        return dataset + "\nnetwork N {\n    input " + input + "\n    flatten\n    " + out + "\n}\n"
                + "train N on D {\n    loss " + (out.contains("softmax") ? "cross_entropy" : "mse") + "\n    epochs 1\n}\n";
    }

    static List<Diagnostic> errors(Compilation c) {
        return c.diagnostics().stream().filter(d -> d.code().startsWith("E")).toList();
    }

    @Test
    void arffTextIsTokenIdsOfTheDeclaredLengthWithTheDeclaredClasses() throws CompileException {
        Compilation c = compile(train("""
                dataset D {
                    train arff("docs.arff", label: "kind", text: "Text")
                    tokens words, vocabulary 500, length 12, lowercase
                    validation 50%
                }""", "[12]", "dense(2) -> softmax"));
        assertEquals(List.of(), errors(c));
        DataPipeline d = c.plan(null, null).data();
        assertEquals(Shape.of(12), d.sampleShape());
        assertEquals(new DataPipeline.Text("words", 500, 12, true, false), d.text());
        assertEquals(List.of("ham", "spam"), d.labels().classNames());
        assertEquals("arff", d.sources().get(0).kind());
        assertTrue(d.sources().get(0).args().getString("path").endsWith("docs.arff"));
        assertNull(d.window());
        // the defaults of the tokens line come from its declaration, filled once
        DataPipeline e = compile(train("dataset D {\n    train arff(\"docs.arff\", label: \"kind\", text: \"Text\")\n    tokens characters\n}",
                "[200]", "dense(2) -> softmax")).plan(null, null).data();
        assertEquals(new DataPipeline.Text("characters", 20000, 200, false, false), e.text());
        // a bag of words is one count per id
        Compilation bag = compile(train("dataset D {\n    train arff(\"docs.arff\", label: \"kind\", text: \"Text\")\n    tokens words, vocabulary 50, bag\n}",
                "[50]", "dense(2) -> softmax"));
        assertEquals(List.of(), errors(bag));
        assertEquals(Shape.of(50), bag.plan(null, null).data().sampleShape());
    }

    @Test
    void anArffTableIsNumbersAndOneHotNominals() throws CompileException {
        Compilation c = compile(train("dataset D {\n    arff(\"table.arff\", label: \"y\")\n}", "[4]", "dense(1)"));
        assertEquals(List.of(), errors(c));
        Plan p = c.plan(null, null);
        assertEquals(Shape.of(4), p.data().sampleShape(), "a (1) + colour one-hot (3); the string attribute is left out");
        assertEquals("targets", p.data().labels().kind());
    }

    @Test
    void aCsvTextColumn() throws CompileException {
        Compilation c = compile(train("dataset D {\n    train csv(\"texts.csv\", header: true, text: 0, label: 1)\n    tokens words, length 5\n}",
                "[5]", "dense(2) -> softmax"));
        assertEquals(List.of(), errors(c));
        assertEquals(Shape.of(5), c.plan(null, null).data().sampleShape());
        assertEquals(List.of("neg", "pos"), c.plan(null, null).data().labels().classNames());
    }

    @Test
    void windowsAreSizeByFeaturesWithHorizonTimesTargets() throws CompileException {
        Compilation c = compile(train("dataset D {\n    csv(\"series.csv\", header: true, features: 1..2, target: [1, 2])\n"
                + "    window 2, horizon 3\n    split train 60%, test 40%\n    normalize standard\n}", "[2, 2]", "dense(6)"));
        assertEquals(List.of(), errors(c));
        Plan p = c.plan(null, null);
        assertEquals(Shape.of(2, 2), p.data().sampleShape());
        assertEquals(new DataPipeline.Window(2, 3, false), p.data().window());
        assertEquals(6, p.data().labels().targetWidth());
    }

    @Test
    void relativeWindowsReachThePlanAndAMisspeltOptionIsAnError() throws CompileException {
        Compilation c = compile(train("dataset D {\n    csv(\"series.csv\", header: true, features: [1], target: [1])\n"
                + "    window 2, horizon 1, relative\n    split train 60%, test 40%\n}", "[2, 1]", "dense(1)"));
        assertEquals(List.of(), errors(c));
        assertEquals(new DataPipeline.Window(2, 1, true), c.plan(null, null).data().window());
        Compilation bad = compile(train("dataset D {\n    csv(\"series.csv\", header: true, features: [1], target: [1])\n"
                + "    window 2, horizon 1, relativ\n    split train 60%, test 40%\n}", "[2, 1]", "dense(1)"));
        assertFalse(errors(bad).isEmpty(), "a misspelt window option is an error");
    }

    /** The first error of the dataset's lines (the network's own are not looked at). */
    private Diagnostic error(String dataset, String input) {
        int lines = (int) dataset.lines().count();
        List<Diagnostic> es = errors(compile(train(dataset, input, "dense(2) -> softmax"))).stream().filter(d -> d.line() < lines).toList();
        assertTrue(!es.isEmpty(), "expected an error");
        return es.get(0);
    }

    /** Without the Debian packages the examples name, the check says which to install; planning without data still works. */
    @Test
    void missingDebianDataSaysWhatToInstall() throws CompileException {
        Compilation c = compile(train("dataset D {\n    train arff(\"/usr/share/doc/weka/examples/no-such.arff\", label: \"class\", text: \"Text\")\n"
                + "    tokens words, length 7\n}", "[7]", "dense(2) -> softmax"));
        assertEquals(1, c.missingData().size(), c.diagnostics().toString());
        assertTrue(c.missingData().get(0).message().contains("`apt-get install weka`"), c.missingData().get(0).message());
        assertEquals(Shape.of(7), c.planWithoutData(null, null).data().sampleShape());
        assertTrue(ExamplesTest.debianDataMissing("csv(\"/usr/lib/python3/dist-packages/statsmodels/datasets/no-such/x.csv\")"));
        assertTrue(!ExamplesTest.debianDataMissing("csv(\"data.csv\")"));
    }

    @Test
    void misuseIsExplained() throws IOException {
        Diagnostic d = error("dataset D {\n    train arff(\"docs.arff\", label: \"knd\", text: \"Text\")\n    tokens words\n}", "[200]");
        assertTrue(d.message().contains("has no attribute 'knd'; did you mean 'kind'?"), d.message());
        assertEquals(1, d.line(), "0-based: the source line");
        d = error("dataset D {\n    train arff(\"docs.arff\", label: \"kind\", text: \"Text\")\n}", "[200]");
        assertTrue(d.message().contains("add `tokens words, vocabulary 20000, length 200`"), d.message());
        d = error("dataset D {\n    train arff(\"docs.arff\", label: \"kind\", text: \"kind\")\n    tokens words\n}", "[200]");
        assertTrue(d.message().contains("not a string attribute"), d.message());
        d = error("dataset D {\n    train arff(\"docs.arff\", label: \"Text\")\n}", "[2]");
        assertTrue(d.message().contains("the label is a nominal attribute"), d.message());
        d = error("dataset D {\n    train csv(\"texts.csv\", header: true, features: [0], label: 1)\n    tokens words\n}", "[1]");
        assertTrue(d.message().contains("no source of D names one"), d.message());
        d = error("dataset D {\n    train arff(\"docs.arff\", label: \"kind\", text: \"Text\")\n    tokens words, vocabulery 10\n}", "[200]");
        assertTrue(d.message().contains("tokens has no option 'vocabulery'; did you mean 'vocabulary'?"), d.message());
        d = error("dataset D {\n    train arff(\"docs.arff\", label: \"kind\", text: \"Text\")\n    tokens sentences\n}", "[200]");
        assertTrue(d.message().contains("words") && d.message().contains("characters"), d.message());
        d = error("dataset D {\n    csv(\"series.csv\", header: true, features: 1..2, label: 2)\n    window 2\n}", "[2, 2]");
        assertTrue(d.message().contains("write `target: N`"), d.message());
        d = error("dataset D {\n    train csv(\"texts.csv\", header: true, label: 1)\n}", "[2]");
        assertTrue(d.message().contains("say which columns are the features"), d.message());
        Files.writeString(dir.resolve("bad.arff"), "@relation r\n@attribute a blob\n@data\n");
        d = error("dataset D {\n    train arff(\"bad.arff\", label: \"a\")\n}", "[2]");
        assertTrue(d.message().contains("line 2, column 14: unknown type (...)"), d.message());
    }
}
