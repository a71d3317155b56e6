package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
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
 * ann's LSTM and GRU against PyTorch's nn.LSTM and nn.GRU: golden/rnn.json (written by
 * bench/golden/rnn_golden.py) holds, for one direction and bidirectional, on a full and on a padded batch,
 * PyTorch's weights, input, outputs and, for fixed output gradients, the gradients of the input and the
 * weights. The kernel with those weights must give the same numbers to 1e-5 (double precision both sides;
 * the padded batch against PyTorch's packed sequences).
 */
class RecurrentGoldenTest {
    static final double TOL = 1e-5;

    @TestFactory
    List<DynamicTest> matchesPyTorch() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/golden/rnn.json")) {
            assertNotNull(in, "golden/rnn.json is missing: run bench/golden/rnn_golden.py");
            doc = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : doc.get("cases")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name + ", sequences", () -> check(c, true)));
            tests.add(DynamicTest.dynamicTest(name + ", last output", () -> check(c, false)));
        }
        assertEquals(16, tests.size(), "lstm and gru, one direction and two, full and padded: 8 cases");
        return tests;
    }

    static void check(JsonNode c, boolean sequences) {
        boolean gru = c.get("gru").asBoolean(), bi = c.get("bidirectional").asBoolean();
        int units = c.get("units").asInt(), dirs = bi ? 2 : 1;
        INDArray x = array(c.get("x"));
        long n = x.size(0), steps = x.size(1), features = x.size(2);

        Recurrent.Rnn rnn = new Recurrent.Rnn(gru, units, sequences, bi);
        rnn.dt = DataType.DOUBLE;
        rnn.inShapes = new long[][] {{steps, features}};
        rnn.outShape = sequences ? new long[] {steps, (long) dirs * units} : new long[] {(long) dirs * units};
        rnn.needInputGrad = true;
        Map<String, INDArray> params = new HashMap<>(), grads = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("params").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            INDArray p = array(e.getValue());
            params.put(e.getKey(), p);
            grads.put(e.getKey(), Nd4j.valueArrayOf(p.shape(), Double.NaN, DataType.DOUBLE)); // must be overwritten
        }
        assertEquals(4 * dirs, params.size());
        rnn.bind(params, grads);
        if (!c.get("lengths").isNull()) {
            double[][] m = new double[(int) n][(int) steps];
            for (int i = 0; i < n; i++) for (int t = 0; t < c.get("lengths").get(i).asInt(); t++) m[i][t] = 1;
            rnn.mask = Nd4j.createFromArray(m);
        }

        rnn.forward(new INDArray[] {x}, true);
        near(array(c.get(sequences ? "output" : "last")), rnn.out, "output");
        INDArray gx = rnn.backward(array(c.get(sequences ? "grad_output" : "grad_last")))[0];
        JsonNode want = c.get(sequences ? "grads_sequences" : "grads_last");
        near(array(want.get("x")), gx, "gradient of x");
        for (String role : params.keySet()) near(array(want.get(role)), grads.get(role), "gradient of " + role);
    }

    static void near(INDArray want, INDArray got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        double diff = want.sub(got).amaxNumber().doubleValue();
        assertTrue(diff < TOL, what + ": differs from PyTorch by " + diff + "\nPyTorch " + want + "\nann " + got);
    }

    /** A nested JSON list of numbers as a double array of its shape. */
    static INDArray array(JsonNode node) {
        List<Long> shape = new ArrayList<>();
        for (JsonNode a = node; a.isArray(); a = a.get(0)) shape.add((long) a.size());
        List<Double> values = new ArrayList<>();
        flatten(node, values);
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        return Nd4j.createFromArray(v).reshape('c', shape.stream().mapToLong(Long::longValue).toArray());
    }

    static void flatten(JsonNode node, List<Double> into) {
        if (node.isArray()) for (JsonNode e : node) flatten(e, into);
        else into.add(node.asDouble());
    }
}
