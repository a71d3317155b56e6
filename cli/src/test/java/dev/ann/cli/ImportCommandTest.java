package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ann import, and the round trip: train, export, import, predict gives the same outputs as before. */
class ImportCommandTest {
    @TempDir Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    static TrainCommandTest.Run ann(String... args) {
        return TrainCommandTest.ann(args);
    }

    @Test
    void exportImportPredictGivesTheSameOutputs() throws Exception {
        String iris = Files.readString(TrainCommandTest.EXAMPLES.resolve("iris.ann"));
        Path file = tmp.resolve("iris.ann");
        Files.writeString(file, iris);
        Files.copy(TrainCommandTest.EXAMPLES.resolve("iris.csv"), tmp.resolve("iris.csv"));
        assertEquals(0, ann("train", file.toString(), "--profile", "dev", "--out", tmp.resolve("run").toString()).code());
        Path ckpt = tmp.resolve("run/model.ckpt");
        Path onnx = tmp.resolve("iris.onnx");
        TrainCommandTest.Run e = ann("export", file.toString(), "--profile", "dev", "--checkpoint", ckpt.toString(), "--out", onnx.toString());
        assertEquals(0, e.code(), e.err());

        Path dir = tmp.resolve("imported");
        TrainCommandTest.Run i = ann("import", onnx.toString(), "--out", dir.toString());
        assertEquals(0, i.code(), i.err());
        Path net = dir.resolve("IrisNet.ann");
        String source = Files.readString(net);
        assertTrue(source.contains("network IrisNet {") && source.contains("input [4]") && source.contains("hidden = dense(16)")
                && source.contains("// from") && source.contains("-> [16]") && source.contains("softmax"), source);

        // the imported network in a program with the original dataset and train block
        int start = iris.indexOf("/// A small multilayer perceptron"), end = iris.indexOf("train IrisNet on Iris");
        String program = "import \"imported/IrisNet.ann\"\n" + iris.substring(0, start) + iris.substring(end);
        Path prog = tmp.resolve("program.ann");
        Files.writeString(prog, program);

        Path in = tmp.resolve("in.csv");
        StringBuilder csv = new StringBuilder("a,b,c,d\n");
        for (String line : Files.readAllLines(tmp.resolve("iris.csv")).subList(1, 151)) {
            String[] f = line.split(",");
            csv.append(String.join(",", f[0], f[1], f[2], f[3])).append('\n');
        }
        Files.writeString(in, csv);
        TrainCommandTest.Run before = ann("predict", file.toString(), "--profile", "dev", "--checkpoint", ckpt.toString(),
                "--input", in.toString(), "--top", "3", "--json");
        TrainCommandTest.Run after = ann("predict", prog.toString(), "--profile", "dev", "--checkpoint", dir.resolve("IrisNet.ckpt").toString(),
                "--input", in.toString(), "--top", "3", "--json");
        assertEquals(0, before.code(), before.err());
        assertEquals(0, after.code(), after.err());
        JsonArray a = JsonParser.parseString(before.out()).getAsJsonArray(), b = JsonParser.parseString(after.out()).getAsJsonArray();
        assertEquals(150, a.size());
        assertEquals(a.size(), b.size());
        double max = 0;
        for (int k = 0; k < a.size(); k++) {
            Map<String, Double> pa = probs(a.get(k)), pb = probs(b.get(k));
            assertEquals(pa.keySet(), pb.keySet());
            for (String c : pa.keySet()) max = Math.max(max, Math.abs(pa.get(c) - pb.get(c)));
        }
        assertTrue(max <= 1e-6, "imported model differs by " + max);
    }

