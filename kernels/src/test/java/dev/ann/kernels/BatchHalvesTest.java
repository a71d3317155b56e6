package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** A batch trained as two halves on two threads ({@link BatchHalves}) against one pass over the whole batch. */
class BatchHalvesTest {
    static final int STEPS = 6, FEATURES = 4, UNITS = 4;

    /** ids -> embedding -> LSTM (every step) -> attention (2 heads, padded keys masked) -> [dropout] -> mean over time -> dense(3) */
    static Network net(double dropout) {
        Network net = new Network(DataType.DOUBLE);
        int in = net.input(STEPS);
        int e = net.add("embedding", new Recurrent.Embedding(), new long[] {STEPS, FEATURES}, in);
        net.param(e, "weight", new long[] {9, FEATURES}, true, Network.Init.normal(0.8));
        int r = net.add("lstm", new Recurrent.Rnn(false, UNITS, true, false), new long[] {STEPS, UNITS}, e);
        RecurrentGradientTest.rnnParams(net, r, false, UNITS, FEATURES, false);
        int a = net.add("attention", new Sequence.Attention(2, false), new long[] {STEPS, UNITS}, r);
        net.param(a, "in_weight", new long[] {3 * UNITS, UNITS}, true, Network.Init.xavier(UNITS, 3 * UNITS));
        net.param(a, "in_bias", new long[] {3 * UNITS}, true, Network.Init.normal(0.1));
        net.param(a, "out_weight", new long[] {UNITS, UNITS}, true, Network.Init.xavier(UNITS, UNITS));
        net.param(a, "out_bias", new long[] {UNITS}, true, Network.Init.normal(0.1));
        int last = a;
        if (dropout > 0) last = net.add("dropout", new Layers.Dropout(dropout), new long[] {STEPS, UNITS}, last);
        int p = net.add("globalavgpool", new Layers.GlobalAvgPool(), new long[] {UNITS}, last);
        int d = net.add("dense", new Layers.Dense(), new long[] {3}, p);
        net.param(d, "weight", new long[] {UNITS, 3}, true, Network.Init.he(UNITS));
        net.param(d, "bias", new long[] {3}, true, Network.Init.normal(0.1));
        net.build(Loss.Fn.MSE).init(4);
        return net;
    }

    static Loss loss(Network net) { return new Loss(Loss.Fn.MSE, false, 0, net.fusion()); }

    /** n samples of token ids 1..8 with padding (id 0) at the end of some, and targets */
    static INDArray[] batch(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[][] ids = new double[n][STEPS];
        for (int i = 0; i < n; i++) {
            int len = i % 3 == 1 ? 2 + r.nextInt(STEPS - 2) : STEPS;
            for (int t = 0; t < len; t++) ids[i][t] = 1 + r.nextInt(8);
        }
        double[][] y = new double[n][3];
        for (double[] row : y) for (int k = 0; k < 3; k++) row[k] = r.nextGaussian();
        return new INDArray[] {Nd4j.createFromArray(ids), Nd4j.createFromArray(y)};
    }

    @Test
    void theHalvesGiveTheWholeBatchsLossAndGradient() {
        for (int n : new int[] {6, 5}) { // equal halves, and 3 + 2 (the mean weighted by the halves' sizes)
            Network whole = net(0), main = net(0);
            BatchHalves h = new BatchHalves(main, loss(main), net(0), loss(main));
            for (int round = 0; round < 2; round++) {
                INDArray[] xy = batch(n, 10 + round);
                INDArray out = whole.forward(xy[0], true), g = out.ulike();
                double want = loss(whole).compute(out, xy[1], g);
                whole.backward(g);
                double got = h.gradient(xy[0], xy[1], 1);
                assertEquals(want, got, 1e-12 * Math.abs(want), n + ": the loss");
                assertClose(whole.grads(), main.grads(), n + ": the gradient");
                assertEquals(2, h.parts());
                long n0 = n - n / 2;
                assertClose(out.get(NDArrayIndex.interval(0, n0), NDArrayIndex.all()), h.out(0), n + ": the first half's output");
                assertClose(out.get(NDArrayIndex.interval(n0, n), NDArrayIndex.all()), h.out(1), n + ": the second half's output");
                assertClose(xy[1].get(NDArrayIndex.interval(n0, n), NDArrayIndex.all()), h.y(1), n + ": the second half's targets");
                // a changed parameter reaches the twin too: it reads the same buffer
                whole.params().muli(0.9);
                main.params().muli(0.9);
            }
        }
    }

    @Test
    void oneSampleTrainsAsOnePart() {
        Network whole = net(0), main = net(0);
        BatchHalves h = new BatchHalves(main, loss(main), net(0), loss(main));
        INDArray[] xy = batch(1, 3);
        INDArray out = whole.forward(xy[0], true), g = out.ulike();
        double want = loss(whole).compute(out, xy[1], g);
        whole.backward(g);
        assertEquals(want, h.gradient(xy[0], xy[1], 1), 0.0);
        assertEquals(1, h.parts());
        assertClose(whole.grads(), main.grads(), "the gradient");
    }

    /**
     * Dropout's masks follow the step's seed in both halves: the same seed twice gives the same gradient (the
     * helper thread's generator is seeded anew each step, not left where the last step left it), another seed another.
     */
    @Test
    void dropoutInBothHalvesFollowsTheStepSeed() {
        Network main = net(0.5);
        BatchHalves h = new BatchHalves(main, loss(main), net(0.5), loss(main));
        INDArray[] xy = batch(6, 4);
        double[][] runs = new double[3][];
        long[] seeds = {21, 21, 22};
        for (int i = 0; i < 3; i++) {
            Nd4j.getRandom().setSeed(seeds[i]);
            h.gradient(xy[0], xy[1], seeds[i]);
            runs[i] = main.grads().dup().toDoubleVector();
        }
        assertArrayEquals(runs[0], runs[1], 0.0, "the same step seed, the same masks");
        assertEquals(false, java.util.Arrays.equals(runs[0], runs[2]), "another seed, other masks");
    }

    @Test
    void onlyANetworkOfTheSameOpsShares() {
        Network main = net(0);
        Network other = new Network(DataType.DOUBLE);
        int in = other.input(STEPS);
        int d = other.add("dense", new Layers.Dense(), new long[] {3}, in);
        other.param(d, "weight", new long[] {STEPS, 3}, true, Network.Init.he(STEPS));
        other.build(Loss.Fn.MSE);
        assertThrows(IllegalArgumentException.class, () -> other.share(main));
    }

    private static void assertClose(INDArray want, INDArray got, String what) {
        double[] a = want.dup('c').reshape(-1).toDoubleVector(), b = got.dup('c').reshape(-1).toDoubleVector();
        assertEquals(a.length, b.length, what + ": length");
        double max = 0;
        for (double v : a) max = Math.max(max, Math.abs(v));
        org.junit.jupiter.api.Assertions.assertTrue(max > 1e-6, what + ": all zero");
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-10 * (1 + Math.abs(a[i])), what + " " + i);
    }
}
