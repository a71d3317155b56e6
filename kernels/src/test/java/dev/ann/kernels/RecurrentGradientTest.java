package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Embedding, LSTM and GRU: the analytic gradients (backward through time) against central finite differences
 * in double precision, elements spread over every parameter tensor (each role, each direction); the relative error |a - n| / (|a| + |n|) is below
 * 1e-5 or the absolute error below 1e-7. Batches with padding (id 0 at the end of a row) check the masked
 * paths; the padding id then gets no gradient at all, which is asserted too.
 */
class RecurrentGradientTest {
    static final double EPS = 1e-6, TOL = 1e-5, ABS = 1e-7;
    static final int PER_TENSOR = 4;
    static final int VOCABULARY = 7, DIM = 3, UNITS = 3, STEPS = 5, OUT = 2;

    /** A network under test and the op whose parameter elements are checked. */
    record Net(Network net, INDArray x, INDArray y) {}

    /** Three samples of token ids; padded: lengths 5, 3 and 1 (the rest id 0), else all 5 steps real. */
    static INDArray ids(boolean padded, Random r) {
        int[] lengths = padded ? new int[] {STEPS, 3, 1} : new int[] {STEPS, STEPS, STEPS};
        double[][] v = new double[lengths.length][STEPS];
        for (int i = 0; i < lengths.length; i++) for (int t = 0; t < lengths[i]; t++) v[i][t] = 1 + r.nextInt(VOCABULARY - 1);
        return Nd4j.createFromArray(v);
    }

    /** Declares the four parameters of one direction (PyTorch's layout) with a normal init. */
    static void rnnParams(Network net, int op, boolean gru, int units, long features, boolean bidirectional) {
        long gu = (gru ? 3L : 4L) * units;
        for (String sfx : bidirectional ? new String[] {"", "_reverse"} : new String[] {""}) {
            net.param(op, "weight_ih" + sfx, new long[] {gu, features}, true, Network.Init.normal(0.5));
            net.param(op, "weight_hh" + sfx, new long[] {gu, units}, true, Network.Init.normal(0.5));
            net.param(op, "bias_ih" + sfx, new long[] {gu}, true, Network.Init.normal(0.3));
            net.param(op, "bias_hh" + sfx, new long[] {gu}, true, Network.Init.normal(0.3));
        }
    }

    static long[] rnnOut(int units, boolean sequences, boolean bidirectional) {
        int w = (bidirectional ? 2 : 1) * units;
        return sequences ? new long[] {STEPS, w} : new long[] {w};
    }

    /** ids -> embedding -> lstm/gru -> dense(2), mse. */
    static Net embeddingRnn(boolean gru, boolean sequences, boolean bidirectional, boolean padded) {
        Network net = new Network(DataType.DOUBLE);
        int in = net.input(STEPS);
        int e = net.add("embedding", new Recurrent.Embedding(), new long[] {STEPS, DIM}, in);
        net.param(e, "weight", new long[] {VOCABULARY, DIM}, true, Network.Init.normal(0.8));
        long[] ro = rnnOut(UNITS, sequences, bidirectional);
        int r = net.add("rnn", new Recurrent.Rnn(gru, UNITS, sequences, bidirectional), ro, e);
        rnnParams(net, r, gru, UNITS, DIM, bidirectional);
        dense(net, r, Layers.prod(ro));
        return withData(net, ids(padded, new Random(11)));
    }

    /** ids -> embedding -> rnn (sequences, the mask handed on) -> rnn (last output) -> dense(2). */
    static Net stacked(boolean gru, boolean bidirectional) {
        Network net = new Network(DataType.DOUBLE);
        int in = net.input(STEPS);
        int e = net.add("embedding", new Recurrent.Embedding(), new long[] {STEPS, DIM}, in);
        net.param(e, "weight", new long[] {VOCABULARY, DIM}, true, Network.Init.normal(0.8));
        long[] r1o = rnnOut(2, true, bidirectional);
        int r1 = net.add("rnn1", new Recurrent.Rnn(gru, 2, true, bidirectional), r1o, e);
        rnnParams(net, r1, gru, 2, DIM, bidirectional);
        int r2 = net.add("rnn2", new Recurrent.Rnn(!gru, UNITS, false, false), rnnOut(UNITS, false, false), r1);
        rnnParams(net, r2, !gru, UNITS, r1o[1], false);
        dense(net, r2, UNITS);
        return withData(net, ids(true, new Random(12)));
    }

    /** Sequences of features straight from the data (no mask, no input gradient) -> rnn -> dense(2). */
    static Net fromData(boolean gru, boolean bidirectional) {
        Network net = new Network(DataType.DOUBLE);
        int in = net.input(STEPS, 4);
        long[] ro = rnnOut(UNITS, false, bidirectional);
        int r = net.add("rnn", new Recurrent.Rnn(gru, UNITS, false, bidirectional), ro, in);
        rnnParams(net, r, gru, UNITS, 4, bidirectional);
        dense(net, r, Layers.prod(ro));
        Nd4j.getRandom().setSeed(13);
        return withData(net, Nd4j.randn(DataType.DOUBLE, 3, STEPS, 4));
    }

