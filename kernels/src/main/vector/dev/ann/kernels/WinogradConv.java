package dev.ann.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 3x3 convolution, stride 1, padding 1 ("same"), on oneDNN's blocked layout with 8 lanes ({@code nChw8c}), by
 * Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2016): each 4x4 tile of output from a 6x6 tile of input with 36 multiplications a channel pair where the direct
 * way takes 144. The picture is cut into tiles; the input tiles, the weights and the output's gradient are
 * transformed; 36 independent products over the channels follow (the Vector API's fused multiply-adds, 6 tiles by
 * 16 channels a register block); the results are transformed back. The backward pass runs the same forward on the
 * output's gradient with the weights turned (180 degrees, channels swapped) for the input's gradient, and sums the
 * transformed inputs times the transformed gradients over the tiles for the weights'.
 *
 * <p>Where the time goes and what it gained (oneDNN 2.5's jit:avx2 direct convolution has no Winograd kernel on
 * AVX2): bench/peers/profiles/README.md, 2026-12-05. The results differ from the direct convolution's by float
 * rounding (the transforms' sums run in another order: about 1e-5 of the output's scale, WinogradConvTest).
 *
 * <p>The batch's rows of tiles are cut into chunks of about 32 tiles, taken by this thread and the helper
 * ({@link Halves#shared}); each chunk's outputs depend on that chunk alone. The weights' gradient is summed over two
 * fixed halves of the chunks, each in its own order, then the two added: the same numbers whoever computes which.
 */
final class WinogradConv implements Blocked.Conv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    /** Tile sides: 6 in, 4 out; 36 transformed values a tile. */
    private static final int T = 36;
    /** The products' register block: 6 tiles by 16 channels. */
    private static final int PB = 6, KB = 16;

    private final int c, k, h, w, th, tw;
    /** The engine's direct convolution, for batches of fewer than {@link #MIN_IMAGES}; may be null. */
    private final Blocked.Conv direct;

    /**
     * Batches of fewer images run on the engine's direct convolution: until C2 has compiled this class's loops, the
     * Vector API runs as interpreted or C1 code, tens of times slower (a fresh JVM's first call over one 28x28
     * picture, 32 -> 32 channels, 295 ms, the next ones 50-70 ms, against 0.6-1 ms direct), which a command that
     * predicts a few pictures would pay whole, while a training's batches pay it in its first few steps.
     */
    static final int MIN_IMAGES = 16;

    /**
     * Smaller pictures stay on the direct convolution: a 7x7 picture is two tiles a row, and the per-row copies and
     * the weights' transform (per call) outweigh the products saved. One JVM, alternating, 2 threads, batch 64,
     * forward / backward ms: 64 -> 64 at 7x7 7.5 / 16.2 against 6.5 / 14.2 direct, 32 -> 64 at 7x7 14.8 / 10.9 against
     * 3.4 / 7.9; at 14x14, 32 -> 32 6.0 / 12.8 against 6.4 / 13.7, 64 -> 64 12.7 / 30.8 against 16.1 / 37.5.
     */
    static final int MIN_SIDE = 12;

    /** @param in per-sample input [C, H, W]; out [K, H, W] */
    WinogradConv(long[] in, long[] out, Blocked.Conv direct) {
        this.direct = direct;
        c = (int) in[0];
        h = (int) in[1];
        w = (int) in[2];
        k = (int) out[0];
        th = (h + 3) / 4;
        tw = (w + 3) / 4;
    }

    /**
     * Whether this kernel runs the convolution: 3x3, stride 1, padding same (or 1), no dilation, input and output
     * channels in whole blocks of 16 (the products' register block, for the input's gradient too), 8 lanes, pictures
     * of at least {@link #MIN_SIDE} by {@link #MIN_SIDE}.
     * {@code iargs}: conv2d's integer arguments.
     */
    static boolean suits(long[] in, long[] out, long[] iargs, int lanes) {
        boolean pad1 = iargs[8] == 1 || (iargs[4] == 1 && iargs[5] == 1);
        return lanes == 8 && iargs[0] == 3 && iargs[1] == 3 && iargs[2] == 1 && iargs[3] == 1 && pad1
                && (iargs[6] <= 1 && iargs[7] <= 1) && in[0] % KB == 0 && out[0] % KB == 0
                && out[1] == in[1] && out[2] == in[2] && in[1] >= MIN_SIDE && in[2] >= MIN_SIDE;
    }

    /** The convolution where {@link #suits}, else null ({@link Blocked#winograd} calls this). */
    static Blocked.Conv make(long[] in, long[] out, long[] iargs, int lanes, Blocked.Conv direct) {
        return suits(in, out, iargs, lanes) ? new WinogradConv(in, out, direct) : null;
    }

    /**
     * Runs the kernel on made-up pictures until C2 has compiled it, so that a training's first steps do not run its
     * interpreted and C1 code, tens of times slower: 16 pictures of 13x13, 16 -> 16 channels (cut tiles, the input's
     * gradient wanted and not), round after round until a round takes under a fifth of the first one's time, at most
     * 3 s. Called on the background thread that starts ND4J while the command reads its data (runtime's Backend),
     * where the JVM has the Vector API's module.
     */
    static void warmUp() {
        long[] shape = {16, 13, 13};
        WinogradConv conv = new WinogradConv(shape, shape, null);
        org.nd4j.linalg.api.buffer.DataType f = org.nd4j.linalg.api.buffer.DataType.FLOAT;
        INDArray x = org.nd4j.linalg.factory.Nd4j.rand(f, 16, 16, 13, 13), wt = org.nd4j.linalg.factory.Nd4j.rand(f, 16, 16, 3, 3),
                b = org.nd4j.linalg.factory.Nd4j.zeros(f, 16), y = org.nd4j.linalg.factory.Nd4j.create(f, 16, 16, 13, 13),
                gx = org.nd4j.linalg.factory.Nd4j.create(f, 16, 16, 13, 13), gw = org.nd4j.linalg.factory.Nd4j.create(f, 16, 16, 3, 3),
                gb = org.nd4j.linalg.factory.Nd4j.create(f, 16);
        long start = System.nanoTime(), first = 0;
        for (int i = 0; ; i++) {
            long t0 = System.nanoTime();
            conv.forward(x, wt, b, y);
            conv.backward(x, wt, y, (i & 1) == 0 ? gx : null, gw, gb);
            long t = System.nanoTime() - t0;
            if (i == 0) first = t;
            else if (i >= 4 && t * 5 < first || System.nanoTime() - start > 3_000_000_000L) return;
        }
    }

    /**
     * Rows of tiles a chunk (the batch's rows of tiles numbered image by image): about 32 tiles, so that a chunk's
     * transformed inputs and products (36 planes of tiles by channels each) stay in a core's L2 cache
     * ({@code -Dann.winogradTiles} sets another count, for timing them: the profiles' notes).
     */
    private int chunkRows() {
        return Math.max(1, Integer.getInteger("ann.winogradTiles", 32) / tw);
    }

    @Override public void forward(INDArray x, INDArray wt, INDArray b, INDArray y) {
        if (x.size(0) < MIN_IMAGES && direct != null) {
            direct.forward(x, wt, b, y);
            return;
        }
        float[] u = weights(Flat.values(wt), k, c, false);
        float[] bias = new float[k];
        if (b != null) Flat.floats(b).get(0, bias, k);
        run(Flat.floats(x), c, u, bias, Flat.floats(y), k, (int) x.size(0));
    }

    @Override public void backward(INDArray x, INDArray wt, INDArray gy, INDArray gx, INDArray gw, INDArray gb) {
        if (x.size(0) < MIN_IMAGES && direct != null) {
            direct.backward(x, wt, gy, gx, gw, gb);
            return;
        }
        int n = (int) x.size(0);
        double[] wv = Flat.values(wt);
        Flat.Floats gys = Flat.floats(gy);
        if (gx != null) run(gys, k, weights(wv, k, c, true), new float[c], Flat.floats(gx), c, n);
        weightGradient(Flat.floats(x), gys, n, gw, gb);
    }

    // ---- the weights' transform: U = G g G^T ----

    /**
     * u[xi][i][o] for a convolution from i channels to o, from w [K][C][3][3]: {@code turned} false, i = C, o = K;
     * true (the input's gradient), i = K, o = C, each 3x3 kernel turned 180 degrees. U = G g G^T, G the 6x3 matrix
     * of F(4x4, 3x3) (its rows: 1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1),
     * written out.
     */
    private static float[] weights(double[] w, int kk, int cc, boolean turned) {
        int ins = turned ? kk : cc, outs = turned ? cc : kk;
        float[] u = new float[T * ins * outs];
        double[] g = new double[9], t = new double[18], v = new double[36];
        for (int a = 0; a < kk; a++) {
            for (int q = 0; q < cc; q++) {
                int base = (a * cc + q) * 9;
                for (int e = 0; e < 9; e++) g[e] = w[base + (turned ? 8 - e : e)];
                for (int j = 0; j < 3; j++) gCol(g[j], g[3 + j], g[6 + j], t, j, 3); // G g: down the columns
                for (int i = 0; i < 6; i++) gCol(t[i * 3], t[i * 3 + 1], t[i * 3 + 2], v, i * 6, 1); // (G g) G^T: along the rows
                int at = (turned ? a * outs + q : q * outs + a), plane = ins * outs;
                for (int xi = 0; xi < T; xi++) u[xi * plane + at] = (float) v[xi];
            }
        }
        return u;
    }

    /** G times the three values g0 g1 g2: six results at out[at], out[at + stride], ... */
    private static void gCol(double g0, double g1, double g2, double[] out, int at, int stride) {
        double s = g0 + g2, t = g0 / 24 + g2 / 6;
        out[at] = g0 / 4;
        out[at + stride] = -(s + g1) / 6;
        out[at + 2 * stride] = -(s - g1) / 6;
        out[at + 3 * stride] = t + g1 / 12;
        out[at + 4 * stride] = t - g1 / 12;
        out[at + 5 * stride] = g2;
    }

    /** G^T times the six values d0..d5 (the adjoint of {@link #gCol}): three results at out[at], out[at + stride], ... */
    private static void gtCol(double d0, double d1, double d2, double d3, double d4, double d5, double[] out, int at, int stride) {
        out[at] = d0 / 4 - (d1 + d2) / 6 + (d3 + d4) / 24;
        out[at + stride] = (d2 - d1) / 6 + (d3 - d4) / 12;
        out[at + 2 * stride] = (d3 + d4) / 6 - (d1 + d2) / 6 + d5;
    }

    // ---- forward (and the input's gradient) ----

    /** Per thread: the padded input chunk, V, M and the output chunk; sized at first use. */
    private final ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[3][]);

    private static float[] sized(float[][] s, int i, int len) {
        if (s[i] == null || s[i].length < len) s[i] = new float[len];
        return s[i];
    }

    /** y (outs channels) = the convolution of x (ins channels) by u, plus bias; n images. */
    private void run(Flat.Floats x, int ins, float[] u, float[] bias, Flat.Floats y, int outs, int n) {
        int per = chunkRows(), all = n * th, chunks = (all + per - 1) / per;
        boolean two = chunks > 1 && Halves.otherCoreFree();
        Halves.shared(chunks, two, 1, (from, to) -> {
            float[][] s = scratch.get();
            for (int ch = from; ch < to; ch++) {
                int r0 = ch * per, rows = Math.min(per, all - r0);
                int p = rows * tw, pp = (p + PB - 1) / PB * PB;
                float[] xp = padded(x, ins, r0, rows, sized(s, 0, rows * ins * 6 * (4 * tw + 2)));
                float[] v = sized(s, 1, T * pp * ins);
                inputTransform(xp, rows, ins, v, pp);
                float[] m = sized(s, 2, T * pp * outs);
                for (int xi = 0; xi < T; xi++) product(v, xi * pp * ins, u, xi * ins * outs, m, xi * pp * outs, pp, ins, outs);
                outputTransform(m, pp, r0, rows, outs, bias, y);
            }
        });
    }

    /**
     * The six input rows under each of the batch's tile rows [r0, r0 + rows) (tile row r: image r / th, rows 4 (r % th)
     * - 1 to 4 (r % th) + 4) of a blocked batch with ch channels, into [rows][ch / 8][6][4 tw + 2][8], zeros outside
     * the picture.
     */
    private float[] padded(Flat.Floats x, int ch, int r0, int rows, float[] xp) {
        int pw = 4 * tw + 2, blocks = ch / 8;
        java.util.Arrays.fill(xp, 0, rows * blocks * 6 * pw * 8, 0f);
        for (int r = 0; r < rows; r++) {
            int image = (r0 + r) / th, ty = (r0 + r) % th;
            for (int cb = 0; cb < blocks; cb++) {
                int from = (image * blocks + cb) * h * w * 8, to = (r * blocks + cb) * 6 * pw * 8;
                for (int a = 0; a < 6; a++) {
                    int row = 4 * ty - 1 + a;
                    if (row >= 0 && row < h) x.get(from + row * w * 8, xp, to + (a * pw + 1) * 8, w * 8);
                }
            }
        }
        return xp;
    }

    /** v[xi][p][ch] = (B^T d B)[xi] of each tile p's 6x6 input d, 8 channels at a time. */
    private void inputTransform(float[] xp, int rows, int ch, float[] v, int pp) {
        int pw = 4 * tw + 2, blocks = ch / 8, step = pp * ch;
        float[] r = new float[T * 8];
        for (int i = 0; i < rows; i++) {
            for (int cb = 0; cb < blocks; cb++) {
                int base = (i * blocks + cb) * 6 * pw * 8;
                {
                    for (int tx = 0; tx < tw; tx++) {
                        int p = i * tw + tx;
                        int at = base + tx * 4 * 8;
                        for (int j = 0; j < 6; j++) { // down each of the tile's columns
                            int o = at + j * 8;
                            FloatVector d0 = FloatVector.fromArray(S, xp, o), d1 = FloatVector.fromArray(S, xp, o + pw * 8),
                                    d2 = FloatVector.fromArray(S, xp, o + 2 * pw * 8), d3 = FloatVector.fromArray(S, xp, o + 3 * pw * 8),
                                    d4 = FloatVector.fromArray(S, xp, o + 4 * pw * 8), d5 = FloatVector.fromArray(S, xp, o + 5 * pw * 8);
                            bt(d0, d1, d2, d3, d4, d5, r, j * 8, 48);
                        }
                        for (int a = 0; a < 6; a++) { // along each row of that
                            int q = a * 48;
                            FloatVector d0 = FloatVector.fromArray(S, r, q), d1 = FloatVector.fromArray(S, r, q + 8),
                                    d2 = FloatVector.fromArray(S, r, q + 16), d3 = FloatVector.fromArray(S, r, q + 24),
                                    d4 = FloatVector.fromArray(S, r, q + 32), d5 = FloatVector.fromArray(S, r, q + 40);
                            bt(d0, d1, d2, d3, d4, d5, v, (a * 6 * pp + p) * ch + cb * 8, step);
                        }
                    }
                }
            }
        }
    }

    /** B^T d for one column of six: the six results at out, out + stride, ... */
    private static void bt(FloatVector d0, FloatVector d1, FloatVector d2, FloatVector d3, FloatVector d4, FloatVector d5,
            float[] out, int at, int stride) {
        d0.mul(4f).add(d2.mul(-5f)).add(d4).intoArray(out, at);
        d1.add(d2).mul(-4f).add(d3).add(d4).intoArray(out, at + stride);
        d1.sub(d2).mul(4f).sub(d3).add(d4).intoArray(out, at + 2 * stride);
        d3.sub(d1).mul(2f).sub(d2).add(d4).intoArray(out, at + 3 * stride);
        d1.sub(d3).mul(2f).sub(d2).add(d4).intoArray(out, at + 4 * stride);
        d1.mul(4f).add(d3.mul(-5f)).add(d5).intoArray(out, at + 5 * stride);
    }

    /** m[p][o] = sum over i of v[p][i] u[i][o], p in [0, pp) (pp a multiple of 6), o in whole blocks of 16. */
    private static void product(float[] v, int vo, float[] u, int uo, float[] m, int mo, int pp, int ins, int outs) {
        for (int k0 = 0; k0 < outs; k0 += KB) {
            for (int p0 = 0; p0 < pp; p0 += PB) {
                FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00,
                        a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
                int vb = vo + p0 * ins;
                for (int i = 0; i < ins; i++) {
                    int ub = uo + i * outs + k0;
                    FloatVector u0 = FloatVector.fromArray(S, u, ub), u1 = FloatVector.fromArray(S, u, ub + 8);
                    FloatVector e = FloatVector.broadcast(S, v[vb + i]);
                    a00 = e.fma(u0, a00);
                    a01 = e.fma(u1, a01);
                    e = FloatVector.broadcast(S, v[vb + ins + i]);
                    a10 = e.fma(u0, a10);
                    a11 = e.fma(u1, a11);
                    e = FloatVector.broadcast(S, v[vb + 2 * ins + i]);
                    a20 = e.fma(u0, a20);
                    a21 = e.fma(u1, a21);
                    e = FloatVector.broadcast(S, v[vb + 3 * ins + i]);
                    a30 = e.fma(u0, a30);
                    a31 = e.fma(u1, a31);
                    e = FloatVector.broadcast(S, v[vb + 4 * ins + i]);
                    a40 = e.fma(u0, a40);
                    a41 = e.fma(u1, a41);
                    e = FloatVector.broadcast(S, v[vb + 5 * ins + i]);
                    a50 = e.fma(u0, a50);
                    a51 = e.fma(u1, a51);
                }
                int mb = mo + p0 * outs + k0;
                a00.intoArray(m, mb);
                a01.intoArray(m, mb + 8);
                a10.intoArray(m, mb + outs);
                a11.intoArray(m, mb + outs + 8);
                a20.intoArray(m, mb + 2 * outs);
                a21.intoArray(m, mb + 2 * outs + 8);
                a30.intoArray(m, mb + 3 * outs);
                a31.intoArray(m, mb + 3 * outs + 8);
                a40.intoArray(m, mb + 4 * outs);
                a41.intoArray(m, mb + 4 * outs + 8);
                a50.intoArray(m, mb + 5 * outs);
                a51.intoArray(m, mb + 5 * outs + 8);
            }
        }
    }

    /** y's tile rows [r0, r0 + count) = (A^T m A) of each tile, plus the bias. */
    private void outputTransform(float[] m, int pp, int r0, int count, int outs, float[] bias, Flat.Floats y) {
        int blocks = outs / 8, step = pp * outs, rw = 4 * tw * 8;
        float[] r = new float[24 * 8], rows = new float[4 * rw];
        for (int i = 0; i < count; i++) {
            int image = (r0 + i) / th, ty = (r0 + i) % th;
            for (int kb = 0; kb < blocks; kb++) {
                FloatVector b = FloatVector.fromArray(S, bias, kb * 8);
                int base = (image * blocks + kb) * h * w * 8;
                {
                    for (int tx = 0; tx < tw; tx++) {
                        int p = i * tw + tx;
                        for (int j = 0; j < 6; j++) { // down each column of the 6x6
                            int o = (j * pp + p) * outs + kb * 8;
                            at(FloatVector.fromArray(S, m, o), FloatVector.fromArray(S, m, o + 6 * step),
                                    FloatVector.fromArray(S, m, o + 12 * step), FloatVector.fromArray(S, m, o + 18 * step),
                                    FloatVector.fromArray(S, m, o + 24 * step), FloatVector.fromArray(S, m, o + 30 * step), null, r, j * 8, 48);
                        }
                        for (int a = 0; a < 4; a++) { // along each of the four rows
                            int q = a * 48;
                            at(FloatVector.fromArray(S, r, q), FloatVector.fromArray(S, r, q + 8), FloatVector.fromArray(S, r, q + 16),
                                    FloatVector.fromArray(S, r, q + 24), FloatVector.fromArray(S, r, q + 32), FloatVector.fromArray(S, r, q + 40),
                                    b, rows, a * rw + tx * 32, 8);
                        }
                    }
                    for (int a = 0; a < 4 && ty * 4 + a < h; a++) y.put(base + (ty * 4 + a) * w * 8, rows, a * rw, w * 8);
                }
            }
        }
    }

    /** A^T m for six values m0..m5: four results at out, out + stride, ...; plus b when not null. */
    private static void at(FloatVector m0, FloatVector m1, FloatVector m2, FloatVector m3, FloatVector m4, FloatVector m5,
            FloatVector b, float[] out, int at, int stride) {
        FloatVector s12 = m1.add(m2), d12 = m1.sub(m2), s34 = m3.add(m4), d34 = m3.sub(m4);
        FloatVector y0 = m0.add(s12).add(s34), y1 = d34.mul(2f).add(d12), y2 = s34.mul(4f).add(s12), y3 = d34.mul(8f).add(d12).add(m5);
        if (b != null) {
            y0 = y0.add(b);
            y1 = y1.add(b);
            y2 = y2.add(b);
            y3 = y3.add(b);
        }
        y0.intoArray(out, at);
        y1.intoArray(out, at + stride);
        y2.intoArray(out, at + 2 * stride);
        y3.intoArray(out, at + 3 * stride);
    }

    // ---- the weights' gradient ----

    /**
     * gw [K][C][3][3] = G^T dU G, dU[xi][c][k] = the sum over tiles of v[xi][p][c] dm[xi][p][k], dm the output
     * gradient's tiles through the output transform's adjoint (A g A^T); gb[k] = the sum of gy over images and pixels.
     */
    private void weightGradient(Flat.Floats x, Flat.Floats gy, int n, INDArray gw, INDArray gb) {
        int per = chunkRows(), all = n * th, chunks = (all + per - 1) / per, half = (chunks + 1) / 2;
        float[][] du = new float[2][];
        double[][] bias = new double[2][];
        boolean two = chunks > 1 && Halves.otherCoreFree();
        Halves.shared(2, two, 1, (from, to) -> {
            for (int hf = from; hf < to; hf++) {
                float[] acc = new float[T * c * k];
                double[] bacc = new double[k];
                float[][] s = scratch.get();
                for (int ch = hf == 0 ? 0 : half; ch < (hf == 0 ? half : chunks); ch++) {
                    int r0 = ch * per, rows = Math.min(per, all - r0);
                    int p = rows * tw, pp = (p + PB - 1) / PB * PB;
                    float[] xp = padded(x, c, r0, rows, sized(s, 0, rows * c * 6 * (4 * tw + 2)));
                    float[] v = sized(s, 1, T * pp * c);
                    inputTransform(xp, rows, c, v, pp);
                    float[] dm = sized(s, 2, T * pp * k);
                    gradientTransform(gy, r0, rows, dm, pp, bacc);
                    for (int xi = 0; xi < T; xi++) sumOverTiles(v, xi * pp * c, dm, xi * pp * k, acc, xi * c * k, pp, c, k);
                }
                du[hf] = acc;
                bias[hf] = bacc;
            }
        });
        float[] g = new float[k * c * 9];
        float[] d = du[0];
        for (int q = 0; q < d.length; q++) d[q] += du[1][q];
        double[] dv = new double[36], t = new double[18], r = new double[9];
        int plane = c * k;
        for (int a = 0; a < k; a++) {
            for (int q = 0; q < c; q++) {
                for (int xi = 0; xi < T; xi++) dv[xi] = d[xi * plane + q * k + a];
                for (int i = 0; i < 6; i++) gtCol(dv[i * 6], dv[i * 6 + 1], dv[i * 6 + 2], dv[i * 6 + 3], dv[i * 6 + 4], dv[i * 6 + 5], t, i * 3, 1); // dU G
                for (int j = 0; j < 3; j++) gtCol(t[j], t[3 + j], t[6 + j], t[9 + j], t[12 + j], t[15 + j], r, j, 3); // G^T (dU G)
                for (int e = 0; e < 9; e++) g[(a * c + q) * 9 + e] = (float) r[e];
            }
        }
        Flat.floats(gw).put(0, g, g.length);
        if (gb != null) {
            float[] bg = new float[k];
            for (int a = 0; a < k; a++) bg[a] = (float) (bias[0][a] + bias[1][a]);
            Flat.floats(gb).put(0, bg, k);
        }
    }

    /**
     * dm[xi][p][k] = (A g A^T)[xi] of each tile's 4x4 output gradient g (zeros past the picture's edge), rows
     * [p, pp) zero; adds each channel's gradient values to bacc.
     */
    private void gradientTransform(Flat.Floats gy, int r0, int count, float[] dm, int pp, double[] bacc) {
        int blocks = k / 8, step = pp * k, rw = 4 * tw * 8;
        java.util.Arrays.fill(dm, 0, T * pp * k, 0f);
        float[] rows = new float[4 * rw], r = new float[T * 8];
        for (int i = 0; i < count; i++) {
            int image = (r0 + i) / th, ty = (r0 + i) % th;
            for (int kb = 0; kb < blocks; kb++) {
                int base = (image * blocks + kb) * h * w * 8;
                {
                    java.util.Arrays.fill(rows, 0f);
                    for (int a = 0; a < 4 && ty * 4 + a < h; a++) gy.get(base + (ty * 4 + a) * w * 8, rows, a * rw, w * 8);
                    for (int a = 0; a < 4; a++) {
                        for (int q = 0; q < w * 8; q++) bacc[kb * 8 + (q & 7)] += rows[a * rw + q];
                    }
                    for (int tx = 0; tx < tw; tx++) {
                        int pt = i * tw + tx;
                        for (int a = 0; a < 4; a++) { // along each row: 4 -> 6
                            int o = a * rw + tx * 32;
                            aT(FloatVector.fromArray(S, rows, o), FloatVector.fromArray(S, rows, o + 8), FloatVector.fromArray(S, rows, o + 16),
                                    FloatVector.fromArray(S, rows, o + 24), r, a * 48, 8);
                        }
                        for (int j = 0; j < 6; j++) { // down each column: 4 -> 6
                            aT(FloatVector.fromArray(S, r, j * 8), FloatVector.fromArray(S, r, 48 + j * 8), FloatVector.fromArray(S, r, 96 + j * 8),
                                    FloatVector.fromArray(S, r, 144 + j * 8), dm, (j * pp + pt) * k + kb * 8, 6 * step);
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #at}: six results (A g) from four values, at out, out + stride, ... */
    private static void aT(FloatVector g0, FloatVector g1, FloatVector g2, FloatVector g3, float[] out, int at, int stride) {
        FloatVector s02 = g0.add(g2), s13 = g1.add(g3), e02 = g0.add(g2.mul(4f)), e13 = g1.mul(2f).add(g3.mul(8f));
        g0.intoArray(out, at);
        s02.add(s13).intoArray(out, at + stride);
        s02.sub(s13).intoArray(out, at + 2 * stride);
        e02.add(e13).intoArray(out, at + 3 * stride);
        e02.sub(e13).intoArray(out, at + 4 * stride);
        g3.intoArray(out, at + 5 * stride);
    }

    /** acc[i][o] += the sum over p in [0, pp) of v[p][i] dm[p][o]: blocks of 4 input by 16 output channels, 8 accumulators. */
    private static void sumOverTiles(float[] v, int vo, float[] dm, int mo, float[] acc, int ao, int pp, int ins, int outs) {
        for (int k0 = 0; k0 < outs; k0 += KB) {
            for (int i0 = 0; i0 < ins; i0 += 4) {
                int ab = ao + i0 * outs + k0;
                FloatVector a00 = FloatVector.fromArray(S, acc, ab), a01 = FloatVector.fromArray(S, acc, ab + 8),
                        a10 = FloatVector.fromArray(S, acc, ab + outs), a11 = FloatVector.fromArray(S, acc, ab + outs + 8),
                        a20 = FloatVector.fromArray(S, acc, ab + 2 * outs), a21 = FloatVector.fromArray(S, acc, ab + 2 * outs + 8),
                        a30 = FloatVector.fromArray(S, acc, ab + 3 * outs), a31 = FloatVector.fromArray(S, acc, ab + 3 * outs + 8);
                for (int p = 0; p < pp; p++) {
                    int mb = mo + p * outs + k0, vb = vo + p * ins + i0;
                    FloatVector g0 = FloatVector.fromArray(S, dm, mb), g1 = FloatVector.fromArray(S, dm, mb + 8);
                    FloatVector e = FloatVector.broadcast(S, v[vb]);
                    a00 = e.fma(g0, a00);
                    a01 = e.fma(g1, a01);
                    e = FloatVector.broadcast(S, v[vb + 1]);
                    a10 = e.fma(g0, a10);
                    a11 = e.fma(g1, a11);
                    e = FloatVector.broadcast(S, v[vb + 2]);
                    a20 = e.fma(g0, a20);
                    a21 = e.fma(g1, a21);
                    e = FloatVector.broadcast(S, v[vb + 3]);
                    a30 = e.fma(g0, a30);
                    a31 = e.fma(g1, a31);
                }
                a00.intoArray(acc, ab);
                a01.intoArray(acc, ab + 8);
                a10.intoArray(acc, ab + outs);
                a11.intoArray(acc, ab + outs + 8);
                a20.intoArray(acc, ab + 2 * outs);
                a21.intoArray(acc, ab + 2 * outs + 8);
                a30.intoArray(acc, ab + 3 * outs);
                a31.intoArray(acc, ab + 3 * outs + 8);
            }
        }
    }
}
