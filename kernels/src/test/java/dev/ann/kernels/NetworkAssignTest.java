package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code init from}: Network.assign sets parameters and batchnorm statistics by name and shape, or says what does not fit. */
class NetworkAssignTest {

    /** dense(3) on [2] inputs, then batchnorm: trainable weight, bias, gamma, beta; state running_mean, running_var. */
    static Network net() {
        Network n = new Network(DataType.FLOAT);
        int in = n.input(2);
        int d = n.add("fc", new Layers.Dense(), new long[] {3}, in);
        n.param(d, "weight", new long[] {2, 3}, true, Network.Init.he(2));
        n.param(d, "bias", new long[] {3}, true, Network.Init.zeros());
        int b = n.add("bn", new Layers.BatchNorm(0.9, 1e-5), new long[] {3}, d);
        n.param(b, "gamma", new long[] {3}, true, Network.Init.ones());
        n.param(b, "beta", new long[] {3}, true, Network.Init.zeros());
        n.param(b, "running_mean", new long[] {3}, false, Network.Init.zeros());
        n.param(b, "running_var", new long[] {3}, false, Network.Init.ones());
        n.build(Loss.Fn.MSE);
        n.init(1);
        return n;
    }

    static Map<String, float[]> arrays() {
        Map<String, float[]> a = new LinkedHashMap<>();
        a.put("fc.weight", new float[] {1, 2, 3, 4, 5, 6});
        a.put("fc.bias", new float[] {0.1f, 0.2f, 0.3f});
        a.put("bn.gamma", new float[] {2, 3, 4});
        a.put("bn.beta", new float[] {-1, -2, -3});
        a.put("bn.running_mean", new float[] {0.5f, 0.6f, 0.7f});
        a.put("bn.running_var", new float[] {1.5f, 1.6f, 1.7f});
        a.put("optimizer.s1", new float[] {9, 9});     // not a parameter: not read
        return a;
    }

    static Map<String, long[]> shapes(Map<String, float[]> a) {
        Map<String, long[]> s = new LinkedHashMap<>();
        for (var e : a.entrySet()) s.put(e.getKey(), new long[] {e.getValue().length});
        s.put("fc.weight", new long[] {2, 3});
        return s;
    }

    @Test
    void parametersAndBatchnormStatisticsComeFromTheArraysOfTheirNames() {
        Network n = net();
        Map<String, float[]> a = arrays();
        n.assign(a, shapes(a), "test");
        for (var e : n.paramViews().entrySet()) {
            assertArrayEquals(a.get(e.getKey()), e.getValue().dup().data().asFloat(), e.getKey());
        }
        assertArrayEquals(new float[] {0.5f, 0.6f, 0.7f}, n.stateViews().get("bn.running_mean").dup().data().asFloat());
        assertArrayEquals(new float[] {1.5f, 1.6f, 1.7f}, n.stateViews().get("bn.running_var").dup().data().asFloat());
    }

    @Test
    void aShapeThatDiffersIsAnErrorNamingTheParameterAndBothShapes() {
        Network n = net();
        Map<String, float[]> a = arrays();
        Map<String, long[]> s = shapes(a);
        s.put("fc.weight", new long[] {3, 2});
        String m = assertThrows(IllegalArgumentException.class, () -> n.assign(a, s, "init from x.ckpt")).getMessage();
        assertTrue(m.contains("init from x.ckpt") && m.contains("fc.weight") && m.contains("[3, 2]") && m.contains("[2, 3]"), m);

        a.remove("bn.running_var");
        String missing = assertThrows(IllegalArgumentException.class, () -> n.assign(a, shapes(a), "init from x.ckpt")).getMessage();
        assertTrue(missing.contains("no array for bn.running_var"), missing);
    }
}
