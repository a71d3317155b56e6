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
