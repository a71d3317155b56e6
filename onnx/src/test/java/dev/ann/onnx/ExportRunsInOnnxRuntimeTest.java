package dev.ann.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ann.plan.Plan;
import dev.ann.runtime.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every example, trained under its dev profile, exported, and run by ONNX
 * Runtime on the raw test split (up to 1,000 samples): its outputs equal
 * ann's prediction within 1e-5.
 */
class ExportRunsInOnnxRuntimeTest {
    @TempDir Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"xor.ann", "iris.ann", "projectile.ann", "fashion_mlp.ann", "fashion_cnn.ann"})
    void onnxRuntimeGivesAnnsOutputs(String example) throws Exception {
        if (example.startsWith("fashion")) assumeTrue(Files.isDirectory(Examples.FASHION), Examples.NO_FASHION);
        Plan plan = Examples.plan(Examples.DIR.resolve(example), null, "dev");
        Path ckpt = Examples.train(plan, tmp.resolve("run"));
        Path model = tmp.resolve("model.onnx");
        OnnxExport.write(OnnxExport.export(plan, ckpt), model);

        Dataset raw = Examples.rawTest(plan, 1000);
        assertTrue(raw.n > 0);
        float[][] ann = Examples.ann(plan, ckpt, raw);
        float[][] ort = Examples.ort(model, raw);
        assertEquals(raw.n, ort.length);
        double diff = Examples.maxDiff(ann, ort);
        assertTrue(diff <= 1e-5, example + ": ONNX Runtime and ann differ by " + diff + " on " + raw.n + " samples");
        System.out.printf("%s: %d test samples, largest difference %.3g%n", example, raw.n, diff);

        var meta = Examples.metadata(model);
        assertEquals(plan.task().name().toLowerCase(java.util.Locale.ROOT), meta.get(OnnxExport.META_TASK));
        if (plan.task() != Plan.Task.REGRESSION) {
            var names = com.google.gson.JsonParser.parseString(meta.get(OnnxExport.META_CLASS_NAMES)).getAsJsonArray();
            assertEquals(raw.classNames, names.asList().stream().map(e -> e.getAsString()).toList());
        }
    }
}
