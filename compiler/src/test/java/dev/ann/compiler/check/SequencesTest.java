package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Workspace;
import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.model.LayerInfo;
import dev.ann.compiler.spec.Registry;
import dev.ann.plan.Kind;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sequences in the checker: an embedding's vocabulary comes from the tokenizer of the dataset that trains
 * it (through {@link DatasetInfo#vocabulary()}, which the dataset checker sets for a text dataset) into the
 * graph, hover and the Plan; and the misuse of sequence layers has fixes that remove the error.
 */
class SequencesTest {
    static final Path FILE = FixtureTest.ROOT.resolve("sequences_test.ann");

    private static final String TEXT = """
            dataset Text { csv("data/numbers.csv", header: true, features: 0..2, label: 3) }
            dataset Other { csv("data/numbers.csv", header: true, features: 0..2, label: 3) }
            network Reader {
                input [3]
                embedding(8)
                lstm(4)
                dense(4)
            }
            train reader = Reader on Text { loss cross_entropy }
            """;

    /** Checks the text as the Checker does, with these datasets given a tokenizer of that many ids. */
    static Analysis analyse(String text, Map<String, Integer> vocabularies) {
        Workspace ws = new Workspace();
        ws.open(FILE, text);
        Path root = Workspace.normalize(FILE);
        Map<Path, AnnFile> files = new LinkedHashMap<>();
        new Imports(ws, files, new ArrayList<>()).load(root);
        Analysis a = new Analysis(new Program(Registry.standard(), new Sink(), files, root), () -> false);
        a.data();
        vocabularies.forEach((name, n) -> a.datasets.get(name).tokens = Map.of("kind", "words", "vocabulary", n, "length", 3, "lowercase", false, "bag", false));
        a.model();
        return a;
    }

    static List<Diagnostic> errors(Analysis a) {
        return a.p.sink.all().stream().filter(Diagnostic::isError).toList();
    }

    static Plan plan(Analysis a, String train) throws Exception {
        return new PlanBuilder(a, a.p.sink.all()).plan(train, null, false);
    }

    static Param param(Plan plan, String kind, String role) {
        Op op = plan.ops().stream().filter(o -> o.kind().equals(kind)).findFirst().orElseThrow();
        return plan.params().stream().filter(p -> p.op() == op.id() && p.role().equals(role)).findFirst().orElseThrow();
    }

    @Test
    void theVocabularyOfTheDatasetsTokenizerSizesTheEmbedding() throws Exception {
        Analysis a = analyse(TEXT, Map.of("Text", 20000));
        assertEquals(List.of(), errors(a));
        Plan plan = plan(a, null);
        Op embedding = plan.ops().stream().filter(o -> o.kind().equals("embedding")).findFirst().orElseThrow();
        assertEquals(20000, embedding.args().getInt("vocabulary"));
        assertEquals(new Kind.Embedding(20000, 8), Kind.of("embedding", embedding.args()));
        assertEquals(Shape.of(20000, 8), param(plan, "embedding", "weight").shape());
        assertEquals(160_000, embedding.paramCount());
        // what hover and inlay hints show: the layer's parameters, 20000 × 8
        LayerInfo info = a.layers().values().stream().filter(l -> l.kind().equals("embedding")).findFirst().orElseThrow();
        assertEquals(160_000, info.params());
        assertEquals(Shape.of(3, 8), info.outShape());
        // the LSTM after it, PyTorch's layout: 4u(F+u) + 8u
        assertEquals(Shape.of(16, 8), param(plan, "lstm", "weight_ih").shape());
        assertEquals(Shape.of(16, 4), param(plan, "lstm", "weight_hh").shape());
        assertEquals(Shape.of(16), param(plan, "lstm", "bias_hh").shape());
    }

    @Test
    void eachTrainBlockSizesTheEmbeddingWithItsOwnDataset() throws Exception {
        Analysis a = analyse(TEXT + "train other = Reader on Other { loss cross_entropy }\n", Map.of("Text", 50, "Other", 70));
        assertEquals(List.of(), errors(a));
        assertEquals(Shape.of(50, 8), param(plan(a, "reader"), "embedding", "weight").shape());
        assertEquals(Shape.of(70, 8), param(plan(a, "other"), "embedding", "weight").shape());
    }

    @Test
    void anExplicitVocabularyMustBeTheDatasets() throws Exception {
        String text = TEXT.replace("embedding(8)", "embedding(8, vocabulary: 40)");
        Analysis a = analyse(text, Map.of("Text", 50));
        List<Diagnostic> e = errors(a);
        assertEquals(1, e.size(), e::toString);
        assertEquals(Codes.TOKEN_IDS, e.get(0).code());
        assertTrue(e.get(0).message().contains("differs from the 50 ids of dataset Text"), e.get(0).message());
        assertEquals("50", e.get(0).fixes().get(0).edits().get(0).newText());
        // the same vocabulary is fine
        assertEquals(List.of(), errors(analyse(TEXT.replace("embedding(8)", "embedding(8, vocabulary: 50)"), Map.of("Text", 50))));
    }

    @Test
    void floatFeaturesAreNotTokenIds() {
        List<Diagnostic> e = errors(analyse(TEXT, Map.of()));
        assertEquals(1, e.size(), e::toString);
        assertEquals(Codes.TOKEN_IDS, e.get(0).code());
        assertTrue(e.get(0).message().contains("dataset Text (train reader) gives float features [3], not ids"),
                e.get(0).message());
    }

    // ---- fixes --------------------------------------------------------------------------

    @Test
    void anLstmOnAPictureReadsItsRowsAsSteps() {
        String text = "network N {\n    input [1, 28, 28]\n    lstm(8)\n}\n";
        assertEquals("network N {\n    input [1, 28, 28]\n    reshape([28, 28])\n    lstm(8)\n}\n",
                FixesTest.fix(text, "E033"));
    }

    @Test
    void headsThatDoNotDivideTheFeaturesBecomeTheNearestDivisor() {
        String text = "network N {\n    input [10, 32]\n    attention(5)\n}\n";
        assertEquals(text.replace("attention(5)", "attention(4)"), FixesTest.fix(text, "E033"));
        String msg = FixesTest.compile(text).diagnostics().get(0).message();
        assertTrue(msg.contains("use 4 or 8 heads"), msg);
        String seven = "network N {\n    input [10, 40]\n    attention(7)\n}\n";
        assertEquals(seven.replace("attention(7)", "attention(8)"), FixesTest.fix(seven, "E033"));
    }

    @Test
    void pictureLayersOnASequenceBecomeTheirSequenceKin() {
        String text = "network N {\n    input [10, 32]\n    conv2d(8)\n}\n";
        assertEquals(text.replace("conv2d", "conv1d"), FixesTest.fix(text, "E033"));
        String pool = "network N {\n    input [10, 32]\n    maxpool(2)\n}\n";
        assertEquals(pool.replace("maxpool", "maxpool1d"), FixesTest.fix(pool, "E033"));
        String norm = "network N {\n    input [10, 32]\n    batchnorm\n}\n";
        assertEquals(norm.replace("batchnorm", "layernorm"), FixesTest.fix(norm, "E033"));
    }

    @Test
    void aSequenceIntoTheLossIsPooledOrEndsInTheLastStep() {
        String data = "dataset D { csv(\"data/numbers.csv\", header: true, features: 0..2, label: 3) }\n";
        String train = "train N on D { loss cross_entropy }\n";
        String recurrent = data + "network N {\n    input [3]\n    reshape([3, 1])\n    gru(4, sequences: true)\n"
                + "    dense(2)\n}\n" + train;
        assertEquals(recurrent.replace("sequences: true", "sequences: false"), FixesTest.fix(recurrent, Codes.SEQUENCE_OUTPUT));
        String conv = data + "network N {\n    input [3]\n    reshape([3, 1])\n    conv1d(4, kernel: 2)\n    dense(2)\n}\n" + train;
        assertEquals(conv.replace("    dense(2)", "    globalavgpool\n    dense(2)"), FixesTest.fix(conv, Codes.SEQUENCE_OUTPUT));
    }
}
