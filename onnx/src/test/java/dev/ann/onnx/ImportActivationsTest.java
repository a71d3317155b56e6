package dev.ann.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.onnx.proto.Onnx;
import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import dev.ann.runtime.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gelu and swish as exporters write them, in small hand-built ONNX graphs:
 * {@code ann import} maps them to ann's activations, and ann computes what
 * ONNX Runtime computes on the same model; gelu's tanh approximation (not
 * the gelu ann has) is refused with a clear message.
 */
class ImportActivationsTest {
    @TempDir Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    private final Random r = new Random(11);

    private float[] random(int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * std);
        return v;
    }

    private String gemm(Graph g, String x, String name, int in, int out) {
        return g.node("Gemm", name, List.of(x, g.floats(name + ".weight", new int[] {in, out}, random(in * out, 1.0)),
                g.floats(name + ".bias", new int[] {out}, random(out, 0.5))));
    }

    /** A scalar as a Constant node (as torch writes them) rather than an initializer: float, or double. */
    private static String constant(Graph g, String name, float v, boolean asDouble) {
        String n = g.fresh(name);
        Onnx.TensorProto.Builder t = asDouble
                ? Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.DOUBLE_VALUE).addDoubleData(v)
                : Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addFloatData(v);
        g.g.addNode(Onnx.NodeProto.newBuilder().setOpType("Constant").setName(g.fresh("node:" + n)).addOutput(n)
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("value").setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(t)));
        return n;
    }

    /**
     * gelu(x) = 0.5 x (1 + erf(x / sqrt 2)) in three spellings: torch's (Div by sqrt 2, constants as
     * Constant nodes, x (1 + erf) then times 0.5), ann export's (Mul by 1 / sqrt 2), and 0.5 x first.
     */
    private String gelu(Graph g, String x, String variant) {
        boolean torch = variant.startsWith("torch"), dbl = variant.endsWith("double");
        String scaled = torch ? g.node("Div", "gelu.div", List.of(x, constant(g, "sqrt2", (float) Math.sqrt(2), dbl)))
                : g.node("Mul", "gelu.mul", List.of(g.scalar("rsqrt2", (float) (1 / Math.sqrt(2))), x));
        String erf = g.node("Erf", "gelu.erf", List.of(scaled));
        String plus = g.node("Add", "gelu.plus", List.of(torch ? constant(g, "one", 1f, dbl) : g.scalar("one", 1f), erf));
        if (variant.equals("half_first")) {
            String half = g.node("Mul", "gelu.half", List.of(x, g.scalar("half", 0.5f)));
            return g.node("Mul", "gelu", List.of(plus, half));
        }
        String times = g.node("Mul", "gelu.times", List.of(x, plus));
        return g.node("Mul", "gelu", List.of(times, torch ? constant(g, "half", 0.5f, dbl) : g.scalar("half", 0.5f)));
    }

    private static Onnx.ModelProto model(Graph g, String x, String out, int features, int classes) {
        g.g.addInput(Graph.value(x, List.<Object>of("batch", features)));
        g.g.addOutput(Graph.value(out, List.<Object>of("batch", classes)));
        g.g.setName("torch_jit");
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("hand-built")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g.g).build();
    }

    @ParameterizedTest(name = "gelu as {0} writes it, and swish")
    @ValueSource(strings = {"torch", "ann_export", "half_first"})
    void geluAndSwishImportAndComputeWhatOnnxRuntimeComputes(String variant) throws Exception {
        Graph g = new Graph();
        String x = g.fresh("x");
        String h = gelu(g, gemm(g, x, "fc1", 4, 6), variant);
        String s = gemm(g, h, "fc2", 6, 5);
        s = g.node("Mul", "swish", List.of(s, g.node("Sigmoid", "swish.sigmoid", List.of(s))));
        String out = g.node("Softmax", "probabilities", List.of(gemm(g, s, "out", 5, 3)), Graph.intAttr("axis", -1));
        Path model = tmp.resolve("acts.onnx");
        OnnxExport.write(model(g, x, out, 4, 3), model);

        OnnxImport.Result imported = OnnxImport.read(model);
        String src = imported.source();
        assertTrue(src.lines().filter(l -> l.trim().startsWith("gelu")).count() == 1
                && src.lines().filter(l -> l.trim().startsWith("swish")).count() == 1, src);
        Files.writeString(tmp.resolve(imported.network() + ".ann"), src);
        Path ckpt = tmp.resolve(imported.network() + ".ckpt");
        imported.checkpoint().write(ckpt);

        int n = 40;
        float[] xs = random(n * 4, 2.0);
        StringBuilder csv = new StringBuilder("x0,x1,x2,x3,label\n");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) csv.append(String.format(Locale.ROOT, "%.9g,", xs[i * 4 + j]));
            csv.append(i % 3).append('\n');
        }
        Files.writeString(tmp.resolve("d.csv"), csv);
        Path program = tmp.resolve("program.ann");
        Files.writeString(program, "import \"" + imported.network() + ".ann\"\n\n"
                + "dataset D {\n    csv(\"d.csv\", header: true, features: 0..3, label: 4)\n    split train 50%, test 50%\n"
                + "    classes \"a\", \"b\", \"c\"\n}\n\n"
                + "train " + imported.network() + " on D {\n    loss cross_entropy\n    epochs 1\n}\n");
        Plan plan = Examples.plan(program, null, null);
        // the samples as written to the CSV file (what ann predict would read)
        float[] read = new float[n * 4];
        String[] rows = csv.toString().split("\n");
        for (int i = 0; i < n; i++) {
            String[] f = rows[i + 1].split(",");
            for (int j = 0; j < 4; j++) read[i * 4 + j] = Float.parseFloat(f[j]);
        }
        Dataset raw = new Dataset(n, new int[] {4}, read, null, null, 0, List.of("a", "b", "c"));
        double diff = Examples.maxDiff(Examples.ann(plan, ckpt, raw), Examples.ort(model, raw));
        System.out.printf("gelu (%s) and swish: %d samples, largest difference from ONNX Runtime %.3g%n", variant, n, diff);
        assertTrue(diff <= 1e-5, "ann differs from ONNX Runtime by " + diff + "\n" + src);
    }

    /** Constants in double (ONNX Runtime would not run these graphs: the import alone is checked). */
    @Test
    void geluWithDoubleConstantsImports() throws Exception {
        Graph g = new Graph();
        String x = g.fresh("x");
        String h = gelu(g, gemm(g, x, "fc1", 4, 6), "torch_double");
        String out = g.node("Softmax", "probabilities", List.of(gemm(g, h, "out", 6, 3)), Graph.intAttr("axis", -1));
        Path model = tmp.resolve("double.onnx");
        OnnxExport.write(model(g, x, out, 4, 3), model);
        String src = OnnxImport.read(model).source();
        assertTrue(src.lines().filter(l -> l.trim().startsWith("gelu ")).count() == 1, src);
    }

    @Test
    void geluWithTheTanhApproximationIsRefusedWithWhatToDo() throws Exception {
        // torch's gelu(approximate='tanh'): 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        Graph g = new Graph();
        String x = g.fresh("x");
        String h = gemm(g, x, "fc1", 4, 6);
        String cube = g.node("Mul", "cube", List.of(h, g.node("Mul", "square", List.of(h, h))));
        String inner = g.node("Add", "inner", List.of(h, g.node("Mul", "kappa", List.of(g.scalar("k", 0.044715f), cube))));
        String t = g.node("Tanh", "tanh", List.of(g.node("Mul", "beta", List.of(g.scalar("b", (float) Math.sqrt(2 / Math.PI)), inner))));
        String plus = g.node("Add", "plus", List.of(g.scalar("one", 1f), t));
        String gelu = g.node("Mul", "gelu", List.of(g.scalar("half", 0.5f), g.node("Mul", "times", List.of(h, plus))));
        String out = g.node("Softmax", "probabilities", List.of(gemm(g, gelu, "out", 6, 3)), Graph.intAttr("axis", -1));
        Path model = tmp.resolve("tanh_gelu.onnx");
        OnnxExport.write(model(g, x, out, 4, 3), model);
        RunException e = assertThrows(RunException.class, () -> OnnxImport.read(model));
        String m = e.getMessage();
        assertTrue(m.contains("tanh_gelu.onnx") && m.contains("'node:square'") && m.contains("tanh approximation")
                && m.contains("approximate='none'"), m);
    }
}
