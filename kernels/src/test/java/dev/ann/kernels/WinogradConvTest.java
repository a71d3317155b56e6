package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Winograd convolution (WinogradConv, through {@link Blocked#winograd}) against the definition computed in double
 * on the same blocked batches: output, input gradient, weight and bias gradients. The tests' JVM has the Vector API's
 * module (surefire's argLine), as ann's training JVM does.
 */
class WinogradConvTest {
    private static final long[] SAME_3X3 = {3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 1};

    @Test
    void theKernelIsThereWhereTheModuleIs() {
        assertTrue(Blocked.winogradAvailable(), "the tests run with --add-modules=jdk.incubator.vector");
        assertNotNull(Blocked.winograd(new long[] {16, 12, 12}, new long[] {32, 12, 12}, SAME_3X3, 8, null));
        assertNull(Blocked.winograd(new long[] {16, 11, 12}, new long[] {32, 11, 12}, SAME_3X3, 8, null), "under 12x12");
        assertNull(Blocked.winograd(new long[] {16, 12, 12}, new long[] {32, 12, 12}, SAME_3X3, 16, null), "16 lanes (AVX-512)");
        assertNull(Blocked.winograd(new long[] {8, 12, 12}, new long[] {32, 12, 12}, SAME_3X3, 8, null), "input channels not in 16s");
        assertNull(Blocked.winograd(new long[] {16, 24, 24}, new long[] {32, 12, 12}, new long[] {3, 3, 2, 2, 0, 0, 1, 1, 1, 0, 1}, 8, null), "stride 2");
        assertNull(Blocked.winograd(new long[] {16, 14, 14}, new long[] {32, 12, 12}, new long[] {3, 3, 1, 1, 0, 0, 1, 1, 0, 0, 1}, 8, null), "valid");
        assertNull(Blocked.winograd(new long[] {16, 12, 12}, new long[] {32, 12, 12}, new long[] {5, 5, 1, 1, 0, 0, 1, 1, 1, 0, 1}, 8, null), "5x5");
    }

    @Test
    void batchesOfFewerThanSixteenImagesGoToTheDirectConvolution() {
        int[] calls = new int[2];
        Blocked.Conv direct = new Blocked.Conv() {
            @Override public void forward(INDArray x, INDArray w, INDArray b, INDArray y) {
                calls[0]++;
            }

            @Override public void backward(INDArray x, INDArray w, INDArray gy, INDArray gx, INDArray gw, INDArray gb) {
                calls[1]++;
            }
        };
        Blocked.Conv conv = Blocked.winograd(new long[] {16, 12, 12}, new long[] {16, 12, 12}, SAME_3X3, 8, direct);
        INDArray w = Nd4j.rand(DataType.FLOAT, 16, 16, 3, 3), b = Nd4j.zeros(DataType.FLOAT, 16), gw = Nd4j.create(DataType.FLOAT, 16, 16, 3, 3),
                gb = Nd4j.create(DataType.FLOAT, 16);
        for (int n : new int[] {1, 15, 16, 40}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, n, 16, 12, 12), y = Nd4j.create(DataType.FLOAT, n, 16, 12, 12);
            conv.forward(x, w, b, y);
            conv.backward(x, w, y, null, gw, gb);
        }
        assertEquals(2, calls[0], "forward: the batches of 1 and 15");
        assertEquals(2, calls[1], "backward: the batches of 1 and 15");
    }

    @Test
    void matchesTheDefinitionOnPicturesWholeAndCutTiles() {
        check(3, 16, 32, 12, 12, 1);  // whole 4x4 tiles
        check(5, 32, 16, 13, 15, 2);  // cut tiles at the bottom and the right, several chunks
        check(13, 16, 16, 14, 14, 3); // fashion_cnn's second stage, several chunks for the two halves
        check(2, 16, 16, 12, 17, 4);  // a wide picture, tiles cut on the right only
    }

    private static void check(int n, int c, int k, int h, int w, long seed) {
        Random r = new Random(seed);
        float[] x = gauss(r, n * c * h * w, 1), wt = gauss(r, k * c * 9, 1 / Math.sqrt(9.0 * c)), b = gauss(r, k, 0.1),
                gy = gauss(r, n * k * h * w, 1);
        Blocked.Conv conv = Blocked.winograd(new long[] {c, h, w}, new long[] {k, h, w}, SAME_3X3, 8, null);
        assertNotNull(conv);
        INDArray xa = blocked(x, n, c, h, w), wa = Nd4j.create(wt, new long[] {k, c, 3, 3}, DataType.FLOAT), ba = Nd4j.create(b, new long[] {k}, DataType.FLOAT);
        INDArray ya = Nd4j.create(DataType.FLOAT, n, k, h, w), gya = blocked(gy, n, k, h, w), gxa = Nd4j.create(DataType.FLOAT, n, c, h, w),
                gwa = Nd4j.create(DataType.FLOAT, k, c, 3, 3), gba = Nd4j.create(DataType.FLOAT, k);
        conv.forward(xa, wa, ba, ya);
        conv.backward(xa, wa, gya, gxa, gwa, gba);

        double[] y = new double[n * k * h * w], gx = new double[n * c * h * w], gw = new double[k * c * 9], gb = new double[k];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < k; o++) {
                for (int py = 0; py < h; py++) {
                    for (int px = 0; px < w; px++) {
                        double s = b[o], g = gy[((i * k + o) * h + py) * w + px];
                        gb[o] += g;
                        for (int q = 0; q < c; q++) {
                            for (int a = 0; a < 3; a++) {
                                for (int e = 0; e < 3; e++) {
                                    int yy = py + a - 1, xx = px + e - 1;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                                    int xi = ((i * c + q) * h + yy) * w + xx, wi = ((o * c + q) * 3 + a) * 3 + e;
                                    s += (double) wt[wi] * x[xi];
                                    gx[xi] += (double) wt[wi] * g;
                                    gw[wi] += (double) x[xi] * g;
                                }
                            }
                        }
                        y[((i * k + o) * h + py) * w + px] = s;
                    }
                }
            }
        }
        String shape = n + "x" + c + "->" + k + " at " + h + "x" + w;
        near(y, plain(ya, n, k, h, w), 2e-5, "output " + shape);
        near(gx, plain(gxa, n, c, h, w), 2e-5, "input gradient " + shape);
        near(gw, gwa.data().asFloat(), 2e-5, "weight gradient " + shape);
        near(gb, gba.data().asFloat(), 1e-6, "bias gradient " + shape);
    }

    /** Every value within tol of the largest expected value's size, and not all zero. */
    private static void near(double[] want, float[] got, double tol, String what) {
        double scale = 0, worst = 0;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
        assertTrue(scale > 0, what);
        assertTrue(worst <= tol * scale, what + ": largest difference " + worst + " against a scale of " + scale);
    }

    private static float[] gauss(Random r, int len, double sd) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (float) (r.nextGaussian() * sd);
        return v;
    }

    /** NCHW values into the blocked layout [n][C / 8][H][W][8]. */
    private static INDArray blocked(float[] v, int n, int c, int h, int w) {
        float[] b = new float[v.length];
        for (int i = 0; i < n; i++) for (int q = 0; q < c; q++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            b[((((i * (c / 8) + q / 8) * h + y) * w + x) * 8) + q % 8] = v[((i * c + q) * h + y) * w + x];
        }
        return Nd4j.create(b, new long[] {n, c, h, w}, DataType.FLOAT);
    }

    private static float[] plain(INDArray blocked, int n, int c, int h, int w) {
        float[] b = blocked.data().asFloat(), v = new float[b.length];
        for (int i = 0; i < n; i++) for (int q = 0; q < c; q++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            v[((i * c + q) * h + y) * w + x] = b[((((i * (c / 8) + q / 8) * h + y) * w + x) * 8) + q % 8];
        }
        return v;
    }
}
