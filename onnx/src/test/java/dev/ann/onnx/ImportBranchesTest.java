package dev.ann.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.plan.Plan;
import dev.ann.runtime.data.Dataset;
import dev.ann.runtime.train.Checkpoint;
import dev.ann.runtime.train.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trip of a network with parallel concat (an empty branch too) and residual: export, import, the same outputs. */
class ImportBranchesTest {
    @TempDir Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    static final String DATA = """
            dataset D {
                csv("d.csv", header: true, features: 0..15, label: 16)
                split train 50%, test 50%
                normalize standard
                classes "a", "b", "c"
            }
            """;

    static final String NETWORK = """
            network Br {
                input [16]
                reshape(shape: [1, 4, 4])
                conv2d(4, kernel: 3, padding: same) -> relu
                parallel concat {
                    branch { conv2d(2, kernel: 1) -> relu }
                    branch { maxpool(3, stride: 1, padding: same) }
                    branch { }
                }
                residual { conv2d(10, kernel: 3, padding: same) -> tanh }
                flatten
                dense(8) -> relu
                residual { dense(8) -> relu }
                dense(3) -> softmax
            }
            """;

    static final String TRAIN = """
            train Br on D {
                loss cross_entropy
                optimizer adam(lr: 1e-2)
                batch 8
                epochs 2
                seed 5
            }
            """;

    @Test
    void exportImportGivesTheSameOutputs() throws Exception {
        Random r = new Random(2);
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < 16; j++) csv.append("x").append(j).append(',');
        csv.append("label\n");
        for (int i = 0; i < 48; i++) {
            for (int j = 0; j < 16; j++) csv.append(String.format(Locale.ROOT, "%.5f,", r.nextGaussian()));
            csv.append(r.nextInt(3)).append('\n');
        }
        Files.writeString(tmp.resolve("d.csv"), csv);
        Path file = tmp.resolve("br.ann");
        Files.writeString(file, DATA + NETWORK + TRAIN);
        Plan plan = Examples.plan(file, null, null);
        Path ckpt = Examples.train(plan, tmp.resolve("run"));
        Path model = tmp.resolve("br.onnx");
        OnnxExport.write(OnnxExport.export(plan, ckpt), model);

        OnnxImport.Result imported = OnnxImport.read(model);
        String src = imported.source();
        assertTrue(src.contains("parallel concat {") && src.contains("branch { }") && src.contains("residual {"), src);
        Files.writeString(tmp.resolve("Br.ann"), src);
        Path importedCkpt = tmp.resolve("Br.ckpt");
        imported.checkpoint().write(importedCkpt);
        Path program = tmp.resolve("program.ann");
        Files.writeString(program, "import \"Br.ann\"\n" + DATA + TRAIN);
        Plan again = Examples.plan(program, null, null);
        Model.checkCompatible(Checkpoint.read(importedCkpt), again, importedCkpt);

        Dataset raw = Examples.rawTest(plan, 1000);
        double diff = Examples.maxDiff(Examples.ann(plan, ckpt, raw), Examples.ann(again, importedCkpt, raw));
        System.out.printf("branches round trip: %d samples, largest difference %.3g%n%s", raw.n, diff, src);
        assertTrue(diff <= 1e-6, "the imported network differs by " + diff + "\n" + src);
    }
}
