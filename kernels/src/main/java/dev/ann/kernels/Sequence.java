package dev.ann.kernels;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastDivOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Layers over time, on samples of shape {@code [T, F]} (batches {@code [n, T, F]}, time before features as
 * PyTorch's batch_first): 1-D convolution and pooling, self-attention, position codes. Padded steps
 * ({@link Layer#mask}) are ignored by attention (as keys) and by the global pools; padding is at the end of a
 * sequence.
 */
public final class Sequence {
    private Sequence() {}

    /**
     * The padding before the first step of a convolution or pooling window: none for {@code valid}; for
     * {@code same}, half of the total padding that gives {@code ceil(T / stride)} steps, the smaller half before
     * (ND4J's and Conv2d's rule).
     */
    static long padBefore(boolean same, long tIn, long tOut, int kernel, int stride, int dilation) {
        if (!same) return 0;
        long total = (tOut - 1) * stride + (long) (kernel - 1) * dilation + 1 - tIn;
        return Math.max(0, total) / 2;
    }

    /**
     * The mask after a convolution or pooling over time: an output step is real when its window holds a real
     * input step. Null in, null out. The layers compute it once a forward pass (it was computed at every call of
     * outMask, through toDoubleMatrix: about 1 ms a batch of reuters_corn's conv, as long as the convolution).
     */
    static INDArray windowMask(INDArray mask, long tOut, int kernel, int stride, int dilation, long before) {
        if (mask == null) return null;
        int n = (int) mask.size(0), tIn = (int) mask.size(1), to = (int) tOut;
        double[] m = Flat.values(mask);
        double[] o = new double[n * to];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < to; t++) {
                for (int k = 0; k < kernel; k++) {
                    long j = t * (long) stride - before + (long) k * dilation;
                    if (j >= 0 && j < tIn && m[i * tIn + (int) j] != 0) { o[i * to + t] = 1; break; }
                }
            }
        }
        return Nd4j.createFromArray(o).reshape(n, tOut).castTo(mask.dataType());
    }

    /** Arrays reused from batch to batch (by batch size), beyond the few slots of {@link Layer#buf}. */
    private static final class Scratch {
        private final Map<Long, INDArray[]> bufs = new HashMap<>();
        private final int slots;

        Scratch(int slots) { this.slots = slots; }

        INDArray get(DataType dt, int slot, long n, long... shape) {
            INDArray[] b = bufs.computeIfAbsent(n, k -> new INDArray[slots]);
            if (b[slot] == null) b[slot] = Nd4j.createUninitialized(dt, shape);
            return b[slot];
        }
    }

    /** c = op(a) op(b) for rank-3 arrays, one product per index of the first axis (ND4J's batched matmul). */
    static void bmm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
        bmm(a, b, c, transA, transB, 1.0);
    }

    /** c = alpha op(a) op(b), one product per index of the first axis (the scale inside the product: no pass of its own). */
    static void bmm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double alpha) {
        if (K.Blas.batched(a, b, c, transA, transB, alpha)) return;
        K.exec("matmul", new INDArray[] {a, b}, new INDArray[] {c}, new long[] {transA ? 1 : 0, transB ? 1 : 0},
                alpha == 1.0 ? null : new double[] {alpha, 0.0});
    }

    /**
     * 1-D convolution over time: {@code [n, T, F]} to {@code [n, T', filters]}; weight {@code [filters, F, kernel]},
     * bias {@code [filters]} (PyTorch's Conv1d layout). ND4J's conv2d / conv2d_bp with a height of 1 on the
     * batch seen as NHWC {@code [n, 1, T, F]} and the weight as {@code [filters, F, 1, kernel]}, both views, no
     * copy. (ND4J 1.0.0-M2.1's conv1d does the same, but rejects weights in this [oC, iC, kW] layout.)
     */
    public static final class Conv1d extends Layer {
        final int kernel, stride, dilation;
        final boolean same;
        final long[] iargs;
        INDArray w, b, gw, gb, x4, w4, gw4;

        public Conv1d(int kernel, int stride, int dilation, boolean same) {
            this.kernel = kernel;
            this.stride = stride;
            this.dilation = dilation;
            this.same = same;
            // kH kW sH sW pH pW dH dW same dataFormat(1 NHWC) weightFormat(1 [oC, iC, kH, kW])
            iargs = new long[] {1, kernel, 1, stride, 0, 0, 1, dilation, same ? 1 : 0, 1, 1};
        }

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            w = p.get("weight"); b = p.get("bias"); gw = g.get("weight"); gb = g.get("bias");
            if (b == null) { // bias: false: a zero bias whose gradient goes nowhere
                b = Nd4j.zeros(dt, w.size(0));
                gb = Nd4j.zeros(dt, w.size(0));
            }
            w4 = w.reshape(w.size(0), w.size(1), 1, kernel);
            gw4 = gw.reshape(w.size(0), w.size(1), 1, kernel);
        }

        /**
         * The engine's convolution on the batch as it lies ({@link Blocked.Engine#nhwcConv}: the primitives ND4J's
         * conv2d would choose, without its per-call setup: reuters_corn's conv1d 4.9 / 8.5 ms a step forward /
         * backward on ND4J), when the Network found one; the same numbers either way.
         */
        private Blocked.Conv engineConv;
        /** whether the last forward pass ran on {@link #engineConv} (then backward does too) */
        private boolean onEngine;

        /** Takes engine e's convolution for this layer when it has one: float, not dilated. */
        void useEngine(Blocked.Engine e) {
            if (dt != org.nd4j.linalg.api.buffer.DataType.FLOAT || dilation > 1) return;
            // [n, T, F] is NHWC at a height of 1: per sample [C, H, W] = [F, 1, T]
            engineConv = e.nhwcConv(new long[] {inShapes[0][1], 1, inShapes[0][0]}, new long[] {outShape[1], 1, outShape[0]}, iargs);
        }

        /** Whether this layer runs on its engine's convolution ({@link #useEngine}). */
        boolean onEngine() {
            return engineConv != null;
        }

        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0);
            x4 = in[0].reshape(n, 1, inShapes[0][0], inShapes[0][1]);
            out = buf(0, n, outShape);
            INDArray o4 = out.reshape(n, 1, outShape[0], outShape[1]);
            onEngine = engineConv != null && Flat.plainFloat(in[0], w, b, out);
            if (onEngine) {
                INDArray x = in[0];
                K.onTwoThreadsIfLarge(flops(n), () -> engineConv.forward(x, w, b, out));
            } else {
                K.onTwoThreadsIfLarge(flops(n), () -> K.exec("conv2d", new INDArray[] {x4, w4, b}, new INDArray[] {o4}, iargs, null, dilation > 1));
            }
            outMask = windowMask(mask, outShape[0], kernel, stride, dilation, padBefore(same, inShapes[0][0], outShape[0], kernel, stride, dilation));
        }

        INDArray[] backward(INDArray g) {
            long n = g.size(0);
            INDArray gx = buf(1, n, inShapes[0]);
            if (onEngine && Flat.plainFloat(g, gx, gw, gb)) {
                INDArray x = x4.reshape(n, inShapes[0][0], inShapes[0][1]); // the forward pass's input, as it came
                K.onTwoThreadsIfLargeSplittingSums(2 * flops(n), () -> engineConv.backward(x, w, g, needInputGrad ? gx : null, gw, gb));
                return new INDArray[] {needInputGrad ? gx : null};
            }
            INDArray g4 = g.reshape(n, 1, outShape[0], outShape[1]), gx4 = gx.reshape(n, 1, inShapes[0][0], inShapes[0][1]);
            // conv2d_bp computes the input's gradient whether read or not: two products' worth
            K.onTwoThreadsIfLargeSplittingSums(2 * flops(n), () -> K.exec("conv2d_bp", new INDArray[] {x4, w4, b, g4},
                    new INDArray[] {gx4, gw4, gb}, iargs, null, dilation > 1));
            return new INDArray[] {needInputGrad ? gx : null};
        }

        /** the forward pass's multiply-adds times two: every output step of every filter over kernel x features */
        private long flops(long n) {
            return 2 * n * outShape[0] * outShape[1] * kernel * inShapes[0][1];
        }

        /** the output's mask, made by the forward pass */
        private INDArray outMask;

        @Override INDArray outMask() { return outMask; }
    }

    /**
     * Max or average pooling over time, each feature on its own: ND4J's maxpool2d / avgpool2d (and _bp) on the
     * {@code [n, T, F]} batch seen as NHWC with a height of 1, no copy. Average over the steps inside the
     * sequence only (the padding {@code same} adds is not counted), as 2-D pooling.
     */
    public static final class Pool1d extends Layer {
        final boolean max, same;
        final int size, stride;
        final String op;
        final long[] iargs;
        INDArray x4;

        public Pool1d(boolean max, int size, int stride, boolean same) {
            this.max = max;
            this.size = size;
            this.stride = stride;
            this.same = same;
            op = max ? "maxpool2d" : "avgpool2d";
            // kH kW sH sW pH pW dH dW same extra(avg: 0 = padding not counted) NHWC
            iargs = new long[] {1, size, 1, stride, 0, 0, 1, 1, same ? 1 : 0, 0, 1};
        }

        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0);
            x4 = in[0].reshape(n, 1, inShapes[0][0], inShapes[0][1]);
            out = buf(0, n, outShape);
            K.exec(op, new INDArray[] {x4}, new INDArray[] {out.reshape(n, 1, outShape[0], outShape[1])}, iargs, null);
            outMask = windowMask(mask, outShape[0], size, stride, 1, padBefore(same, inShapes[0][0], outShape[0], size, stride, 1));
        }

        INDArray[] backward(INDArray g) {
            long n = g.size(0);
            INDArray gx = buf(1, n, inShapes[0]);
            K.exec(op + "_bp", new INDArray[] {x4, g.reshape(n, 1, outShape[0], outShape[1])},
                    new INDArray[] {gx.reshape(n, 1, inShapes[0][0], inShapes[0][1])}, iargs, null);
            return new INDArray[] {gx};
        }

        /** the output's mask, made by the forward pass */
        private INDArray outMask;

        @Override INDArray outMask() { return outMask; }
    }

    /**
     * The weights of a mean over time, {@code [n, T]}: 1/(real steps) at the real steps, 0 at the padded ones
     * (and everywhere in a row with no real step, whose mean is then 0); 1/T everywhere without a mask.
     */
    static INDArray meanWeights(INDArray mask, long n, long t, DataType dt) {
        if (mask == null) return Nd4j.valueArrayOf(new long[] {n, t}, 1.0 / t, dt);
        INDArray count = mask.sum(1);
        count.addi(count.eq(0).castTo(dt)); // an empty row: divide by 1 instead of 0
        INDArray w = mask.dup();
        Nd4j.exec(new BroadcastDivOp(w, count, w, 0));
        return w;
    }

    /**
     * Global average over time, {@code [n, T, F] -> [n, F]}, the mean over the real steps of each sample (0 for a
     * sample with none); {@link Layers.GlobalAvgPool} calls it on {@code [T, F]} samples.
     */
    static final class TimeMean {
        INDArray w;

        void forward(INDArray x, INDArray mask, INDArray out, INDArray tmp) {
            long n = x.size(0), t = x.size(1);
            w = meanWeights(mask, n, t, x.dataType());
            Nd4j.exec(new BroadcastMulOp(x, w, tmp, 0, 1));
            tmp.sum(out, 1);
        }

        /** gx[n, t, f] = w[n, t] g[n, f] */
        void backward(INDArray g, INDArray gx) {
            Nd4j.exec(new BroadcastCopyOp(gx, g, gx, 0, 2));
            Nd4j.exec(new BroadcastMulOp(gx, w, gx, 0, 1));
        }
    }

    /**
     * The largest value over time ({@code [n, T, F] -> [n, F]}, padded steps ignored, 0 for a sample with no real
     * step) or over each channel's plane ({@code [n, c, h, w] -> [n, c]}). The gradient goes to the first
     * largest value.
     */
    public static final class GlobalMaxPool extends Layer {
        /** one-hot of the chosen position per row [rows, L]; 1 for a sample with a real step, else 0 ([n]) */
        INDArray pick, any;
        long rows, len;

        public GlobalMaxPool() {}

        /** relu applied to the output, moved here by the Network from the layer before (relu(max x) = max relu(x)), or null. */
        Activation after;

        boolean overTime() { return inShapes[0].length == 2; }

        /** Java path: per output value (sample, feature or channel), the flat index of the chosen input value, or -1 (no real step) */
        private int[] where;
        private boolean flat;

        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0);
            out = buf(3, n, outShape);
            flat = Flat.plain(in[0], out) && (mask == null || mask.dataType() == in[0].dataType());
            if (flat) {
                if (overTime() && Flat.plainFloat(in[0], out, mask)) maxOverTimeFloat(in[0], out);
                else maxFlat(in[0], out);
                return;
            }
            INDArray x2;
            if (overTime()) { // rows (sample, feature), values over time
                long t = inShapes[0][0], f = inShapes[0][1];
                rows = n * f;
                len = t;
                INDArray xt = buf(0, n, new long[] {f, t});
                xt.assign(in[0].permute(0, 2, 1));
                x2 = xt.reshape(rows, len);
                if (mask != null) {
                    // padded steps pushed far below every real value; a row with no real step picks step 0, zeroed below
                    INDArray pen = mask.rsub(1.0).muli(-Float.MAX_VALUE);
                    INDArray xm = bufShape(1, n, n, f, t);
                    Nd4j.exec(new BroadcastAddOp(xt, pen, xm, 0, 2));
                    any = mask.max(1);
                    pickOf(xm.reshape(rows, len), n);
                } else {
                    any = null;
                    pickOf(x2, n);
                }
            } else {
                long c = inShapes[0][0];
                rows = n * c;
                len = Layers.prod(inShapes[0]) / c;
                x2 = in[0].reshape(rows, len);
                any = null;
                pickOf(x2, n);
            }
            INDArray prodBuf = bufShape(2, n, rows, len);
            Nd4j.exec(new MulOp(x2, pick, prodBuf));
            INDArray o = out.reshape(rows);
            prodBuf.sum(o, 1);
            if (any != null) Nd4j.exec(new BroadcastMulOp(out, any, out, 0));
            if (after != null) after.forward(out, out);
        }

        private void pickOf(INDArray x2, long n) {
            INDArray idx = Nd4j.argMax(x2, 1);
            pick = bufShape(4, n, rows, len);
            Nd4j.exec(new OneHot(idx, pick, (int) len, -1, 1.0, 0.0));
        }

        /**
         * The forward pass in plain Java over the host buffers (in double: float and double networks run it), a
         * sample at a time: over time each feature's largest value at a real step (the first of equal ones; 0 and no
         * gradient for a sample with no real step), over a plane each channel's largest value.
         */
        private void maxFlat(INDArray x, INDArray y) {
            int n = (int) x.size(0), per = (int) Layers.prod(inShapes[0]), outs = (int) Layers.prod(outShape);
            if (where == null || where.length < n * outs) where = new int[n * outs];
            Flat.View xv = Flat.view(x), yv = Flat.view(y);
            double[] v = new double[per], o = new double[outs];
            double[] m = overTime() && mask != null ? mask.reshape((long) n * inShapes[0][0]).toDoubleVector() : null;
            for (int s = 0; s < n; s++) {
                xv.get(s * per, v, per);
                int base = s * outs;
                if (overTime()) { // [T, F]: for each feature, over the steps
                    int t = (int) inShapes[0][0], f = outs;
                    java.util.Arrays.fill(o, Double.NEGATIVE_INFINITY);
                    java.util.Arrays.fill(where, base, base + f, -1);
                    for (int step = 0; step < t; step++) {
                        if (m != null && m[s * t + step] == 0) continue;
                        for (int k = 0; k < f; k++) {
                            double val = v[step * f + k];
                            if (val > o[k] || where[base + k] < 0) {
                                o[k] = val;
                                where[base + k] = s * per + step * f + k;
                            }
                        }
                    }
                    for (int k = 0; k < f; k++) if (where[base + k] < 0) o[k] = 0;
                } else { // [c, ...]: for each channel, over its plane
                    int len = per / outs;
                    for (int ch = 0; ch < outs; ch++) {
                        int best = ch * len;
                        for (int k = ch * len + 1; k < (ch + 1) * len; k++) if (v[k] > v[best]) best = k;
                        o[ch] = v[best];
                        where[base + ch] = s * per + best;
                    }
                }
                if (after != null) for (int k = 0; k < outs; k++) o[k] = Math.max(o[k], 0); // relu, in double
                yv.put(base, o, outs);
            }
        }

        private float[] fv = new float[0], fo = new float[0], fr = new float[0], maskF = new float[0];

        /** o[k] = max(o[k], row[k]): both arrays from index 0, so C2 vectorises it (read at an offset, it stayed scalar). */
        private static void maxInto(float[] o, float[] row, int f) {
            for (int k = 0; k < f; k++) o[k] = Math.max(o[k], row[k]);
        }

        /**
         * {@link #maxFlat} over time for float arrays, in two passes a sample that the JIT vectorises: each
         * feature's largest value over the real steps, then the first real step that holds it (reuters_corn's
         * [32, 196, 64]: 0.8 ms a batch in the one-pass loop in double, whose compare-and-branch does not vectorise).
         */
        private void maxOverTimeFloat(INDArray x, INDArray y) {
            int n = (int) x.size(0), t = (int) inShapes[0][0], f = (int) inShapes[0][1], per = t * f;
            if (where == null || where.length < n * f) where = new int[n * f];
            if (fv.length < per) { fv = new float[per]; fo = new float[f]; fr = new float[f]; }
            float[] v = fv, o = fo;
            Flat.Floats xf = Flat.floats(x), yf = Flat.floats(y);
            float[] m = null;
            if (mask != null) {
                if (maskF.length < n * t) maskF = new float[n * t];
                m = maskF;
                Flat.floats(mask).get(0, m, n * t);
            }
            for (int s = 0; s < n; s++) {
                xf.get(s * per, v, per);
                int base = s * f;
                java.util.Arrays.fill(o, 0, f, Float.NEGATIVE_INFINITY);
                java.util.Arrays.fill(where, base, base + f, -1);
                boolean real = false;
                for (int step = 0; step < t; step++) {
                    if (m != null && m[s * t + step] == 0) continue;
                    real = true;
                    System.arraycopy(v, step * f, fr, 0, f);
                    maxInto(o, fr, f);
                }
                if (!real) {
                    java.util.Arrays.fill(o, 0, f, 0f);
                } else {
                    int left = f;
                    for (int step = 0; step < t && left > 0; step++) {
                        if (m != null && m[s * t + step] == 0) continue;
                        int off = step * f;
                        for (int k = 0; k < f; k++) {
                            if (v[off + k] == o[k] && where[base + k] < 0) {
                                where[base + k] = s * per + off + k;
                                left--;
                            }
                        }
                    }
                }
                if (after != null) Activation.relu(o, f);
                yf.put(base, o, f);
            }
        }

        /**
         * {@link #backFlat} for float arrays, the whole batch at once: zeros and the chosen values, no conversion
         * through double.
         */
        private void backFloat(INDArray g, INDArray gx, int n, int per, int outs) {
            int len = n * per, m = n * outs;
            if (gBatch.length < len) gBatch = new float[len];
            if (gOut.length < 2 * m) gOut = new float[2 * m];
            float[] gi = gBatch, go = gOut;
            java.util.Arrays.fill(gi, 0, len, 0f);
            Flat.floats(g).get(0, go, m);
            if (after != null) Flat.floats(out).get(0, go, m, m);
            for (int i = 0; i < m; i++) {
                int at = where[i];
                if (at >= 0 && (after == null || go[m + i] > 0)) gi[at] += go[i];
            }
            Flat.floats(gx).put(0, gi, len);
        }

        private float[] gBatch = new float[0], gOut = new float[0];

        /** The gradient of {@link #maxFlat}: each output's gradient to the value it chose, 0 elsewhere. */
        private INDArray backFlat(INDArray g) {
            int n = (int) g.size(0), per = (int) Layers.prod(inShapes[0]), outs = (int) Layers.prod(outShape);
            INDArray gx = buf(7, n, inShapes[0]);
            if (Flat.plainFloat(g, gx, out)) {
                backFloat(g, gx, n, per, outs);
                return gx;
            }
            Flat.View gv = Flat.view(g), xv = Flat.view(gx), ov = after != null ? Flat.view(out) : null;
            double[] go = new double[outs], gi = new double[per], o = after != null ? new double[outs] : null;
            for (int s = 0; s < n; s++) {
                gv.get(s * outs, go, outs);
                if (after != null) ov.get(s * outs, o, outs);
                java.util.Arrays.fill(gi, 0);
                for (int k = 0; k < outs; k++) {
                    int at = where[s * outs + k];
                    if (at >= 0 && (after == null || o[k] > 0)) gi[at - s * per] += go[k];
                }
                xv.put(s * per, gi, per);
            }
            return gx;
        }

        INDArray[] backward(INDArray g) {
            long n = g.size(0);
            if (flat) return new INDArray[] {backFlat(Flat.plain(g) && g.dataType() == out.dataType() ? g : g.dup('c').castTo(out.dataType()))};
            INDArray gr = g;
            if (any != null) {
                gr = bufShape(5, n, n, g.size(1));
                Nd4j.exec(new BroadcastMulOp(g, any, gr, 0));
            }
            if (after != null) { // relu's gradient, given its output
                INDArray gz = bufShape(8, n, n, g.size(1));
                after.backward(out, out, gr, gz, null);
                gr = gz;
            }
            INDArray g2 = bufShape(6, n, rows, len);
            Nd4j.exec(new BroadcastMulOp(pick, gr.reshape(rows), g2, 0));
            if (!overTime()) return new INDArray[] {g2.reshape(K.prepend(n, inShapes[0]))};
            INDArray gx = buf(7, n, inShapes[0]);
            gx.assign(g2.reshape(n, inShapes[0][1], inShapes[0][0]).permute(0, 2, 1));
            return new INDArray[] {gx};
        }

    }

    /**
     * Multi-head self-attention with PyTorch's nn.MultiheadAttention arithmetic (batch_first, query = key =
     * value = x, no dropout): {@code [q k v] = x in_weightᵀ + in_bias}, each split in {@code heads} heads of
     * {@code d = F / heads}; per head {@code softmax(q kᵀ / √d + mask) v}; heads joined, then
     * {@code y = o out_weightᵀ + out_bias}. The mask is -inf at padded keys (a sample with no real step masks
     * none) and, when {@code causal}, at keys after the query. Forward and backward as ND4J gemms and batched
     * matmuls over (sample, head).
     */
    public static final class Attention extends Layer {
        final int heads;
        final boolean causal;
        INDArray inW, inB, outW, outB, gInW, gInB, gOutW, gOutB;
        INDArray causalMask;
        long t, f, d;
        /** kept from the forward pass: the input as rows, q, k, v and the weights per head, the joined heads */
        INDArray x2, q, k, v, p, o2;
        private final Scratch scratch = new Scratch(18);

        public Attention(int heads, boolean causal) {
            this.heads = heads;
            this.causal = causal;
        }

        @Override void bind(Map<String, INDArray> pm, Map<String, INDArray> gm) {
            inW = pm.get("in_weight"); inB = pm.get("in_bias"); outW = pm.get("out_weight"); outB = pm.get("out_bias");
            gInW = gm.get("in_weight"); gInB = gm.get("in_bias"); gOutW = gm.get("out_weight"); gOutB = gm.get("out_bias");
            t = inShapes[0][0];
            f = inShapes[0][1];
            if (f % heads != 0) throw new IllegalArgumentException("attention: " + f + " features do not split into " + heads + " heads");
            d = f / heads;
            if (causal) {
                double[][] c = new double[(int) t][(int) t];
                for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) c[i][j] = Double.NEGATIVE_INFINITY;
                causalMask = Nd4j.createFromArray(c).castTo(dt);
            }
        }

        private INDArray s(int slot, long n, long... shape) { return scratch.get(dt, slot, n, shape); }

        /**
         * -inf at padded keys, 0 elsewhere, {@code [n, T]}; null without a mask or when no sample of the batch has
         * a padded key (nothing to add). One pass in Java into a scratch buffer.
         */
        private INDArray keyMask(long n) {
            if (mask == null) return null;
            double[] m = Flat.values(mask);
            int tt = (int) t;
            double[] a = new double[m.length];
            boolean any = false;
            for (int i = 0; i < m.length / tt; i++) {
                boolean anyReal = false;
                for (int j = i * tt; j < (i + 1) * tt; j++) anyReal |= m[j] != 0;
                if (!anyReal) continue;
                for (int j = i * tt; j < (i + 1) * tt; j++) {
                    if (m[j] == 0) {
                        a[j] = Double.NEGATIVE_INFINITY;
                        any = true;
                    }
                }
            }
            if (!any) return null;
            INDArray km = s(17, n, n, t);
            if (Flat.plain(km)) Flat.view(km).put(0, a, a.length); // -inf and 0 pass put's subnormal flush unchanged
            else km.data().setData(a);
            return km;
        }

        /**
         * Part {@code which} (q 0, k 1, v 2) of contiguous rows {@code [n*T, parts*F]}, a view {@code [n, T, heads, d]}
         * (the rows seen as {@code [n, T, parts, heads, d]}, then one part).
         */
        private INDArray part(INDArray rows, long n, int parts, int which) {
            return rows.reshape(n, t, parts, heads, d).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(which),
                    NDArrayIndex.all(), NDArrayIndex.all());
        }

        /** part {@code which} of rows {@code [n*T, parts*F]} as {@code [n*heads, T, d]} */
        private void split(INDArray rows, long n, int parts, int which, INDArray dst) {
            dst.reshape(n, heads, t, d).assign(part(rows, n, parts, which).permute(0, 2, 1, 3));
        }

        /** {@code [n*heads, T, d]} into part {@code which} of rows {@code [n*T, parts*F]} */
        private void join(INDArray src, long n, INDArray rows, int parts, int which) {
            part(rows, n, parts, which).assign(src.reshape(n, heads, t, d).permute(0, 2, 1, 3));
        }

        /** part {@code which} of rows {@code [n*T, parts*F]} as {@code [n*heads, d, T]} (each head's block transposed) */
        private void splitT(INDArray rows, long n, int parts, int which, INDArray dst) {
            dst.reshape(n, heads, d, t).assign(part(rows, n, parts, which).permute(0, 2, 3, 1));
        }

        /** {@code [n*heads, d, T]} (transposed heads) into part {@code which} of rows {@code [n*T, parts*F]} */
        private void joinT(INDArray src, long n, INDArray rows, int parts, int which) {
            part(rows, n, parts, which).assign(src.reshape(n, heads, d, t).permute(0, 3, 1, 2));
        }

        /** the forward pass's q k v rows {@code [n*T, 3F]} (scratch slot 0, kept until the next forward pass) */
        private INDArray x2qkv(long n) { return s(0, n, n * t, 3 * f); }

        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0), nh = n * heads;
            x2 = in[0].reshape(n * t, f);
            INDArray qkv = s(0, n, n * t, 3 * f);
            K.gemm(x2, inW, qkv, false, true, 1.0, 0.0);
            if (inB != null) qkv.addiRowVector(inB);
            q = s(1, n, nh, t, d); k = s(2, n, nh, t, d); v = s(3, n, nh, t, d);
            split(qkv, n, 3, 0, q);
            split(qkv, n, 3, 1, k);
            split(qkv, n, 3, 2, v);
            INDArray sc = s(4, n, nh, t, t);
            bmm(q, k, sc, false, true, 1.0 / Math.sqrt(d));
            INDArray s4 = sc.reshape(n, heads, t, t);
            INDArray km = keyMask(n);
            if (km != null) Nd4j.exec(new BroadcastAddOp(s4, km, s4, 0, 3));
            if (causal) Nd4j.exec(new BroadcastAddOp(s4, causalMask, s4, 2, 3));
            p = s(5, n, nh, t, t);
            Nd4j.exec(new SoftMax(sc, p, 2));
            INDArray oh = s(6, n, nh, t, d);
            bmm(p, v, oh, false, false);
            o2 = s(7, n, n * t, f);
            join(oh, n, o2, 1, 0);
            INDArray y = s(8, n, n * t, f);
            K.gemm(o2, outW, y, false, true, 1.0, 0.0);
            if (outB != null) y.addiRowVector(outB);
            out = y.reshape(n, t, f);
        }

        INDArray[] backward(INDArray g) {
            long n = g.size(0), nh = n * heads;
            INDArray gy = g.reshape(n * t, f);
            // out projection
            K.gemm(gy, o2, gOutW, true, false, 1.0, 0.0);
            if (gOutB != null) gy.sum(gOutB, 0);
            INDArray go2 = s(9, n, n * t, f);
            K.gemm(gy, outW, go2, false, false, 1.0, 0.0);
            INDArray goh = s(10, n, nh, t, d), gohT = s(14, n, nh, d, t);
            split(go2, n, 1, 0, goh);
            splitT(go2, n, 1, 0, gohT);
            // o = p v. The products whose first factor would be transposed ([T, T]ᵀ [T, d]) are taken transposed
            // instead, [d, T] [T, T], and joined back transposed: ND4J's batched matmul with transA took about
            // twice as long (3.2 against 1.5-2.6 ms for [128, 100, 100], 1 thread)
            INDArray gqkv = s(11, n, n * t, 3 * f);
            INDArray gh = s(12, n, nh, t, d), ghT = s(16, n, nh, d, t);
            bmm(gohT, p, ghT, false, false); // (pᵀ goh)ᵀ
            joinT(ghT, n, gqkv, 3, 2);
            INDArray gp = s(13, n, nh, t, t);
            bmm(goh, v, gp, false, true);
            // softmax: gs = p * (gp - sum(gp * p, last)); the scale goes into the products below
            softmaxBackward(gp, p);
            // s = q kᵀ / √d
            bmm(gp, k, gh, false, false, 1.0 / Math.sqrt(d));
            join(gh, n, gqkv, 3, 0);
            INDArray qT = s(15, n, nh, d, t);
            splitT(x2qkv(n), n, 3, 0, qT);
            bmm(qT, gp, ghT, false, false, 1.0 / Math.sqrt(d)); // (gsᵀ q)ᵀ
            joinT(ghT, n, gqkv, 3, 1);
            // in projection
            K.gemm(gqkv, x2, gInW, true, false, 1.0, 0.0);
            if (gInB != null) gqkv.sum(gInB, 0);
            if (!needInputGrad) return new INDArray[] {null};
            INDArray gx = buf(0, n, inShapes[0]);
            K.gemm(gqkv, inW, gx.reshape(n * t, f), false, false, 1.0, 0.0);
            return new INDArray[] {gx};
        }
    }

    /**
     * The gradient through a softmax over the last axis of {@code [b, T, T]}, in place: g = p (g - Σ g p) row by row.
     * Float arrays in host memory: one plain-Java pass (ND4J took five ops and a temporary: 4-5 ms against about 1.5
     * for attention's [128, 100, 100]); otherwise (double networks, as the gradient checks run, other backends)
     * ND4J's ops.
     */
    static void softmaxBackward(INDArray g, INDArray p) {
        if (!Flat.plainFloat(g, p)) {
            INDArray rs = g.mul(p).sum(2);
            Nd4j.exec(new BroadcastSubOp(g, rs, g, 0, 1));
            Nd4j.exec(new MulOp(g, p, g));
            return;
        }
        int row = (int) g.size(2), rows = (int) (g.length() / row), chunk = Math.max(1, 8192 / row);
        Flat.Floats gv = Flat.floats(g), pv = Flat.floats(p);
        float[] gb = new float[chunk * row], pb = new float[chunk * row];
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int m = Math.min(chunk, rows - r0), at = r0 * row;
            gv.get(at, gb, m * row);
            pv.get(at, pb, m * row);
            for (int r = 0; r < m; r++) {
                double dot = 0;
                for (int k = r * row; k < (r + 1) * row; k++) dot += gb[k] * pb[k];
                float d = (float) dot;
                for (int k = r * row; k < (r + 1) * row; k++) gb[k] = pb[k] * (gb[k] - d);
            }
            gv.put(at, gb, m * row);
        }
    }

    /**
     * Adds a position code to {@code [n, T, F]}: learned (role weight {@code [T, F]}) or sinusoidal (no parameters;
     * {@code PE(t, 2i) = sin(t / 10000^(2i/F))}, {@code PE(t, 2i+1) = cos(t / 10000^(2i/F))}, as the Transformer
     * paper).
     */
    public static final class Positional extends Layer {
        final boolean learned;
        INDArray pe, gpe;

        public Positional(boolean learned) { this.learned = learned; }

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            if (learned) {
                pe = p.get("weight");
                gpe = g.get("weight");
            } else {
                pe = sinusoidal(inShapes[0][0], inShapes[0][1]).castTo(dt);
            }
        }

        /** The sinusoidal code {@code [T, F]}. */
        public static INDArray sinusoidal(long t, long f) {
            double[][] a = new double[(int) t][(int) f];
            for (int pos = 0; pos < t; pos++) {
                for (int j = 0; j < f; j++) {
                    double angle = pos / Math.pow(10000.0, (double) (j - j % 2) / f);
                    a[pos][j] = j % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
                }
            }
            return Nd4j.createFromArray(a);
        }

        void forward(INDArray[] in, boolean training) {
            out = buf(0, in[0].size(0), outShape);
            Nd4j.exec(new BroadcastAddOp(in[0], pe, out, 1, 2));
        }

        INDArray[] backward(INDArray g) {
            if (learned) g.sum(gpe, 0);
            return new INDArray[] {g};
        }
    }
}
