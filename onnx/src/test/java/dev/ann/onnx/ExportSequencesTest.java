package dev.ann.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.NetworkLayers;
import dev.ann.kernels.Network;
import dev.ann.onnx.proto.Onnx;
import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import dev.ann.runtime.nn.PlanKernels;
import dev.ann.runtime.train.Checkpoint;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Networks of every sequence layer, with random weights (every array, biases included, drawn from a normal of
 * std 0.5 so that a wrong gate order or a missed bias shows), exported to ONNX and run by ONNX Runtime: the
 * outputs equal the kernels' forward pass ({@code ann predict}'s arithmetic) within 1e-5, on token ids padded at
 * the end to random lengths (a row of all padding, a row of no padding) and on raw [T, F] features.
 */
class ExportSequencesTest {
    @TempDir Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    static final String SOURCE = """
            network Lstm {
                input [12]
                embedding(6, vocabulary: 30)
                lstm(5)
                dense(3)
            }

            network GruBidirectional {
                input [12]
                embedding(6, vocabulary: 30)
                gru(5, sequences: true, bidirectional: true)
                lstm(4, bidirectional: true)
                dense(3)
            }

            network LstmSequences {
                input [12]
                embedding(6, vocabulary: 30)
                lstm(4, sequences: true, bidirectional: true)
                parallel concat {
                    branch { gru(3, sequences: true) }
                    branch { dense(2) -> tanh }
                }
                globalmaxpool
                dense(2)
            }

            network Convolutions {
                input [13]
                embedding(6, vocabulary: 30)
                conv1d(5, kernel: 3, padding: same)
                maxpool1d(2)
                conv1d(4, kernel: 2, stride: 2, padding: same, bias: false) -> relu
                avgpool1d(3, stride: 1, padding: same)
                parallel concat {
                    branch { globalavgpool }
                    branch { globalmaxpool }
                }
                dense(2)
            }

            network Dilated {
                input [13]
                embedding(6, vocabulary: 30)
                conv1d(4, kernel: 2, dilation: 2, padding: same)
                globalmaxpool
                dense(2)
            }

            network Attention {
                input [10]
                embedding(8, vocabulary: 30)
                positional(kind: sinusoidal)
                residual { attention(2) }
                layernorm
                parallel concat {
                    branch { dense(4) -> relu }
                    branch { attention(4, causal: true) }
                }
                positional
                globalavgpool
                dense(3) -> softmax
            }

            network Features {
                input [9, 3]
                positional
                conv1d(4, kernel: 3, padding: valid)
                gru(4, sequences: true, bidirectional: true)
                attention(2, causal: true)
                layernorm
                dense(5) -> gelu
                lstm(3, bidirectional: true)
                dense(2)
            }

            network FeatureOps {
                input [9, 4]
                positional(kind: sinusoidal)
                conv1d(4, kernel: 3, padding: same)
                maxpool1d(2, padding: same)
                residual { attention(2, causal: true) }
                layernorm
                parallel concat {
                    branch { dense(3) -> gelu }
                    branch { avgpool1d(3, stride: 1, padding: same) }
                }
                globalmaxpool
                dense(2)
            }

            network FeaturePools {
                input [9, 3]
                avgpool1d(2, padding: same)
                lstm(4, sequences: true)
                parallel concat {
                    branch { globalmaxpool }
                    branch { globalavgpool }
                }
                dense(2)
            }
            """;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Lstm", "GruBidirectional", "LstmSequences", "Convolutions", "Attention", "Features", "FeatureOps", "FeaturePools"})
    void onnxRuntimeGivesTheKernelsOutputs(String network) throws Exception {
        Path file = tmp.resolve("seq.ann");
        Files.writeString(file, SOURCE);
        Plan plan = plan(file, network);
        double diff = compare(plan, 9, network);
        assertTrue(diff <= 1e-5, network + ": ONNX Runtime and ann differ by " + diff);
    }

