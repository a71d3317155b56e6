package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LSTM and GRU steps in plain Java (one pass over a step's arrays, the CPU's way) give what ND4J's element-wise
 * ops give (the CUDA backend's way, asked for with {@code Rnn.javaLoops = false}): the output, every parameter's
 * gradient and the input's gradient, with and without padding, one direction and bidirectional, every step's
 * output and the last one; float to float rounding, double to 1e-12.
 */
class RecurrentFastPathTest {
    static final int STEPS = 7, FEATURES = 3, UNITS = 5;

    /** input [STEPS, FEATURES] -> masked (1 where a step is real; null: no mask) -> lstm/gru. */
    static SeqNet net(DataType dt, boolean gru, boolean sequences, boolean bi, boolean java, double[][] mask) {
        SeqNet s = new SeqNet(dt, STEPS, FEATURES);
        if (mask == null) s.masked((int[]) null);
        else s.masked(mask);
        int w = (bi ? 2 : 1) * UNITS;
        Recurrent.Rnn rnn = new Recurrent.Rnn(gru, UNITS, sequences, bi);
        rnn.javaLoops = java;
        s.op("rnn", rnn, sequences ? new long[] {STEPS, w} : new long[] {w});
        RecurrentGradientTest.rnnParams(s.net, s.cur, gru, UNITS, FEATURES, bi);
        s.build();
        return s;
    }

    @TestFactory
    List<DynamicTest> javaStepsEqualNd4jOps() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (boolean gru : new boolean[] {false, true}) {
                for (boolean bi : new boolean[] {false, true}) {
                    for (boolean sequences : new boolean[] {false, true}) {
                        for (boolean padded : new boolean[] {false, true}) {
                            String name = dt + " " + (gru ? "gru" : "lstm") + (bi ? " bidirectional" : "")
                                    + (sequences ? ", sequences" : ", last output") + (padded ? ", padded" : "");
                            tests.add(DynamicTest.dynamicTest(name, () -> compare(dt, gru, bi, sequences, padded, name)));
                        }
                    }
                }
            }
        }
        return tests;
    }

    static void compare(DataType dt, boolean gru, boolean bi, boolean sequences, boolean padded, String name) {
        // padding at the end, at the start, between real steps; step 3 real in every sample (no masking there)
        double[][] mask = padded ? new double[][] {
            {1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1}, {1, 0, 1, 1, 0, 1, 1}, {1, 1, 1, 1, 0, 0, 0}, {0, 1, 0, 1, 0, 0, 1}} : null;
        int n = 5;
        SeqNet fast = net(dt, gru, sequences, bi, true, mask), slow = net(dt, gru, sequences, bi, false, mask);
        Recurrent.Rnn fastRnn = (Recurrent.Rnn) fast.layer(fast.cur), slowRnn = (Recurrent.Rnn) slow.layer(slow.cur);
        close(slow.net.params(), fast.net.params(), 0, name + ": the same parameters");
        double tol = dt == DataType.FLOAT ? 2e-5 : 1e-12;
        for (int round = 0; round < 2; round++) { // the second round reuses the first one's arrays
            Nd4j.getRandom().setSeed(40 + round);
            INDArray x = Nd4j.randn(dt, n, STEPS, FEATURES).muli(1.5);
            INDArray yf = fast.net.forward(x, true).dup(), ys = slow.net.forward(x, true).dup();
            assertTrue(fastRnn.ranJava(), name + ": the Java loops ran");
            assertFalse(slowRnn.ranJava(), name + ": ND4J's ops ran");
            close(ys, yf, tol, name + ": output");
            INDArray g = Nd4j.randn(dt, yf.shape());
            fast.net.backward(g);
            slow.net.backward(g);
            close(slow.net.grads(), fast.net.grads(), tol * 10, name + ": parameter gradients");
            INDArray gxs = ((SeqNet.Masked) slow.layer(1)).gradIn, gxf = ((SeqNet.Masked) fast.layer(1)).gradIn;
            close(gxs, gxf, tol * 10, name + ": input gradient");
            assertTrue(fast.net.grads().amaxNumber().doubleValue() > 1e-2, name + ": gradients that say something");
        }
    }

    /** The embedding's weight gradient summed in Java equals ND4J's segment sum (words repeated in a batch, padding ids), float and double. */
    @org.junit.jupiter.api.Test
    void embeddingGradientInJavaEqualsTheSegmentSum() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Network[] nets = new Network[2];
            Recurrent.Embedding[] embs = new Recurrent.Embedding[2];
            for (int k = 0; k < 2; k++) {
                Network net = new Network(dt);
                int in = net.input(STEPS);
                embs[k] = new Recurrent.Embedding();
                embs[k].javaLoops = k == 0;
                int e = net.add("embedding", embs[k], new long[] {STEPS, FEATURES}, in);
                net.param(e, "weight", new long[] {9, FEATURES}, true, Network.Init.normal(0.8));
                Recurrent.Rnn rnn = new Recurrent.Rnn(false, UNITS, true, false);
                int r = net.add("rnn", rnn, new long[] {STEPS, UNITS}, e);
                RecurrentGradientTest.rnnParams(net, r, false, UNITS, FEATURES, false);
                net.build(Loss.Fn.MSE).init(4);
                nets[k] = net;
            }
            double[][][] batches = {{{3, 5, 3, 8, 1, 1, 2}, {0, 0, 4, 5, 6, 7, 8}, {2, 2, 2, 0, 0, 0, 0}},
                                    {{1, 2, 2, 2, 0, 0, 0}, {4, 4, 5, 6, 7, 8, 1}, {8, 1, 0, 0, 0, 0, 0}}}; // the second without word 3
            for (double[][] batch : batches) {
                INDArray ids = Nd4j.createFromArray(batch).castTo(dt), g = null;
                for (Network net : nets) {
                    INDArray y = net.forward(ids, true);
                    if (g == null) { Nd4j.getRandom().setSeed(5); g = Nd4j.randn(dt, y.shape()); }
                    net.backward(g);
                }
                assertTrue(embs[0].javaIds, dt + ": the Java loop ran");
                assertFalse(embs[1].javaIds, dt + ": the segment sum ran");
                double tol = dt == DataType.FLOAT ? 2e-5 : 1e-12;
                close(nets[1].grads(), nets[0].grads(), tol, dt + ": gradients");
                INDArray gw = nets[0].grads().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 9 * FEATURES)).reshape(9, FEATURES);
                assertTrue(gw.getRow(2).amaxNumber().doubleValue() > 1e-3, dt + ": a repeated word's row");
            }
        }
    }

    private static void close(INDArray want, INDArray got, double tol, String what) {
        double[] a = want.dup('c').castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double[] b = got.dup('c').castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        assertEquals(a.length, b.length, what + ": length");
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], tol * (1 + Math.abs(a[i])), what + " " + i);
    }
}
