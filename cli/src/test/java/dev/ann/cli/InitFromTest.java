package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning from imported weights: the PyTorch MLP fixture imported by
 * {@code ann import}, then trained with {@code init from} its checkpoint.
 * With one batch of all 32 samples, the first epoch's training loss is the
 * first step's, taken before the step changes the weights: it must be the
 * cross-entropy of PyTorch's own outputs (mlp_outputs.csv) on the labels,
 * and a fresh start from the initialisers must give another.
 */
class InitFromTest {
    @TempDir Path tmp;

    static final Path FIXTURES = ImportTorchModelTest.FIXTURES;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    /** Imports mlp.onnx into tmp/imported; returns the network's name. */
    private String importMlp() throws Exception {
        TrainCommandTest.Run i = TrainCommandTest.ann("import", FIXTURES.resolve("mlp.onnx").toString(), "--out", tmp.resolve("imported").toString());
        assertEquals(0, i.code(), i.err());
        String line = i.out().trim();
        Files.copy(FIXTURES.resolve("mlp_inputs.csv"), tmp.resolve("inputs.csv"));
        return line.substring(line.indexOf("(network ") + 9, line.indexOf(')'));
    }

    private Path program(String name, String network, String networkFile, String init) throws Exception {
        Path program = tmp.resolve(name + ".ann");
        Files.writeString(program, "import \"" + networkFile + "\"\n\n"
                + "dataset Inputs {\n"
                + "    train csv(\"inputs.csv\", header: true, features: 0..3, label: 4)\n"
                + "    test csv(\"inputs.csv\", header: true, features: 0..3, label: 4)\n"
                + "    classes \"0\", \"1\", \"2\"\n"
                + "}\n\n"
                + "train " + network + " on Inputs {\n    loss cross_entropy\n    optimizer adam(lr: 1e-2)\n    batch 32\n    epochs 1\n"
                + (init == null ? "" : "    init from \"" + init + "\"\n") + "}\n");
        return program;
    }

    /** The first epoch's train_loss of a run, from its model.ckpt (full precision). */
    private double firstLoss(Path program, String run) throws Exception {
        TrainCommandTest.Run t = TrainCommandTest.ann("train", program.toString(), "--out", tmp.resolve(run).toString());
        assertEquals(0, t.code(), t.out() + t.err());
        JsonObject h = GeneratedTrainerMatchesAnnTrainTest.header(tmp.resolve(run).resolve("model.ckpt"));
        return h.getAsJsonArray("history").get(0).getAsJsonObject().get("train_loss").getAsDouble();
    }

    @Test
    void fineTuningStartsFromTheImportedWeights() throws Exception {
        String network = importMlp();
        // PyTorch's loss on these samples: the mean of -ln p(label) over its outputs
        List<String> in = Files.readAllLines(tmp.resolve("inputs.csv")), out = Files.readAllLines(FIXTURES.resolve("mlp_outputs.csv"));
        double pytorch = 0;
        for (int r = 1; r < in.size(); r++) {
            String[] x = in.get(r).split(","), p = out.get(r).split(",");
            pytorch -= Math.log(Double.parseDouble(p[Integer.parseInt(x[x.length - 1])]));
        }
        pytorch /= in.size() - 1;

        double tuned = firstLoss(program("tune", network, "imported/" + network + ".ann", "imported/" + network + ".ckpt"), "tune");
        assertEquals(pytorch, tuned, 1e-5, "the first step's loss is the imported model's");
        double fresh = firstLoss(program("fresh", network, "imported/" + network + ".ann", null), "fresh");
        System.out.printf("init from: first-step loss %.8f, PyTorch's %.8f, a fresh start's %.8f%n", tuned, pytorch, fresh);
        assertTrue(Math.abs(fresh - pytorch) > 1e-3, "a fresh start gives another loss: " + fresh + " vs " + pytorch);
    }

    @Test
    void aLayerOfAnotherShapeIsAClearError() throws Exception {
        String network = importMlp();
        // the same layer names, but the second dense layer has 9 units instead of 8
        String source = Files.readString(tmp.resolve("imported").resolve(network + ".ann"));
        assertTrue(source.contains("dense(8)"), source);
        Files.writeString(tmp.resolve("imported").resolve("Changed.ann"), source.replace("dense(8)", "dense(9)"));
        Path program = program("changed", network, "imported/Changed.ann", "imported/" + network + ".ckpt");
        TrainCommandTest.Run t = TrainCommandTest.ann("train", program.toString(), "--out", tmp.resolve("changed-run").toString());
        assertEquals(1, t.code(), t.out() + t.err());
        String err = t.err();
        assertTrue(err.contains(".weight has shape [16, 8] in the checkpoint but [16, 9] in this network"), err);
        assertTrue(!err.contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void aMissingCheckpointIsAWarningOfTheCheckAndAnErrorOfTheRun() throws Exception {
        String network = importMlp();
        Path program = program("missing", network, "imported/" + network + ".ann", "nowhere/Net.ckpt");
        TrainCommandTest.Run c = TrainCommandTest.ann("check", program.toString());
        assertEquals(0, c.code(), c.out() + c.err());
        assertTrue((c.out() + c.err()).contains("W005"), c.out() + c.err());
        TrainCommandTest.Run t = TrainCommandTest.ann("train", program.toString(), "--out", tmp.resolve("missing-run").toString());
        assertEquals(1, t.code(), t.out() + t.err());
        assertTrue(t.err().contains("Net.ckpt: no such checkpoint file"), t.err());
    }
}
