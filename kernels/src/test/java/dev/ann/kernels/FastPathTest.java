package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The kernels' faster ways give what the plain ways gave: Adam bit for bit, cross-entropy to float rounding, dense+relu to the product's rounding. */
class FastPathTest {
    /** ND4J's backend loaded before a test reaches its native ops directly (NativeOpsHolder fails before that). */
    @BeforeAll
    static void backend() {
        Nd4j.getBackend();
    }
    private static INDArray rand(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, shape);
    }

    /** Adam in chunks (over two threads for the larger size) equals the element-by-element loop bit for bit, over many steps, tail chunk included. */
    /** K.copyIn (a bulk copy into the host buffer) writes what DataBuffer.setData writes, for float batches and the double fallback. */
    @Test
    void copyInWritesWhatSetDataWrites() {
        float[] src = new float[3 * 7];
        for (int k = 0; k < src.length; k++) src[k] = (float) Math.sin(k + 1);
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray want = Nd4j.create(dt, 3, 7), got = Nd4j.create(dt, 3, 7);
            want.data().setData(src);
            K.copyIn(got, src);
            assertArrayEquals(want.reshape(-1).toDoubleVector(), got.reshape(-1).toDoubleVector(), 0.0, dt + "");
            assertEquals(src[8], got.getDouble(1, 1), 0.0, dt + ": row-major");
        }
    }

    @Test
    void adamInChunksEqualsTheElementwiseLoop() {
        for (int n : new int[] {1000, Optimizer.PARALLEL_FROM + 4099}) {
            INDArray p = rand(1, n), m = Nd4j.zeros(DataType.FLOAT, n), v = Nd4j.zeros(DataType.FLOAT, n);
            INDArray p2 = p.dup(), m2 = m.dup(), v2 = v.dup();
            for (int step = 1; step <= 5; step++) {
                INDArray g = rand(10 + step, n);
                double ss = 1e-3 * Math.sqrt(1 - Math.pow(0.999, step)) / (1 - Math.pow(0.9, step));
                Optimizer.adam(p, g, m, v, ss, 0.9, 0.999, 1e-8, n >= Optimizer.PARALLEL_FROM);
                OpBench.adamElementwise(p2, g, m2, v2, ss, 0.9, 0.999, 1e-8);
            }
            assertArrayEquals(p2.toFloatVector(), p.toFloatVector(), 0f, "parameters, n = " + n);
            assertArrayEquals(m2.toFloatVector(), m.toFloatVector(), 0f, "first moments, n = " + n);
            assertArrayEquals(v2.toFloatVector(), v.toFloatVector(), 0f, "second moments, n = " + n);
            assertTrue(p.neq(rand(1, n)).castTo(DataType.INT).sumNumber().intValue() > n / 2, "the parameters moved");
        }
    }

    /** Cross-entropy on logits in one Java pass gives the ND4J ops' loss and gradient (a column-major copy takes the ND4J way). */
    @Test
    void crossEntropyOnLogitsInJavaEqualsTheNd4jOps() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            int n = 37, k = 10;
            INDArray z = rand(3, n, k).muli(4).castTo(dt);
            INDArray y = Nd4j.zeros(dt, n, k);
            for (int i = 0; i < n; i++) y.putScalar(i, (i * 7) % k, 1);
            Loss loss = new Loss(Loss.Fn.CROSS_ENTROPY, false, 1.0, Network.OutputFusion.SOFTMAX);
            INDArray g = Nd4j.zeros(dt, n, k), gf = Nd4j.createUninitialized(dt, new long[] {n, k}, 'f').assign(0);
            double fast = loss.compute(z, y, g);
            double slow = loss.compute(z.dup('f'), y.dup('f'), gf);
            double tol = dt == DataType.FLOAT ? 1e-5 : 1e-12;
            assertEquals(slow, fast, tol * Math.abs(slow), dt + ": loss");
            assertTrue(fast > 0.5, "a loss that says something: " + fast);
            double[] a = g.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector(), b = gf.dup('c').castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
            for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], tol * 10, dt + ": gradient " + i);
            assertEquals(0, g.sumNumber().doubleValue(), 1e-5, "each row of softmax - y sums to 0");
            assertEquals(loss.compute(z, y, null), fast, 0, "without a gradient the same loss");
        }
    }

    /** Flat.View rounds doubles to a float array's floats, and writes those too small to be normal floats as 0 (ND4J's ops flush them; the BLAS is slow on them). */
    @Test
    void flatViewWritesSubnormalFloatsAsZero() {
        INDArray f = Nd4j.zeros(DataType.FLOAT, 6), d = Nd4j.zeros(DataType.DOUBLE, 6);
        double[] v = {1e-39, -3e-40, Float.MIN_NORMAL, -2.5, 1.0 / 3, 0};
        Flat.view(f).put(0, v, 6);
        Flat.view(d).put(0, v, 6);
        assertArrayEquals(new float[] {0, 0, Float.MIN_NORMAL, -2.5f, 1f / 3, 0}, f.toFloatVector(), 0f);
        assertArrayEquals(v, d.toDoubleVector(), 0, "doubles as they are");
        double[] back = new double[6];
        Flat.view(f).get(0, back, 6);
        assertEquals(1f / 3, back[4], 0, "read back as the float it is");
    }

    /**
     * Dense with a fused relu gives relu(x W + b) as ND4J's xw_plus_b and relu did (up to the product's rounding),
     * and its backward pass the same gradients: float (the product, then the bias and relu in Java) and double (ND4J's relu_layer when
     * the inputs count a multiple of 16, else a gemm and the bias).
     */
    @Test
    void denseWithReluIsXwPlusBThenRelu() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (long in : new long[] {12, 32}) {
                denseWithRelu(dt, 16, in);
                denseWithRelu(dt, 1, in); // one sample, as `ann predict` of one row
            }
        }
    }

    /**
     * Runs body with ND4J's ops on one OpenMP thread (as in a one-thread plan), then puts the thread count and
     * {@link Halves#forced} back as they were.
     */
    /**
     * Small products reach OpenBLAS in one native call (K.Blas) and give ND4J's product up to rounding (its
     * matmul sums some layouts in another order): both transposes, alpha and beta, float and double, and operands
     * that are views starting inside a larger buffer (a view's buffer begins at the view: read at the array's
     * offset from it, the product ran past the buffers and crashed the JVM).
     */
    @Test
    void smallProductsStraightToTheBlasGiveNd4jsBits() {
        org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandom();
        rng.setSeed(11);
        int checked = 0;
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (int[] s : new int[][] {{32, 32, 128}, {128, 128, 10}, {32, 64, 2}, {1, 7, 5}, {64, 64, 64}}) {
                int m = s[0], k = s[1], n = s[2];
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    // each operand the rows [3, 3 + r) of a larger array: a view whose buffer starts before it
                    INDArray a = rows(dt, ta ? k : m, ta ? m : k), b = rows(dt, tb ? n : k, tb ? k : n);
                    INDArray c0 = rows(dt, m, n), c1 = c0.dup();
                    double alpha = t == 3 ? 0.5 : 1.0, beta = t >= 2 ? 1.0 : 0.0;
                    assertTrue(K.Blas.small(a, b, c0, k), "takes the direct call: " + m + "x" + k + "x" + n);
                    K.gemm(a, b, c0, ta, tb, alpha, beta);
                    K.Blas.off = true;
                    try {
                        K.gemm(a, b, c1, ta, tb, alpha, beta);
                    } finally {
                        K.Blas.off = false;
                    }
                    String what = dt + " " + m + "x" + k + "x" + n + " transA " + ta + " transB " + tb;
                    // ND4J's matmul sums some layouts in another order than the BLAS: the same up to rounding
                    close(c1, c0, dt == DataType.FLOAT ? 2e-6 : 1e-14, what);
                    checked++;
                }
            }
        }
        assertEquals(40, checked);
        // larger products and arrays that are not plain row-major go through ND4J
        INDArray big = Nd4j.rand(DataType.FLOAT, 128, 784), w = Nd4j.rand(DataType.FLOAT, 784, 256);
        assertTrue(!K.Blas.small(big, w, Nd4j.create(DataType.FLOAT, 128, 256), 784));
        INDArray f = Nd4j.rand(DataType.FLOAT, 'f', 8, 8);
        assertTrue(!K.Blas.small(f, f, Nd4j.create(DataType.FLOAT, 8, 8), 8));
    }

    /**
     * Larger float products reach oneDNN's sgemm in one native call (K.Sgemm), the kernel behind ND4J's own product,
     * and give ND4J's bits exactly: fashion_mlp's, fashion_cnn's last layer's and a bag of words' shapes, both
     * transposes, alpha and beta, operands that are views inside larger buffers, on the calling thread and through
     * {@link K#gemm}'s two-thread rule.
     */
    @Test
    void largeProductsStraightToOneDnnGiveNd4jsBits() {
        assertTrue(K.Sgemm.available(), "oneDNN's sgemm is on the test classpath and gives ND4J's bits on this CPU");
        Nd4j.getRandom().setSeed(12);
        int checked = 0;
        for (int[] s : new int[][] {{128, 784, 256}, {128, 256, 128}, {128, 128, 256}, {64, 3136, 10}, {32, 5000, 64}, {100, 99, 97}}) {
            int m = s[0], k = s[1], n = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                INDArray a = rows(DataType.FLOAT, ta ? k : m, ta ? m : k), b = rows(DataType.FLOAT, tb ? n : k, tb ? k : n);
                INDArray c0 = rows(DataType.FLOAT, m, n), c1 = c0.dup(), c2 = c0.dup(), c3 = c0.dup();
                double alpha = t == 3 ? 0.5 : 1.0, beta = t >= 2 ? 1.0 : 0.0;
                assertTrue(!K.Blas.small(a, b, c0, k), "too large for the BLAS's direct call: " + m + "x" + k + "x" + n);
                K.gemm(a, b, c0, ta, tb, alpha, beta);
                K.gemm(a, b, c2, ta, tb);
                K.Sgemm.off = true;
                try {
                    K.gemm(a, b, c1, ta, tb, alpha, beta);
                    K.gemm(a, b, c3, ta, tb);
                } finally {
                    K.Sgemm.off = false;
                }
                String what = m + "x" + k + "x" + n + " transA " + ta + " transB " + tb;
                assertEquals(c1, c0, what);
                assertEquals(c3, c2, what + " (K.gemm's threads)");
                checked++;
            }
        }
        assertEquals(24, checked);
        // doubles and arrays that are not plain row-major stay with ND4J's call
        INDArray d = Nd4j.rand(DataType.DOUBLE, 128, 784), e = Nd4j.rand(DataType.DOUBLE, 784, 256);
        assertTrue(!K.Sgemm.gemm(d, e, Nd4j.create(DataType.DOUBLE, 128, 256), false, false, 1, 0));
        INDArray f = Nd4j.rand(DataType.FLOAT, 'f', 128, 784), w = Nd4j.rand(DataType.FLOAT, 784, 256);
        assertTrue(!K.Sgemm.gemm(f, w, Nd4j.create(DataType.FLOAT, 128, 256), false, false, 1, 0));
    }

    /**
     * Batched products (attention's) slice by slice straight to the BLAS (K.Blas.batched) give ND4J's batched
     * matmul's bits exactly: the attention's shapes, every transposition, with the scale inside, float and double.
     */
    @Test
    void batchedProductsSliceBySliceGiveNd4jsBits() {
        Nd4j.getRandom().setSeed(13);
        int checked = 0;
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (int[] s : new int[][] {{100, 16, 100}, {100, 100, 16}, {16, 100, 100}, {7, 5, 3}}) {
                int m = s[0], k = s[1], n = s[2], slices = 6;
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    INDArray a = Nd4j.randn(dt, slices, ta ? k : m, ta ? m : k), b = Nd4j.randn(dt, slices, tb ? n : k, tb ? k : n);
                    INDArray c0 = Nd4j.randn(dt, slices, m, n), c1 = c0.dup();
                    double alpha = t == 1 ? 1.0 : 0.25;
                    assertTrue(K.Blas.batched(a, b, c0, ta, tb, alpha), "slice by slice: " + m + "x" + k + "x" + n);
                    K.Blas.off = true;
                    try {
                        Sequence.bmm(a, b, c1, ta, tb, alpha);
                    } finally {
                        K.Blas.off = false;
                    }
                    assertEquals(c1, c0, dt + " " + m + "x" + k + "x" + n + " transA " + ta + " transB " + tb);
                    checked++;
                }
            }
        }
        assertEquals(32, checked);
        // a slice too large for the direct call, or slices that do not match, go to ND4J's op
        assertTrue(!K.Blas.batched(Nd4j.rand(DataType.FLOAT, 2, 100, 100), Nd4j.rand(DataType.FLOAT, 2, 100, 100),
                Nd4j.create(DataType.FLOAT, 2, 100, 100), false, false, 1.0));
        assertTrue(!K.Blas.batched(Nd4j.rand(DataType.FLOAT, 2, 10, 10), Nd4j.rand(DataType.FLOAT, 3, 10, 10),
                Nd4j.create(DataType.FLOAT, 2, 10, 10), false, false, 1.0));
    }

    /** A [n, k] batch mostly of zeros, every {@code every}-th value on average nonzero: counts 1-3, some -0.0 and negative. */
    private static INDArray sparseRows(int n, int k, int every, long seed) {
        java.util.Random r = new java.util.Random(seed);
        INDArray x = rows(DataType.FLOAT, n, k).assign(0);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                if (r.nextInt(every) != 0) continue;
                int v = r.nextInt(8);
                x.putScalar(i, j, v == 0 ? -0.0f : v == 1 ? -1.5f : 1 + v % 3);
            }
        }
        return x;
    }

    /**
     * A batch mostly of zeros (a bag of words) is held by its entries, and its two products with it, x W and
     * xᵀ g, are the BLAS's up to rounding, on views starting inside larger buffers; the weight's gradient is
     * written whole (rows of no entry set to 0) and nothing around it.
     */
    @Test
    void sparseBatchProductsAreTheBlasProducts() {
        // {n, k, units, one in how many nonzero}: the fourth read in several chunks; the last with gaps of zero rows
        // longer than the scratch of zeros that transposeTimes copies between the touched rows
        for (int[] s : new int[][] {{32, 500, 64, 80}, {7, 97, 5, 80}, {1, 300, 16, 80}, {3, 20000, 8, 80}, {2, 30000, 16, 3000}}) {
            int n = s[0], k = s[1], units = s[2];
            INDArray x = sparseRows(n, k, s[3], n + k);
            INDArray w = rows(DataType.FLOAT, k, units), g = rows(DataType.FLOAT, n, units);
            SparseBatch sb = new SparseBatch();
            assertTrue(sb.hold(x), "held: " + n + "x" + k);
            INDArray z = rows(DataType.FLOAT, n, units), want = Nd4j.create(DataType.FLOAT, n, units);
            sb.times(w, z);
            Nd4j.gemm(x, w, want, false, false, 1.0, 0.0);
            close(want, z, 2e-6, "x W " + n + "x" + k + "x" + units);
            INDArray whole = Nd4j.rand(DataType.FLOAT, k + 6, units);
            INDArray before = whole.dup();
            INDArray gw = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 3 + k), org.nd4j.linalg.indexing.NDArrayIndex.all());
            sb.transposeTimes(g, gw);
            INDArray gwWant = Nd4j.create(DataType.FLOAT, k, units);
            Nd4j.gemm(x, g, gwWant, true, false, 1.0, 0.0);
            close(gwWant, gw, 2e-6, "xT g " + n + "x" + k + "x" + units);
            for (int r : new int[] {0, 1, 2, k + 3, k + 4, k + 5}) {
                assertEquals(before.getRow(r), whole.getRow(r), "row " + r + " around the gradient is left alone");
            }
        }
        // a dense batch is not read past its first row; one whose first row is sparse and the rest dense is let go
        SparseBatch sb = new SparseBatch();
        assertTrue(!sb.hold(Nd4j.rand(DataType.FLOAT, 16, 200)));
        INDArray mixed = Nd4j.rand(DataType.FLOAT, 16, 200);
        mixed.getRow(0).assign(0);
        assertTrue(!sb.hold(mixed) && !sb.held());
        assertTrue(!sb.hold(Nd4j.zeros(DataType.DOUBLE, 4, 100)), "float only");
    }

    /**
     * A dense layer on a bag of words trains as with the BLAS's products: the output, and every parameter's
     * gradient (the sparse layer first, a dense one after it), the same up to rounding with sparse batches off.
     */
    @Test
    void denseLayerOnASparseBatchTrainsAsWithTheBlas() {
        int n = 32, in = 400, units = 24;
        INDArray x = sparseRows(n, in, 80, 5);
        assertTrue(new SparseBatch().hold(x), "the batch is sparse enough to be held");
        INDArray[] outs = new INDArray[2], grads = new INDArray[2];
        for (int run = 0; run < 2; run++) {
            SparseBatch.off = run == 1;
            try {
                Network net = new Network(DataType.FLOAT);
                int x0 = net.input(in);
                int d = net.add("dense", new Layers.Dense(), new long[] {units}, x0);
                net.param(d, "weight", new long[] {in, units}, true, Network.Init.he(in));
                net.param(d, "bias", new long[] {units}, true, Network.Init.normal(0.5));
                int r = net.add("relu", new Layers.ActivationLayer(new Activation(Activation.Fn.RELU, 0)), new long[] {units}, d);
                int d2 = net.add("out", new Layers.Dense(), new long[] {3}, r);
                net.param(d2, "weight", new long[] {units, 3}, true, Network.Init.he(units));
                net.param(d2, "bias", new long[] {3}, true, Network.Init.normal(0.5));
                net.build(Loss.Fn.MSE);
                net.init(5);
                net.grads().assign(7); // stale values: the sparse path writes the whole weight gradient
                outs[run] = net.forward(x, true).dup();
                net.backward(rand(11, n, 3));
                grads[run] = net.grads().dup();
            } finally {
                SparseBatch.off = false;
            }
        }
        close(outs[1], outs[0], 2e-6, "output");
        close(grads[1], grads[0], 2e-5, "gradients");
        assertTrue(grads[0].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, in * units)).eq(0).castTo(DataType.INT).sumNumber().intValue() > 0,
                "words absent from the batch have a zero gradient");
    }

    /** The entries a feeder hands over for x: every value whose bits are not zero, in row-major order. */
    private static void giveEntriesOf(INDArray x, INDArray to) {
        float[] v = x.dup('c').data().asFloat();
        int[] flat = new int[v.length];
        float[] vals = new float[v.length];
        int nnz = 0;
        for (int i = 0; i < v.length; i++) {
            if (Float.floatToRawIntBits(v[i]) == 0) continue;
            flat[nnz] = i;
            vals[nnz++] = v[i];
        }
        BatchEntries.give(to, to.size(0), to.size(1), flat, vals, nnz);
    }

    /**
     * Entries handed over by the batch's feeder (BatchEntries) stand in for the scan: the products come out the same
     * bit for bit, the same batches are held or let go, and entries given for another array (or for one of another
     * shape) are not taken for this one.
     */
    @Test
    void givenEntriesGiveTheScansProductsBitForBit() {
        int n = 32, k = 700, units = 24;
        INDArray x = sparseRows(n, k, 60, 21), w = rows(DataType.FLOAT, k, units), g = rows(DataType.FLOAT, n, units);
        INDArray[] z = new INDArray[2], gw = new INDArray[2];
        for (int run = 0; run < 2; run++) {
            if (run == 1) giveEntriesOf(x, x);
            else BatchEntries.give(x.dup(), n, k, new int[0], new float[0], 0); // another array's: not taken
            SparseBatch sb = new SparseBatch();
            assertTrue(sb.hold(x), "held");
            z[run] = Nd4j.create(DataType.FLOAT, n, units);
            gw[run] = Nd4j.rand(DataType.FLOAT, k, units); // stale values: every row is written
            sb.times(w, z[run]);
            sb.transposeTimes(g, gw[run]);
        }
        assertEquals(z[0], z[1], "x W, scanned against given");
        assertEquals(gw[0], gw[1], "xT g, scanned against given");
        INDArray want = Nd4j.create(DataType.FLOAT, n, units);
        Nd4j.gemm(x, w, want, false, false, 1.0, 0.0);
        close(want, z[1], 2e-6, "x W against the BLAS");

        // they are taken as given, without a look at the batch: none given for x, none multiplied
        SparseBatch sb = new SparseBatch();
        BatchEntries.give(x, n, k, new int[0], new float[0], 0);
        assertTrue(sb.hold(x));
        INDArray none = Nd4j.rand(DataType.FLOAT, n, units);
        sb.times(w, none);
        assertEquals(0.0, none.norm1Number().doubleValue(), "the given entries, not the batch's, were multiplied");

        // the scan's rules on given entries: a first row an eighth nonzero, or more entries than one in 32
        INDArray denseFirst = sparseRows(n, k, 60, 22);
        for (int j = 0; j < k; j += 4) denseFirst.putScalar(0, j, 1f);
        giveEntriesOf(denseFirst, denseFirst);
        assertTrue(!sb.hold(denseFirst), "a first row a quarter nonzero is let go");
        INDArray tooMany = sparseRows(n, k, 10, 23);
        giveEntriesOf(tooMany, tooMany);
        assertTrue(!sb.hold(tooMany), "a tenth nonzero is let go");
        // entries of the right memory but another shape are not taken: x as [n / 2, 2k] is scanned
        giveEntriesOf(x, x);
        INDArray wide = x.dup().reshape(n / 2, 2L * k);
        BatchEntries.give(wide, n, k, new int[0], new float[0], 0);
        assertTrue(sb.hold(wide), "scanned, not taken as no entries");
        INDArray z2 = Nd4j.create(DataType.FLOAT, n / 2, units);
        INDArray w2 = rows(DataType.FLOAT, 2 * k, units);
        sb.times(w2, z2);
        INDArray want2 = Nd4j.create(DataType.FLOAT, n / 2, units);
        Nd4j.gemm(wide, w2, want2, false, false, 1.0, 0.0);
        close(want2, z2, 2e-6, "the reshaped batch, scanned");
        BatchEntries.give(Nd4j.create(DataType.FLOAT, 1, 1), 1, 1, new int[0], new float[0], 0);
    }

    /** Random rows [3, 3 + r) of an array of r + 5 rows: a view whose elements start inside its buffer. */
    private static INDArray rows(DataType dt, int r, int cols) {
        INDArray whole = Nd4j.rand(dt, r + 5, cols);
        INDArray v = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 3 + r), org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertEquals(3L * cols, v.offset());
        return v;
    }

    private static void onOneThread(java.util.function.Consumer<org.nd4j.nativeblas.NativeOps> body) {
        var ops = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps();
        int threads = ops.ompGetMaxThreads();
        Boolean forced = Halves.forced;
        ops.setOmpNumThreads(1);
        try {
            body.accept(ops);
        } finally {
            Halves.forced = forced;
            ops.setOmpNumThreads(threads);
        }
    }

    /**
     * A product of at least {@link K#TWO_THREADS_FROM_FLOPS}, which K.gemm runs on two OpenMP threads when ND4J
     * runs on one and a core is free, gives the one-thread product bit for bit, with either factor transposed.
     */
    @Test
    void gemmOnTwoThreadsEqualsOneThread() {
        onOneThread(ops -> {
            assertTrue(2L * 128 * 784 * 256 >= K.TWO_THREADS_FROM_FLOPS, "a product that takes two threads");
            INDArray x = rand(1, 128, 784), w = rand(2, 784, 256), gz = rand(3, 128, 256);
            // and Im2col's weight gradient for 3-channel 32x32 pictures: a tiny output over a long sum (K = n P = 65,536),
            // large enough for two threads by its FLOPs, kept on one by its output (OpenBLAS's two summed in another order)
            INDArray g = rand(4, 16, 65536), col = rand(5, 28, 65536);
            assertTrue(2L * 16 * 28 * 65536 >= K.TWO_THREADS_FROM_FLOPS && 16 * 28 < K.TWO_THREADS_FROM_OUTPUTS,
                    "Im2col's product is large by its FLOPs, small by its output");
            INDArray[][] cases = {{x, w, Nd4j.create(DataType.FLOAT, 128, 256)}, {x, gz, Nd4j.create(DataType.FLOAT, 784, 256)},
                    {gz, w, Nd4j.create(DataType.FLOAT, 128, 784)}, {g, col, Nd4j.create(DataType.FLOAT, 16, 28)}};
            boolean[][] trans = {{false, false}, {true, false}, {false, true}, {false, true}};
            for (int c = 0; c < cases.length; c++) {
                INDArray one = cases[c][2], two = one.ulike();
                Halves.forced = false;
                K.gemm(cases[c][0], cases[c][1], one, trans[c][0], trans[c][1]);
                Halves.forced = true;
                K.gemm(cases[c][0], cases[c][1], two, trans[c][0], trans[c][1]);
                assertEquals(1, ops.ompGetMaxThreads(), "one thread again after the product");
                assertArrayEquals(one.reshape(-1).toFloatVector(), two.reshape(-1).toFloatVector(), 0f, "case " + c);
                INDArray want = (trans[c][0] ? cases[c][0].transpose() : cases[c][0]).mmul(trans[c][1] ? cases[c][1].transpose() : cases[c][1]);
                close(want, two, c == 3 ? 2e-3 : 1e-4, "case " + c + " against mmul");
            }
        });
    }

    /**
     * A product that K.gemm runs in column halves, one on each core ({@link K.Sgemm#inColumnHalves}: fashion_mlp's
     * first layer, forward and weight gradient, and a width that is no multiple of 32) gives the whole product's
     * bits, whichever thread took which half; and the halves are in use for these shapes on this machine (their
     * first product checked them).
     */
    @Test
    void gemmInColumnHalvesEqualsTheWholeProduct() {
        onOneThread(ops -> {
            INDArray x = rand(51, 128, 784), w = rand(52, 784, 256), gz = rand(53, 128, 256), a = rand(54, 128, 1000), b = rand(55, 200, 1000);
            INDArray[][] cases = {{x, w, Nd4j.create(DataType.FLOAT, 128, 256)}, {x, gz, Nd4j.create(DataType.FLOAT, 784, 256)},
                    {gz, w, Nd4j.create(DataType.FLOAT, 128, 784)}, {a, b, Nd4j.create(DataType.FLOAT, 128, 200)}};
            boolean[][] trans = {{false, false}, {true, false}, {false, true}, {false, true}};
            for (int c = 0; c < cases.length; c++) {
                INDArray p = cases[c][0], q = cases[c][1], whole = cases[c][2];
                assertTrue(K.flops(p, whole, trans[c][0]) >= K.TWO_THREADS_FROM_FLOPS, "case " + c + " is large");
                K.Sgemm.halvesOff = true;
                try {
                    K.gemm(p, q, whole, trans[c][0], trans[c][1]);
                } finally {
                    K.Sgemm.halvesOff = false;
                }
                for (int round = 0; round < 20; round++) { // the helper takes a half in some rounds, not in others
                    INDArray halves = whole.ulike().assign(Float.NaN);
                    Halves.forced = round % 4 != 0;
                    K.gemm(p, q, halves, trans[c][0], trans[c][1]);
                    assertEquals(1, ops.ompGetMaxThreads(), "one thread again after the product");
                    assertArrayEquals(whole.data().asFloat(), halves.data().asFloat(), 0f, "case " + c + ", round " + round);
                }
                long k = trans[c][0] ? p.size(0) : p.size(1);
                assertEquals(Boolean.TRUE, K.Sgemm.halvesFor(whole.size(0), whole.size(1), k, trans[c][0], trans[c][1]),
                        "case " + c + " runs in column halves");
            }
        });
    }

    /**
     * A dense layer's input and weight gradients at once ({@link K#gemmPair}, fashion_mlp's second layer: 8 MFLOP
     * each, one on each core) give what the two products give one after the other, bit for bit, and leave ND4J on
     * one thread; below {@link K#PAIR_FROM_FLOPS} (its third layer) they run one after the other all the same.
     */
    @Test
    void gemmPairEqualsOneAfterTheOther() {
        onOneThread(ops -> {
            for (int units : new int[] {128, 10}) {
                INDArray x = rand(41, 128, 256), w = rand(42, 256, units), gz = rand(43, 128, units);
                assertEquals(units == 128, 2L * 128 * 256 * units >= K.PAIR_FROM_FLOPS, "which products pair");
                INDArray[] one = {Nd4j.create(DataType.FLOAT, 128, 256), Nd4j.create(DataType.FLOAT, 256, units)};
                Halves.forced = false;
                K.gemm(gz, w, one[0], false, true);
                K.gemm(x, gz, one[1], true, false);
                for (int round = 0; round < 20; round++) { // the helper takes the second product in some rounds, not in others
                    INDArray[] two = {one[0].ulike(), one[1].ulike()};
                    Halves.forced = true;
                    K.gemmPair(gz, w, two[0], false, true, x, gz, two[1], true, false);
                    assertEquals(1, ops.ompGetMaxThreads(), "one thread again after the pair");
                    for (int k = 0; k < 2; k++) {
                        assertTrue(two[k].amaxNumber().doubleValue() > 0.1, "product " + k + " not all zero");
                        assertArrayEquals(one[k].data().asFloat(), two[k].data().asFloat(), 0f, units + " units, product " + k + ", round " + round);
                    }
                }
            }
            // ND4J on two threads: no pair, and the calling thread's setting stays (it had set this thread's to one for
            // good, and a transformer's numbers changed in the last bits)
            ops.setOmpNumThreads(2);
            INDArray x = rand(41, 128, 256), w = rand(42, 256, 128), gz = rand(43, 128, 128);
            K.gemmPair(gz, w, Nd4j.create(DataType.FLOAT, 128, 256), false, true, x, gz, Nd4j.create(DataType.FLOAT, 256, 128), true, false);
            assertEquals(2, ops.ompGetMaxThreads(), "the calling thread's OpenMP setting after the products");
        });
    }

    /**
     * ND4J's (oneDNN's) convolutions on two OpenMP threads: the forward pass ({@link K#onTwoThreadsIfLarge}) gives
     * what one thread gives, bit for bit, so a training's numbers do not depend on whether the other core was
     * free; the backward pass, whose weight gradient sums the batch's halves on a thread each, does not (the
     * last bits differ), so it takes two threads by the machine's cores alone
     * ({@link K#onTwoThreadsIfLargeSplittingSums}) and gives the same numbers every time. reuters_corn's conv1d
     * (NHWC, height 1, as Sequence.Conv1d runs it) and a 3x3 conv2d (NCHW, same padding).
     */
    @Test
    void convolutionsOnTwoThreads() {
        onOneThread(ops -> {
            long[][][] shapes = {{{32, 1, 200, 32}, {64, 32, 1, 5}, {64}, {32, 1, 196, 64}}, {{32, 16, 14, 14}, {32, 16, 3, 3}, {32}, {32, 32, 14, 14}}};
            long[][] iargs = {{1, 5, 1, 1, 0, 0, 1, 1, 0, 1, 1}, {3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 1}};
            long[] flops = {2L * 32 * 196 * 64 * 5 * 32, 2L * 32 * 32 * 14 * 14 * 9 * 16};
            String[] names = {"input gradient", "weight gradient", "bias gradient"};
            for (int c = 0; c < shapes.length; c++) {
                assertTrue(flops[c] >= K.TWO_THREADS_FROM_FLOPS, "a convolution that takes two threads, case " + c);
                INDArray x = rand(31, shapes[c][0]), w = rand(32, shapes[c][1]), b = rand(33, shapes[c][2]), gz = rand(34, shapes[c][3]);
                long[] ia = iargs[c];
                INDArray one = gz.ulike(), two = gz.ulike();
                Halves.forced = false;
                K.onTwoThreadsIfLarge(flops[c], () -> K.exec("conv2d", new INDArray[] {x, w, b}, new INDArray[] {one}, ia, null));
                Halves.forced = true;
                K.onTwoThreadsIfLarge(flops[c], () -> K.exec("conv2d", new INDArray[] {x, w, b}, new INDArray[] {two}, ia, null));
                assertEquals(1, ops.ompGetMaxThreads(), "one thread again after the convolution");
                assertTrue(two.amaxNumber().doubleValue() > 0.1, "output not all zero, case " + c);
                assertArrayEquals(one.data().asFloat(), two.data().asFloat(), 0f, "output, one thread against two, case " + c);
                Halves.forced = false; // busy: the backward pass takes two threads all the same
                INDArray[][] grads = new INDArray[2][];
                for (int t = 0; t < 2; t++) {
                    INDArray gx = x.ulike(), gw = w.ulike(), gb = b.ulike();
                    grads[t] = new INDArray[] {gx, gw, gb};
                    K.onTwoThreadsIfLargeSplittingSums(2 * flops[c], () -> K.exec("conv2d_bp", new INDArray[] {x, w, b, gz}, new INDArray[] {gx, gw, gb}, ia, null));
                    assertEquals(1, ops.ompGetMaxThreads(), "one thread again after the convolution's backward pass");
                }
                INDArray gw1 = w.ulike();
                K.exec("conv2d_bp", new INDArray[] {x, w, b, gz}, new INDArray[] {x.ulike(), gw1, b.ulike()}, ia, null);
                for (int k = 0; k < 3; k++) {
                    assertTrue(grads[1][k].amaxNumber().doubleValue() > 0.1, names[k] + " not all zero, case " + c);
                    assertArrayEquals(grads[0][k].data().asFloat(), grads[1][k].data().asFloat(), 0f, names[k] + ", twice on two threads, case " + c);
                }
                close(gw1, grads[1][1], 2e-3, "weight gradient (sums over 6,272 positions), one thread against two, case " + c);
            }
        });
    }

    /** Dropout's scale and products in Java give ND4J's ops' floats bit for bit, forward and backward, from the same random mask. */
    @Test
    void dropoutInJavaEqualsTheNd4jOps() {
        long n = 37, f = 300;
        double rate = 0.3;
        Network net = new Network(DataType.FLOAT);
        int x0 = net.input(f);
        Layers.Dropout d = new Layers.Dropout(rate);
        net.add("dropout", d, new long[] {f}, x0);
        net.build(Loss.Fn.MSE);
        net.init(5);
        INDArray x = rand(9, n, f), g = rand(10, n, f);
        Nd4j.getRandom().setSeed(77);
        d.forward(new INDArray[] {x}, true);
        INDArray out = d.out.dup();
        INDArray gx = d.backward(g)[0].dup();
        Nd4j.getRandom().setSeed(77);
        INDArray mask = Nd4j.createUninitialized(DataType.FLOAT, n, f);
        Nd4j.exec(new org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution(mask, 1.0 - rate));
        mask.muli(1.0 / (1.0 - rate));
        assertArrayEquals(x.mul(mask).reshape(-1).toFloatVector(), out.reshape(-1).toFloatVector(), 0f, "output");
        assertArrayEquals(g.mul(mask).reshape(-1).toFloatVector(), gx.reshape(-1).toFloatVector(), 0f, "input gradient");
        long dropped = out.eq(0).castTo(DataType.INT).sumNumber().longValue();
        assertTrue(dropped > n * f / 5 && dropped < n * f * 2 / 5, "about 30% dropped: " + dropped);
    }

    /** Dense without an activation: x W + b (the bias in Java for float), and the bias gradient the column sums of g. */
    @Test
    void denseWithoutActivationIsXwPlusB() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            long n = 13, in = 20, units = 7;
            Network net = denseNet(dt, in, units, false);
            INDArray x = rand(9, n, in).castTo(dt);
            INDArray out = net.forward(x, true).dup();
            Map<String, INDArray> pv = net.paramViews();
            close(x.mmul(pv.get("dense.weight")).addiRowVector(pv.get("dense.bias")), out, dt == DataType.FLOAT ? 1e-5 : 1e-12, dt + " output");
            INDArray g = rand(11, n, units).castTo(dt);
            net.backward(g);
            INDArray grads = net.grads();
            close(x.transpose().mmul(g), grads.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, in * units)).reshape(in, units), 1e-5, dt + " weight gradient");
            close(g.sum(0), grads.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(in * units, in * units + units)), 1e-5, dt + " bias gradient");
        }
    }

    /** input [in] -> dense(units) with a bias (-> relu), built and initialised. */
    private static Network denseNet(DataType dt, long in, long units, boolean relu) {
        Network net = new Network(dt);
        int x0 = net.input(in);
        int d = net.add("dense", new Layers.Dense(), new long[] {units}, x0);
        net.param(d, "weight", new long[] {in, units}, true, Network.Init.he(in));
        net.param(d, "bias", new long[] {units}, true, Network.Init.normal(0.5));
        if (relu) net.add("relu", new Layers.ActivationLayer(new Activation(Activation.Fn.RELU, 0)), new long[] {units}, d);
        net.build(Loss.Fn.MSE);
        net.init(5);
        return net;
    }

    private static void denseWithRelu(DataType dt, long n, long in) {
        long units = 9;
        Network net = denseNet(dt, in, units, true);
        INDArray x = rand(9, n, in).castTo(dt);
        INDArray out = net.forward(x, true).dup();
        Map<String, INDArray> pv = net.paramViews();
        INDArray z = Nd4j.createUninitialized(dt, n, units);
        K.exec("xw_plus_b", new INDArray[] {x, pv.get("dense.weight"), pv.get("dense.bias")}, new INDArray[] {z}, null, null);
        INDArray expect = z.ulike();
        Nd4j.exec(new RectifiedLinear(z, expect, 0.0));
        // the product of a layer this small comes from the BLAS directly (K.Blas), which sums in another order
        // than xw_plus_b for some layouts: the same up to rounding
        close(expect, out, dt == DataType.FLOAT ? 2e-6 : 1e-14, dt + ", " + n + " x " + in);
        if (n > 1) assertTrue(out.eq(0).castTo(DataType.INT).sumNumber().intValue() > 0 && out.gt(0).castTo(DataType.INT).sumNumber().intValue() > 0, "both sides of relu are hit");
        INDArray g = rand(11, n, units).castTo(dt);
        net.backward(g);
        INDArray gz = g.mul(z.gt(0).castTo(dt));
        INDArray gw = x.transpose().mmul(gz);
        INDArray grads = net.grads();
        float[] gwGot = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, in * units)).castTo(DataType.FLOAT).toFloatVector();
        float[] gwWant = gw.reshape(-1).castTo(DataType.FLOAT).toFloatVector();
        for (int i = 0; i < gwGot.length; i++) assertEquals(gwWant[i], gwGot[i], 1e-4f * (1 + Math.abs(gwWant[i])), "weight gradient " + i);
        float[] gbGot = grads.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(in * units, in * units + units)).castTo(DataType.FLOAT).toFloatVector();
        float[] gbWant = gz.sum(0).castTo(DataType.FLOAT).toFloatVector();
        for (int i = 0; i < gbGot.length; i++) assertEquals(gbWant[i], gbGot[i], 1e-4f * (1 + Math.abs(gbWant[i])), "bias gradient " + i);
    }

    private static void close(INDArray want, INDArray got, double tol, String what) {
        double[] a = want.dup('c').castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double[] b = got.dup('c').castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        assertEquals(a.length, b.length, what + ": length");
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], tol * (1 + Math.abs(a[i])), what + " " + i);
    }

    /** batchnorm (+ fused relu) -> a network of one layer, so that the test holds the layer itself. */
    private static Network batchNorm(DataType dt, Layers.BatchNorm bn, boolean relu, long c, long h, long w) {
        Network net = new Network(dt);
        int x0 = net.input(c, h, w);
        int b = net.add("bn", bn, new long[] {c, h, w}, x0);
        net.param(b, "gamma", new long[] {c}, true, Network.Init.normal(1));
        net.param(b, "beta", new long[] {c}, true, Network.Init.normal(1));
        net.param(b, "running_mean", new long[] {c}, false, Network.Init.zeros());
        net.param(b, "running_var", new long[] {c}, false, Network.Init.ones());
        if (relu) net.add("relu", new Layers.ActivationLayer(new Activation(Activation.Fn.RELU, 0)), new long[] {c, h, w}, b);
        net.build(Loss.Fn.MSE);
        net.init(3);
        return net;
    }

    /**
     * batchnorm in plain Java (arrays in host memory, row-major) gives what its ND4J ops give (a column-major
     * input and gradient take the ND4J way): the output, the running statistics, the input's, gamma's and
     * beta's gradients, in training and in evaluation, with relu fused into it and without (float: double
     * networks, as the gradient checks run, take the ND4J ops).
     */
    @Test
    void batchNormInJavaEqualsTheNd4jOps() {
        for (Boolean two : new Boolean[] {false, true}) {
            Halves.forced = two;
            try {
                batchNormInJavaEqualsTheNd4jOps(two);
            } finally {
                Halves.forced = null;
            }
        }
    }

    private void batchNormInJavaEqualsTheNd4jOps(boolean two) {
        for (DataType dt : new DataType[] {DataType.FLOAT}) {
            for (boolean relu : new boolean[] {false, true}) {
                long n = 37, c = 3, h = 4, w = two ? 300 : 6; // two halves from 65,536 values; sums over blocks of 16, 16 and 5 planes
                Layers.BatchNorm fastBn = new Layers.BatchNorm(0.9, 1e-5), slowBn = new Layers.BatchNorm(0.9, 1e-5);
                Network fast = batchNorm(dt, fastBn, relu, c, h, w), slow = batchNorm(dt, slowBn, relu, c, h, w);
                INDArray x = rand(21, n, c, h, w).muli(3).addi(1).castTo(dt);
                INDArray g = rand(22, n, c, h, w).castTo(dt);
                String what = dt + (relu ? " with relu" : "") + (two ? ", two threads" : "");
                double tol = dt == DataType.FLOAT ? 2e-5 : 1e-12;
                for (int step = 0; step < 2; step++) { // the second step starts from moved running statistics
                    INDArray yf = fast.forward(x, true).dup(), ys = slow.forward(x.dup('f'), true).dup();
                    close(ys, yf, tol, what + ": output");
                    if (relu) assertTrue(yf.eq(0).castTo(DataType.INT).sumNumber().intValue() > 0, "relu cuts something");
                    INDArray gxf = fastBn.backward(g)[0].dup(), gxs = slowBn.backward(g.dup('f'))[0].dup();
                    close(gxs, gxf, tol * 10, what + ": input gradient");
                    // a gradient the Java loops do not take after a Java forward pass: ND4J's backward pass from
                    // x - mean, which the Java pass did not keep (BatchNorm.centred makes it)
                    close(gxs, fastBn.backward(g.dup('f'))[0].dup(), tol * 10, what + ": input gradient, ND4J's backward after Java's forward");
                    close(slow.grads(), fast.grads(), tol * 10, what + ": gamma and beta gradients");
                    close(slow.state(), fast.state(), tol, what + ": running statistics");
                }
                assertTrue(fast.grads().amax().getDouble(0) > 1e-3, "gradients that say something");
                close(slow.forward(x.dup('f'), false), fast.forward(x, false), tol, what + ": evaluation output");
            }
        }
    }

    /** max and average pooling in plain Java give ND4J's maxpool2d and avgpool2d, forward and backward, overlapping windows too (float). */
    @Test
    void poolingInJavaEqualsTheNd4jOps() {
        for (Boolean two : new Boolean[] {false, true}) {
            Halves.forced = two;
            try {
                poolingInJavaEqualsTheNd4jOps(two);
            } finally {
                Halves.forced = null;
            }
        }
    }

    private void poolingInJavaEqualsTheNd4jOps(boolean two) {
        for (DataType dt : new DataType[] {DataType.FLOAT}) {
            for (boolean max : new boolean[] {true, false}) {
                for (int[] ks : new int[][] {{2, 2}, {3, 2}, {2, 1}}) { // {size, stride}
                    long n = two ? 300 : 3, c = 2, h = 15, w = 16; // two halves from 65,536 values
                    long oh = (h - ks[0]) / ks[1] + 1, ow = (w - ks[0]) / ks[1] + 1;
                    Layers.Pool fastPool = new Layers.Pool(max, ks[0], ks[0], ks[1], ks[1], false);
                    Layers.Pool slowPool = new Layers.Pool(max, ks[0], ks[0], ks[1], ks[1], false);
                    Network fast = new Network(dt), slow = new Network(dt);
                    fast.add("pool", fastPool, new long[] {c, oh, ow}, fast.input(c, h, w));
                    slow.add("pool", slowPool, new long[] {c, oh, ow}, slow.input(c, h, w));
                    fast.build(Loss.Fn.MSE);
                    slow.build(Loss.Fn.MSE);
                    INDArray x = rand(31, n, c, h, w).castTo(dt), g = rand(32, n, c, oh, ow).castTo(dt);
                    for (boolean ties : new boolean[] {false, true}) {
                        // ties: a relu'd input, so that many windows hold several zeros as their largest value (the
                        // gradient goes to the first of them in row-major order, as in ND4J)
                        INDArray xi = ties ? Transforms.relu(x.sub(0.3), true) : x;
                        String what = dt + (max ? " max" : " avg") + " size " + ks[0] + " stride " + ks[1] + (two ? ", two threads" : "")
                                + (ties ? ", ties" : "");
                        double tol = dt == DataType.FLOAT ? 1e-6 : 1e-12;
                        close(slow.forward(xi.dup('f'), true), fast.forward(xi, true), tol, what + ": output");
                        close(slowPool.backward(g.dup('f'))[0], fastPool.backward(g)[0], tol, what + ": input gradient");
                    }
                }
            }
        }
    }

    /**
     * A convolution over few input channels by im2col and one gemm each way gives ND4J's conv2d and conv2d_bp:
     * output, weight, bias and input gradients, in float and double, same and valid padding, stride 2, 3 channels,
     * an even kernel (whose odd padding pixel goes to the bottom and right).
     */
    @Test
    void convolutionByColumnsEqualsNd4jsConv2d() {
        long[][] cases = { // C, H, W, F, kh, kw, stride, same
                {1, 28, 28, 32, 3, 3, 1, 1}, {3, 9, 7, 5, 3, 3, 2, 1}, {2, 8, 8, 4, 2, 2, 1, 1}, {1, 10, 6, 3, 5, 3, 1, 0},
                {3, 11, 11, 6, 3, 3, 2, 0}};
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (long[] k : cases) {
                int n = 3;
                long c = k[0], h = k[1], w = k[2], f = k[3];
                long[] iargs = {k[4], k[5], k[6], k[6], 0, 0, 1, 1, k[7], 0, 1};
                long oh = k[7] == 1 ? (h + k[6] - 1) / k[6] : (h - k[4]) / k[6] + 1, ow = k[7] == 1 ? (w + k[6] - 1) / k[6] : (w - k[5]) / k[6] + 1;
                String what = dt + " " + java.util.Arrays.toString(k);
                assertTrue(Im2col.suits(new long[] {c, h, w}, iargs), what);
                INDArray x = rand(21, n, c, h, w).castTo(dt), wt = rand(22, f, c, k[4], k[5]).castTo(dt), b = rand(23, f).castTo(dt);
                INDArray g = rand(24, n, f, oh, ow).castTo(dt);
                INDArray z = Nd4j.create(dt, n, f, oh, ow), gx = x.ulike(), gw = wt.ulike(), gb = b.ulike();
                K.exec("conv2d", new INDArray[] {x, wt, b}, new INDArray[] {z}, iargs, null);
                K.exec("conv2d_bp", new INDArray[] {x, wt, b, g}, new INDArray[] {gx, gw, gb}, iargs, null);

                Im2col ic = new Im2col(new long[] {c, h, w}, new long[] {f, oh, ow}, iargs);
                long pixels = n * oh * ow;
                INDArray col = Nd4j.create(dt, ic.colRows(), pixels), wb = Nd4j.create(dt, f, ic.colRows()), prod = Nd4j.create(dt, f, pixels);
                INDArray z2 = z.ulike(), gx2 = x.ulike(), gw2 = wt.ulike(), gb2 = b.ulike();
                ic.columns(x, col);
                ic.joined(wt, b, wb);
                ic.forward(col, wb, prod, z2);
                ic.backward(g, col, wb, prod, wb.ulike(), gw2, gb2, Nd4j.create(dt, ic.colRows(), pixels), gx2);
                double tol = dt == DataType.FLOAT ? 2e-4 : 1e-10;
                assertArrayEquals(z.data().asDouble(), z2.data().asDouble(), tol, "output " + what);
                assertArrayEquals(gw.data().asDouble(), gw2.data().asDouble(), tol * 10, "weight gradient " + what);
                assertArrayEquals(gb.data().asDouble(), gb2.data().asDouble(), tol * 10, "bias gradient " + what);
                assertArrayEquals(gx.data().asDouble(), gx2.data().asDouble(), tol, "input gradient " + what);
                assertTrue(z2.amaxNumber().doubleValue() > 0.1, "the output is not all zero " + what);
            }
        }
    }

    /**
     * A first layer's convolution in plain Java (few channels, stride 1, no input gradient) gives ND4J's conv2d
     * and conv2d_bp: output, weight and bias gradients, same and valid padding, an even kernel (the odd padding
     * pixel at the bottom and right), 3 channels, a batch of 70 (sums over blocks of 64 and 6 samples), on one
     * thread and on two.
     */
    @Test
    void firstConvolutionInJavaEqualsNd4jsConv2d() {
        long[][] cases = { // n, C, H, W, F, kh, kw, same
                {3, 1, 28, 28, 32, 3, 3, 1}, {70, 1, 12, 12, 6, 3, 3, 1}, {4, 2, 8, 8, 4, 2, 2, 1}, {3, 1, 10, 6, 3, 5, 3, 0},
                {5, 3, 9, 11, 4, 3, 3, 0}, {2, 3, 7, 7, 2, 3, 3, 1}};
        for (Boolean two : new Boolean[] {false, true}) {
            Halves.forced = two;
            try {
                for (long[] k : cases) {
                    int n = (int) k[0];
                    long c = k[1], h = k[2], w = k[3], f = k[4];
                    long[] iargs = {k[5], k[6], 1, 1, 0, 0, 1, 1, k[7], 0, 1};
                    long oh = k[7] == 1 ? h : h - k[5] + 1, ow = k[7] == 1 ? w : w - k[6] + 1;
                    String what = java.util.Arrays.toString(k) + (two ? ", two threads" : "");
                    assertTrue(FirstConv.suits(new long[] {c, h, w}, iargs), what);
                    INDArray x = rand(21, n, c, h, w), wt = rand(22, f, c, k[5], k[6]), b = rand(23, f);
                    INDArray g = rand(24, n, f, oh, ow);
                    INDArray z = Nd4j.create(DataType.FLOAT, n, f, oh, ow), gx = x.ulike(), gw = wt.ulike(), gb = b.ulike();
                    K.exec("conv2d", new INDArray[] {x, wt, b}, new INDArray[] {z}, iargs, null);
                    K.exec("conv2d_bp", new INDArray[] {x, wt, b, g}, new INDArray[] {gx, gw, gb}, iargs, null);

                    FirstConv fc = new FirstConv(new long[] {c, h, w}, new long[] {f, oh, ow}, iargs);
                    INDArray z2 = z.ulike(), gw2 = wt.ulike(), gb2 = b.ulike();
                    fc.forward(x, wt, b, z2);
                    fc.backward(g, gw2, gb2);
                    assertArrayEquals(z.data().asDouble(), z2.data().asDouble(), 2e-5, "output " + what);
                    assertArrayEquals(gw.data().asDouble(), gw2.data().asDouble(), 1e-4 * n, "weight gradient " + what);
                    assertArrayEquals(gb.data().asDouble(), gb2.data().asDouble(), 1e-4 * n, "bias gradient " + what);
                    assertTrue(z2.amaxNumber().doubleValue() > 0.1 && gw2.amaxNumber().doubleValue() > 0.1, "not all zero " + what);
                }
            } finally {
                Halves.forced = null;
            }
        }
    }

    /** layernorm -> a network of one layer over samples of the given shape, gamma and beta per channel (or per feature of [T, F]). */
    private static Network layerNorm(DataType dt, Layers.LayerNorm ln, long... shape) {
        Network net = new Network(dt);
        int x0 = net.input(shape);
        int l = net.add("ln", ln, shape, x0);
        long c = shape.length == 2 ? shape[1] : shape[0];
        net.param(l, "gamma", new long[] {c}, true, Network.Init.normal(1));
        net.param(l, "beta", new long[] {c}, true, Network.Init.normal(1));
        net.build(Loss.Fn.MSE);
        net.init(3);
        return net;
    }

    /**
     * layernorm in plain Java over float buffers gives what its ND4J ops give (double networks, as the gradient
     * checks run, take the ND4J ops): output, input gradient, gamma and beta gradients; on [T, F] steps (the
     * transformer's) and on [C, H, W] samples with gamma per channel.
     */
    @Test
    void layerNormInJavaEqualsTheNd4jOps() {
        for (long[] shape : new long[][] {{7, 16}, {3, 4, 5}}) {
            Layers.LayerNorm fastLn = new Layers.LayerNorm(1e-5), slowLn = new Layers.LayerNorm(1e-5);
            Network fast = layerNorm(DataType.FLOAT, fastLn, shape), slow = layerNorm(DataType.DOUBLE, slowLn, shape);
            long[] batch = K.prepend(6, shape);
            INDArray x = rand(31, batch).muli(3).addi(2), g = rand(32, batch);
            String what = java.util.Arrays.toString(shape);
            close(slow.forward(x.castTo(DataType.DOUBLE), true), fast.forward(x, true), 2e-5, what + ": output");
            close(slowLn.backward(g.castTo(DataType.DOUBLE))[0], fastLn.backward(g)[0], 2e-4, what + ": input gradient");
            close(slow.grads(), fast.grads(), 2e-4, what + ": gamma and beta gradients");
            assertTrue(fast.grads().amax().getDouble(0) > 1e-2, "gradients that say something");
            assertTrue(fastLn.backward(g)[0].amax().getDouble(0) > 1e-2, "an input gradient that says something");
        }
    }

    /**
     * Global max pooling in plain Java gives what its ND4J ops give (a column-major input takes the ND4J way):
     * over time with padded steps (a sample with no real step gives 0 and no gradient) and without a mask, and
     * over channel planes; outputs and input gradients, float and double.
     */
    /**
     * A relu before a global max pool moves after it (the Network fuses them): the pool's output and input
     * gradient with {@code reluAfter} equal relu, then the pool, then relu's gradient, bit for bit, in the Java
     * way and the ND4J way (column-major input), masked and not, over time and over planes.
     */
    @Test
    void reluMovedAfterGlobalMaxPoolGivesWhatReluBeforeGave() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (long[] shape : new long[][] {{6, 5}, {3, 4, 4}}) {
                for (boolean masked : shape.length == 2 ? new boolean[] {false, true} : new boolean[] {false}) {
                    long outs = shape.length == 2 ? shape[1] : shape[0], n = 4;
                    Network net = new Network(dt);
                    int x0 = net.input(shape);
                    int r = net.add("relu", new Layers.ActivationLayer(new Activation(Activation.Fn.RELU, 0)), shape, x0);
                    Sequence.GlobalMaxPool fused = new Sequence.GlobalMaxPool();
                    net.add("pool", fused, new long[] {outs}, r);
                    net.build(Loss.Fn.MSE);
                    assertTrue(fused.after != null && fused.after.fn == Activation.Fn.RELU, "the Network moved the relu into the pool");
                    Network net2 = new Network(dt);
                    Sequence.GlobalMaxPool plain = new Sequence.GlobalMaxPool();
                    net2.add("pool", plain, new long[] {outs}, net2.input(shape));
                    net2.build(Loss.Fn.MSE);
                    // every feature's values below zero in sample 0: the relu's zero gradient
                    INDArray x = rand(41, K.prepend(n, shape)).castTo(dt), g = rand(42, n, outs).castTo(dt);
                    x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).assign(-1);
                    if (masked) {
                        double[][] m = new double[(int) n][(int) shape[0]];
                        for (double[] row : m) java.util.Arrays.fill(row, 1);
                        m[1][4] = m[1][5] = 0;
                        java.util.Arrays.fill(m[3], 0);
                        fused.mask = Nd4j.createFromArray(m).castTo(dt);
                        plain.mask = fused.mask;
                    }
                    INDArray rx = Nd4j.exec(new RectifiedLinear(x, x.ulike(), 0.0));
                    plain.forward(new INDArray[] {rx}, true);
                    INDArray wantOut = plain.out.dup();
                    INDArray wantGx = plain.backward(g)[0].mul(x.gt(0).castTo(dt));
                    for (INDArray in : new INDArray[] {x, x.dup('f')}) {
                        String what = dt + " " + java.util.Arrays.toString(shape) + (masked ? " masked" : "") + (in.ordering() == 'f' ? ", ND4J way" : ", Java way");
                        fused.forward(new INDArray[] {in}, true);
                        close(wantOut, fused.out.dup(), 0, what + ": output");
                        close(wantGx, fused.backward(g)[0].dup(), 0, what + ": input gradient");
                    }
                    assertEquals(0, wantOut.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).sumNumber().doubleValue(), 0, "sample 0 all below zero");
                    assertTrue(wantGx.neq(0).castTo(DataType.INT).sumNumber().longValue() > 0, "some gradient gets through");
                }
            }
        }
    }

    @Test
    void globalMaxPoolInJavaEqualsTheNd4jOps() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (long[] shape : new long[][] {{6, 5}, {3, 4, 4}}) {
                for (boolean masked : shape.length == 2 ? new boolean[] {false, true} : new boolean[] {false}) {
                    Network net = new Network(dt);
                    int x0 = net.input(shape);
                    Sequence.GlobalMaxPool pool = new Sequence.GlobalMaxPool();
                    net.add("pool", pool, new long[] {shape.length == 2 ? shape[1] : shape[0]}, x0);
                    net.build(Loss.Fn.MSE);
                    long n = 4;
                    INDArray x = rand(41, K.prepend(n, shape)).castTo(dt), g = rand(42, n, shape.length == 2 ? shape[1] : shape[0]).castTo(dt);
                    if (masked) { // sample 1 pads its last 2 steps, sample 3 has no real step
                        double[][] m = new double[(int) n][(int) shape[0]];
                        for (double[] row : m) java.util.Arrays.fill(row, 1);
                        m[1][4] = m[1][5] = 0;
                        java.util.Arrays.fill(m[3], 0);
                        pool.mask = Nd4j.createFromArray(m).castTo(dt);
                    }
                    String what = dt + " " + java.util.Arrays.toString(shape) + (masked ? " masked" : "");
                    pool.forward(new INDArray[] {x.dup('f')}, true);
                    INDArray slowOut = pool.out.dup(), slowGx = pool.backward(g)[0].dup();
                    pool.forward(new INDArray[] {x}, true);
                    INDArray fastOut = pool.out.dup(), fastGx = pool.backward(g)[0].dup();
                    close(slowOut, fastOut, 0, what + ": output");
                    close(slowGx, fastGx, 0, what + ": input gradient");
                    assertEquals(n * g.size(1) - (masked ? g.size(1) : 0), fastGx.neq(0).castTo(DataType.INT).sumNumber().longValue(),
                            what + ": one gradient per output" + (masked ? ", none for the sample with no real step" : ""));
                }
            }
        }
    }

    /** The embedding's gradient added row by row in plain Java gives ND4J's unsorted_segment_sum (a column-major gradient takes that way), a word seen twice gets both. */
    @Test
    void embeddingGradientInJavaEqualsTheSegmentSum() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            long steps = 6, dim = 5, vocabulary = 9;
            Network net = new Network(dt);
            int x0 = net.input(steps);
            Recurrent.Embedding e = new Recurrent.Embedding();
            int l = net.add("embedding", e, new long[] {steps, dim}, x0);
            net.param(l, "weight", new long[] {vocabulary, dim}, true, Network.Init.normal(1));
            net.build(Loss.Fn.MSE);
            net.init(4);
            INDArray ids = Nd4j.createFromArray(new double[][] {{1, 2, 3, 2, 0, 0}, {8, 8, 8, 1, 4, 5}, {2, 7, 1, 1, 3, 0}}).castTo(dt);
            INDArray g = rand(51, 3, steps, dim).castTo(dt);
            e.javaLoops = false;
            e.forward(new INDArray[] {ids}, true);
            INDArray gathered = e.out.dup();
            e.javaLoops = true;
            e.forward(new INDArray[] {ids}, true);
            close(gathered, e.out, 0, dt + ": the rows gathered in Java are ND4J's gather's");
            e.backward(g.dup('f'));
            INDArray slow = net.grads().dup();
            net.grads().assign(7); // what a step before left there: the backward pass sets every row, not only its words'
            e.backward(g);
            close(slow, net.grads(), 1e-6, dt + ": embedding gradient");
            assertEquals(0.0, net.grads().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(6 * dim, 7 * dim)).amaxNumber().doubleValue(), 0,
                    "word 6 is not in the batch: no gradient");
            assertTrue(net.grads().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(8 * dim, 9 * dim)).amaxNumber().doubleValue() > 0,
                    "word 8, three times, has one");
        }
    }

    /** The softmax's gradient in one Java pass over float buffers gives ND4J's ops (a column-major copy takes that way). */
    @Test
    void softmaxGradientInJavaEqualsTheNd4jOps() {
        INDArray logits = rand(71, 6, 9, 9).muli(3), g = rand(72, 6, 9, 9);
        INDArray p = Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax(logits, logits.ulike(), 2))[0];
        INDArray slow = g.dup('f'), fast = g.dup();
        Sequence.softmaxBackward(slow, p.dup('f'));
        Sequence.softmaxBackward(fast, p);
        close(slow, fast, 1e-6, "softmax gradient");
        assertTrue(fast.amaxNumber().doubleValue() > 1e-2, "a gradient that says something");
        assertEquals(0.0, fast.sum(2).amaxNumber().doubleValue(), 1e-5, "each row of a softmax's gradient sums to 0");
    }
}