    /** A dilated convolution over time (ONNX Conv's dilations, and the mask max-pooled with the same dilation). */
    @Test
    void dilatedConvolution() throws Exception {
        Path file = tmp.resolve("seq.ann");
        Files.writeString(file, SOURCE);
        double diff = compare(plan(file, "Dilated"), 9, "Dilated");
        assertTrue(diff <= 1e-5, "Dilated: ONNX Runtime and ann differ by " + diff);
    }

    /** examples/transformer.ann's network (without its dataset), with a dev-size vocabulary of 500 ids instead of 10,000. */
    @Test
    void transformerExample() throws Exception {
        String src = Files.readString(Examples.DIR.resolve("transformer.ann"));
        assertTrue(src.contains("vocabulary: 10000"), "examples/transformer.ann no longer says vocabulary: 10000");
        Path file = tmp.resolve("transformer.ann");
        // the network and its block alone: its dataset reads Weka's files, which the export needs not
        String network = src.replaceAll("(?s)dataset Corn \\{.*?\\n\\}\\n", "")
                .replaceAll("(?s)train Transformer on Corn \\{.*?\\n\\}\\n", "")
                .replaceAll("(?s)profile dev \\{.*?\\n\\}\\n?", "");
        assertTrue(!network.contains("dataset Corn") && !network.contains("train Transformer"), "the example's dataset or train block was not cut out");
        Files.writeString(file, network.replace("vocabulary: 10000", "vocabulary: 500"));
        Plan plan = plan(file, "Transformer");
        Set<String> kinds = new HashSet<>();
        for (Op op : plan.ops()) kinds.add(op.kind());
        assertTrue(kinds.containsAll(List.of("embedding", "positional", "attention", "layernorm", "add", "globalavgpool")), kinds.toString());
        double diff = compare(plan, 6, "Transformer");
        assertTrue(diff <= 1e-5, "transformer: ONNX Runtime and ann differ by " + diff);
    }

