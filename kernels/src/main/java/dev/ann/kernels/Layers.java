package dev.ann.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The layer kinds of the language, forward and backward. */
public final class Layers {
    private Layers() {}

    static long prod(long[] s) {
        long p = 1;
        for (long v : s) p *= v;
        return p;
    }

    /** The data: out is set by the net. */
    public static final class Input extends Layer {
        public Input() {}
        void forward(INDArray[] in, boolean training) { out = in[0]; }
        INDArray[] backward(INDArray g) { return new INDArray[0]; }
    }

    /**
     * dense: z = x W + b, then the fused activation in place of a separate op. On {@code [T, F]} samples with a
     * {@code [T, units]} output it acts on the last axis, each step on its own: the batch as n*T rows of one gemm.
     */
    public static final class Dense extends Layer {
        Activation act; // fused activation or null
        INDArray w, b, gw, gb, x, z;
        /** Units and bias come with the parameters the Network binds: weight [in, units], bias [units] or none. */
        public Dense() {}

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            w = p.get("weight"); b = p.get("bias"); gw = g.get("weight"); gb = g.get("bias");
        }

        /** Whether the samples are {@code [T, F]} steps with a {@code [T, units]} output (else one vector each). */
        boolean steps() { return outShape.length == 2; }

        void forward(INDArray[] in, boolean training) {
            if (steps()) { // [n, T, F] as [n*T, F] rows, and the output back as [n, T, units]
                forward(in[0].reshape(in[0].size(0) * inShapes[0][0], inShapes[0][1]));
                out = out.reshape(in[0].size(0), outShape[0], outShape[1]);
            } else {
                forward(in[0]);
            }
        }

        private void forward(INDArray in) {
            long n = in.size(0);
            x = in.rank() == 2 ? in : in.reshape(n, prod(inShapes[0]));
            long units = w.size(1);
            boolean relu = act != null && act.fn == Activation.Fn.RELU;
            if ((act == null || act.isIdentity() || relu) && Flat.host() && x.dataType() == DataType.FLOAT && Flat.plainFloat(b)) {
                // the product, then the bias and relu in one Java pass over the rows: ND4J's bias add and relu
                // took 20-120 µs each at fashion_mlp's sizes, and its relu_layer gains nothing from a second
                // thread where the product alone does (K.gemm)
                z = bufShape(0, n, n, units);
                if (Flat.plainFloat(w, gw) && sparse.hold(x)) sparse.times(w, z);
                else K.gemm(x, w, z, false, false);
                out = relu ? bufShape(1, n, n, units) : z;
                if (b != null || relu) biasRelu(z, b, out, relu);
                return;
            }
            sparse.forget();
            // elsewhere (double networks, other activations): ND4J's xw_plus_b and relu_layer (oneDNN) are fast
            // when the inputs count a multiple of 16 and far slower than a gemm otherwise: [32, K] x [K, 64] + bias,
            // 1 thread, xw_plus_b against a gemm and the bias, p10: K = 1000 5.6 against 0.55 ms, K = 5000 24.8
            // against 1.0; K = 784, 1008, 1024 0.18 against 0.33-0.47 (bench/training/ops.sh 30 dense, ops-results.md)
            boolean fused = w.size(0) % 16 == 0;
            if (fused && b != null && act != null && act.fn == Activation.Fn.RELU && n > 1) {
                // relu(x W + b) in one op (ND4J's relu_layer: xw_plus_b, then relu in place); z is not kept:
                // relu's backward pass reads step(z), which is step(out). ND4J 1.0.0-M2.1's relu_layer fails its
                // validation on a batch of one sample ("Op validation failed"): that one takes the two ops below
                out = bufShape(1, n, n, units);
                K.exec("relu_layer", new INDArray[] {x, w, b}, new INDArray[] {out}, null, null);
                z = out;
                return;
            }
            z = bufShape(0, n, n, units);
            if (b != null && fused) {
                K.exec("xw_plus_b", new INDArray[] {x, w, b}, new INDArray[] {z}, null, null);
            } else {
                K.gemm(x, w, z, false, false, 1.0, 0.0);
                if (b != null) z.addiRowVector(b);
            }
            if (act == null || act.isIdentity()) { out = z; return; }
            out = bufShape(1, n, n, units);
            act.forward(z, out);
        }

        /** Scratch of the Java passes below: the batch's values, a second array of them, the bias or its sums. */
        private float[] valsA = new float[0], valsB = new float[0], biasRow = new float[0];
        /** This batch's inputs by their nonzero entries, when they are mostly zeros (a bag of words). */
        private final SparseBatch sparse = new SparseBatch();
        private double[] sums = new double[0];

        /**
         * out = relu(z + b) (or z + b); b may be null, out may be z. All plain float [n, units] (b [units]). Whole
         * batches in bulk and small loops, each a method of its own: the same work written as one method with
         * per-row copies took C2 a quarter of a second to compile (JFR's wall-clock figure on 2 busy cores), while
         * the first epochs of a short training ran it unoptimised.
         */
        private void biasRelu(INDArray z, INDArray b, INDArray out, boolean relu) {
            int n = (int) z.size(0), u = (int) z.size(1), len = n * u;
            if (valsA.length < len) valsA = new float[len];
            float[] v = valsA;
            Flat.floats(z).get(0, v, len);
            if (b != null) {
                if (biasRow.length < u) biasRow = new float[u];
                Flat.floats(b).get(0, biasRow, u);
                for (int r = 0; r < n; r++) addInto(v, r * u, biasRow, u);
            }
            if (relu) Activation.relu(v, len);
            Flat.floats(out).put(0, v, len);
        }

        /**
         * gz = g * step(out) when relu (else g itself), and gb = the column sums of gz (in double), over the whole
         * batch (relu's step(z) is step(out)). gz may be g; gb may be null. All plain float.
         */
        private void reluBackBiasGrad(INDArray out, INDArray g, INDArray gz, INDArray gb, boolean relu) {
            int n = (int) g.size(0), u = (int) g.size(1), len = n * u;
            if (valsA.length < len) valsA = new float[len];
            float[] gv = valsA;
            Flat.floats(g).get(0, gv, len);
            if (relu) {
                if (valsB.length < len) valsB = new float[len];
                Flat.floats(out).get(0, valsB, len);
                Activation.reluGradient(gv, valsB, len);
                Flat.floats(gz).put(0, gv, len);
            }
            if (gb == null) return;
            if (sums.length < u) sums = new double[u];
            if (biasRow.length < u) biasRow = new float[u];
            java.util.Arrays.fill(sums, 0, u, 0.0);
            for (int r = 0; r < n; r++) sumInto(sums, gv, r * u, u);
            for (int k = 0; k < u; k++) biasRow[k] = (float) sums[k];
            Flat.floats(gb).put(0, biasRow, u);
        }

        private static void addInto(float[] v, int at, float[] b, int u) {
            for (int k = 0; k < u; k++) v[at + k] += b[k];
        }

        private static void sumInto(double[] acc, float[] v, int at, int u) {
            for (int k = 0; k < u; k++) acc[k] += v[at + k];
        }

        INDArray[] backward(INDArray g) {
            if (!steps()) return backward(g, out, inShapes[0]);
            // rows as in the forward pass, the input's gradient back as [n, T, F]
            long rows = x.size(0);
            INDArray[] gx = backward(g.reshape(rows, outShape[1]), out.reshape(rows, outShape[1]), new long[] {inShapes[0][1]});
            if (gx[0] != null) gx[0] = gx[0].reshape(g.size(0), inShapes[0][0], inShapes[0][1]);
            return gx;
        }

