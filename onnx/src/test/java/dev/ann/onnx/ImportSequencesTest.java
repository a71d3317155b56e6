package dev.ann.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ann.kernels.Network;
import dev.ann.onnx.proto.Onnx;
import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import dev.ann.runtime.nn.PlanKernels;
import dev.ann.runtime.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ann import of embeddings, LSTMs and GRUs. The round trip: networks of them with random weights (std 0.5, biases
 * included, so that a wrong gate order shows) exported by ann export and imported give the same outputs as before
 * on token ids padded at the end to random lengths, through the kernels (ann predict's arithmetic). PyTorch's own
 * graphs (the torch/ fixtures of scripts/onnx_torch_fixtures.py) import; graphs that ann cannot compute are refused
 * naming the node.
 */
class ImportSequencesTest {
    @TempDir Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    static final Path TORCH = Path.of("src", "test", "resources", "torch").toAbsolutePath();

    static final String SOURCE = """
            network Lstm {
                input [12]
                embedding(6, vocabulary: 30)
                lstm(5)
                dense(3) -> softmax
            }

            network Gru {
                input [12]
                embedding(6, vocabulary: 30)
                gru(5)
                dense(3) -> softmax
            }

            network Stacked {
                input [12]
                embedding(6, vocabulary: 30)
                gru(5, sequences: true, bidirectional: true)
                lstm(4, bidirectional: true)
                dense(3)
            }

            network Steps {
                input [12]
                embedding(6, vocabulary: 30)
                lstm(6, sequences: true)
                dense(4) -> tanh
                gru(3, bidirectional: true)
                dense(2) -> softmax
            }
            """;

    /** The shapes the import infers, after the node's op type. */
    static final Map<String, List<String>> SHAPES = Map.of(
            "Lstm", List.of("(Gather) -> [12, 6]", "(LSTM) -> [5]", "(Gemm) -> [3]"),
            "Gru", List.of("(GRU) -> [5]"),
            "Stacked", List.of("(GRU) -> [12, 10]", "(LSTM) -> [8]"),
            "Steps", List.of("(LSTM) -> [12, 6]", "(MatMul) -> [12, 4]", "(Tanh) -> [12, 4]", "(GRU) -> [6]"));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Lstm", "Gru", "Stacked", "Steps"})
    void exportImportGivesTheSameOutputs(String network) throws Exception {
        Path file = tmp.resolve("seq.ann");
        Files.writeString(file, SOURCE);
        Plan plan = ExportSequencesTest.plan(file, network);
        Checkpoint c = ExportSequencesTest.randomCheckpoint(plan, new Random(network.hashCode()));
        Path model = tmp.resolve(network.toLowerCase() + ".onnx");
        OnnxExport.write(OnnxExport.export(plan, c), model);

        OnnxImport.Result r = OnnxImport.read(model);
        String src = r.source();
        assertEquals(network, r.network());
        // the statements as in the original, each with its node and shape
        String body = SOURCE.substring(SOURCE.indexOf("network " + network + " {"));
        body = body.substring(0, body.indexOf("}\n") + 2);
        for (String line : body.split("\n")) {
            String stmt = line.trim();
            if (stmt.isEmpty() || stmt.startsWith("network") || stmt.equals("}")) continue;
            for (String part : stmt.split(" -> ")) assertTrue(src.contains(part), "no '" + part + "' in\n" + src);
        }
        for (String shape : SHAPES.get(network)) assertTrue(src.contains(shape), "no '" + shape + "' in\n" + src);
        assertTrue(src.contains("// token ids: the checkpoint's vocabulary reads ids written as numbers"), src);

        Path imported = tmp.resolve("imported.ann");
        Files.writeString(imported, src);
        Plan again = ExportSequencesTest.plan(imported, network);
        assertEquals(plan.params().size(), again.params().size());

        double diff = maxDiff(plan, c, again, r.checkpoint(), 11, new Random(3));
        System.out.printf("%s: export, import: largest difference %.3g%n%s", network, diff, src);
        assertTrue(diff <= 1e-6, network + ": the imported network differs by " + diff + "\n" + src);
    }

    /** An LSTM of layout 1 (batch first, no Transpose before it) reads the same. */
    @Test
    void batchFirstLayout() throws Exception {
        Path file = tmp.resolve("seq.ann");
        Files.writeString(file, SOURCE);
        Plan plan = ExportSequencesTest.plan(file, "Lstm");
        Checkpoint c = ExportSequencesTest.randomCheckpoint(plan, new Random(8));
        Onnx.ModelProto m = OnnxExport.export(plan, c);
        Onnx.ModelProto.Builder b = m.toBuilder();
        List<Onnx.NodeProto.Builder> nodes = b.getGraphBuilder().getNodeBuilderList();
        int transpose = -1;
        for (int i = 0; i < nodes.size(); i++) {
            if (!nodes.get(i).getOpType().equals("LSTM")) continue;
            for (int k = 0; k < nodes.size(); k++) {
                if (nodes.get(k).getOpType().equals("Transpose") && nodes.get(k).getOutput(0).equals(nodes.get(i).getInput(0))) transpose = k;
            }
            nodes.get(i).setInput(0, nodes.get(transpose).getInput(0));
            setInt(nodes.get(i), "layout", 1);
        }
        b.getGraphBuilder().removeNode(transpose);
        OnnxImport.Result r = OnnxImport.read(write(b.build(), "batch_first.onnx"));
        assertTrue(r.source().contains("lstm(5)"), r.source());
        Path imported = tmp.resolve("imported.ann");
        Files.writeString(imported, r.source());
        double diff = maxDiff(plan, c, ExportSequencesTest.plan(imported, "Lstm"), r.checkpoint(), 9, new Random(2));
        assertTrue(diff <= 1e-6, "layout 1: the imported network differs by " + diff + "\n" + r.source());
    }

    /** A vocabulary written beside the model by ann export comes back into the imported checkpoint. */
    @Test
    void theVocabularyBesideTheModelComesBack() throws Exception {
        Path file = tmp.resolve("seq.ann");
        Files.writeString(file, SOURCE);
        Plan plan = ExportSequencesTest.plan(file, "Lstm");
        Checkpoint c = ExportSequencesTest.randomCheckpoint(plan, new Random(4));
        c.header.addProperty("format", "ann-checkpoint");
        c.header.addProperty("version", Checkpoint.VERSION);
        JsonObject text = com.google.gson.JsonParser.parseString(
                "{\"tokens\": \"words\", \"lowercase\": true, \"vocabulary\": 30, \"length\": 12, \"ids_from_2\": [\"the\", \"corn\", \"price\"]}")
                .getAsJsonObject();
        c.header.add("text", text);
        Path ckpt = tmp.resolve("text.ckpt");
        c.write(ckpt);
        Path model = tmp.resolve("reader.onnx");
        OnnxExport.write(OnnxExport.export(plan, c), model);
        OnnxExport.writeVocabulary(ckpt, model);

        OnnxImport.Result r = OnnxImport.read(model);
        JsonObject t = r.checkpoint().header.getAsJsonObject("text");
        assertEquals(List.of("the", "corn", "price"), strings(t.getAsJsonArray("ids_from_2")));
        assertTrue(t.get("lowercase").getAsBoolean());
        assertEquals(30, t.get("vocabulary").getAsInt());
        assertEquals(12, t.get("length").getAsInt());
        assertTrue(r.source().contains("vocabulary is reader.vocab.json's"), r.source());

        // one of another model is refused
        Files.writeString(OnnxExport.vocabularyPath(model), Files.readString(OnnxExport.vocabularyPath(model)).replace("\"length\": 12", "\"length\": 40"));
        RunException e = assertThrows(RunException.class, () -> OnnxImport.read(model));
        assertTrue(e.getMessage().contains("reader.vocab.json says vocabulary 30, length 40 but the model's embedding has 30 ids and reads 12"), e.getMessage());
    }

    /** Without a vocabulary beside it, the checkpoint's reads the ids written as numbers: "17" is id 17. */
    @Test
    void withoutOneTheIdsAreWrittenAsNumbers() throws Exception {
        OnnxImport.Result r = OnnxImport.read(TORCH.resolve("lstm.onnx"));
        JsonObject t = r.checkpoint().header.getAsJsonObject("text");
        List<String> ids = strings(t.getAsJsonArray("ids_from_2"));
        assertEquals(28, ids.size());
        assertEquals("2", ids.get(0));
        assertEquals("29", ids.get(27));
        assertEquals(10, t.get("length").getAsInt());
        dev.ann.kernels.Tokenizer tok = dev.ann.runtime.train.Model.tokenizer(r.checkpoint());
        float[] x = new float[10];
        tok.encode("17 2 1 29 5", x, 0);
        assertEquals("[17.0, 2.0, 1.0, 29.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0]", Arrays.toString(x));
    }

    /** PyTorch's graphs: the zero-state subgraphs set aside, the last step of Y, h_n of both directions joined. */
    @Test
    void pytorchsGraphsImport() throws Exception {
        OnnxImport.Result lstm = OnnxImport.read(TORCH.resolve("lstm.onnx"));
        String s = lstm.source();
        assertTrue(s.contains("input [10]") && s.contains("embed = embedding(16, vocabulary: 30)") && s.contains("lstm = lstm(24)")
                && s.contains("(LSTM) -> [24]") && s.contains("fc = dense(3)") && s.contains("softmax"), s);
        assertTrue(s.contains("no sequence_lens"), s);
        OnnxImport.Result gru = OnnxImport.read(TORCH.resolve("gru.onnx"));
        assertTrue(gru.source().contains("gru = gru(12, bidirectional: true)") && gru.source().contains("(GRU) -> [24]"), gru.source());
        assertEquals(List.of("embed.weight", "gru.weight_ih", "gru.weight_hh", "gru.bias_ih", "gru.bias_hh", "gru.weight_ih_reverse",
                "gru.weight_hh_reverse", "gru.bias_ih_reverse", "gru.bias_hh_reverse", "fc.weight", "fc.bias"),
                List.copyOf(gru.checkpoint().arrays.keySet()));
        System.out.println(s + gru.source());
    }

    @Test
    void whatAnnCannotComputeIsRefusedByName() throws Exception {
        // a GRU of the other reset variant
        assertRefused("gru.onnx", m -> edit(m, "GRU", n -> setInt(n, "linear_before_reset", 0)),
                "node '/gru/GRU' (GRU): GRU with linear_before_reset 0");
        // a reverse-only layer
        assertRefused("gru.onnx", m -> edit(m, "GRU", n -> setString(n, "direction", "reverse")),
                "node '/gru/GRU' (GRU): direction reverse");
        // another step than the last
        assertRefused("lstm.onnx", m -> {
            Onnx.ModelProto.Builder b = m.toBuilder();
            String index = null;
            for (Onnx.NodeProto n : m.getGraph().getNodeList()) if (n.getName().equals("/Gather")) index = n.getInput(1);
            for (Onnx.NodeProto.Builder n : b.getGraphBuilder().getNodeBuilderList()) {
                if (n.getOutputCount() > 0 && n.getOutput(0).equals(index)) {
                    n.getAttributeBuilder(0).setT(Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addInt64Data(3));
                }
            }
            return b.build();
        }, "node '/Gather' (Gather): step 3 of the outputs");
        // an initial state that is not zero
        assertRefused("lstm.onnx", m -> edit(m, "ConstantOfShape", n -> n.getAttributeBuilder(0).setT(
                Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addDims(1).addFloatData(0.5f))),
                "node '/lstm/LSTM' (LSTM): an initial hidden state that is not zero");
        // the last step of Y of a bidirectional layer (its backward direction has read one step there)
        assertRefused("gru.onnx", m -> {
            Onnx.ModelProto.Builder b = m.toBuilder();
            b.getGraphBuilder().addInitializer(Onnx.TensorProto.newBuilder().setName("minus_one")
                    .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addInt64Data(-1));
            String y = null;
            for (Onnx.NodeProto n : m.getGraph().getNodeList()) if (n.getOpType().equals("GRU")) y = n.getOutput(0);
            for (Onnx.NodeProto.Builder n : b.getGraphBuilder().getNodeBuilderList()) {
                if (n.getName().equals("/Gather")) n.setInput(0, y).setInput(1, "minus_one");
            }
            return b.build();
        }, "node '/Gather' (Gather): the last step of a bidirectional layer's outputs Y");
    }

    /** PyTorch's stacked layers: the GRU reads the LSTM's time-major Y (torch fuses the Transposes between them). */
    @Test
    void pytorchsStackedLayersImport() throws Exception {
        OnnxImport.Result r = OnnxImport.read(TORCH.resolve("stack.onnx"));
        String s = r.source();
        assertTrue(s.contains("lstm = lstm(8, sequences: true, bidirectional: true)") && s.contains("(LSTM) -> [10, 16]")
                && s.contains("gru = gru(10)") && s.contains("(GRU) -> [10]"), s);
        // nn.LSTM(num_layers=2): h_n joins the layers' Y_h
        RunException e = assertThrows(RunException.class, () -> OnnxImport.read(TORCH.resolve("layers2.onnx")));
        assertTrue(e.getMessage().contains("(Concat): it reads the outputs of LSTM '/lstm/LSTM'")
                && e.getMessage().contains("PyTorch's num_layers > 1 joins the layers' h_n so: make each layer an nn.LSTM or nn.GRU of its own"), e.getMessage());
        System.out.println(s + "refused: " + e.getMessage());
    }

    static List<String> strings(JsonArray a) {
        return a.asList().stream().map(x -> x.getAsString()).toList();
    }

    static void setInt(Onnx.NodeProto.Builder n, String name, long v) {
        for (Onnx.AttributeProto.Builder a : n.getAttributeBuilderList()) if (a.getName().equals(name)) { a.setI(v); return; }
        n.addAttribute(Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(v));
    }

    static void setString(Onnx.NodeProto.Builder n, String name, String v) {
        for (Onnx.AttributeProto.Builder a : n.getAttributeBuilderList()) {
            if (a.getName().equals(name)) { a.setS(com.google.protobuf.ByteString.copyFromUtf8(v)); return; }
        }
        n.addAttribute(Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)));
    }

    static Onnx.ModelProto edit(Onnx.ModelProto m, String opType, java.util.function.Consumer<Onnx.NodeProto.Builder> change) {
        Onnx.ModelProto.Builder b = m.toBuilder();
        for (Onnx.NodeProto.Builder n : b.getGraphBuilder().getNodeBuilderList()) if (n.getOpType().equals(opType)) change.accept(n);
        return b.build();
    }

    Path write(Onnx.ModelProto m, String name) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, m.toByteArray());
        return p;
    }

    void assertRefused(String fixture, UnaryOperator<Onnx.ModelProto> change, String want) throws Exception {
        Onnx.ModelProto m = Onnx.ModelProto.parseFrom(Files.readAllBytes(TORCH.resolve(fixture)));
        RunException e = assertThrows(RunException.class, () -> OnnxImport.read(write(change.apply(m), "changed-" + fixture)));
        assertTrue(e.getMessage().contains(want), e.getMessage());
        assertTrue(e.getMessage().contains("ann import maps chains of:") && e.getMessage().contains("LSTM"), e.getMessage());
        System.out.println("refused: " + e.getMessage());
    }

    /** Both networks with their checkpoints through the kernels on the same token ids (row 0 all padding, row 1 none). */
    static double maxDiff(Plan a, Checkpoint ca, Plan b, Checkpoint cb, int n, Random r) {
        int size = (int) a.inputShape().size();
        float[] x = new float[n * size];
        for (int i = 0; i < n; i++) {
            int len = i == 0 ? 0 : i == 1 ? size : 1 + r.nextInt(size);
            for (int t = 0; t < len; t++) x[i * size + t] = 1 + r.nextInt(29);
        }
        float[][] pa = predict(a, ca, x, n), pb = predict(b, cb, x, n);
        return Examples.maxDiff(pa, pb);
    }

    static float[][] predict(Plan plan, Checkpoint c, float[] x, int n) {
        Network net = PlanKernels.network(plan, DataType.FLOAT);
        Map<String, long[]> shapes = new HashMap<>();
        c.shapes.forEach((k, v) -> shapes.put(k, Arrays.stream(v).asLongStream().toArray()));
        net.assign(c.arrays, shapes, "checkpoint");
        INDArray p = net.predict(Nd4j.create(x, new long[] {n, x.length / n}));
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) out[i] = p.getRow(i).dup().data().asFloat();
        return out;
    }
}
