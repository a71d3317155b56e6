package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What the sequence layers compute, on small inputs worked out by hand or against a plain loop: padded keys and
 * later steps do not reach attention's outputs, the global pools ignore padded steps, pooling windows and the
 * mask they pass on, dense / layernorm / concat on {@code [T, F]} step by step, the sinusoidal code.
 */
class SequenceTest {
    static final double TOL = 1e-9;

    static INDArray seq(double[][][] a) { return Nd4j.createFromArray(a); }

    static INDArray randn(long... shape) {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    static double maxDiff(INDArray a, INDArray b) { return Nd4j.math().abs(a.sub(b)).maxNumber().doubleValue(); }

    /** steps from..to (exclusive) of sample i */
    static INDArray steps(INDArray a, int i, long from, long to) {
        return a.get(NDArrayIndex.point(i), NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    @Test
    void attentionIgnoresPaddedKeys() {
        SeqNet b = new SeqNet(5, 4).masked(5, 3).attention(2, false);
        Network net = b.build();
        INDArray x = randn(2, 5, 4);
        INDArray y1 = net.forward(x, false).dup();
        INDArray x2 = x.dup();
        steps(x2, 1, 3, 5).assign(randn(2, 4).mul(10));
        INDArray y2 = net.forward(x2, false).dup();
        assertTrue(maxDiff(steps(y1, 0, 0, 5), steps(y2, 0, 0, 5)) < TOL, "sample 0 changed");
        assertTrue(maxDiff(steps(y1, 1, 0, 3), steps(y2, 1, 0, 3)) < TOL, "real steps of sample 1 saw its padding");
        // the same change without a mask does reach the real steps: the test above can fail
        Network open = new SeqNet(5, 4).attention(2, false).build();
        assertTrue(maxDiff(steps(open.forward(x, false).dup(), 1, 0, 3), steps(open.forward(x2, false).dup(), 1, 0, 3)) > 1e-3);
    }

    @Test
    void causalAttentionSeesNoLaterStep() {
        Network net = new SeqNet(6, 4).attention(2, true).build();
        INDArray x = randn(2, 6, 4);
        INDArray y1 = net.forward(x, false).dup();
        INDArray x2 = x.dup();
        steps(x2, 0, 4, 5).addi(3.0);
        INDArray y2 = net.forward(x2, false).dup();
        assertTrue(maxDiff(steps(y1, 0, 0, 4), steps(y2, 0, 0, 4)) < TOL, "steps before 4 saw step 4");
        assertTrue(maxDiff(steps(y1, 0, 4, 6), steps(y2, 0, 4, 6)) > 1e-3, "steps 4 and 5 did not see step 4");
        assertTrue(maxDiff(steps(y1, 1, 0, 6), steps(y2, 1, 0, 6)) < TOL, "sample 1 changed");
    }

    @Test
    void floatAttentionWithMasksHasNoNaN() {
        Network net = new SeqNet(DataType.FLOAT, 5, 4).masked(5, 0, 2).attention(2, true).globalMaxPool().build();
        INDArray y = net.forward(randn(3, 5, 4).castTo(DataType.FLOAT), true);
        assertFalse(y.isNaN().any() || y.isInfinite().any(), "output " + y);
        net.backward(Nd4j.onesLike(y));
        assertFalse(net.grads().isNaN().any() || net.grads().isInfinite().any(), "gradients hold NaN or infinity");
        assertEquals(0.0, y.getRow(1).norm2Number().doubleValue(), 0.0, "an all-padding sample pools to 0");
    }

    /** A masked transformer block with every sequence layer, built twice from one seed. */
    static SeqNet block(DataType dt) {
        SeqNet b = new SeqNet(dt, 8, 4).masked(8, 5, 1).conv1d(6, 3, 1, 1, true, true).positional(false);
        int in = b.cur;
        int att = b.attention(2, true).cur;
        b.add(in, att).layerNorm();
        int mid = b.cur;
        int ff = b.denseSteps(12, true).act(Activation.Fn.GELU).denseSteps(6, true).cur;
        int left = b.add(mid, ff).pool1d(true, 2, 2, false).globalMaxPool().cur;
        int right = b.from(mid).pool1d(false, 3, 1, true).globalAvgPool().cur;
        return b.concat(left, right).dense(3);
    }

    @Test
    void floatEqualsDouble() {
        INDArray x = randn(3, 8, 4);
        INDArray yd = block(DataType.DOUBLE).build().forward(x, false);
        INDArray yf = block(DataType.FLOAT).build().forward(x.castTo(DataType.FLOAT), false);
        assertEquals(DataType.FLOAT, yf.dataType());
        assertTrue(maxDiff(yd, yf.castTo(DataType.DOUBLE)) < 1e-4, "float " + yf + " against double " + yd);
        assertTrue(yd.norm2Number().doubleValue() > 1e-2);
    }

    @Test
    void globalPoolsOverTimeIgnorePadding() {
        INDArray x = seq(new double[][][] {
            {{1, -1}, {3, -5}, {2, -2}, {100, 100}},  // length 3: the last step is padding
            {{4, 0}, {-7, 1}, {9, 9}, {9, 9}},        // length 2
            {{5, 5}, {5, 5}, {5, 5}, {5, 5}}});       // no real step
        Network max = new SeqNet(4, 2).masked(3, 2, 0).globalMaxPool().build();
        assertEquals(Nd4j.createFromArray(new double[][] {{3, -1}, {4, 1}, {0, 0}}), max.forward(x, false));
        Network avg = new SeqNet(4, 2).masked(3, 2, 0).globalAvgPool().build();
        assertTrue(maxDiff(Nd4j.createFromArray(new double[][] {{2, -8.0 / 3}, {-1.5, 0.5}, {0, 0}}), avg.forward(x, false)) < TOL);
        // without a mask every step counts
        Network all = new SeqNet(4, 2).globalAvgPool().build();
        assertTrue(maxDiff(Nd4j.createFromArray(new double[][] {{26.5, 23}, {3.75, 4.75}, {5, 5}}), all.forward(x, false)) < TOL);
    }

    @Test
    void globalMaxPoolOverPlanes() {
        INDArray x = randn(2, 3, 4, 5);
        Network net = new SeqNet(3, 4, 5).globalMaxPool().build();
        INDArray y = net.forward(x, false);
        for (int i = 0; i < 2; i++) for (int c = 0; c < 3; c++) {
            assertEquals(x.get(NDArrayIndex.point(i), NDArrayIndex.point(c)).maxNumber().doubleValue(), y.getDouble(i, c), TOL);
        }
    }

    @Test
    void pool1dWindows() {
        INDArray x = seq(new double[][][] {{{1}, {3}, {2}, {5}, {4}}});
        assertEquals(Nd4j.createFromArray(new double[][][] {{{3}, {5}}}), new SeqNet(5, 1).pool1d(true, 2, 2, false).build().forward(x, false));
        // same, size 3, stride 2 over 5 steps: 3 windows, one step of padding before (not counted in the mean)
        INDArray avg = new SeqNet(5, 1).pool1d(false, 3, 2, true).build().forward(x, false);
        assertTrue(maxDiff(Nd4j.createFromArray(new double[][][] {{{2}, {10.0 / 3}, {4.5}}}), avg) < TOL, avg.toString());
    }

    @Test
    void convAndPoolPassOnTheMaskOfTheirWindows() {
        SeqNet b = new SeqNet(6, 2).masked(6, 2, 0).pool1d(true, 2, 2, false);
        b.build().forward(randn(3, 6, 2), false);
        assertEquals(Nd4j.createFromArray(new double[][] {{1, 1, 1}, {1, 0, 0}, {0, 0, 0}}), b.layer(b.cur).outMask());
        // conv1d same, kernel 3, stride 2 over 6 steps: total padding 1, after; windows at 0-2, 2-4, 4-6
        SeqNet c = new SeqNet(6, 2).masked(6, 3, 1).conv1d(2, 3, 2, 1, true, true);
        c.build().forward(randn(3, 6, 2), false);
        assertEquals(Nd4j.createFromArray(new double[][] {{1, 1, 1}, {1, 1, 0}, {1, 0, 0}}), c.layer(c.cur).outMask());
        // no mask in, none out
        SeqNet d = new SeqNet(6, 2).conv1d(2, 3, 1, 1, false, true);
        d.build().forward(randn(3, 6, 2), false);
        assertNull(d.layer(d.cur).outMask());
    }

    @Test
    void denseOnStepsIsOneDensePerStep() {
        SeqNet b = new SeqNet(4, 3).denseSteps(5, true).act(Activation.Fn.TANH);
        Network net = b.build();
        INDArray x = randn(2, 4, 3);
        INDArray y = net.forward(x, false);
        assertArrayEquals(new long[] {2, 4, 5}, y.shape());
        INDArray w = net.paramViews().get("dense1.weight"), bias = net.paramViews().get("dense1.bias");
        bias.assign(randn(5));
        y = net.forward(x, false);
        for (int i = 0; i < 2; i++) for (int t = 0; t < 4; t++) {
            INDArray step = x.get(NDArrayIndex.point(i), NDArrayIndex.point(t)).reshape(1, 3);
            INDArray want = org.nd4j.linalg.ops.transforms.Transforms.tanh(step.mmul(w).add(bias.reshape(1, 5)));
            assertTrue(maxDiff(want.reshape(5), y.get(NDArrayIndex.point(i), NDArrayIndex.point(t))) < TOL, "sample " + i + " step " + t);
        }
    }

    @Test
    void layerNormOnStepsNormalisesEachStep() {
        Network net = new SeqNet(4, 6).layerNorm().build();
        INDArray x = randn(3, 4, 6).muli(5).addi(2);
        INDArray y = net.forward(x, false);
        INDArray mean = y.mean(2), var = y.var(false, 2);
        assertTrue(Nd4j.math().abs(mean).maxNumber().doubleValue() < 1e-9, "means " + mean);
        assertTrue(Nd4j.math().abs(var.sub(1)).maxNumber().doubleValue() < 1e-4, "variances " + var);
    }

    @Test
    void concatOnStepsJoinsFeatures() {
        SeqNet b = new SeqNet(3, 2).denseSteps(4, true);
        int a = b.cur;
        int p = b.from(0).positional(false).cur;
        b.concat(a, p);
        Network net = b.build();
        INDArray x = randn(2, 3, 2);
        INDArray y = net.forward(x, false);
        assertArrayEquals(new long[] {2, 3, 6}, y.shape());
        INDArray left = y.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4));
        INDArray right = y.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, 6));
        assertTrue(maxDiff(left, b.layer(a).out) < TOL);
        assertTrue(maxDiff(right, b.layer(p).out) < TOL);
    }

    @Test
    void sinusoidalCode() {
        INDArray pe = Sequence.Positional.sinusoidal(5, 6);
        assertEquals(0.0, pe.getDouble(0, 0), TOL);
        assertEquals(1.0, pe.getDouble(0, 1), TOL);
        assertEquals(Math.sin(3), pe.getDouble(3, 0), TOL);
        assertEquals(Math.cos(3), pe.getDouble(3, 1), TOL);
        assertEquals(Math.sin(3 / Math.pow(10000, 2.0 / 6)), pe.getDouble(3, 2), TOL);
        assertEquals(Math.cos(4 / Math.pow(10000, 4.0 / 6)), pe.getDouble(4, 5), TOL);
        Network net = new SeqNet(5, 6).positional(false).build();
        INDArray x = randn(2, 5, 6);
        assertTrue(maxDiff(x.add(pe.reshape(1, 5, 6).broadcast(2, 5, 6)), net.forward(x, false)) < TOL);
    }
}
