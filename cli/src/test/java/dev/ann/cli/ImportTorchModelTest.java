package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models that ann did not make: a small MLP, a small CNN and three text models
 * (embedding -> LSTM's last step, embedding -> bidirectional GRU's final
 * states, embedding -> bidirectional LSTM -> GRU) exported by PyTorch's torch.onnx.export
 * (scripts/onnx_torch_fixtures.py made the committed fixtures under
 * onnx/src/test/resources/torch) import, and ann predict reproduces
 * PyTorch's outputs within 1e-5; the imported text models check clean and
 * train an epoch from their weights ({@code init from}).
 */
class ImportTorchModelTest {
    @TempDir Path tmp;

    static final Path FIXTURES = Path.of("..", "onnx", "src", "test", "resources", "torch").toAbsolutePath().normalize();

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"mlp, 4", "cnn, 64"})
    void annPredictGivesPyTorchsOutputs(String name, int features) throws Exception {
        Path dir = tmp.resolve("imported");
        TrainCommandTest.Run i = TrainCommandTest.ann("import", FIXTURES.resolve(name + ".onnx").toString(), "--out", dir.toString());
        assertEquals(0, i.code(), i.err());
        String line = i.out().trim();
        String network = line.substring(line.indexOf("(network ") + 9, line.indexOf(')'));
        String source = Files.readString(dir.resolve(network + ".ann"));
        assertTrue(source.contains("// from " + name + ".onnx"), source);

        List<String> rows = Files.readAllLines(FIXTURES.resolve(name + "_outputs.csv"));
        int classes = rows.get(0).split(",").length;
        Files.copy(FIXTURES.resolve(name + "_inputs.csv"), tmp.resolve("inputs.csv"));
        Path program = tmp.resolve("program.ann");
        Files.writeString(program, "import \"imported/" + network + ".ann\"\n\n"
                + "dataset Inputs {\n"
                + "    train csv(\"inputs.csv\", header: true, features: 0.." + (features - 1) + ", label: " + features + ")\n"
                + "    test csv(\"inputs.csv\", header: true, features: 0.." + (features - 1) + ", label: " + features + ")\n"
                + "    classes " + String.join(", ", java.util.stream.IntStream.range(0, classes).mapToObj(k -> "\"" + k + "\"").toList()) + "\n"
                + "}\n\n"
                + "train " + network + " on Inputs {\n    loss cross_entropy\n    optimizer adam(lr: 1e-3)\n    batch 8\n    epochs 1\n}\n");
        assertPredictsPyTorchs(name, program, dir.resolve(network + ".ckpt"), rows, classes);
    }

    /**
     * The text models: token ids 1..29 written as numbers ("26 20 4 ..."), which the imported checkpoint's vocabulary
     * reads back as those ids; PyTorch's models have no padding and the texts none (ann's embedding reads id 0 as padding).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"lstm, Lstm, lstm(24)", "gru, Gru, 'gru(12, bidirectional: true)'", "stack, Stack, 'lstm(8, sequences: true, bidirectional: true)'"})
    void textModelsPredictCheckAndTrain(String name, String network, String layer) throws Exception {
        Path dir = tmp.resolve("imported");
        TrainCommandTest.Run i = TrainCommandTest.ann("import", FIXTURES.resolve(name + ".onnx").toString(), "--out", dir.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("(network " + network + ")"), i.out());
        String source = Files.readString(dir.resolve(network + ".ann"));
        assertTrue(source.contains("// from " + name + ".onnx") && source.contains("embedding(16, vocabulary: 30)") && source.contains(layer)
                && source.contains("-> [10, 16]"), source);

        List<String> rows = Files.readAllLines(FIXTURES.resolve(name + "_outputs.csv"));
        int classes = rows.get(0).split(",").length;
        Files.copy(FIXTURES.resolve(name + "_inputs.csv"), tmp.resolve("inputs.csv"));
        String dataset = "dataset Texts {\n"
                + "    train csv(\"inputs.csv\", header: true, text: 0, label: 1)\n"
                + "    test csv(\"inputs.csv\", header: true, text: 0, label: 1)\n"
                + "    tokens words, vocabulary 30, length 10\n"
                + "    classes " + String.join(", ", java.util.stream.IntStream.range(0, classes).mapToObj(k -> "\"" + k + "\"").toList()) + "\n"
                + "}\n\n";
        Path program = tmp.resolve("program.ann");
        Files.writeString(program, "import \"imported/" + network + ".ann\"\n\n" + dataset
                + "train " + network + " on Texts {\n    loss cross_entropy\n    optimizer adam(lr: 1e-3)\n    batch 8\n    epochs 1\n"
                + "    init from \"imported/" + network + ".ckpt\"\n}\n");
        TrainCommandTest.Run c = TrainCommandTest.ann("check", program.toString());
        assertEquals(0, c.code(), c.out() + c.err());
        // the one warning: the checkpoint reads ids written as numbers (PyTorch's model has no vocabulary of
        // words), which these inputs are
        assertTrue((c.out() + c.err()).contains("warning[W007]") && (c.out() + c.err()).contains("0 errors, 1 warning"), c.out() + c.err());

        assertPredictsPyTorchs(name, program, dir.resolve(network + ".ckpt"), rows, classes);

        // one epoch from the imported weights
        TrainCommandTest.Run t = TrainCommandTest.ann("train", program.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(0, t.code(), t.out() + t.err());
        assertTrue((t.out() + t.err()).contains("starting from the weights of"), t.out() + t.err());
        assertTrue(Files.exists(tmp.resolve("run").resolve("model.ckpt")), t.out());
    }

    private void assertPredictsPyTorchs(String name, Path program, Path ckpt, List<String> rows, int classes) {
        TrainCommandTest.Run p = TrainCommandTest.ann("predict", program.toString(), "--checkpoint", ckpt.toString(),
                "--input", tmp.resolve("inputs.csv").toString(), "--top", String.valueOf(classes), "--json");
        assertEquals(0, p.code(), p.err());
        JsonArray got = JsonParser.parseString(p.out()).getAsJsonArray();
        assertEquals(rows.size() - 1, got.size());
        double max = 0;
        for (int r = 0; r < got.size(); r++) {
            String[] want = rows.get(r + 1).split(",");
            Map<String, Double> probs = ImportCommandTest.probs(got.get(r));
            assertEquals(classes, probs.size());
            for (var e : probs.entrySet()) {
                max = Math.max(max, Math.abs(e.getValue() - Double.parseDouble(want[Integer.parseInt(e.getKey())])));
            }
        }
        System.out.printf("%s: ann predict against PyTorch, %d rows: largest difference %.3g%n", name, got.size(), max);
        assertTrue(max <= 1e-5, name + ": ann predict differs from PyTorch by " + max);
    }
}
