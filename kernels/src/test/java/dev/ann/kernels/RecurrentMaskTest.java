package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Padding changes nothing of the real steps: a sentence padded (id 0 at the end) to a longer length gives the
 * same last output, and the same outputs at its real steps (0 at the padded ones), as the sentence alone,
 * for LSTM and GRU, one direction and bidirectional (whose backward direction must start at the last real
 * word); and a short sentence in a batch with longer ones gives what it gives alone.
 */
class RecurrentMaskTest {
    static final int VOCABULARY = 9, DIM = 4, UNITS = 3;

    /** ids [steps] -> embedding -> lstm/gru; the weights depend on the seed only, not on the number of steps. */
    static Network net(boolean gru, boolean sequences, boolean bidirectional, int steps) {
        Network net = new Network(DataType.DOUBLE);
        int in = net.input(steps);
        int e = net.add("embedding", new Recurrent.Embedding(), new long[] {steps, DIM}, in);
        net.param(e, "weight", new long[] {VOCABULARY, DIM}, true, Network.Init.normal(0.8));
        int w = (bidirectional ? 2 : 1) * UNITS;
        int r = net.add("rnn", new Recurrent.Rnn(gru, UNITS, sequences, bidirectional), sequences ? new long[] {steps, w} : new long[] {w}, e);
        RecurrentGradientTest.rnnParams(net, r, gru, UNITS, DIM, bidirectional);
        net.build(Loss.Fn.MSE).init(21);
        return net;
    }

    static INDArray ids(double[]... rows) { return Nd4j.createFromArray(rows); }

    @TestFactory
    List<DynamicTest> paddingChangesNothingOfTheRealSteps() {
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean gru : new boolean[] {false, true}) {
            for (boolean bi : new boolean[] {false, true}) {
                for (boolean sequences : new boolean[] {false, true}) {
                    String name = (gru ? "gru" : "lstm") + (bi ? " bidirectional" : "") + (sequences ? ", sequences" : ", last output");
                    tests.add(DynamicTest.dynamicTest(name, () -> check(gru, bi, sequences, name)));
                }
            }
        }
        return tests;
    }

    static void check(boolean gru, boolean bi, boolean sequences, String name) {
        INDArray alone = net(gru, sequences, bi, 4).forward(ids(new double[] {3, 5, 2, 6}), false).dup();
        INDArray shortAlone = net(gru, sequences, bi, 2).forward(ids(new double[] {4, 1}), false).dup();
        INDArray padded = net(gru, sequences, bi, 7).forward(ids(new double[] {3, 5, 2, 6, 0, 0, 0}, new double[] {4, 1, 0, 0, 0, 0, 0}), false);
        if (!sequences) {
            near(alone.getRow(0), padded.getRow(0), name + ": the last output of the padded sentence");
            near(shortAlone.getRow(0), padded.getRow(1), name + ": the last output of the short sentence in the batch");
            return;
        }
        near(alone.slice(0), padded.slice(0).get(NDArrayIndex.interval(0, 4), NDArrayIndex.all()), name + ": the real steps");
        near(shortAlone.slice(0), padded.slice(1).get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()), name + ": the short sentence's real steps");
        assertEquals(0.0, padded.slice(0).get(NDArrayIndex.interval(4, 7), NDArrayIndex.all()).amaxNumber().doubleValue(), 0.0, name + ": padded steps");
        assertEquals(0.0, padded.slice(1).get(NDArrayIndex.interval(2, 7), NDArrayIndex.all()).amaxNumber().doubleValue(), 0.0, name + ": padded steps");
    }

    static void near(INDArray want, INDArray got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        double diff = want.sub(got).amaxNumber().doubleValue();
        assertTrue(diff < 1e-12, what + " differ by " + diff + ": alone " + want + ", padded " + got);
        assertTrue(want.amaxNumber().doubleValue() > 1e-3, what + ": all zero, nothing compared");
    }

    @Test
    void theEmbeddingGathersRowsAndMarksThePadding() {
        Network net = new Network(DataType.DOUBLE);
        int in = net.input(3);
        Recurrent.Embedding layer = new Recurrent.Embedding();
        int e = net.add("embedding", layer, new long[] {3, DIM}, in);
        net.param(e, "weight", new long[] {VOCABULARY, DIM}, true, Network.Init.normal(1));
        net.build(Loss.Fn.MSE).init(2);
        INDArray w = net.paramViews().get("embedding.weight");
        INDArray out = net.forward(ids(new double[] {2, 8, 0}, new double[] {8, 0, 0}), false);
        near(w.getRow(2), out.slice(0).getRow(0), "row 2");
        near(w.getRow(8), out.slice(0).getRow(1), "row 8");
        near(w.getRow(8), out.slice(1).getRow(0), "row 8 again");
        near(w.getRow(0), out.slice(1).getRow(2), "the padding id's row");
        assertEquals(ids(new double[] {1, 1, 0}, new double[] {1, 0, 0}), layer.outMask());
        // backward: each row gets the sum of the gradients of its tokens
        INDArray g = Nd4j.rand(DataType.DOUBLE, 2, 3, DIM);
        net.backward(g);
        INDArray gw = net.grads().reshape(VOCABULARY, DIM);
        near(g.slice(0).getRow(1).add(g.slice(1).getRow(0)), gw.getRow(8), "gradient of row 8 (two tokens)");
        near(g.slice(0).getRow(2).add(g.slice(1).getRow(1)).add(g.slice(1).getRow(2)), gw.getRow(0), "gradient of row 0");
        assertEquals(0.0, gw.getRow(5).amaxNumber().doubleValue(), 0.0, "an unused row");
    }
}