        private INDArray[] backward(INDArray g, INDArray out, long[] inShape) {
            long n = g.size(0);
            INDArray gz = g;
            boolean relu = act != null && act.fn == Activation.Fn.RELU;
            if ((act == null || act.isIdentity() || relu) && Flat.plainFloat(g, out, gb)) {
                if (relu) gz = bufShape(2, n, n, w.size(1));
                reluBackBiasGrad(out, g, gz, gb, relu);
                INDArray gx = needInputGrad ? bufShape(4, n, n, w.size(0)) : null;
                if (sparse.held()) {
                    sparse.transposeTimes(gz, gw);
                    if (gx != null) K.gemm(gz, w, gx, false, true);
                } else if (gx != null) {
                    K.gemmPair(gz, w, gx, false, true, x, gz, gw, true, false); // both at once where that gains
                } else {
                    K.gemm(x, gz, gw, true, false);
                }
                if (gx == null) return new INDArray[] {null};
                return new INDArray[] {inShape.length == 1 ? gx : gx.reshape(K.prepend(n, inShape))};
            }
            if (act != null && !act.isIdentity()) {
                gz = bufShape(2, n, n, w.size(1));
                act.backward(z, out, g, gz, act.needsScratch() ? bufShape(3, n, n, w.size(1)) : null);
            }
            K.gemm(x, gz, gw, true, false, 1.0, 0.0);
            if (gb != null) gz.sum(gb, 0);
            if (!needInputGrad) return new INDArray[] {null};
            INDArray gx = bufShape(4, n, n, w.size(0));
            K.gemm(gz, w, gx, false, true, 1.0, 0.0);
            return new INDArray[] {inShape.length == 1 ? gx : gx.reshape(K.prepend(n, inShape))};
        }
    }

    /** conv2d, NCHW, weights [out, in, kh, kw]; ND4J's conv2d / conv2d_bp (oneDNN on CPU). */
    public static final class Conv2d extends Layer {
        Activation act;
        INDArray w, b, gw, gb, x, z;
        final long[] iargs;
        /** Filters, channels and the kernel's size come with the weight [filters, channels, kh, kw] the Network binds. */
        public Conv2d(int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW, boolean same) {
            iargs = new long[] {kernelH, kernelW, strideH, strideW, 0, 0, dilationH, dilationW, same ? 1 : 0, 0, 1};
        }

        /** oneDNN builds no float primitive for dilated convolutions: those run on libnd4j's own code. */
        boolean dilated() {
            return iargs[6] > 1 || iargs[7] > 1;
        }

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            w = p.get("weight"); b = p.get("bias"); gw = g.get("weight"); gb = g.get("bias");
            if (b == null) { // bias: false: a zero bias whose gradient goes nowhere
                b = Nd4j.zeros(dt, w.size(0));
                gb = Nd4j.zeros(dt, w.size(0));
            }
        }

        /** The way of a layer over few input channels (an image network's first), or null: ND4J's conv2d ops. */
        private Im2col im2col() {
            if (!im2colChecked && Im2col.suits(inShapes[0], iargs)) im2col = new Im2col(inShapes[0], outShape, iargs);
            im2colChecked = true;
            return im2col;
        }
        private Im2col im2col;
        private boolean im2colChecked;
        /** The way of a first layer (few input channels, stride 1, no input gradient), or null. */
        private FirstConv firstConv() {
            if (!firstConvChecked && !needInputGrad && FirstConv.suits(inShapes[0], iargs)) firstConv = new FirstConv(inShapes[0], outShape, iargs);
            firstConvChecked = true;
            return firstConv;
        }
        private FirstConv firstConv;
        private boolean firstConvChecked;
        /** whether the last forward pass took the FirstConv way (then backward does too) */
        private boolean direct;
        /** whether the last forward pass took the im2col way (then backward does too) */
        private boolean byColumns;
        /** the convolution on the blocked layout ({@link Blocked}), when the Network chose it */
        private Blocked.Conv blockedConv;

        /**
         * Whether this layer can run on engine e's blocked layout: float, both channel counts in whole blocks, no
         * dilation; makes the engine's convolution when it can.
         */
        boolean blockable(Blocked.Engine e) {
            if (dt != org.nd4j.linalg.api.buffer.DataType.FLOAT || dilated() || inShapes[0].length != 3
                    || !Blocked.fits(inShapes[0][0], e.lanes()) || !Blocked.fits(outShape[0], e.lanes())) return false;
            Blocked.Conv direct = e.conv(inShapes[0], outShape, iargs);
            Blocked.Conv winograd = Blocked.winograd(inShapes[0], outShape, iargs, e.lanes(), direct);
            blockedConv = winograd != null ? winograd : direct;
            return blockedConv != null;
        }

        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0);
            x = in[0];
            z = buf(0, n, outShape);
            FirstConv fc = lanes > 1 ? null : firstConv();
            direct = fc != null && Flat.plainFloat(x, w, b, z);
            Im2col ic = direct || lanes > 1 ? null : im2col();
            byColumns = ic != null && Flat.plain(x, w, b, z);
            if (lanes > 1) {
                blockedConv.forward(x, w, b, z);
            } else if (direct) {
                fc.forward(x, w, b, z);
            } else if (byColumns) {
                long pixels = n * outShape[1] * outShape[2];
                INDArray col = bufShape(5, n, ic.colRows(), pixels), wb = bufShape(6, n, outShape[0], ic.colRows());
                ic.columns(x, col);
                ic.joined(w, b, wb);
                ic.forward(col, wb, bufShape(7, n, outShape[0], pixels), z);
            } else {
                K.onTwoThreadsIfLarge(flops(n), () -> K.exec("conv2d", new INDArray[] {x, w, b}, new INDArray[] {z}, iargs, null, dilated()));
            }
            if (act == null || act.isIdentity()) { out = z; return; }
            out = buf(1, n, outShape);
            act.forward(z, out);
        }

        INDArray[] backward(INDArray g) {
            long n = g.size(0);
            INDArray gz = g;
            if (act != null && !act.isIdentity()) {
                gz = buf(2, n, outShape);
                act.backward(z, out, g, gz, act.needsScratch() ? buf(3, n, outShape) : null);
            }
            if (direct && Flat.plainFloat(gz, gw, gb)) {
                firstConv().backward(gz, gw, gb);
                return new INDArray[] {null};
            }
            INDArray gx = buf(4, n, inShapes[0]);
            if (lanes > 1) {
                blockedConv.backward(x, w, gz, needInputGrad ? gx : null, gw, gb);
                return new INDArray[] {needInputGrad ? gx : null};
            }
            if (byColumns && Flat.plain(gz, gw, gb, gx)) {
                Im2col ic = im2col();
                long pixels = n * outShape[1] * outShape[2];
                ic.backward(gz, bufShape(5, n, ic.colRows(), pixels), bufShape(6, n, outShape[0], ic.colRows()),
                        bufShape(7, n, outShape[0], pixels), bufShape(8, n, outShape[0], ic.colRows()), gw, gb,
                        needInputGrad ? bufShape(9, n, ic.colRows(), pixels) : null, needInputGrad ? gx : null);
            } else {
                INDArray gzz = gz;
                // conv2d_bp computes the input's gradient whether read or not: two products' worth
                K.onTwoThreadsIfLargeSplittingSums(2 * flops(n), () -> K.exec("conv2d_bp", new INDArray[] {x, w, b, gzz}, new INDArray[] {gx, gw, gb}, iargs, null, dilated()));
            }
            return new INDArray[] {needInputGrad ? gx : null};
        }

        /** the forward pass's multiply-adds times two: every output value over kernel x channels */
        private long flops(long n) {
            return 2 * n * outShape[0] * outShape[1] * outShape[2] * iargs[0] * iargs[1] * inShapes[0][0];
        }
    }

    /**
     * maxpool / avgpool: ND4J's maxpool2d / avgpool2d and their _bp ops, run on
     * NHWC copies. oneDNN's pooling for plain NCHW arrays is its slow reference
     * kernel; for NHWC it has a vectorised one. With the copies, maxpool at
     * batch 64 over 32x28x28 takes 13 ms forward and backward against 32 ms
     * in NCHW (bench/training/ops.sh).
     */
    public static final class Pool extends Layer {
        final String kind;
        final long[] iargs;
        long[] inNhwc, outNhwc;
        INDArray xn;
        public Pool(boolean max, int sizeH, int sizeW, int strideH, int strideW, boolean same) {
            kind = max ? "maxpool2d" : "avgpool2d";
            // kH kW sH sW pH pW dH dW same extra(avg: 0 = padding not counted) NHWC
            iargs = new long[] {sizeH, sizeW, strideH, strideW, 0, 0, 1, 1, same ? 1 : 0, 0, 1};
        }

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            inNhwc = new long[] {inShapes[0][1], inShapes[0][2], inShapes[0][0]};
            outNhwc = new long[] {outShape[1], outShape[2], outShape[0]};
        }

        /** Windows inside the input (no `same` padding): plain Java over the host buffers, in NCHW as they lie. */
        private boolean java(INDArray... as) {
            return iargs[8] == 0 && Flat.plainFloat(as);
        }

        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0);
            if (java(in[0])) {
                out = buf(2, n, outShape);
                if (lanes > 1) maxBlocked(in[0], out);
                else if (kind.equals("maxpool2d")) maxFlat(in[0], out);
                else avgFlat(in[0], out);
                return;
            }
            if (lanes > 1) throw new IllegalStateException("pooling on the blocked layout needs float arrays in host memory");
            xn = buf(0, n, inNhwc);
            xn.assign(in[0].permute(0, 2, 3, 1));
            INDArray on = buf(1, n, outNhwc);
            K.exec(kind, new INDArray[] {xn}, new INDArray[] {on}, iargs, null);
            out = buf(2, n, outShape);
            out.assign(on.permute(0, 3, 1, 2));
        }

        INDArray[] backward(INDArray g) {
            long n = g.size(0);
            if (java(g)) {
                INDArray gx = buf(5, n, inShapes[0]);
                if (kind.equals("maxpool2d")) maxBackFlat(g, gx);
                else avgBackFlat(g, gx);
                return new INDArray[] {gx};
            }
            if (lanes > 1) throw new IllegalStateException("pooling on the blocked layout needs float arrays in host memory");
            INDArray gn = buf(3, n, outNhwc);
            gn.assign(g.permute(0, 2, 3, 1));
            INDArray gxn = buf(4, n, inNhwc);
            K.exec(kind + "_bp", new INDArray[] {xn, gn}, new INDArray[] {gxn}, iargs, null);
            INDArray gx = buf(5, n, inShapes[0]);
            gx.assign(gxn.permute(0, 3, 1, 2));
            return new INDArray[] {gx};
        }

        /** Where each max came from (the input plane's flat index), per output value; int32, kept per batch size. */
        private final Map<Long, int[]> argmaxes = new java.util.HashMap<>();
        private int[] where(long n) {
            return argmaxes.computeIfAbsent(n, k -> new int[(int) (k * prod(outShape))]);
        }

        /**
         * Max pooling in plain Java, plane by plane: each output the largest value of its window (the first
         * of equal ones in row-major order), and where it came from for the backward pass. The work of a plane
         * is one call per output row of a small method ({@link #maxRow}): called thousands of times a step, it
         * reaches the JIT's optimising compiler within the first steps. The same loops written inline in the
         * per-plane lambda ran as interpreted or profiled code for the first hundred steps or so: a third of
         * `ann train`'s Java samples in fashion_cnn's first four epochs of 17 steps (JFR), 6.3 ms a step for its
         * first pool by StepBench's layer timer in a 20 s run.
         */
        private void maxFlat(INDArray x, INDArray y) {
            int planes = (int) (x.size(0) * inShapes[0][0]);
            int ih = (int) inShapes[0][1], iw = (int) inShapes[0][2], oh = (int) outShape[1], ow = (int) outShape[2];
            int kh = (int) iargs[0], kw = (int) iargs[1], sh = (int) iargs[2], sw = (int) iargs[3];
            int[] at = where(x.size(0));
            Flat.Floats xv = Flat.floats(x), yv = Flat.floats(y);
            Halves.run(planes, BatchNorm.twoCores(x), 1, (p0, p1) -> {
                float[] in = new float[ih * iw], o = new float[oh * ow];
                for (int p = p0; p < p1; p++) {
                    xv.get(p * ih * iw, in, ih * iw);
                    int first = p * oh * ow;
                    for (int r = 0; r < oh; r++) maxRow(in, r * sh * iw, iw, kh, kw, sw, 1, o, at, first, r * ow, ow);
                    yv.put(first, o, oh * ow);
                }
            });
        }

        /**
         * One output row of kh x kw windows of one channel, {@code step} floats apart, whose top row starts at
         * {@code top}, {@code rowLen} floats between rows and {@code ps} between a row's pixels (1 on a plain
         * plane; the lanes on the blocked layout, whose outputs lie as far apart): each window's values in
         * row-major order, the largest kept with where it lies (a later value only when strictly larger).
         * Selects, not branches: the larger of two values is a coin toss. (A version unrolled for 2x2 windows ran
         * no faster.)
         */
        private static void maxRow(float[] in, int top, int rowLen, int kh, int kw, int step, int ps, float[] o, int[] at, int first,
                                   int row, int ow) {
            if (kh == 2 && kw == 2) {
                maxRow2(in, top, rowLen, step, ps, o, at, first, row, ow);
                return;
            }
            for (int q = 0; q < ow; q++) {
                int best = top + q * step;
                float v = in[best];
                for (int a = 0; a < kh; a++) {
                    for (int b = 0; b < kw; b++) {
                        int j = top + a * rowLen + q * step + b * ps;
                        float w = in[j];
                        best = w > v ? j : best;
                        v = Math.max(v, w);
                    }
                }
                o[row + q * ps] = v;
                at[first + row + q * ps] = best;
            }
        }

        /**
         * {@link #maxRow} for 2x2 windows, the most common, with the window's four values written out: the same
         * comparisons in the same order (the first value compared with itself changes nothing), so the same values
         * and places. The general loops' trip counts of 2 cost more than the work: a scratch timing of a step's first
         * pool on the blocked layout (one thread, the AVX2 machine, 2026-12-03) 5.1-10.6 ms in maxRow's loops against
         * 2.3-3.4 ms written out.
         */
        private static void maxRow2(float[] in, int top, int rowLen, int step, int ps, float[] o, int[] at, int first, int row, int ow) {
            for (int q = 0; q < ow; q++) {
                int j0 = top + q * step, j1 = j0 + ps, j2 = j0 + rowLen, j3 = j2 + ps;
                int best = j0;
                float v = in[j0], w = in[j1];
                best = w > v ? j1 : best;
                v = Math.max(v, w);
                w = in[j2];
                best = w > v ? j2 : best;
                v = Math.max(v, w);
                w = in[j3];
                best = w > v ? j3 : best;
                v = Math.max(v, w);
                o[row + q * ps] = v;
                at[first + row + q * ps] = best;
            }
        }

        /** Whether this layer runs on the blocked layout ({@link Blocked}): max pooling in Java, windows inside the input. */
        boolean blockable() {
            return kind.equals("maxpool2d") && iargs[8] == 0 && dt == org.nd4j.linalg.api.buffer.DataType.FLOAT && inShapes[0].length == 3;
        }

        /**
         * {@link #maxFlat} on the blocked layout: rows of {@code lanes} channels side by side, each channel's
         * window visited in the same order, so the same values and the same chosen positions.
         */
        private void maxBlocked(INDArray x, INDArray y) {
            int l = lanes, rows = (int) (x.size(0) * inShapes[0][0] / l);
            int ih = (int) inShapes[0][1], iw = (int) inShapes[0][2], oh = (int) outShape[1], ow = (int) outShape[2];
            int kh = (int) iargs[0], kw = (int) iargs[1], sh = (int) iargs[2], sw = (int) iargs[3];
            int inLen = ih * iw * l, outLen = oh * ow * l;
            int[] at = where(x.size(0));
            Flat.Floats xv = Flat.floats(x), yv = Flat.floats(y);
            Halves.run(rows, BatchNorm.twoCores(x), 1, (p0, p1) -> {
                float[] in = new float[inLen], o = new float[outLen];
                for (int p = p0; p < p1; p++) {
                    xv.get(p * inLen, in, inLen);
                    int first = p * outLen;
                    for (int r = 0; r < oh; r++) {
                        for (int j = 0; j < l; j++) maxRow(in, r * sh * iw * l + j, iw * l, kh, kw, sw * l, l, o, at, first, r * ow * l + j, ow);
                    }
                    yv.put(first, o, outLen);
                }
            });
        }

        /**
         * The gradient of max pooling: each output's gradient to where its max came from (summed where windows
         * overlap), plane by plane, or row by row of {@code lanes} channels on the blocked layout.
         */
        private void maxBackFlat(INDArray g, INDArray gx) {
            int planes = (int) (g.size(0) * inShapes[0][0] / lanes);
            int inLen = (int) (inShapes[0][1] * inShapes[0][2] * lanes), outLen = (int) (outShape[1] * outShape[2] * lanes);
            int[] at = where(g.size(0));
            Flat.Floats gv = Flat.floats(g), xv = Flat.floats(gx);
            Halves.run(planes, BatchNorm.twoCores(g), 1, (p0, p1) -> {
                float[] go = new float[outLen], gi = new float[inLen];
                for (int p = p0; p < p1; p++) {
                    gv.get(p * outLen, go, outLen);
                    java.util.Arrays.fill(gi, 0);
                    scatter(go, at, p * outLen, gi, outLen);
                    xv.put(p * inLen, gi, inLen);
                }
            });
        }

        /** gi[at[first + k]] += go[k] for k in [0, len): a small method of its own, as {@link #maxRow}. */
        private static void scatter(float[] go, int[] at, int first, float[] gi, int len) {
            for (int k = 0; k < len; k++) gi[at[first + k]] += go[k];
        }

        /** Average pooling in plain Java: each output the mean of its window (every window lies inside the input). */
        private void avgFlat(INDArray x, INDArray y) {
            int planes = (int) (x.size(0) * inShapes[0][0]);
            int ih = (int) inShapes[0][1], iw = (int) inShapes[0][2], oh = (int) outShape[1], ow = (int) outShape[2];
            int kh = (int) iargs[0], kw = (int) iargs[1], sh = (int) iargs[2], sw = (int) iargs[3];
            float area = (float) kh * kw;
            Flat.Floats xv = Flat.floats(x), yv = Flat.floats(y);
            Halves.run(planes, BatchNorm.twoCores(x), 1, (p0, p1) -> {
                float[] in = new float[ih * iw], o = new float[oh * ow];
                for (int p = p0; p < p1; p++) {
                    xv.get(p * ih * iw, in, ih * iw);
                    for (int r = 0; r < oh; r++) avgRow(in, r * sh * iw, iw, kh, kw, sw, area, o, r * ow, ow);
                    yv.put(p * oh * ow, o, oh * ow);
                }
            });
        }

        /** The gradient of average pooling: each output's gradient spread evenly over its window. */
        private void avgBackFlat(INDArray g, INDArray gx) {
            int planes = (int) (g.size(0) * inShapes[0][0]);
            int ih = (int) inShapes[0][1], iw = (int) inShapes[0][2], oh = (int) outShape[1], ow = (int) outShape[2];
            int kh = (int) iargs[0], kw = (int) iargs[1], sh = (int) iargs[2], sw = (int) iargs[3];
            float area = (float) kh * kw;
            Flat.Floats gv = Flat.floats(g), xv = Flat.floats(gx);
            Halves.run(planes, BatchNorm.twoCores(g), 1, (p0, p1) -> {
                float[] go = new float[oh * ow], gi = new float[ih * iw];
                for (int p = p0; p < p1; p++) {
                    gv.get(p * oh * ow, go, oh * ow);
                    java.util.Arrays.fill(gi, 0);
                    for (int r = 0; r < oh; r++) avgBackRow(go, r * ow, ow, area, gi, r * sh * iw, iw, kh, kw, sw);
                    xv.put(p * ih * iw, gi, ih * iw);
                }
            });
        }

        /** One output row of window means, the windows' top row at {@code top} (small methods: see {@link #maxFlat}). */
        private static void avgRow(float[] in, int top, int iw, int kh, int kw, int sw, float area, float[] o, int row, int ow) {
            for (int q = 0; q < ow; q++) {
                float sum = 0;
                for (int a = 0; a < kh; a++) for (int b = 0; b < kw; b++) sum += in[top + a * iw + q * sw + b];
                o[row + q] = sum / area;
            }
        }

        /** One output row's gradients spread evenly over their windows. */
        private static void avgBackRow(float[] go, int row, int ow, float area, float[] gi, int top, int iw, int kh, int kw, int sw) {
            for (int q = 0; q < ow; q++) {
                float v = go[row + q] / area;
                for (int a = 0; a < kh; a++) for (int b = 0; b < kw; b++) gi[top + a * iw + q * sw + b] += v;
            }
        }
    }

    /**
     * The mean of each channel's plane ({@code [n, c, h, w] -> [n, c]}) or, on {@code [T, F]} samples, of each
     * feature over the real steps ({@code [n, T, F] -> [n, F]}; padded steps ignored, 0 for a sample without a
     * real step).
     */
    public static final class GlobalAvgPool extends Layer {
        final Sequence.TimeMean time = new Sequence.TimeMean();
        public GlobalAvgPool() {}
        void forward(INDArray[] in, boolean training) {
            out = buf(0, in[0].size(0), outShape);
            if (inShapes[0].length == 2) { time.forward(in[0], mask, out, buf(2, in[0].size(0), inShapes[0])); return; }
            in[0].mean(out, 2, 3);
        }
        INDArray[] backward(INDArray g) {
            long n = g.size(0);
            INDArray gx = buf(1, n, inShapes[0]);
            if (inShapes[0].length == 2) {
                time.backward(g, gx);
                return new INDArray[] {gx};
            }
            Nd4j.exec(new BroadcastCopyOp(gx, g, gx, 0, 1));
            gx.divi(inShapes[0][1] * inShapes[0][2]);
            return new INDArray[] {gx};
        }
    }

    /** flatten and reshape: views, no copy. */
    public static final class Reshape extends Layer {
        /** The new shape is the output shape the Network sets. */
        public Reshape() {}
        /** The last input and gradient seen, and the views of them returned ({@link #view}). */
        private final INDArray[] seen = new INDArray[2], views = new INDArray[2];

        void forward(INDArray[] in, boolean training) {
            out = view(0, in[0], outShape);
        }
        INDArray[] backward(INDArray g) {
            return new INDArray[] {view(1, g, inShapes[0])};
        }

        /**
         * a reshaped to [n, perSample...]: the view made for the same array the last time, when that view shares
         * its buffer. A step's arrays are the same from batch to batch (the layers' buffers, the batches' uploads).
         * ND4J's reshape is Java work: 11-20 µs a call in a loop of its own, 0.03-0.09 ms in fashion_mlp's step
         * (StepBench's layer timer; 0.00 with the view kept), and C2 compiled its shape code twice more during
         * {@code ann train}'s third epoch (JFR), after the validation's other batch size.
         */
        private INDArray view(int slot, INDArray a, long[] perSample) {
            if (a != seen[slot]) {
                INDArray v = a.reshape(K.prepend(a.size(0), perSample));
                // a copy (a view could not be made) would go stale: made again each time. (A view's buffer is an
                // object of its own over the same memory.)
                seen[slot] = v.data().address() == a.data().address() ? a : null;
                views[slot] = v;
                return v;
            }
            return views[slot];
        }
    }

    /** Inverted dropout: training multiplies by a mask of 0 and 1/(1-rate); evaluation is the identity. */
    public static final class Dropout extends Layer {
        final double rate;
        INDArray mask;
        boolean active;
        public Dropout(double rate) { this.rate = rate; }
        void forward(INDArray[] in, boolean training) {
            active = training && rate > 0;
            if (!active) { out = in[0]; return; }
            long n = in[0].size(0);
            mask = buf(0, n, outShape);
            Nd4j.exec(new BernoulliDistribution(mask, 1.0 - rate));
            out = buf(1, n, outShape);
            if (Flat.plainFloat(in[0], mask)) { // the scale and the product in one Java pass: the same floats as the two ops
                multiply(mask, true, (float) (1.0 / (1.0 - rate)), in[0], out);
                return;
            }
            mask.muli(1.0 / (1.0 - rate));
            Nd4j.exec(new MulOp(in[0], mask, out));
        }
        INDArray[] backward(INDArray g) {
            if (!active) return new INDArray[] {g};
            INDArray gx = buf(2, g.size(0), outShape);
            if (Flat.plainFloat(g, mask)) multiply(mask, false, 1f, g, gx);
            else Nd4j.exec(new MulOp(g, mask, gx));
            return new INDArray[] {gx};
        }

        private float[] ma = new float[0], xa = new float[0];

        /**
         * out = x * mask, the mask first scaled in place by {@code scale} when {@code scaleMask} (the same floats
         * as ND4J's scalar and pairwise products): whole arrays in bulk, then small loops of their own (see
         * Dense.biasRelu on the JIT). All plain float.
         */
        private void multiply(INDArray mask, boolean scaleMask, float scale, INDArray x, INDArray out) {
            int len = (int) x.length();
            if (ma.length < len) { ma = new float[len]; xa = new float[len]; }
            Flat.Floats fm = Flat.floats(mask);
            fm.get(0, ma, len);
            Flat.floats(x).get(0, xa, len);
            if (scaleMask) {
                scale(ma, scale, len);
                fm.put(0, ma, len);
            }
            times(xa, ma, len);
            Flat.floats(out).put(0, xa, len);
        }

        private static void scale(float[] a, float s, int len) {
            for (int i = 0; i < len; i++) a[i] *= s;
        }

        private static void times(float[] a, float[] b, int len) {
            for (int i = 0; i < len; i++) a[i] *= b[i];
        }
    }

    /**
     * batchnorm over the batch (and spatial positions for NCHW), per channel.
     * Running statistics follow running = momentum * running + (1 - momentum) * batch,
     * with the biased batch variance.
     *
     * <p>Written as plain ND4J ops rather than ND4J's batchnorm / batchnorm_bp:
     * those, with the mean and variance reductions over axes (0, 2, 3), take
     * about 31 ms a layer (forward and backward, batch 64, 32 channels of
     * 28x28) against about 15 ms here (bench/training/ops.sh). Per-channel sums are
     * a matrix-vector product of the [N*C, H*W] view with a vector of ones;
     * per-channel factors are [1, C, 1] operands that ND4J broadcasts. The
     * static methods are the ones the generated trainer contains, op for op.
     */
    public static final class BatchNorm extends Layer {
        final double momentum, eps;
        INDArray gamma, beta, rmean, rvar, ggamma, gbeta;
        /**
         * kept from the training forward pass for the backward pass: x - mean (by ND4J's ops; the Java loops keep
         * x itself and {@link #means} instead), and 1 / sqrt(var + eps) per channel
         */
        INDArray d, inv;
        /** the training forward pass's input, when it ran in Java ({@link #trainFlat}): the backward pass reads x - mean from it */
        INDArray x;
        public BatchNorm(double momentum, double eps) {
            this.momentum = momentum;
            this.eps = eps;
        }
        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            gamma = p.get("gamma"); beta = p.get("beta"); rmean = p.get("running_mean"); rvar = p.get("running_var");
            ggamma = g.get("gamma"); gbeta = g.get("beta");
        }

        /** An activation fused into this layer by the Network (relu inside the loops, others after them), or null. */
        Activation act;
        /** the normalised values before the fused activation (when it is not relu) */
        INDArray z;
        /** each channel's float gamma / sqrt(var + eps) from the last training forward pass in Java ({@link #trainFlat}) */
        float[] scales;
        /** each channel's float batch mean from that pass */
        float[] means;
        /** whether the last training forward pass ran in Java and left {@link #scales} for the backward pass */
        boolean scalesFresh;

        private boolean reluInside() { return act != null && act.fn == Activation.Fn.RELU; }
        private boolean actAfter() { return act != null && !act.isIdentity() && !reluInside(); }

        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0);
            out = buf(0, n, outShape);
            // the plain Java loops when the arrays lie in host memory (the CPU), ND4J's ops otherwise
            boolean java = Flat.plainFloat(in[0], out, gamma, beta, rmean, rvar);
            z = actAfter() ? buf(4, n, outShape) : out;
            if (training) {
                inv = bufShape(2, n, inShapes[0][0]);
                if (java && Flat.plainFloat(inv)) {
                    if (scales == null || scales.length != gamma.length()) {
                        scales = new float[(int) gamma.length()];
                        means = new float[(int) gamma.length()];
                    }
                    x = in[0];
                    if (lanes > 1) trainBlocked(x, gamma, beta, rmean, rvar, momentum, eps, inv, z, reluInside(), scales, means, lanes);
                    else trainFlat(x, gamma, beta, rmean, rvar, momentum, eps, inv, z, reluInside(), scales, means);
                    scalesFresh = true;
                } else {
                    if (lanes > 1) throw new IllegalStateException("batchnorm on the blocked layout needs float arrays in host memory");
                    d = buf(1, n, inShapes[0]);
                    train(in[0], gamma, beta, rmean, rvar, momentum, eps, d, inv, z);
                    if (reluInside()) act.forward(z, z);
                    scalesFresh = false;
                }
            } else if (java) {
                if (lanes > 1) evalBlocked(in[0], gamma, beta, rmean, rvar, eps, z, reluInside(), lanes);
                else evalFlat(in[0], gamma, beta, rmean, rvar, eps, z, reluInside());
            } else {
                if (lanes > 1) throw new IllegalStateException("batchnorm on the blocked layout needs float arrays in host memory");
                eval(in[0], gamma, beta, rmean, rvar, eps, z);
                if (reluInside()) act.forward(z, z);
            }
            if (actAfter()) act.forward(z, out);
        }

        INDArray[] backward(INDArray g) {
            long n = g.size(0);
            INDArray gx = buf(3, n, inShapes[0]);
            if (actAfter()) {
                INDArray gz = buf(5, n, outShape);
                act.backward(z, out, g, gz, act.needsScratch() ? buf(6, n, outShape) : null);
                g = gz;
            }
            if (scalesFresh && Flat.plainFloat(g, inv, gamma, beta, ggamma, gbeta, gx)) {
                if (lanes > 1) backwardBlocked(g, reluInside(), scales, means, beta, x, inv, gamma, ggamma, gbeta, gx, lanes);
                else backwardFlat(g, reluInside(), scales, means, beta, x, inv, gamma, ggamma, gbeta, gx);
            } else {
                if (lanes > 1) throw new IllegalStateException("batchnorm on the blocked layout needs its Java forward pass");
                if (scalesFresh) { // the Java forward pass kept x and the means, not x - mean
                    d = buf(1, n, inShapes[0]);
                    centred(x, means, d);
                }
                if (reluInside()) { // relu's gradient: g where the output is positive
                    INDArray gz = buf(5, n, outShape);
                    act.backward(out, out, g, gz, null);
                    g = gz;
                }
                backward(g, d, inv, gamma, ggamma, gbeta, gx);
            }
            return new INDArray[] {gx};
        }

        /** Whether a batch this large goes over two cores (when one is idle: {@link Halves}). */
        static boolean twoCores(INDArray a) {
            return a.length() >= 1 << 16 && Halves.otherCoreFree();
        }

        /**
         * Planes summed per position in float before the sums move to double: sums of a few floats stay exact to
         * float rounding, and the loops over positions vectorise (C2 keeps a running float sum scalar).
         */
        static final int SUM_BLOCK = 16;

        /**
         * {@link #train} in plain Java over float host buffers, channel by channel, each plane of the batch
         * copied into a float row: the mean and the biased variance from one pass (per position, the sums of x
         * and x^2 over up to {@link #SUM_BLOCK} planes in float, then in double), then d = x - mean and
         * out = gamma * d / sqrt(var + eps) + beta (relu'd when {@code relu}) in loops the JIT vectorises. Two
         * reads of x and one write where the dozen ND4J ops read and wrote the batch a dozen times (bench:
         * OpBench flat). {@code scales} receives each channel's float gamma / sqrt(var + eps), which
         * {@link #backwardFlat} needs to find where the fused relu cut, and {@code means} each channel's float
         * mean, from which the backward pass recomputes d = x - mean with the same float subtraction: writing d
         * here cost a second write of the batch (6.4 MB a step for fashion_cnn's first two batchnorms, 3.2 for the
         * others) that the backward pass then read back where it now reads x.
         */
        static void trainFlat(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean, INDArray runningVar,
                              double momentum, double eps, INDArray inv, INDArray out, boolean relu, float[] scales, float[] means) {
            int n = (int) x.size(0), c = (int) gamma.length(), s = (int) (x.length() / ((long) n * c));
            double m = (double) n * s;
            Flat.Floats xv = Flat.floats(x), ov = Flat.floats(out);
            double[] ga = Flat.view(gamma).all(), be = Flat.view(beta).all();
            double[] rm = Flat.view(runningMean).all(), rv = Flat.view(runningVar).all(), iv = new double[c];
            Halves.run(c, twoCores(x), 1, (c0, c1) -> {
                float[] row = new float[s], o = new float[s];
                Sums sums = new Sums(s);
                for (int ch = c0; ch < c1; ch++) {
                    int cc = ch;
                    sums.over(n, (i, fs, fq) -> {
                        xv.get((i * c + cc) * s, row, s);
                        addSums(row, fs, fq, s);
                    });
                    double mean = statistics(ch, sums.a, sums.b, m, eps, momentum, iv, rm, rv);
                    float mu = (float) mean, scale = (float) (ga[ch] * iv[ch]), shift = (float) be[ch];
                    for (int i = 0; i < n; i++) {
                        int at = (i * c + ch) * s;
                        xv.get(at, row, s);
                        if (relu) normaliseRelu(row, o, mu, scale, shift, s);
                        else normalise(row, o, mu, scale, shift, s);
                        ov.put(at, o, s);
                    }
                    scales[ch] = scale;
                    means[ch] = mu;
                }
            });
            Flat.view(inv).put(0, iv, c);
            Flat.view(runningMean).put(0, rm, c);
            Flat.view(runningVar).put(0, rv, c);
        }

        /** Two sums over a channel's planes, per position in float over up to {@link #SUM_BLOCK} planes, then in double. */
        static final class Sums {
            /** Adds plane i's values to the float sums per position fa and fb. */
            interface Plane {
                void add(int i, float[] fa, float[] fb);
            }

            private final int s;
            private final float[] fa, fb;
            private final double[] da, db;
            /** the two sums of the last {@link #over} */
            double a, b;

            Sums(int positions) {
                s = positions;
                fa = new float[s];
                fb = new float[s];
                da = new double[s];
                db = new double[s];
            }

            /** The positions each sum covers. */
            int size() { return s; }

            /** The sums over planes 0..n-1 into {@link #a} and {@link #b}. */
            void over(int n, Plane plane) {
                java.util.Arrays.fill(da, 0);
                java.util.Arrays.fill(db, 0);
                for (int i0 = 0; i0 < n; i0 += SUM_BLOCK) {
                    java.util.Arrays.fill(fa, 0f);
                    java.util.Arrays.fill(fb, 0f);
                    for (int i = i0; i < Math.min(n, i0 + SUM_BLOCK); i++) plane.add(i, fa, fb);
                    addTo(fa, da, s);
                    addTo(fb, db, s);
                }
                double x = 0, y = 0;
                for (int k = 0; k < s; k++) {
                    x += da[k];
                    y += db[k];
                }
                a = x;
                b = y;
            }

            /**
             * After {@link #over} on (a piece of) rows of {@code lanes} channels side by side (the blocked layout): adds
             * each lane's two sums over the positions to sa and sb, in the order {@link #over} adds a plain channel's
             * (pieces in order continue the same sums).
             */
            void lanes(int lanes, double[] sa, double[] sb) {
                for (int j = 0; j < lanes; j++) {
                    double x = sa[j], y = sb[j];
                    for (int k = j; k < s; k += lanes) {
                        x += da[k];
                        y += db[k];
                    }
                    sa[j] = x;
                    sb[j] = y;
                }
            }
        }

        /** sums[k] += row[k], squares[k] += row[k]^2. */
        private static void addSums(float[] row, float[] sums, float[] squares, int s) {
            for (int k = 0; k < s; k++) {
                float v = row[k];
                sums[k] += v;
                squares[k] += v * v;
            }
        }

        /** to[k] += from[k]. */
        private static void addTo(float[] from, double[] to, int s) {
            for (int k = 0; k < s; k++) to[k] += from[k];
        }

        /** o[k] = d * scale + shift with d = row[k] - mu. */
        private static void normalise(float[] row, float[] o, float mu, float scale, float shift, int s) {
            for (int k = 0; k < s; k++) o[k] = (row[k] - mu) * scale + shift;
        }

        /** {@link #normalise}, relu'd: o[k] = max(d * scale + shift, 0). */
        private static void normaliseRelu(float[] row, float[] o, float mu, float scale, float shift, int s) {
            for (int k = 0; k < s; k++) o[k] = Math.max((row[k] - mu) * scale + shift, 0f);
        }

        /** d = x - mean per channel, in float as {@link #trainFlat}'s loops compute it: for ND4J's backward pass. */
        static void centred(INDArray x, float[] means, INDArray d) {
            int n = (int) x.size(0), c = means.length, s = (int) (x.length() / ((long) n * c));
            Flat.Floats xv = Flat.floats(x), dv = Flat.floats(d);
            float[] row = new float[s];
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    int at = (i * c + ch) * s;
                    xv.get(at, row, s);
                    subtract(row, means[ch], s);
                    dv.put(at, row, s);
                }
            }
        }

        /** row[k] -= mu. */
        private static void subtract(float[] row, float mu, int s) {
            for (int k = 0; k < s; k++) row[k] -= mu;
        }

        /** {@link #eval} in plain Java: out = x * scale + shift per channel (relu'd when {@code relu}). */
        static void evalFlat(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean, INDArray runningVar,
                             double eps, INDArray out, boolean relu) {
            int n = (int) x.size(0), c = (int) gamma.length(), s = (int) (x.length() / ((long) n * c));
            Flat.Floats xv = Flat.floats(x), ov = Flat.floats(out);
            double[] ga = Flat.view(gamma).all(), be = Flat.view(beta).all();
            double[] rm = Flat.view(runningMean).all(), rv = Flat.view(runningVar).all();
            Halves.run(c, twoCores(x), 1, (c0, c1) -> {
                float[] row = new float[s], sc1 = new float[1], sh1 = new float[1];
                for (int ch = c0; ch < c1; ch++) {
                    evalFactors(ch, ga, be, rm, rv, eps, sc1, sh1, 0);
                    float scale = sc1[0], shift = sh1[0];
                    for (int i = 0; i < n; i++) {
                        int at = (i * c + ch) * s;
                        xv.get(at, row, s);
                        for (int k = 0; k < s; k++) {
                            float y = row[k] * scale + shift;
                            row[k] = relu ? Math.max(y, 0f) : y;
                        }
                        ov.put(at, row, s);
                    }
                }
            });
        }

        /**
         * Channel ch's batch statistics from its sums over m values (both layouts' training passes): 1 / sqrt(var +
         * eps) into iv[ch], with the biased variance; its running mean and variance moved. Returns the mean.
         */
        private static double statistics(int ch, double sum, double sq, double m, double eps, double momentum, double[] iv,
                                         double[] rm, double[] rv) {
            double mean = sum / m, var = Math.max(0, sq / m - mean * mean);
            iv[ch] = 1 / Math.sqrt(var + eps);
            rm[ch] = rm[ch] * momentum + mean * (1.0 - momentum);
            rv[ch] = rv[ch] * momentum + var * (1.0 - momentum);
            return mean;
        }

        /** Channel ch's evaluation factors from the running statistics, into scale[at] and shift[at]: y = x scale + shift. */
        private static void evalFactors(int ch, double[] ga, double[] be, double[] rm, double[] rv, double eps, float[] scale,
                                        float[] shift, int at) {
            double f = ga[ch] / Math.sqrt(rv[ch] + eps);
            scale[at] = (float) f;
            shift[at] = (float) (be[ch] - rm[ch] * f);
        }

        /**
         * Channel ch's gradients from its sums of gm and gm * d over m values (both layouts' backward passes): the
         * beta and gamma gradients into gb[ch] and gg[ch], and the input gradient's factors gx = a gm + b d + k into
         * a[at], b[at], k[at].
         */
        private static void gradFactors(int ch, double sg, double sgd, double m, double[] iv, double[] ga, double[] gg, double[] gb,
                                        float[] a, float[] b, float[] k, int at) {
            double in = iv[ch], f = ga[ch] * in;
            gb[ch] = sg;
            gg[ch] = sgd * in;
            a[at] = (float) f;
            b[at] = (float) (-f * in * gg[ch] / m);
            k[at] = (float) (-f * sg / m);
        }

        /** {@code e[k] = v[k % lanes]} over [0, len): a per-channel float spread over a piece of a blocked row. */
        private static void spread(float[] v, int lanes, float[] e, int len) {
            for (int k = 0; k < len; k++) e[k] = v[k % lanes];
        }

        /**
         * Floats of a blocked row taken at a time: 64 pixels of every lane, so that the loops' arrays (the row's
         * piece, the per-element factors, the sums) sit in the L1 cache as a plain channel's do. A multiple of the
         * lanes: every piece starts at lane 0, so one spread of the per-channel factors serves them all.
         */
        private static int piece(int lanes) {
            return 64 * lanes;
        }

        /**
         * {@link #trainFlat} on the blocked layout ({@link Blocked}): rows of {@code lanes} channels side by side,
         * taken a {@link #piece} at a time; each channel's sums, statistics and values by the same float and double
         * operations in the same order, so the same numbers as on plain NCHW.
         */
        static void trainBlocked(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean, INDArray runningVar,
                                 double momentum, double eps, INDArray inv, INDArray out, boolean relu, float[] scales, float[] means,
                                 int lanes) {
            int n = (int) x.size(0), c = (int) gamma.length(), groups = c / lanes, s = (int) (x.length() / ((long) n * c)), len = s * lanes;
            int pc = Math.min(piece(lanes), len);
            double m = (double) n * s;
            Flat.Floats xv = Flat.floats(x), ov = Flat.floats(out);
            double[] ga = Flat.view(gamma).all(), be = Flat.view(beta).all();
            double[] rm = Flat.view(runningMean).all(), rv = Flat.view(runningVar).all(), iv = new double[c];
            Halves.run(groups, twoCores(x), 1, (g0, g1) -> {
                float[] row = new float[pc], o = new float[pc], mu = new float[pc], sc = new float[pc], sh = new float[pc];
                float[] mu1 = new float[lanes], sc1 = new float[lanes], sh1 = new float[lanes];
                double[] sa = new double[lanes], sb = new double[lanes];
                Sums sums = new Sums(pc);
                int[] piece = new int[2]; // the piece's first float in sample 0's row, its length
                Sums.Plane plane = (i, fs, fq) -> {
                    xv.get(i * groups * len + piece[0], row, piece[1]);
                    addSums(row, fs, fq, piece[1]);
                };
                Sums last = len % pc == 0 ? sums : new Sums(len % pc);
                for (int grp = g0; grp < g1; grp++) {
                    groupSums(n, grp, len, lanes, sums, last, piece, plane, sa, sb);
                    for (int j = 0; j < lanes; j++) {
                        int ch = grp * lanes + j;
                        mu1[j] = (float) statistics(ch, sa[j], sb[j], m, eps, momentum, iv, rm, rv);
                        sc1[j] = (float) (ga[ch] * iv[ch]);
                        sh1[j] = (float) be[ch];
                        scales[ch] = sc1[j];
                        means[ch] = mu1[j];
                    }
                    spread(mu1, lanes, mu, pc);
                    spread(sc1, lanes, sc, pc);
                    spread(sh1, lanes, sh, pc);
                    for (int i = 0; i < n; i++) {
                        for (int p0 = 0; p0 < len; p0 += pc) {
                            int at = (i * groups + grp) * len + p0, w = Math.min(pc, len - p0);
                            xv.get(at, row, w);
                            if (relu) normaliseRelu(row, o, mu, sc, sh, w);
                            else normalise(row, o, mu, sc, sh, w);
                            ov.put(at, o, w);
                        }
                    }
                }
            });
            Flat.view(inv).put(0, iv, c);
            Flat.view(runningMean).put(0, rm, c);
            Flat.view(runningVar).put(0, rv, c);
        }

        /**
         * Each lane's two sums over group grp's rows of the batch (sa, sb), a piece at a time: {@code piece} gets the
         * piece's first float in sample 0's row and its length before {@code plane} reads it; {@code whole} sums a
         * full piece, {@code last} the shorter last one.
         */
        private static void groupSums(int n, int grp, int len, int lanes, Sums whole, Sums last, int[] piece, Sums.Plane plane,
                                      double[] sa, double[] sb) {
            java.util.Arrays.fill(sa, 0);
            java.util.Arrays.fill(sb, 0);
            int pc = whole.size();
            for (int p0 = 0; p0 < len; p0 += pc) {
                piece[0] = grp * len + p0;
                piece[1] = Math.min(pc, len - p0);
                Sums su = piece[1] < pc ? last : whole;
                su.over(n, plane);
                su.lanes(lanes, sa, sb);
            }
        }

        /** {@link #normalise} with a mean, scale and shift per element. */
        private static void normalise(float[] row, float[] o, float[] mu, float[] scale, float[] shift, int s) {
            for (int k = 0; k < s; k++) o[k] = (row[k] - mu[k]) * scale[k] + shift[k];
        }

        /** {@link #normaliseRelu} with a mean, scale and shift per element. */
        private static void normaliseRelu(float[] row, float[] o, float[] mu, float[] scale, float[] shift, int s) {
            for (int k = 0; k < s; k++) o[k] = Math.max((row[k] - mu[k]) * scale[k] + shift[k], 0f);
        }

        /** {@link #evalFlat} on the blocked layout, a {@link #piece} at a time. */
        static void evalBlocked(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean, INDArray runningVar,
                                double eps, INDArray out, boolean relu, int lanes) {
            int n = (int) x.size(0), c = (int) gamma.length(), groups = c / lanes, s = (int) (x.length() / ((long) n * c)), len = s * lanes;
            int pc = Math.min(piece(lanes), len);
            Flat.Floats xv = Flat.floats(x), ov = Flat.floats(out);
            double[] ga = Flat.view(gamma).all(), be = Flat.view(beta).all();
            double[] rm = Flat.view(runningMean).all(), rv = Flat.view(runningVar).all();
            Halves.run(groups, twoCores(x), 1, (g0, g1) -> {
                float[] row = new float[pc], sc = new float[pc], sh = new float[pc], sc1 = new float[lanes], sh1 = new float[lanes];
                for (int grp = g0; grp < g1; grp++) {
                    for (int j = 0; j < lanes; j++) {
                        evalFactors(grp * lanes + j, ga, be, rm, rv, eps, sc1, sh1, j);
                    }
                    spread(sc1, lanes, sc, pc);
                    spread(sh1, lanes, sh, pc);
                    for (int i = 0; i < n; i++) {
                        for (int p0 = 0; p0 < len; p0 += pc) {
                            int at = (i * groups + grp) * len + p0, w = Math.min(pc, len - p0);
                            xv.get(at, row, w);
                            for (int k = 0; k < w; k++) {
                                float y = row[k] * sc[k] + sh[k];
                                row[k] = relu ? Math.max(y, 0f) : y;
                            }
                            ov.put(at, row, w);
                        }
                    }
                }
            });
        }

        /** {@link #backwardFlat} on the blocked layout, a {@link #piece} at a time: each channel's numbers as there. */
        static void backwardBlocked(INDArray g, boolean relu, float[] scales, float[] means, INDArray beta, INDArray x, INDArray inv,
                                    INDArray gamma, INDArray gammaGrad, INDArray betaGrad, INDArray gx, int lanes) {
            int n = (int) g.size(0), c = (int) gamma.length(), groups = c / lanes, s = (int) (g.length() / ((long) n * c)), len = s * lanes;
            int pc = Math.min(piece(lanes), len);
            double m = (double) n * s;
            Flat.Floats gv = Flat.floats(g), xs = Flat.floats(x), gxv = Flat.floats(gx);
            double[] ga = Flat.view(gamma).all(), be = Flat.view(beta).all(), iv = Flat.view(inv).all();
            double[] gg = new double[c], gb = new double[c];
            Halves.run(groups, twoCores(g), 1, (g0, g1) -> {
                float[] gr = new float[pc], xr = new float[pc], mu = new float[pc], sc = new float[pc], sh = new float[pc];
                float[] fa = new float[pc], fb = new float[pc], fk = new float[pc];
                float[] mu1 = new float[lanes], sc1 = new float[lanes], sh1 = new float[lanes], a1 = new float[lanes], b1 = new float[lanes], k1 = new float[lanes];
                double[] sa = new double[lanes], sb = new double[lanes];
                Sums sums = new Sums(pc), last = len % pc == 0 ? sums : new Sums(len % pc);
                int[] piece = new int[2]; // the piece's first float in sample 0's row, its length
                Sums.Plane plane = (i, fs, fq) -> {
                    int at = i * groups * len + piece[0];
                    gv.get(at, gr, piece[1]);
                    xs.get(at, xr, piece[1]);
                    addGradSums(gr, xr, mu, sc, sh, fs, fq, piece[1]);
                };
                for (int grp = g0; grp < g1; grp++) {
                    for (int j = 0; j < lanes; j++) {
                        int ch = grp * lanes + j;
                        // relu off: a shift of +infinity keeps every value (step 1 everywhere)
                        sc1[j] = relu ? scales[ch] : 0f;
                        sh1[j] = relu ? (float) be[ch] : Float.POSITIVE_INFINITY;
                        mu1[j] = means[ch];
                    }
                    spread(mu1, lanes, mu, pc);
                    spread(sc1, lanes, sc, pc);
                    spread(sh1, lanes, sh, pc);
                    groupSums(n, grp, len, lanes, sums, last, piece, plane, sa, sb);
                    for (int j = 0; j < lanes; j++) {
                        gradFactors(grp * lanes + j, sa[j], sb[j], m, iv, ga, gg, gb, a1, b1, k1, j);
                    }
                    spread(a1, lanes, fa, pc);
                    spread(b1, lanes, fb, pc);
                    spread(k1, lanes, fk, pc);
                    for (int i = 0; i < n; i++) {
                        for (int p0 = 0; p0 < len; p0 += pc) {
                            int at = (i * groups + grp) * len + p0, w = Math.min(pc, len - p0);
                            gv.get(at, gr, w);
                            xs.get(at, xr, w);
                            inputGrad(gr, xr, mu, sc, sh, fa, fb, fk, w);
                            gxv.put(at, gr, w);
                        }
                    }
                }
            });
            Flat.view(gammaGrad).put(0, gg, c);
            Flat.view(betaGrad).put(0, gb, c);
        }

        /**
         * {@link #addGradSums} with a mean, scale and shift per element, in two loops: g and x become gm and d in
         * place, then the sums. (In one loop over seven arrays C2 kept it scalar: ten times slower.)
         */
        private static void addGradSums(float[] g, float[] x, float[] mu, float[] scale, float[] shift, float[] sums, float[] products, int s) {
            masked(g, x, mu, scale, shift, s);
            for (int k = 0; k < s; k++) {
                sums[k] += g[k];
                products[k] += g[k] * x[k];
            }
        }

        /** x[k] = d = x[k] - mu[k] and g[k] = gm, relu's step taken from d as {@link #addGradSums} does. */
        private static void masked(float[] g, float[] x, float[] mu, float[] scale, float[] shift, int s) {
            for (int k = 0; k < s; k++) {
                float t = x[k] - mu[k];
                x[k] = t;
                g[k] = g[k] * Activation.reluStep(Math.max(t * scale[k] + shift[k], 0f));
            }
        }

        /** {@link #inputGrad} with every factor per element, after {@link #masked} (x is then d and g is gm). */
        private static void inputGrad(float[] g, float[] x, float[] mu, float[] scale, float[] shift, float[] a, float[] b, float[] k0, int s) {
            masked(g, x, mu, scale, shift, s);
            for (int k = 0; k < s; k++) g[k] = a[k] * g[k] + b[k] * x[k] + k0[k];
        }

        /**
         * {@link #backward} in plain Java over float host buffers: per channel the sums of g and g * d in one
         * pass (per position over up to {@link #SUM_BLOCK} planes in float, then in double), then
         * gx = a * g + b * d + k in another, d = x - mean recomputed from the forward pass's input x and float
         * {@code means} (the subtraction {@link #trainFlat} made). With {@code relu} (fused) g counts only where
         * relu's output max(d * scale + shift, 0) was positive: recomputed from d and the forward pass's
         * {@code scales} and beta with the same float operations, so it is the output bit for bit without reading
         * it. Leaves x as it was.
         */
        static void backwardFlat(INDArray g, boolean relu, float[] scales, float[] means, INDArray beta, INDArray x, INDArray inv,
                                 INDArray gamma, INDArray gammaGrad, INDArray betaGrad, INDArray gx) {
            int n = (int) g.size(0), c = (int) gamma.length(), s = (int) (g.length() / ((long) n * c));
            double m = (double) n * s;
            Flat.Floats gv = Flat.floats(g), xs = Flat.floats(x), gxv = Flat.floats(gx);
            double[] ga = Flat.view(gamma).all(), be = Flat.view(beta).all(), iv = Flat.view(inv).all();
            double[] gg = new double[c], gb = new double[c];
            Halves.run(c, twoCores(g), 1, (c0, c1) -> {
                float[] gr = new float[s], xr = new float[s], a1 = new float[1], b1 = new float[1], k1 = new float[1];
                Sums sums = new Sums(s);
                for (int ch = c0; ch < c1; ch++) {
                    // relu off: a shift of +infinity keeps every value (step 1 everywhere)
                    float scale = relu ? scales[ch] : 0f, shift = relu ? (float) be[ch] : Float.POSITIVE_INFINITY, mu = means[ch];
                    int cc = ch;
                    sums.over(n, (i, fs, fq) -> {
                        int at = (i * c + cc) * s;
                        gv.get(at, gr, s);
                        xs.get(at, xr, s);
                        addGradSums(gr, xr, mu, scale, shift, fs, fq, s);
                    });
                    gradFactors(ch, sums.a, sums.b, m, iv, ga, gg, gb, a1, b1, k1, 0);
                    float fa = a1[0], fb = b1[0], fk = k1[0];
                    for (int i = 0; i < n; i++) {
                        int at = (i * c + ch) * s;
                        gv.get(at, gr, s);
                        xs.get(at, xr, s);
                        inputGrad(gr, xr, mu, scale, shift, fa, fb, fk, s);
                        gxv.put(at, gr, s);
                    }
                }
            });
            Flat.view(gammaGrad).put(0, gg, c);
            Flat.view(betaGrad).put(0, gb, c);
        }

        /**
         * With d = x[k] - mu and gm = g[k] where relu kept the value (see {@link #backwardFlat}): sums[k] += gm,
         * products[k] += gm * d.
         */
        private static void addGradSums(float[] g, float[] x, float mu, float scale, float shift, float[] sums, float[] products, int s) {
            for (int k = 0; k < s; k++) {
                float t = x[k] - mu, gm = g[k] * Activation.reluStep(Math.max(t * scale + shift, 0f));
                sums[k] += gm;
                products[k] += gm * t;
            }
        }

        /** g[k] = a * gm + b * d + k0 in place, d and gm as in {@link #addGradSums}. */
        private static void inputGrad(float[] g, float[] x, float mu, float scale, float shift, float a, float b, float k0, int s) {
            for (int k = 0; k < s; k++) {
                float t = x[k] - mu, gm = g[k] * Activation.reluStep(Math.max(t * scale + shift, 0f));
                g[k] = a * gm + b * t + k0;
            }
        }

        /** out[c] = the sum of a[n, c, ...] over the batch and the positions. */
        static void channelSum(INDArray a, long c, INDArray out) {
            long n = a.size(0), s = a.length() / (n * c);
            INDArray rows = Nd4j.createUninitialized(a.dataType(), n * c, 1);
            K.gemm(a.reshape(n * c, s), Nd4j.ones(a.dataType(), s, 1), rows, false, false, 1.0, 0.0);
            rows.reshape(n, c).sum(out, 0);
        }

        /**
         * Training mode: normalises x with its batch mean and biased variance,
         * out = gamma * d * inv + beta with d = x - mean and inv = 1 / sqrt(var + eps),
         * keeps d and inv for the backward pass and moves the running statistics.
         */
        static void train(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean, INDArray runningVar,
                          double momentum, double eps, INDArray d, INDArray inv, INDArray out) {
            long n = x.size(0), c = gamma.length(), s = x.length() / (n * c);
            double m = (double) n * s;
            INDArray x3 = x.reshape(n, c, s), d3 = d.reshape(n, c, s), y3 = out.reshape(n, c, s);
            INDArray mean = Nd4j.createUninitialized(x.dataType(), c), var = mean.ulike(), scale = mean.ulike();
            channelSum(x3, c, mean);
            mean.divi(m);
            Nd4j.exec(new SubOp(x3, mean.reshape(1, c, 1), d3));
            Nd4j.exec(new MulOp(d3, d3, y3)); // out holds d * d for a moment
            channelSum(y3, c, var);
            var.divi(m);
            inv.assign(var).addi(eps);
            Nd4j.exec(new RSqrt(inv, inv));
            Nd4j.exec(new MulOp(gamma, inv, scale));
            Nd4j.exec(new MulOp(d3, scale.reshape(1, c, 1), y3));
            Nd4j.exec(new AddOp(y3, beta.reshape(1, c, 1), y3));
            runningMean.muli(momentum).addi(mean.mul(1.0 - momentum));
            runningVar.muli(momentum).addi(var.mul(1.0 - momentum));
        }

        /** Evaluation mode: out = x * scale + shift with scale = gamma / sqrt(runningVar + eps), shift = beta - runningMean * scale. */
        static void eval(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean, INDArray runningVar,
                         double eps, INDArray out) {
            long n = x.size(0), c = gamma.length(), s = x.length() / (n * c);
            INDArray scale = Nd4j.createUninitialized(x.dataType(), c), shift = scale.ulike();
            scale.assign(runningVar).addi(eps);
            Nd4j.exec(new RSqrt(scale, scale));
            scale.muli(gamma);
            Nd4j.exec(new MulOp(runningMean, scale, shift));
            Nd4j.exec(new SubOp(beta, shift, shift));
            INDArray y3 = out.reshape(n, c, s);
            Nd4j.exec(new MulOp(x.reshape(n, c, s), scale.reshape(1, c, 1), y3));
            Nd4j.exec(new AddOp(y3, shift.reshape(1, c, 1), y3));
        }

        /**
         * gbeta = sum g, ggamma = sum g * xhat, and
         * gx = gamma * inv * (g - gbeta / m - xhat * ggamma / m) with xhat = d * inv,
         * computed as gx = a * g + b * d + k with per-channel a, b and k.
         * Overwrites d.
         */
        static void backward(INDArray g, INDArray d, INDArray inv, INDArray gamma, INDArray gammaGrad, INDArray betaGrad, INDArray gx) {
            long n = g.size(0), c = gamma.length(), s = g.length() / (n * c);
            double m = (double) n * s;
            INDArray g3 = g.reshape(n, c, s), d3 = d.reshape(n, c, s), gx3 = gx.reshape(n, c, s);
            INDArray sgd = Nd4j.createUninitialized(g.dataType(), c), a = sgd.ulike(), b = sgd.ulike(), k = sgd.ulike();
            channelSum(g3, c, betaGrad);
            Nd4j.exec(new MulOp(g3, d3, gx3)); // gx holds g * d for a moment
            channelSum(gx3, c, sgd);
            Nd4j.exec(new MulOp(sgd, inv, gammaGrad));
            Nd4j.exec(new MulOp(gamma, inv, a));
            Nd4j.exec(new MulOp(a, inv, b));
            b.muli(gammaGrad).muli(-1.0 / m);
            Nd4j.exec(new MulOp(a, betaGrad, k));
            k.muli(-1.0 / m);
            Nd4j.exec(new MulOp(g3, a.reshape(1, c, 1), gx3));
            Nd4j.exec(new MulOp(d3, b.reshape(1, c, 1), d3));
            Nd4j.exec(new AddOp(gx3, d3, gx3));
            Nd4j.exec(new AddOp(gx3, k.reshape(1, c, 1), gx3));
        }
    }

    /**
     * layernorm: each sample normalised over all its values; gamma and beta
     * either per channel (dim 0 of the sample shape) or per value. On
     * {@code [T, F]} samples each step is normalised on its own over F, with
     * gamma and beta {@code [F]}: the batch as n*T rows of F channels.
     */
    public static final class LayerNorm extends Layer {
        final double eps;
        INDArray gamma, beta, ggamma, gbeta;
        INDArray x3, xhat, inv;
        long c, s;
        /** [T, F] samples: rows = n * T (each step its own sample), else rows = n */
        long stepsPerSample = 1;
        public LayerNorm(double eps) { this.eps = eps; }
        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            gamma = p.get("gamma").reshape(-1); beta = p.get("beta").reshape(-1);
            ggamma = g.get("gamma").reshape(-1); gbeta = g.get("beta").reshape(-1);
            c = gamma.length();
            if (inShapes[0].length == 2 && c == inShapes[0][1]) stepsPerSample = inShapes[0][0]; // gamma [F] on [T, F]
            s = prod(inShapes[0]) / (c * stepsPerSample);
        }
        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0) * stepsPerSample;
            x3 = in[0].reshape(n, c, s);
            INDArray mean = bufShape(0, n, n);
            inv = bufShape(1, n, n);
            xhat = bufShape(2, n, n, c, s);
            INDArray y = bufShape(3, n, n, c, s);
            out = y.reshape(K.prepend(n / stepsPerSample, outShape));
            // the plain Java loops when the arrays lie in host memory (the CPU), ND4J's ops otherwise
            if (Flat.plainFloat(x3, gamma, beta, inv, xhat, y)) {
                normFlat(x3, gamma, beta, eps, xhat, inv, y);
                return;
            }
            x3.mean(mean, 1, 2);
            Nd4j.exec(new Variance(x3, inv, false, 1, 2));
            inv.addi(eps);
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt(inv, inv));
            Nd4j.exec(new BroadcastSubOp(x3, mean, xhat, 0));
            Nd4j.exec(new BroadcastMulOp(xhat, inv, xhat, 0));
            Nd4j.exec(new BroadcastMulOp(xhat, gamma, y, 1));
            Nd4j.exec(new BroadcastAddOp(y, beta, y, 1));
        }
        INDArray[] backward(INDArray g) {
            long n = g.size(0) * stepsPerSample;
            INDArray g3 = g.reshape(n, c, s);
            INDArray gx = buf(8, g.size(0), inShapes[0]);
            if (Flat.plainFloat(g3, xhat, inv, gamma, ggamma, gbeta, gx)) {
                normBackwardFlat(g3, xhat, inv, gamma, ggamma, gbeta, gx);
                return new INDArray[] {gx};
            }
            INDArray t = bufShape(4, n, n, c, s);
            Nd4j.exec(new MulOp(g3, xhat, t));
            t.sum(ggamma, 0, 2);
            g3.sum(gbeta, 0, 2);
            INDArray gxh = bufShape(5, n, n, c, s);
            Nd4j.exec(new BroadcastMulOp(g3, gamma, gxh, 1));
            INDArray m1 = bufShape(6, n, n), m2 = bufShape(7, n, n);
            gxh.mean(m1, 1, 2);
            Nd4j.exec(new MulOp(gxh, xhat, t));
            t.mean(m2, 1, 2);
            // dx = inv * (gxh - m1 - xhat * m2)
            Nd4j.exec(new BroadcastMulOp(xhat, m2, t, 0));
            gxh.subi(t);
            Nd4j.exec(new BroadcastSubOp(gxh, m1, gxh, 0));
            Nd4j.exec(new BroadcastMulOp(gxh, inv, gxh, 0));
            return new INDArray[] {gxh.reshape(K.prepend(n / stepsPerSample, inShapes[0]))};
        }

        /**
         * The forward pass in plain Java over float host buffers, a row (sample, or step) at a time: mean and
         * biased variance in one pass (sums in double), xhat = (x - mean) / sqrt(var + eps) kept for backward,
         * y = gamma xhat + beta (gamma and beta per channel of {@code [rows, c, s]}). One read and two writes
         * where the ND4J ops (mean, variance, four broadcasts) read and wrote the batch about eight times.
         */
        static void normFlat(INDArray x3, INDArray gamma, INDArray beta, double eps, INDArray xhat, INDArray inv, INDArray y) {
            int rows = (int) x3.size(0), c = (int) x3.size(1), s = (int) x3.size(2), len = c * s;
            Flat.Floats xv = Flat.floats(x3), hv = Flat.floats(xhat), yv = Flat.floats(y);
            float[] ga = perValue(gamma, s), be = perValue(beta, s), row = new float[len], h = new float[len], out = new float[len];
            float[] iv = new float[rows];
            for (int r = 0; r < rows; r++) {
                xv.get(r * len, row, len);
                double sum = 0, sq = 0;
                for (int k = 0; k < len; k++) {
                    sum += row[k];
                    sq += (double) row[k] * row[k];
                }
                double mean = sum / len, var = Math.max(0, sq / len - mean * mean);
                float m = (float) mean, i = (float) (1 / Math.sqrt(var + eps));
                iv[r] = i;
                for (int k = 0; k < len; k++) {
                    h[k] = (row[k] - m) * i;
                    out[k] = ga[k] * h[k] + be[k];
                }
                hv.put(r * len, h, len);
                yv.put(r * len, out, len);
            }
            Flat.floats(inv).put(0, iv, rows);
        }

        /** A per-channel vector repeated over each channel's s values: per value of a row. */
        private static float[] perValue(INDArray perChannel, int s) {
            float[] v = perChannel.toFloatVector(), out = new float[v.length * s];
            for (int k = 0; k < out.length; k++) out[k] = v[k / s];
            return out;
        }

        /**
         * The backward pass in plain Java, a row at a time: gamma's and beta's gradients summed over rows (in
         * double), and dx = inv (g gamma - mean(g gamma) - xhat mean(g gamma xhat)).
         */
        static void normBackwardFlat(INDArray g3, INDArray xhat, INDArray inv, INDArray gamma, INDArray ggamma,
                                     INDArray gbeta, INDArray gx) {
            int rows = (int) g3.size(0), c = (int) g3.size(1), s = (int) g3.size(2), len = c * s;
            Flat.Floats gv = Flat.floats(g3), hv = Flat.floats(xhat), xv = Flat.floats(gx);
            float[] ga = perValue(gamma, s), iv = inv.toFloatVector(), g = new float[len], h = new float[len], gxh = new float[len];
            double[] sg = new double[len], sb = new double[len];
            for (int r = 0; r < rows; r++) {
                gv.get(r * len, g, len);
                hv.get(r * len, h, len);
                double m1 = 0, m2 = 0;
                for (int k = 0; k < len; k++) {
                    sg[k] += g[k] * h[k];
                    sb[k] += g[k];
                    gxh[k] = g[k] * ga[k];
                    m1 += gxh[k];
                    m2 += gxh[k] * h[k];
                }
                float a = (float) (m1 / len), b = (float) (m2 / len), i = iv[r];
                for (int k = 0; k < len; k++) gxh[k] = i * (gxh[k] - a - h[k] * b);
                xv.put(r * len, gxh, len);
            }
            float[] og = new float[c], ob = new float[c];
            for (int ch = 0; ch < c; ch++) {
                double dg = 0, db = 0;
                for (int k = ch * s; k < (ch + 1) * s; k++) {
                    dg += sg[k];
                    db += sb[k];
                }
                og[ch] = (float) dg;
                ob[ch] = (float) db;
            }
            Flat.floats(ggamma).put(0, og, c);
            Flat.floats(gbeta).put(0, ob, c);
        }
    }

    /** An activation written as a layer of its own (when it cannot be fused into the layer before). */
    public static final class ActivationLayer extends Layer {
        final Activation act;
        INDArray z;
        public ActivationLayer(Activation act) { this.act = act; }
        void forward(INDArray[] in, boolean training) {
            z = in[0];
            if (act.isIdentity()) { out = z; return; }
            out = buf(0, z.size(0), outShape);
            act.forward(z, out);
        }
        INDArray[] backward(INDArray g) {
            if (act.isIdentity()) return new INDArray[] {g};
            INDArray gz = buf(1, g.size(0), outShape);
            act.backward(z, out, g, gz, act.needsScratch() ? buf(2, g.size(0), outShape) : null);
            return new INDArray[] {gz};
        }
    }

    /**
     * End of `parallel concat`: inputs side by side on the channel axis (dim 1 of the batch); {@code [T, F]}
     * samples on the feature axis (dim 2 of the batch).
     */
    public static final class Concat extends Layer {
        public Concat() {}
        /** the joined axis of a sample: features of [T, F], else channels */
        private int axis() { return inShapes[0].length == 2 ? 1 : 0; }
        private INDArrayIndex[] range(int rank, long from, long to) {
            INDArrayIndex[] idx = new INDArrayIndex[rank];
            for (int i = 0; i < rank; i++) idx[i] = NDArrayIndex.all();
            idx[1 + axis()] = NDArrayIndex.interval(from, to);
            return idx;
        }
        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0);
            out = buf(0, n, outShape);
            long c = 0;
            for (INDArray a : in) {
                long w = a.size(1 + axis());
                out.get(range(out.rank(), c, c + w)).assign(a);
                c += w;
            }
        }
        INDArray[] backward(INDArray g) {
            long n = g.size(0);
            INDArray[] gs = new INDArray[inShapes.length];
            long c = 0;
            for (int i = 0; i < gs.length; i++) {
                long w = inShapes[i][axis()];
                INDArray dst = buf(1 + i, n, inShapes[i]);
                dst.assign(g.get(range(g.rank(), c, c + w)));
                gs[i] = dst;
                c += w;
            }
            return gs;
        }
    }

    /** End of `residual`: input + body(input). */
    public static final class Add extends Layer {
        public Add() {}
        void forward(INDArray[] in, boolean training) {
            out = buf(0, in[0].size(0), outShape);
            Nd4j.exec(new AddOp(in[0], in[1], out));
            for (int i = 2; i < in.length; i++) out.addi(in[i]);
        }
        INDArray[] backward(INDArray g) {
            INDArray[] gs = new INDArray[inShapes.length];
            java.util.Arrays.fill(gs, g);
            return gs;
        }
    }
}
