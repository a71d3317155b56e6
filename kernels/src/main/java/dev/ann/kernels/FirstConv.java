package dev.ann.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A convolution over few input channels with stride 1 whose input's gradient nobody reads (an image
 * network's first layer) in plain Java over float host buffers: no column matrix, no product to move
 * into [n, F, OH, OW] afterwards. fashion_cnn's first layer (1 -> 32 channels, 3x3, same, 28x28, batch 64)
 * took 2.7 ms forward and 2.4 ms backward a step by {@link Im2col} and the gemm (StepBench's layer timer,
 * two cores); bench: OpBench firstconv.
 *
 * <p>Each sample's channels are copied into zero-bordered planes of PH x PW = (OH + kh - 1) x
 * (OW + kw - 1) values, and from them each tap's (channel, ky, kx) values under the outputs, row by row,
 * into an array of OH OW values of its own (kept for the backward pass): a tap is then one loop over the
 * outputs that the JIT vectorises, reading and writing its arrays at one index:
 * <pre>
 * forward   z[s, f, q]  = b[f] + sum over taps t of w[f, t] * cols[s][t][q]
 * backward  gw[f, t]    = sum over s and q of gz[s, f, q] * cols[s][t][q]
 *           gb[f]       = sum over s and q of gz[s, f, q]
 * </pre>
 * The backward sums run per position in float over {@link #SUM_BLOCK} samples, then in double (as the
 * batchnorm's, {@link Layers.BatchNorm#SUM_BLOCK}). Forward over samples and backward over filters go on
 * two cores when one is free ({@link Halves}); each output is computed the same way either way.
 */
final class FirstConv {
    /** Samples whose products are summed per position in float before the sums move to double. */
    static final int SUM_BLOCK = 64;
    /** Filters whose weight gradients are summed in one pass over the samples' taps. */
    static final int FILTER_BLOCK = 4;

    private final int c, h, w, kh, kw, top, left, f, oh, ow, ph, pw;
    /**
     * every sample's taps from the last forward pass: cols[s][t][oy OW + ox] = the sample's zero-bordered
     * plane of t's channel at (oy + ky, ox + kx), one array per tap, so that every loop reads and writes its
     * arrays at one index (C2 does not vectorise a loop that reads a float[] at q + offset while it writes
     * another float[] at q: they might be one array)
     */
    private float[][][] cols = new float[0][][];
    /** the backward pass's copies of gz, one set per half of the filters ({@link Halves}), kept between batches */
    private final float[][][][] gzRows = new float[2][][][];

    /**
     * @param in  the per-sample input shape [C, H, W]
     * @param out the per-sample output shape [F, OH, OW]
     * @param iargs conv2d's integer arguments (kernel, stride, padding, dilation, same)
     */
    FirstConv(long[] in, long[] out, long[] iargs) {
        c = (int) in[0]; h = (int) in[1]; w = (int) in[2];
        f = (int) out[0]; oh = (int) out[1]; ow = (int) out[2];
        kh = (int) iargs[0]; kw = (int) iargs[1];
        if (iargs[8] == 1) { // same: ND4J's padding (the odd pixel, if any, at the bottom and right), as Im2col
            top = Math.max(0, (oh - 1 + kh - h) / 2);
            left = Math.max(0, (ow - 1 + kw - w) / 2);
        } else {
            top = (int) iargs[4];
            left = (int) iargs[5];
        }
        ph = oh + kh - 1;
        pw = ow + kw - 1;
    }

    /** Whether a layer takes this way: few input channels (as {@link Im2col#suits}), stride 1, no dilation, NCHW. */
    static boolean suits(long[] in, long[] iargs) {
        return Im2col.suits(in, iargs) && iargs[2] == 1 && iargs[3] == 1;
    }

    /** z [n, F, OH, OW] = x [n, C, H, W] convolved with weight [F, C, kh, kw] plus bias [F]. */
    void forward(INDArray x, INDArray weight, INDArray bias, INDArray z) {
        int n = (int) x.size(0), plane = ph * pw, taps = c * kh * kw;
        // grown, never shrunk: an epoch's short last batch uses the first n samples' arrays
        if (cols.length < n) cols = new float[n][taps][oh * ow];
        float[][][] all = cols;
        float[] wv = new float[(int) weight.length()], bv = new float[(int) bias.length()];
        Flat.floats(weight).get(0, wv, wv.length);
        Flat.floats(bias).get(0, bv, bv.length);
        int[] offset = offsets();
        Flat.Floats xv = Flat.floats(x), zv = Flat.floats(z);
        Halves.run(n, Layers.BatchNorm.twoCores(z), 1, (s0, s1) -> {
            float[] pix = new float[h * w], padded = new float[c * plane], o = new float[oh * ow];
            for (int s = s0; s < s1; s++) {
                for (int ch = 0; ch < c; ch++) {
                    xv.get((s * c + ch) * h * w, pix, h * w);
                    int at = ch * plane;
                    Arrays.fill(padded, at, at + plane, 0f);
                    // each row's pixels that land inside the padded plane
                    int x0 = Math.max(0, -left), x1 = Math.min(w, pw - left);
                    for (int y = 0; y < h; y++) {
                        int py = y + top;
                        if (py >= 0 && py < ph && x1 > x0) System.arraycopy(pix, y * w + x0, padded, at + py * pw + x0 + left, x1 - x0);
                    }
                }
                float[][] tap = all[s];
                for (int t = 0; t < taps; t++) {
                    int from = t / (kh * kw) * plane + offset[t];
                    for (int oy = 0; oy < oh; oy++) System.arraycopy(padded, from + oy * pw, tap[t], oy * ow, ow);
                }
                for (int fi = 0; fi < f; fi++) {
                    Arrays.fill(o, bv[fi]);
                    int t = 0, wt = fi * taps;
                    for (; t + 2 < taps; t += 3) axpy3(wv[wt + t], tap[t], wv[wt + t + 1], tap[t + 1], wv[wt + t + 2], tap[t + 2], o, oh * ow);
                    for (; t < taps; t++) axpy(wv[wt + t], tap[t], o, oh * ow);
                    zv.put((s * f + fi) * oh * ow, o, oh * ow);
                }
            }
        });
    }

    /** The gradients of weight [F, C, kh, kw] and bias [F] from gz [n, F, OH, OW] and the taps of the forward pass. */
    void backward(INDArray gz, INDArray gWeight, INDArray gBias) {
        int n = (int) gz.size(0), taps = c * kh * kw;
        float[][][] all = cols;
        float[] gw = new float[f * taps], gb = new float[f];
        Flat.Floats gv = Flat.floats(gz);
        Halves.run(f, Layers.BatchNorm.twoCores(gz), FILTER_BLOCK, (f0, f1) -> {
            int p = oh * ow, half = f0 == 0 ? 0 : 1;
            if (gzRows[half] == null || gzRows[half][0].length < n) gzRows[half] = new float[FILTER_BLOCK][n][p];
            float[][][] gp = gzRows[half];
            float[][] acc = new float[FILTER_BLOCK][p];
            for (int fb = f0; fb < f1; fb += FILTER_BLOCK) {
                int nf = Math.min(FILTER_BLOCK, f1 - fb);
                // the block's filters' gz of every sample
                for (int j = 0; j < nf; j++) for (int s = 0; s < n; s++) gv.get((s * f + fb + j) * p, gp[j][s], p);
                // tap by tap (the bias last): the block's accumulator rows stay in the L1 cache while the samples
                // stream by, and each sample's tap is read once for the block's filters
                for (int t = 0; t <= taps; t++) {
                    double[] sum = new double[nf];
                    for (int s0 = 0; s0 < n; s0 += SUM_BLOCK) {
                        for (int j = 0; j < nf; j++) Arrays.fill(acc[j], 0f);
                        int s1 = Math.min(n, s0 + SUM_BLOCK), s = s0;
                        for (; s + 3 < s1; s += 4) { // four samples a pass: a quarter of the accumulators' loads and stores
                            for (int j = 0; j < nf; j++) {
                                float[][] gj = gp[j];
                                if (t < taps) multiplyAdd4(gj[s], all[s][t], gj[s + 1], all[s + 1][t], gj[s + 2], all[s + 2][t], gj[s + 3], all[s + 3][t], acc[j], p);
                                else add4(gj[s], gj[s + 1], gj[s + 2], gj[s + 3], acc[j], p);
                            }
                        }
                        for (; s < s1; s++) {
                            for (int j = 0; j < nf; j++) {
                                if (t < taps) multiplyAdd(gp[j][s], all[s][t], acc[j], p);
                                else add(gp[j][s], acc[j], p);
                            }
                        }
                        for (int j = 0; j < nf; j++) sum[j] += sum(acc[j], p);
                    }
                    for (int j = 0; j < nf; j++) {
                        if (t < taps) gw[(fb + j) * taps + t] = (float) sum[j];
                        else gb[fb + j] = (float) sum[j];
                    }
                }
            }
        });
        Flat.floats(gWeight).put(0, gw, gw.length);
        Flat.floats(gBias).put(0, gb, gb.length);
    }

    /** Each tap's (channel, ky, kx) start in the padded planes relative to the sample's first plane's. */
    private int[] offsets() {
        int[] o = new int[c * kh * kw];
        for (int ch = 0, t = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) for (int kx = 0; kx < kw; kx++) o[t++] = ky * pw + kx;
        }
        return o;
    }

    /** o[q] += a * p[q] over [0, len). */
    private static void axpy(float a, float[] p, float[] o, int len) {
        for (int q = 0; q < len; q++) o[q] += a * p[q];
    }

    /**
     * Three {@link #axpy}s in one pass, each product added in turn as there (the same floats): o is read and
     * written once for three taps.
     */
    private static void axpy3(float a0, float[] p0, float a1, float[] p1, float a2, float[] p2, float[] o, int len) {
        for (int q = 0; q < len; q++) o[q] = ((o[q] + a0 * p0[q]) + a1 * p1[q]) + a2 * p2[q];
    }

    /** acc[q] += g[q] * p[q] over [0, len). */
    private static void multiplyAdd(float[] g, float[] p, float[] acc, int len) {
        for (int q = 0; q < len; q++) acc[q] += g[q] * p[q];
    }

    /** acc[q] += g0[q] * p0[q] + g1[q] * p1[q] + g2[q] * p2[q] + g3[q] * p3[q] over [0, len). */
    private static void multiplyAdd4(float[] g0, float[] p0, float[] g1, float[] p1, float[] g2, float[] p2, float[] g3, float[] p3,
                                     float[] acc, int len) {
        for (int q = 0; q < len; q++) acc[q] += (g0[q] * p0[q] + g1[q] * p1[q]) + (g2[q] * p2[q] + g3[q] * p3[q]);
    }

    /** acc[q] += (g0[q] + g1[q]) + (g2[q] + g3[q]) over [0, len). */
    private static void add4(float[] g0, float[] g1, float[] g2, float[] g3, float[] acc, int len) {
        for (int q = 0; q < len; q++) acc[q] += (g0[q] + g1[q]) + (g2[q] + g3[q]);
    }

    /** acc[q] += g[q]. */
    private static void add(float[] g, float[] acc, int len) {
        for (int q = 0; q < len; q++) acc[q] += g[q];
    }

    /** The sum of a[0, len) in double. */
    private static double sum(float[] a, int len) {
        double s = 0;
        for (int q = 0; q < len; q++) s += a[q];
        return s;
    }
}
