package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.runtime.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ann export end to end, in-process: the file it writes, and the messages and exit codes for what it cannot export. */
class ExportCommandTest {
    @TempDir Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    Path trainedIris() throws Exception {
        return TrainCommandTest.trainedIris(tmp, "--profile", "dev");
    }

    @Test
    void exportsAnOnnxModelAndRefusesWhatItCannotExport() throws Exception {
        Path ann = trainedIris();
        Path ckpt = tmp.resolve("run/model.ckpt");
        Path onnx = tmp.resolve("out/iris.onnx");
        TrainCommandTest.Run r = TrainCommandTest.ann("export", ann.toString(), "--profile", "dev", "--checkpoint", ckpt.toString(),
                "--out", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote " + onnx) && r.out().contains("opset 17") && r.out().contains("output 'probabilities'"), r.out());
        byte[] bytes = Files.readAllBytes(onnx);
        assertTrue(bytes.length > 100, "a model of " + bytes.length + " bytes");

        // a checkpoint of another network
        Path other = tmp.resolve("other.ann");
        Files.writeString(other, Files.readString(ann).replace("dense(16)", "dense(8)"));
        TrainCommandTest.Run wrong = TrainCommandTest.ann("export", other.toString(), "--checkpoint", ckpt.toString(), "--out", tmp.resolve("x.onnx").toString());
        assertEquals(1, wrong.code(), wrong.out());
        assertTrue(wrong.err().contains("another architecture") && wrong.err().contains("hidden.weight"), wrong.err());
        assertFalse(wrong.err().contains("\tat "), "no stack trace: " + wrong.err());
        assertFalse(Files.exists(tmp.resolve("x.onnx")));

        // a checkpoint that lacks a layer's weights: the layer, its kind and its line in the .ann file
        Checkpoint c = Checkpoint.read(ckpt);
        Map<String, float[]> arrays = new LinkedHashMap<>(c.arrays);
        Map<String, int[]> shapes = new LinkedHashMap<>(c.shapes);
        arrays.remove("hidden.weight");
        shapes.remove("hidden.weight");
        Path torn = tmp.resolve("torn.ckpt");
        new Checkpoint(c.header, arrays, shapes).write(torn);
        TrainCommandTest.Run t = TrainCommandTest.ann("export", ann.toString(), "--profile", "dev", "--checkpoint", torn.toString(), "--out", tmp.resolve("y.onnx").toString());
        assertEquals(1, t.code(), t.out());
        assertTrue(t.err().matches("(?s)error: .*iris\\.ann:18:\\d+: cannot export layer 'hidden' \\(dense\\) to ONNX: the checkpoint has no array 'hidden\\.weight'.*"), t.err());

        TrainCommandTest.Run missing = TrainCommandTest.ann("export", ann.toString(), "--checkpoint", tmp.resolve("none.ckpt").toString(), "--out", tmp.resolve("z.onnx").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such checkpoint file"), missing.err());
    }
}