    /** An LSTM's export holds one standard LSTM node with sequence_lens, time-major, gates in ONNX's order. */
    @Test
    void lstmIsOneOnnxNode() throws Exception {
        Path file = tmp.resolve("seq.ann");
        Files.writeString(file, SOURCE);
        Plan plan = plan(file, "GruBidirectional");
        Onnx.ModelProto m = OnnxExport.export(plan, randomCheckpoint(plan, new Random(5)));
        List<Onnx.NodeProto> rnn = m.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("LSTM") || n.getOpType().equals("GRU")).toList();
        assertEquals(List.of("GRU", "LSTM"), rnn.stream().map(Onnx.NodeProto::getOpType).toList());
        for (Onnx.NodeProto n : rnn) {
            assertEquals(5, n.getInputCount(), n.getOpType() + " has no sequence_lens input");
            assertTrue(n.getAttributeList().stream().anyMatch(a -> a.getName().equals("direction") && a.getS().toStringUtf8().equals("bidirectional")));
        }
        assertTrue(rnn.get(0).getAttributeList().stream().anyMatch(a -> a.getName().equals("linear_before_reset") && a.getI() == 1));
        assertTrue(m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).hasDimParam(), "the batch is not dynamic");
    }

    /**
     * A checkpoint that carries a tokenizer (header {@code text}, as the runtime saves a text dataset's) gets its
     * vocabulary written beside the model as token to id; one without gets none.
     */
    @Test
    void vocabularyBesideTheModel() throws Exception {
        Path file = tmp.resolve("seq.ann");
        Files.writeString(file, SOURCE);
        Plan plan = plan(file, "Lstm");
        Checkpoint c = randomCheckpoint(plan, new Random(2));
        c.header.addProperty("format", "ann-checkpoint");
        c.header.addProperty("version", Checkpoint.VERSION);
        Path plain = tmp.resolve("plain.ckpt");
        c.write(plain);
        Path model = tmp.resolve("out").resolve("reader.onnx");
        Files.createDirectories(model.getParent());
        assertEquals(null, OnnxExport.writeVocabulary(plain, model));
        assertTrue(!Files.exists(tmp.resolve("out").resolve("reader.vocab.json")));

        JsonObject text = com.google.gson.JsonParser.parseString(
                "{\"tokens\": \"words\", \"lowercase\": true, \"vocabulary\": 30, \"length\": 12, \"ids_from_2\": [\"the\", \"corn\", \"price\"]}")
                .getAsJsonObject();
        c.header.add("text", text);
        Path withText = tmp.resolve("text.ckpt");
        c.write(withText);
        Path v = OnnxExport.writeVocabulary(withText, model);
        assertEquals(tmp.resolve("out").resolve("reader.vocab.json"), v);
        JsonObject read = com.google.gson.JsonParser.parseString(Files.readString(v)).getAsJsonObject();
        assertEquals(2, read.getAsJsonObject("ids").get("the").getAsInt());
        assertEquals(4, read.getAsJsonObject("ids").get("price").getAsInt());
        assertEquals(3, read.getAsJsonObject("ids").size());
        assertEquals(12, read.get("length").getAsInt());
        assertEquals(0, read.get("padding_id").getAsInt());
        assertEquals(1, read.get("unknown_id").getAsInt());
        assertEquals("words", read.get("tokens").getAsString());
    }

    /** A relative window (each value less the window's last row) is not in the graph yet: export refuses it in words, not with a wrong model. */
    @Test
    void relativeWindowsAreRefusedInWords() throws Exception {
        Path file = tmp.resolve("seq.ann");
        Files.writeString(file, SOURCE);
        Plan p = plan(file, "Features");
        DataPipeline d = p.data();
        DataPipeline windows = new DataPipeline("Series", d.sources(), d.sampleShape(), d.labels(), d.split(), d.validation(), d.scale(),
                d.normalize(), d.shuffle(), d.shuffleSeed(), d.subset(), d.resize(), null, new DataPipeline.Window(9, 1, true));
        Plan relative = new Plan(p.formatVersion(), p.file(), p.train(), p.network(), p.profile(), p.task(), p.inputShape(), p.outputShape(),
                p.ops(), p.params(), p.loss(), p.optimizer(), p.schedule(), p.metrics(), windows, p.loop(), p.seed(), p.architectureHash());
        Checkpoint c = randomCheckpoint(relative, new Random(3));
        RunException e = assertThrows(RunException.class, () -> OnnxExport.export(relative, c));
        assertTrue(e.getMessage().contains("dataset Series: ann export does not yet put a `relative` window"), e.getMessage());
        // the same windows without relative export as before
        DataPipeline plain = new DataPipeline("Series", d.sources(), d.sampleShape(), d.labels(), d.split(), d.validation(), d.scale(),
                d.normalize(), d.shuffle(), d.shuffleSeed(), d.subset(), d.resize(), null, new DataPipeline.Window(9, 1, false));
        Plan levels = new Plan(p.formatVersion(), p.file(), p.train(), p.network(), p.profile(), p.task(), p.inputShape(), p.outputShape(),
                p.ops(), p.params(), p.loss(), p.optimizer(), p.schedule(), p.metrics(), plain, p.loop(), p.seed(), p.architectureHash());
        assertTrue(OnnxExport.export(levels, randomCheckpoint(levels, new Random(3))).getGraph().getNodeCount() > 0);
    }

    /** A Plan of one network of the file (no dataset needed): what ann predict runs for it. */
    static Plan plan(Path file, String network) throws Exception {
        NetworkLayers nl = Compiler.compile(file).network(network);
        boolean softmax = nl.ops().get(nl.ops().size() - 1).kind().equals("softmax");
        Plan.Task task = softmax ? Plan.Task.CLASSIFICATION : Plan.Task.REGRESSION;
        Plan.Component loss = softmax ? new Plan.Component("cross_entropy", new Args(Map.of("from_logits", false)))
                : new Plan.Component("mse", Args.empty());
        Plan.Component none = new Plan.Component("constant", Args.empty());
        DataPipeline data = new DataPipeline("none", List.of(), nl.input(), new DataPipeline.Labels("none", List.of(), 0, 0),
                new DataPipeline.Split(1, 0, 0), 0, 1.0, "none", false, 0, 1.0, null);
        return new Plan(Plan.FORMAT_VERSION, file.toString(), "test", network, null, task, nl.input(), nl.output(), nl.ops(),
                nl.params(), loss, new Plan.Component("adam", Args.empty()), none, List.of("loss"), data,
                new Plan.Loop(8, 1, null, null, 1, "cpu"), 1, Plan.hashArchitecture(nl.ops(), nl.params()));
    }

    /** Every parameter from a normal of std 0.5 (layernorm's gamma around 1). */
    static Checkpoint randomCheckpoint(Plan plan, Random r) {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Param p : plan.params()) {
            float[] v = new float[(int) p.shape().size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) ((p.name().endsWith(".gamma") ? 1 : 0) + 0.5 * r.nextGaussian());
            arrays.put(p.name(), v);
            shapes.put(p.name(), p.shape().toArray());
        }
        JsonObject header = new JsonObject();
        JsonArray names = new JsonArray();
        for (int i = 0; i < plan.outputShape().size(); i++) names.add("c" + i);
        header.add("class_names", names);
        return new Checkpoint(header, arrays, shapes);
    }

    /**
     * Exports the plan with random weights and runs n samples through the kernels and ONNX Runtime; returns the
     * largest difference. Token ids: real ids (1 .. vocabulary-1) then padding, row 0 all padding, row 1 none,
     * the others of random lengths. Features: normal values.
     */
    static double compare(Plan plan, int n, String what) throws Exception {
        Random r = new Random(what.hashCode());
        Checkpoint c = randomCheckpoint(plan, r);
        Network net = PlanKernels.network(plan, DataType.FLOAT);
        Map<String, long[]> shapes = new HashMap<>();
        c.shapes.forEach((k, v) -> shapes.put(k, java.util.Arrays.stream(v).asLongStream().toArray()));
        net.assign(c.arrays, shapes, "random weights");

        int[] sample = plan.inputShape().toArray();
        int size = (int) plan.inputShape().size();
        float[] x = new float[n * size];
        boolean ids = plan.ops().get(1).kind().equals("embedding");
        if (ids) {
            int vocabulary = ((Number) plan.ops().get(1).args().get("vocabulary")).intValue();
            for (int i = 0; i < n; i++) {
                int len = i == 0 ? 0 : i == 1 ? size : 1 + r.nextInt(size);
                for (int t = 0; t < len; t++) x[i * size + t] = 1 + r.nextInt(vocabulary - 1);
            }
        } else {
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        }
        long[] shape = new long[sample.length + 1];
        shape[0] = n;
        for (int i = 0; i < sample.length; i++) shape[i + 1] = sample[i];
        INDArray p = net.predict(Nd4j.create(x, shape));
        float[][] ann = new float[n][];
        for (int i = 0; i < n; i++) ann[i] = p.getRow(i).dup().data().asFloat();

        Path model = Files.createTempFile("ann-seq-", ".onnx");
        try {
            OnnxExport.write(OnnxExport.export(plan, c), model);
            float[][] ort = run(model, x, shape);
            double diff = Examples.maxDiff(ann, ort);
            System.out.printf("%s: %d samples, largest difference %.3g%n", what, n, diff);
            return diff;
        } finally {
            Files.deleteIfExists(model);
        }
    }

    static float[][] run(Path model, float[] x, long[] shape) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model.toString(), so);
                 OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                 OrtSession.Result res = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
                return (float[][]) res.get(0).getValue();
            }
        }
    }
}