    /**
     * A text model: train (embedding -> bidirectional LSTM of every step -> GRU -> dense), export (the vocabulary beside
     * the model), import; ann predict with the imported network and checkpoint gives the probabilities of before on a
     * file of texts (short ones padded, words the vocabulary lacks) and on a text given on the command line.
     */
    @Test
    void aTextModelRoundTrips() throws Exception {
        StringBuilder csv = new StringBuilder("review,mood\n");
        String[] filler = {"the", "film", "was", "plot", "actors", "music", "long", "very"};
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 60; i++) {
            StringBuilder t = new StringBuilder();
            for (int k = 0, n = 2 + r.nextInt(7); k < n; k++) t.append(filler[r.nextInt(filler.length)]).append(' ');
            t.append(i % 2 == 0 ? "great" : "awful");
            csv.append('"').append(t).append("\",").append(i % 2 == 0 ? "pos" : "neg").append('\n');
        }
        Files.writeString(tmp.resolve("reviews.csv"), csv);
        String data = """
                dataset Reviews {
                    train csv("reviews.csv", header: true, text: 0, label: 1)
                    tokens words, vocabulary 12, length 8, lowercase
                    validation 20%
                }
                """;
        String train = """
                train Mood on Reviews {
                    loss cross_entropy
                    optimizer adam(lr: 0.01)
                    epochs 2
                    batch 16
                }
                """;
        Path file = tmp.resolve("mood.ann");
        Files.writeString(file, data + """
                network Mood {
                    input [8]
                    embedding(6)
                    lstm(5, sequences: true, bidirectional: true)
                    gru(4)
                    dense(2) -> softmax
                }
                """ + train);
        TrainCommandTest.Run t = ann("train", file.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(0, t.code(), t.out() + t.err());
        Path ckpt = tmp.resolve("run/model.ckpt");
        Path onnx = tmp.resolve("mood.onnx");
        TrainCommandTest.Run e = ann("export", file.toString(), "--checkpoint", ckpt.toString(), "--out", onnx.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(Files.exists(tmp.resolve("mood.vocab.json")), e.out());

        Path dir = tmp.resolve("imported");
        TrainCommandTest.Run i = ann("import", onnx.toString(), "--out", dir.toString());
        assertEquals(0, i.code(), i.err());
        String source = Files.readString(dir.resolve("Mood.ann"));
        assertTrue(source.contains("embedding(6, vocabulary: 12)") && source.contains("lstm(5, sequences: true, bidirectional: true)")
                && source.contains("-> [8, 10]") && source.contains("gru(4)") && source.contains("mood.vocab.json"), source);
        Path prog = tmp.resolve("program.ann");
        Files.writeString(prog, "import \"imported/Mood.ann\"\n" + data + train);

        Path texts = tmp.resolve("new.csv");
        Files.writeString(texts, "review\n\"awful, awful music\"\ngreat\n\"the very long film was great and the plot was long\"\n"
                + "\"words it never saw\"\n\"Great ACTORS\"\n");
        for (String input : new String[] {texts.toString(), "the film was very long and awful"}) {
            TrainCommandTest.Run before = ann("predict", file.toString(), "--checkpoint", ckpt.toString(), "--input", input, "--top", "2", "--json");
            TrainCommandTest.Run after = ann("predict", prog.toString(), "--checkpoint", dir.resolve("Mood.ckpt").toString(), "--input", input,
                    "--top", "2", "--json");
            assertEquals(0, before.code(), before.err());
            assertEquals(0, after.code(), after.err());
            JsonArray a = JsonParser.parseString(before.out()).getAsJsonArray(), b = JsonParser.parseString(after.out()).getAsJsonArray();
            assertEquals(input.endsWith(".csv") ? 5 : 1, a.size());
            assertEquals(a.size(), b.size());
            double max = 0;
            for (int k = 0; k < a.size(); k++) {
                Map<String, Double> pa = probs(a.get(k)), pb = probs(b.get(k));
                assertEquals(pa.keySet(), pb.keySet());
                for (String c : pa.keySet()) max = Math.max(max, Math.abs(pa.get(c) - pb.get(c)));
            }
            System.out.printf("text model round trip (%s): largest difference %.3g%n", input, max);
            assertTrue(max <= 1e-6, "imported text model differs by " + max);
        }

        // fine-tuning the imported model one epoch reads the texts with its vocabulary (mood.vocab.json's), not one fitted anew
        String tune = """
                train Tune = Mood on Reviews {
                    loss cross_entropy
                    optimizer adam(lr: 0.001)
                    epochs 1
                    batch 16
                    init from "%s/Mood.ckpt"
                }
                """;
        Path tuning = tmp.resolve("tune.ann");
        Files.writeString(tuning, "import \"imported/Mood.ann\"\n" + data + tune.formatted("imported"));
        TrainCommandTest.Run ft = ann("train", tuning.toString(), "--out", tmp.resolve("tuned").toString());
        assertEquals(0, ft.code(), ft.out() + ft.err());
        assertTrue(ft.out().contains("vocabulary: 10 tokens from " + dir.resolve("Mood.ckpt")) && !ft.out().contains("warning"), ft.out());
        assertEquals(dev.ann.runtime.train.Model.tokenizer(dev.ann.runtime.train.Checkpoint.read(ckpt)).tokens,
                dev.ann.runtime.train.Model.tokenizer(dev.ann.runtime.train.Checkpoint.read(tmp.resolve("tuned/model.ckpt"))).tokens);

        // imported without its vocabulary, the model reads ids written as numbers: texts of words are a warning
        Files.delete(tmp.resolve("mood.vocab.json"));
        TrainCommandTest.Run i2 = ann("import", onnx.toString(), "--out", tmp.resolve("numbers").toString());
        assertEquals(0, i2.code(), i2.err());
        Path numbers = tmp.resolve("tune-numbers.ann");
        Files.writeString(numbers, "import \"numbers/Mood.ann\"\n" + data + tune.formatted("numbers"));
        TrainCommandTest.Run fn = ann("train", numbers.toString(), "--out", tmp.resolve("tuned-numbers").toString());
        assertEquals(0, fn.code(), fn.out() + fn.err());
        assertTrue(fn.out().contains("warning: " + numbers + ":") && fn.out().contains("reads ids written as numbers"), fn.out());
    }

    static Map<String, Double> probs(JsonElement e) {
        Map<String, Double> m = new HashMap<>();
        for (JsonElement t : e.getAsJsonObject().getAsJsonArray("top")) {
            JsonObject o = t.getAsJsonObject();
            m.put(o.get("class").getAsString(), o.get("probability").getAsDouble());
        }
        return m;
    }

    @Test
    void whatItCannotReadIsAClearError() throws Exception {
        Path junk = tmp.resolve("junk.onnx");
        Files.writeString(junk, "this is not a model");
        TrainCommandTest.Run r = ann("import", junk.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("junk.onnx: not an ONNX model"), r.err());
        TrainCommandTest.Run none = ann("import", tmp.resolve("none.onnx").toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, none.code());
    }
}