    static void dense(Network net, int from, long in) {
        int d = net.add("dense", new Layers.Dense(), new long[] {OUT}, from);
        net.param(d, "weight", new long[] {in, OUT}, true, Network.Init.normal(0.5));
        net.param(d, "bias", new long[] {OUT}, true, Network.Init.normal(0.1));
    }

    static Net withData(Network net, INDArray x) {
        net.build(Loss.Fn.MSE).init(3);
        Nd4j.getRandom().setSeed(14);
        return new Net(net, x, Nd4j.randn(DataType.DOUBLE, x.size(0), OUT));
    }

    @TestFactory
    List<DynamicTest> gradients() {
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean gru : new boolean[] {false, true}) {
            String kind = gru ? "gru" : "lstm";
            // padded batches (the masked paths) in every combination; one full batch for the unmasked paths
            for (boolean sequences : new boolean[] {false, true}) {
                for (boolean bi : new boolean[] {false, true}) tests.add(embeddingCase(gru, sequences, bi, true));
            }
            tests.add(embeddingCase(gru, true, true, false));
            tests.add(DynamicTest.dynamicTest("stacked " + kind + " (sequences, bidirectional) -> other kind, padded",
                    () -> check(stacked(gru, true), "stacked " + kind)));
            tests.add(DynamicTest.dynamicTest("stacked " + kind + " -> other kind, padded", () -> check(stacked(gru, false), "stacked " + kind)));
            tests.add(DynamicTest.dynamicTest(kind + " on features from the data", () -> check(fromData(gru, false), kind + " from data")));
            tests.add(DynamicTest.dynamicTest(kind + " bidirectional on features from the data", () -> check(fromData(gru, true), kind + " bi from data")));
        }
        return tests;
    }

    static DynamicTest embeddingCase(boolean gru, boolean sequences, boolean bi, boolean padded) {
        String name = "embedding -> " + (gru ? "gru" : "lstm") + (sequences ? " sequences" : " last") + (bi ? " bidirectional" : "")
                + (padded ? ", padded batch" : ", full batch");
        return DynamicTest.dynamicTest(name, () -> {
            Net n = embeddingRnn(gru, sequences, bi, padded);
            check(n, name);
            if (padded) assertPaddingRowGetsNoGradient(n, name);
        });
    }

    static double loss(Network net, Loss loss, INDArray x, INDArray y) {
        return loss.compute(net.forward(x, true), y, null);
    }

    /** Analytic against central differences, for about PER_TENSOR elements spread over each parameter tensor. */
    static void check(Net n, String name) {
        Network net = n.net();
        Loss loss = new Loss(Loss.Fn.MSE, false, 0, net.fusion());
        // twice, so that a backward that adds to the last pass's gradients instead of writing them would show
        for (int k = 0; k < 2; k++) {
            INDArray out = net.forward(n.x(), true);
            INDArray g = out.ulike();
            loss.compute(out, n.y(), g);
            net.backward(g);
        }
        INDArray analytic = net.grads().dup();
        INDArray p = net.params();
        double worst = 0;
        String worstAt = "";
        int nonzero = 0, checked = 0;
        long off = 0;
        for (Network.Param q : net.trainableParams()) {
            for (long j = 0; j < q.size(); j += Math.max(1, q.size() / PER_TENSOR)) {
                long i = off + j;
                double v = p.getDouble(i);
                p.putScalar(i, v + EPS);
                double lp = loss(net, loss, n.x(), n.y());
                p.putScalar(i, v - EPS);
                double lm = loss(net, loss, n.x(), n.y());
                p.putScalar(i, v);
                double num = (lp - lm) / (2 * EPS), an = analytic.getDouble(i);
                double diff = Math.abs(an - num), rel = diff / Math.max(Math.abs(an) + Math.abs(num), 1e-300);
                if (diff > ABS && rel > worst) { worst = rel; worstAt = q.name() + "[" + j + "]: analytic " + an + ", numeric " + num; }
                if (Math.abs(num) > 1e-6) nonzero++;
                checked++;
            }
            off += q.size();
        }
        assertTrue(worst < TOL, name + ": relative error " + worst + " at " + worstAt);
        assertTrue(nonzero > checked / 2, name + ": only " + nonzero + " of " + checked + " gradients checked are not zero");
    }

    /** Padded steps are skipped: row 0 of the embedding (the padding id's vector) has a zero gradient. */
    static void assertPaddingRowGetsNoGradient(Net n, String name) {
        INDArray row0 = n.net().grads().get(NDArrayIndex.interval(0, DIM));
        assertEquals(0.0, row0.norm1Number().doubleValue(), 0.0, name + ": the padding id's row got a gradient " + row0);
    }

    @Test
    void anIdOutsideTheVocabularyIsRefusedWithWhatToDo() {
        Net n = embeddingRnn(false, false, false, false);
        INDArray x = n.x().dup();
        x.putScalar(1, 2, VOCABULARY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> n.net().forward(x, false));
        assertTrue(e.getMessage().contains("token id 7 is outside its vocabulary of 7"), e.getMessage());
    }
}
