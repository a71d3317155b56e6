package dev.ann.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.plan.Kind;
import dev.ann.plan.Op;
import dev.ann.plan.Plan;
import dev.ann.runtime.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One small network with every structure and nearly every layer kind and
 * activation (parallel concat, residual, strided same-padded
 * convolutions with the odd pixel at the end, both pools with same padding,
 * batchnorm, layernorm, dropout, reshape, globalavgpool): trained one epoch,
 * exported, and ONNX Runtime gives ann's outputs within 1e-5; ann import reads
 * the model back into a network that gives the same outputs.
 */
class ExportEveryKindTest {
    @TempDir Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    static final String SOURCE = """
            dataset D {
                csv("d.csv", header: true, features: 0..24, label: 25)
                split train 50%, test 50%
                normalize standard
                classes "a", "b", "c"
            }

            network All {
                input [25]
                reshape(shape: [1, 5, 5])
                conv2d(4, kernel: 3, padding: same) -> elu
                batchnorm
                parallel concat {
                    branch { conv2d(2, kernel: 1) -> gelu }
                    branch { maxpool(3, stride: 1, padding: same) }
                    branch { avgpool(2, stride: 1, padding: same) -> swish }
                }
                layernorm
                residual {
                    conv2d(10, kernel: 3, padding: same) -> leaky_relu
                }
                conv2d(6, kernel: 2, stride: 2, padding: same, bias: false) -> softplus
                globalavgpool
                dense(8) -> tanh
                dropout(0.1)
                dense(8, bias: false) -> sigmoid
                layernorm
                dense(6) -> relu
                residual { dense(6) -> identity }
                dense(3) -> softmax
            }

            train All on D {
                loss cross_entropy
                optimizer adam(lr: 1e-2)
                batch 8
                epochs 2
                seed 3
            }
            """;

    @Test
    void onnxRuntimeGivesAnnsOutputs() throws Exception {
        Path file = tmp.resolve("all.ann");
        Files.writeString(file, SOURCE);
        Random r = new Random(1);
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < 25; j++) csv.append("x").append(j).append(',');
        csv.append("label\n");
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 25; j++) csv.append(String.format(Locale.ROOT, "%.5f,", 3 + 2 * r.nextGaussian()));
            csv.append(r.nextInt(3)).append('\n');
        }
        Files.writeString(tmp.resolve("d.csv"), csv);
        Plan plan = Examples.plan(file, null, null);
        Set<String> kinds = new HashSet<>();
        for (Op op : plan.ops()) kinds.add(op.kind());
        for (String k : new String[] {"concat", "add", "conv2d", "maxpool", "avgpool", "batchnorm", "layernorm", "gelu",
                "swish", "elu", "leaky_relu", "softplus", "globalavgpool", "reshape", "dropout", "identity"}) {
            assertTrue(kinds.contains(k), "the network has no " + k + ": " + kinds);
        }
        assertTrue(plan.ops().stream().anyMatch(o -> o.layer() instanceof Kind.Conv2d c && c.stride().h() == 2 && c.same()));

        Path ckpt = Examples.train(plan, tmp.resolve("run"));
        Path model = tmp.resolve("all.onnx");
        OnnxExport.write(OnnxExport.export(plan, ckpt), model);
        Dataset raw = Examples.rawTest(plan, 1000);
        double diff = Examples.maxDiff(Examples.ann(plan, ckpt, raw), Examples.ort(model, raw));
        System.out.printf("every kind: %d test samples, largest difference %.3g%n", raw.n, diff);
        assertTrue(diff <= 1e-5, "ONNX Runtime and ann differ by " + diff);

        // ann import reads it back (branches, residuals, gelu's arithmetic): the imported network gives the same outputs
        OnnxImport.Result imported = OnnxImport.read(model);
        Files.writeString(tmp.resolve("All.ann"), imported.source());
        Path importedCkpt = tmp.resolve("All.ckpt");
        imported.checkpoint().write(importedCkpt);
        String data = SOURCE.substring(0, SOURCE.indexOf("network All")), train = SOURCE.substring(SOURCE.indexOf("train All"));
        Path program = tmp.resolve("program.ann");
        Files.writeString(program, "import \"All.ann\"\n" + data + train);
        Plan again = Examples.plan(program, null, null);
        double back = Examples.maxDiff(Examples.ann(plan, ckpt, raw), Examples.ann(again, importedCkpt, raw));
        System.out.printf("every kind, imported back: largest difference %.3g%n", back);
        assertTrue(back <= 1e-5, "the imported network differs by " + back + "\n" + imported.source());
    }
}
