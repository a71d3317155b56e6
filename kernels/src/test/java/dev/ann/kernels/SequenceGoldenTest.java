package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Sequence.Attention and Sequence.Conv1d against PyTorch's nn.MultiheadAttention (with key_padding_mask and a
 * causal attn_mask) and nn.Conv1d: the output and the gradients of the input and of every parameter for the loss
 * sum(y * gy), equal to 1e-5. The numbers come from bench/golden/attention_conv1d.py (Debian's python3-torch),
 * committed as resources/golden/attention_conv1d.json.
 */
class SequenceGoldenTest {
    static final double TOL = 1e-5;

    static JsonNode golden() throws Exception {
        try (InputStream in = SequenceGoldenTest.class.getResourceAsStream("/golden/attention_conv1d.json")) {
            assertNotNull(in, "golden/attention_conv1d.json is missing: run bench/golden/attention_conv1d.py");
            return new ObjectMapper().readTree(in);
        }
    }

    @TestFactory
    List<DynamicTest> attention() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden().get("attention")) {
            tests.add(DynamicTest.dynamicTest("attention: " + c.get("name").asText(), () -> {
                INDArray x = array(c.get("x"));
                SeqNet b = new SeqNet(x.size(1), x.size(2));
                b.masked(c.get("lengths").isNull() ? null : ints(c.get("lengths")));
                b.attention(c.get("heads").asInt(), c.get("causal").asBoolean());
                check(b, c, x);
            }));
        }
        assertTrue(tests.size() >= 4, "golden attention cases: " + tests.size());
        return tests;
    }

    @TestFactory
    List<DynamicTest> conv1d() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden().get("conv1d")) {
            tests.add(DynamicTest.dynamicTest("conv1d: " + c.get("name").asText(), () -> {
                INDArray x = array(c.get("x"));
                SeqNet b = new SeqNet(x.size(1), x.size(2)).masked((int[]) null);
                b.conv1d(c.get("filters").asInt(), c.get("kernel").asInt(), c.get("stride").asInt(),
                        c.get("dilation").asInt(), c.get("same").asBoolean(), c.get("params").has("bias"));
                check(b, c, x);
            }));
        }
        assertTrue(tests.size() >= 4, "golden conv1d cases: " + tests.size());
        return tests;
    }

    /** Sets PyTorch's parameters, runs forward and backward(gy), compares y, gx and every parameter's gradient. */
    static void check(SeqNet b, JsonNode c, INDArray x) {
        Network net = b.build();
        String op = b.net.trainableParams().get(0).name().split("\\.")[0];
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("params").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            INDArray v = net.paramViews().get(op + "." + e.getKey());
            assertNotNull(v, "no parameter " + op + "." + e.getKey());
            INDArray a = array(e.getValue());
            assertArrayEquals(a.shape(), v.shape(), e.getKey() + ": shape");
            v.assign(a);
        }
        assertEquals(c.get("params").size(), net.trainableParams().size(), "parameters");
        INDArray y = net.forward(x, true);
        close("y", array(c.get("y")), y);
        net.backward(array(c.get("gy")));
        close("gx", array(c.get("gx")), ((SeqNet.Masked) b.layer(1)).gradIn);
        Map<String, INDArray> grads = gradViews(net);
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("grads").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            close("gradient of " + e.getKey(), array(e.getValue()), grads.get(op + "." + e.getKey()));
        }
    }

    static Map<String, INDArray> gradViews(Network net) {
        Map<String, INDArray> m = new java.util.HashMap<>();
        long off = 0;
        for (Network.Param p : net.trainableParams()) {
            m.put(p.name(), net.grads().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(off, off + p.size())).reshape(p.shape()));
            off += p.size();
        }
        return m;
    }

    static void close(String what, INDArray expected, INDArray actual) {
        assertNotNull(actual, what + ": none");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double worst = Nd4j.math().abs(expected.sub(actual)).maxNumber().doubleValue();
        assertTrue(worst <= TOL, what + ": differs from PyTorch by up to " + worst);
        assertTrue(expected.norm2Number().doubleValue() > 1e-3, what + ": the golden is all zeros");
    }

    static int[] ints(JsonNode a) {
        int[] o = new int[a.size()];
        for (int i = 0; i < o.length; i++) o[i] = a.get(i).asInt();
        return o;
    }

    /** A nested JSON list of numbers as a double array of its shape. */
    static INDArray array(JsonNode a) {
        List<Long> shape = new ArrayList<>();
        for (JsonNode n = a; n.isArray(); n = n.get(0)) shape.add((long) n.size());
        List<Double> vals = new ArrayList<>();
        flatten(a, vals);
        double[] d = new double[vals.size()];
        for (int i = 0; i < d.length; i++) d[i] = vals.get(i);
        return Nd4j.createFromArray(d).reshape(shape.stream().mapToLong(Long::longValue).toArray()).castTo(DataType.DOUBLE);
    }

    private static void flatten(JsonNode a, List<Double> out) {
        if (a.isArray()) for (JsonNode e : a) flatten(e, out);
        else out.add(a.asDouble());
    }
}
