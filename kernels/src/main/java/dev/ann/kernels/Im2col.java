package dev.ann.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution over few input channels (an image network's first layer: one channel for grey pictures,
 * three for colour) as im2col and one matrix product for the whole batch. ND4J's conv2d and conv2d_bp
 * run such a layer far below the machine: fashion_cnn's first convolution (1 -> 32 channels, 3x3, 28x28,
 * batch 64) takes about 2.3 ms forward and 6 ms backward on an idle machine for 2% of the network's
 * arithmetic, and its backward pass computes the input's gradient, which nobody reads there; this way
 * takes 6.8 ms p10 for both against ND4J's 10.0 (`bench/training/ops.sh 30 conv2d`, ops-results.md).
 *
 * <p>With K = C kh kw (at most {@link #MAX_ROWS}) and P = OH OW the output's pixels, the columns carry a row of
 * ones so that the bias rides in the product:
 * <pre>
 * col [K+1, n P]  col[(c, ky, kx), (s, oy, ox)] = x[s, c, oy sh - ph + ky, ox sw - pw + kx] (0 outside); last row 1
 * out [F, n P] = [W | b] · col              z[s, f, p] = out[f, s P + p]
 * g [F, K+1]  = gz' · colᵀ, gz'[f, s P + p] = gz[s, f, p]: gW the first K columns, gb the last
 * gcol [K+1, n P] = [W | b]ᵀ · gz'          gx = the sum of gcol's entries back onto the pixels they came from
 * </pre>
 * The pixel loops are plain Java over the arrays' host buffers ({@link Flat}), in double, so float training
 * and double gradient checks run the same code; the products are ND4J's gemm.
 */
final class Im2col {
    /** Rows of the column matrix (input channels times the kernel's taps) up to which this way is taken: 3 channels of 3x3. */
    static final int MAX_ROWS = 27;

    private final int c, h, w, kh, kw, sh, sw, ph, pw, f, oh, ow;

    /**
     * @param in  the per-sample input shape [C, H, W]
     * @param out the per-sample output shape [F, OH, OW]
     * @param iargs conv2d's integer arguments (kernel, stride, padding, dilation, same)
     */
    Im2col(long[] in, long[] out, long[] iargs) {
        c = (int) in[0]; h = (int) in[1]; w = (int) in[2];
        f = (int) out[0]; oh = (int) out[1]; ow = (int) out[2];
        kh = (int) iargs[0]; kw = (int) iargs[1]; sh = (int) iargs[2]; sw = (int) iargs[3];
        if (iargs[8] == 1) { // same: ND4J's padding (the odd pixel, if any, at the bottom and right)
            ph = Math.max(0, ((oh - 1) * sh + kh - h) / 2);
            pw = Math.max(0, ((ow - 1) * sw + kw - w) / 2);
        } else {
            ph = (int) iargs[4];
            pw = (int) iargs[5];
        }
    }

    /** Whether a layer with these shapes takes this way: few columns, no dilation, NCHW input and PyTorch's weight layout. */
    static boolean suits(long[] in, long[] iargs) {
        return in.length == 3 && in[0] * iargs[0] * iargs[1] <= MAX_ROWS && iargs[6] == 1 && iargs[7] == 1
                && iargs[9] == 0 && iargs[10] == 1;
    }

    /** Rows of a sample's column matrix: the taps, and a row of ones that carries the bias. */
    int colRows() { return c * kh * kw + 1; }

    /** Each sample's columns and a row of ones (which carries the bias) of x [n, C, H, W] into col [K + 1, n P]. */
    void columns(INDArray x, INDArray col) {
        int n = (int) x.size(0), p = oh * ow, plane = h * w, k = colRows() - 1;
        Flat.View xv = Flat.view(x), cv = Flat.view(col);
        double[] pix = new double[plane], row = new double[p], ones = new double[p];
        java.util.Arrays.fill(ones, 1);
        for (int s = 0; s < n; s++) {
            for (int ch = 0; ch < c; ch++) {
                xv.get((s * c + ch) * plane, pix, plane);
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * sh - ph + ky, at = oy * ow;
                            if (iy < 0 || iy >= h) {
                                java.util.Arrays.fill(row, at, at + ow, 0);
                                continue;
                            }
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * sw - pw + kx;
                                row[at + ox] = ix >= 0 && ix < w ? pix[iy * w + ix] : 0;
                            }
                        }
                        cv.put((((ch * kh + ky) * kw + kx) * n + s) * p, row, p);
                    }
                }
            }
            cv.put((k * n + s) * p, ones, p);
        }
    }

    /** [weight | bias] as [F, K + 1] into wb. */
    void joined(INDArray weight, INDArray bias, INDArray wb) {
        int k = colRows() - 1;
        double[] wv = Flat.view(weight).all(), bv = Flat.view(bias).all(), out = new double[f * (k + 1)];
        for (int fi = 0; fi < f; fi++) {
            System.arraycopy(wv, fi * k, out, fi * (k + 1), k);
            out[fi * (k + 1) + k] = bv[fi];
        }
        Flat.view(wb).put(0, out, out.length);
    }

    /** z [n, F, OH, OW] = the columns [K + 1, n P] convolved with wb [F, K + 1] ({@link #joined}); prod [F, n P] is scratch. */
    void forward(INDArray col, INDArray wb, INDArray prod, INDArray z) {
        K.gemm(wb, col, prod, false, false);
        interleave(prod, z, true);
    }

    /** Between [F, n P] (by filter) and [n, F, P] (by sample): each run of P pixels moves. */
    private void interleave(INDArray byFilter, INDArray bySample, boolean toSample) {
        int n = (int) bySample.size(0), p = oh * ow;
        Flat.View a = Flat.view(byFilter), b = Flat.view(bySample);
        for (int fi = 0; fi < f; fi++) {
            for (int s = 0; s < n; s++) {
                if (toSample) a.copyTo((fi * n + s) * p, b, (s * f + fi) * p, p);
                else b.copyTo((s * f + fi) * p, a, (fi * n + s) * p, p);
            }
        }
    }

    /**
     * The weight's and bias's gradients from gz [n, F, OH, OW] and the forward pass's columns (g [F, n P] and
     * gwb [F, K + 1] are scratch); with gx not null also the input's gradient (gcol [K + 1, n P] its scratch).
     */
    void backward(INDArray gz, INDArray col, INDArray wb, INDArray g, INDArray gwb, INDArray gWeight, INDArray gBias,
                  INDArray gcol, INDArray gx) {
        int n = (int) gz.size(0), p = oh * ow, k = colRows() - 1;
        interleave(g, gz, false);
        K.gemm(g, col, gwb, false, true);
        double[] all = Flat.view(gwb).all(), gw = new double[f * k], gb = new double[f];
        for (int fi = 0; fi < f; fi++) {
            System.arraycopy(all, fi * (k + 1), gw, fi * k, k);
            gb[fi] = all[fi * (k + 1) + k];
        }
        Flat.view(gWeight).put(0, gw, gw.length);
        Flat.view(gBias).put(0, gb, f);
        if (gx == null) return;
        K.gemm(wb, g, gcol, true, false);
        Flat.View cv = Flat.view(gcol), xv = Flat.view(gx);
        int plane = h * w;
        double[] pix = new double[plane], row = new double[p];
        for (int s = 0; s < n; s++) {
            for (int ch = 0; ch < c; ch++) {
                java.util.Arrays.fill(pix, 0);
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        cv.get((((ch * kh + ky) * kw + kx) * n + s) * p, row, p);
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * sh - ph + ky;
                            if (iy < 0 || iy >= h) continue;
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * sw - pw + kx;
                                if (ix >= 0 && ix < w) pix[iy * w + ix] += row[oy * ow + ox];
                            }
                        }
                    }
                }
                xv.put((s * c + ch) * plane, pix, plane);
            }
        }
    }
}
