package dev.ann.kernels;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token embeddings and the recurrent layers, over samples of shape {@code [T, F]} (batches {@code [n, T, F]}).
 * Parameter layouts are PyTorch's nn.Embedding, nn.LSTM and nn.GRU, so that weights compare one to one.
 * Token id 0 is padding: its steps are masked ({@link Layer#mask}).
 */
public final class Recurrent {
    private Recurrent() {}

    /**
     * Token ids {@code [n, T]} (as floats) to vectors {@code [n, T, dim]}; weight {@code [vocabulary, dim]}.
     * Forward gathers one row of the weight per token; backward adds each token's gradient into its row
     * (a word seen twice in a batch gets both). There is no gradient of the ids. The mask it hands on marks
     * the steps whose id is not 0.
     */
    public static final class Embedding extends Layer {
        INDArray w, gw;
        /** the ids of the last forward pass as integers, {@code [n * T]}, from one buffer per batch size */
        INDArray ids;
        private final Map<Long, INDArray> idBufs = new HashMap<>();
        /** {@code [n, T]}: 1 where the id is a word, 0 where it pads */
        INDArray idMask;
        /** the ids of the last forward pass in Java, where the input lies in host memory ({@code javaIds}) */
        private int[] idsJ;
        boolean javaIds;
        private double[] idsD, row, acc;
        /** 1 where a token is a word, 0 where it pads (the mask of the output), filled with idsJ */
        private double[] real;
        /** false: ND4J's segment sum even where the Java loop could run (tests compare the two) */
        boolean javaLoops = true;

        public Embedding() {}

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            w = p.get("weight");
            gw = g.get("weight");
        }

        void forward(INDArray[] in, boolean training) {
            INDArray x = in[0];
            long n = x.size(0), steps = inShapes[0][0], vocabulary = w.size(0), dim = w.size(1);
            javaIds = javaLoops && Flat.plain(x);
            double lo, hi;
            if (javaIds) { // the ids, their range and the mask in one pass over the host buffer
                int len = (int) (n * steps);
                if (idsJ == null || idsJ.length != len) {
                    idsJ = new int[len];
                    idsD = new double[len];
                    real = new double[len];
                    row = new double[(int) dim];
                    acc = new double[(int) dim];
                }
                Flat.view(x).get(0, idsD, len);
                lo = Double.POSITIVE_INFINITY;
                hi = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) {
                    double v = idsD[i];
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                    idsJ[i] = (int) v;
                    real[i] = v != 0 ? 1 : 0;
                }
            } else {
                lo = x.minNumber().doubleValue();
                hi = x.maxNumber().doubleValue();
            }
            if (lo < 0 || hi >= vocabulary) {
                throw new IllegalArgumentException("embedding: token id " + (long) (lo < 0 ? lo : hi)
                        + " is outside its vocabulary of " + vocabulary + " (ids 0.." + (vocabulary - 1)
                        + "); give the embedding the dataset's vocabulary size");
            }
            out = buf(0, n, outShape);
            if (javaIds && Flat.plainFloat(w, out)) { // float: each token's row copied in Java, no ND4J op
                gatherFloat(w, out, idsJ, (int) dim);
                ids = null;
            } else {
                ids = idBufs.computeIfAbsent(n, k -> Nd4j.createUninitialized(DataType.INT32, k * steps));
                ids.assign(x.reshape(n * steps));
                K.exec("gather", new INDArray[] {w, ids}, new INDArray[] {out.reshape(n * steps, dim)}, new long[] {0}, null);
            }
            idMask = bufShape(1, n, n, steps);
            if (javaIds && Flat.plain(idMask)) Flat.view(idMask).put(0, real, (int) (n * steps));
            else Nd4j.exec(new Sign(x.reshape(n, steps), idMask)); // ids are >= 0: sign is 1 for a word, 0 for padding
        }

        INDArray[] backward(INDArray g) {
            if (javaIds && Flat.plainFloat(g, gw)) {
                addRowsFloat(g, gw, idsJ);
                return new INDArray[] {null};
            }
            if (javaIds && Flat.plain(g, gw) && g.dataType() == gw.dataType()) {
                addRows(g, gw, idsJ);
                return new INDArray[] {null};
            }
            if (ids == null) { // the forward pass gathered in Java
                ids = idBufs.computeIfAbsent(g.size(0), k -> Nd4j.createUninitialized(DataType.INT32, k * inShapes[0][0]));
                ids.assign(Nd4j.createFromArray(idsJ));
            }
            long rows = ids.length();
            K.exec("unsorted_segment_sum", new INDArray[] {g.reshape(rows, w.size(1)), ids}, new INDArray[] {gw},
                    new long[] {w.size(0)}, null);
            return new INDArray[] {null};
        }

        private float[] rowsF = new float[0], rowF = new float[0];

        /**
         * out's rows = w's rows of the ids, in Java (float): ND4J's gather and the ids' cast to integers took
         * 0.9 ms for reuters_corn's 32 x 200 tokens of 32 values.
         */
        private void gatherFloat(INDArray w, INDArray out, int[] ids, int dim) {
            int len = ids.length * dim;
            if (rowsF.length < len) rowsF = new float[len];
            Flat.Floats wf = Flat.floats(w);
            for (int i = 0; i < ids.length; i++) wf.get(ids[i] * dim, rowsF, i * dim, dim);
            Flat.floats(out).put(0, rowsF, len);
        }

        /**
         * {@link #addRows} in float: the same sums, a token at a time, each rounded to float as the double way rounds
         * it (the double way also writes a sum below the smallest normal float as 0).
         */
        private void addRowsFloat(INDArray g, INDArray gw, int[] ids) {
            int dim = (int) gw.size(1), len = ids.length * dim;
            // one memset: with ND4J's assign(0) the layer's backward pass took 0.69-0.73 ms a step for reuters_corn's
            // 20,000 x 32 gradient, with it 0.49-0.51 (StepBench's layer timer)
            Flat.zero(gw);
            if (rowsF.length < len) rowsF = new float[len];
            if (rowF.length < dim) rowF = new float[dim];
            Flat.floats(g).get(0, rowsF, len);
            Flat.Floats wf = Flat.floats(gw);
            float[] acc = rowF;
            for (int i = 0; i < ids.length; i++) {
                wf.get(ids[i] * dim, acc, dim);
                for (int k = 0; k < dim; k++) acc[k] += rowsF[i * dim + k];
                wf.put(ids[i] * dim, acc, dim);
            }
        }

        @Override INDArray outMask() { return idMask; }

        /**
         * The weight's gradient in Java: 0, then each token's row of g added into its word's row (the segment
         * sum, with ids in a Java array: ND4J's unsorted_segment_sum took ten times as long; 13-19 ms for
         * reuters_corn's conv, 32 x 200 tokens of 32 values, in StepBench's layer times).
         */
        private void addRows(INDArray g, INDArray gw, int[] ids) {
            int dim = (int) gw.size(1);
            Flat.zero(gw);
            Flat.View gv = Flat.view(g), wv = Flat.view(gw);
            for (int i = 0; i < ids.length; i++) {
                gv.get(i * dim, row, dim);
                wv.get(ids[i] * dim, acc, dim);
                for (int k = 0; k < dim; k++) acc[k] += row[k];
                wv.put(ids[i] * dim, acc, dim);
            }
        }
    }

    /**
     * LSTM (gates i, f, g, o) or GRU (gates r, z, n) over {@code [n, T, F]}: {@code [n, units]} or, with
     * {@code sequences}, {@code [n, T, units]}; {@code bidirectional} concatenates the backward direction's
     * output ({@code 2 * units}). Roles: weight_ih, weight_hh, bias_ih, bias_hh (+ the same with _reverse).
     *
     * <p>The equations are PyTorch's, per step with x the input, h and c the state before it:
     * <pre>
     * LSTM  i = σ(W_ii x + b_ii + W_hi h + b_hi)    f = σ(W_if x + b_if + W_hf h + b_hf)
     *       g = tanh(W_ig x + b_ig + W_hg h + b_hg) o = σ(W_io x + b_io + W_ho h + b_ho)
     *       c' = f c + i g                         h' = o tanh(c')
     * GRU   r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
     *       n = tanh(W_in x + b_in + r (W_hn h + b_hn))
     *       h' = (1 - z) n + z h = n + z (h - n)
     * </pre>
     * The input's part {@code x W_ihᵀ + b_ih} of every step is one matrix product before the loop; each step
     * adds {@code h W_hhᵀ} (one product) and works on the gates as blocks of columns of {@code [n, G*units]}.
     *
     * <p>Masking: at a padded step ({@link Layer#mask} 0) the state passes unchanged
     * ({@code h' = h + m (h_new - h)}), and the output of that step is 0; so the last output is the state after
     * the last real step, and the backward direction, which starts from a zero state at the end, starts in
     * effect at the last real step.
     *
     * <p>Backward runs through time in the opposite order, collecting the gradient of every step's gate
     * pre-activations; the weight gradients are then one product each over all steps.
     *
     * <p>The arrays come from the layer's buffers; their views at each step (a state, a gate's columns) are
     * made once per batch size ({@link Pass}), since making a view costs about as much as a small op.
     *
     * <p>Where the arrays lie in host memory ({@link Flat#plain}: the CPU backend) a step is one ND4J product
     * (forward {@code h W_hhᵀ}, backward {@code dz W_hh}) and one plain Java pass over the step's contiguous
     * arrays for everything element-wise (the gates, the states, the masking), in double, rounded once when
     * written back: an ND4J op costs about 18 µs whatever its size, and a step of [32, 64] states had about
     * 12 of them forward and 20 backward. Elsewhere (the CUDA backend) each step runs ND4J's ops.
     */
    public static final class Rnn extends Layer {
        final boolean gru, sequences, bidirectional;
        final int units;
        /** gates per unit: 4 for LSTM, 3 for GRU */
        final int gates;
        /** each direction's parameters and gradients: [direction] with the roles' order weight_ih, weight_hh, bias_ih, bias_hh */
        INDArray[][] params, grads;
        private final Map<Long, Pass> passes = new HashMap<>();
        /** the pass of the last forward, and whether it had a mask */
        private Pass pass;
        private boolean masked;
        /** false: ND4J's element-wise ops even where the plain Java loops could run (tests compare the two) */
        boolean javaLoops = true;

        public Rnn(boolean gru, int units, boolean sequences, boolean bidirectional) {
            this.gru = gru;
            this.units = units;
            this.sequences = sequences;
            this.bidirectional = bidirectional;
            this.gates = gru ? 3 : 4;
        }

        private static final String[] ROLES = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            long gu = (long) gates * units;
            long[][] shapes = {{gu, inShapes[0][1]}, {gu, units}, {gu}, {gu}};
            int dirs = bidirectional ? 2 : 1;
            params = new INDArray[dirs][4];
            grads = new INDArray[dirs][4];
            for (int d = 0; d < dirs; d++) {
                for (int r = 0; r < 4; r++) {
                    String role = ROLES[r] + (d == 1 ? "_reverse" : "");
                    params[d][r] = p.get(role);
                    grads[d][r] = g.get(role);
                    if (params[d][r] == null) throw new IllegalArgumentException(kind() + ": parameter " + role + " is missing");
                    if (!Arrays.equals(params[d][r].shape(), shapes[r])) {
                        throw new IllegalArgumentException(kind() + ": parameter " + role + " has shape "
                                + Arrays.toString(params[d][r].shape()) + ", expected " + Arrays.toString(shapes[r]));
                    }
                }
            }
        }

        private String kind() { return gru ? "gru" : "lstm"; }

        /**
         * The arrays of a forward and backward pass at one batch size, and their views; made once per batch size
         * over the layer's buffers (slots: 0 xT, 1 maskT, 2 out, 3 gT, 4 dx, 5 gx, 6 step scratch, 7/8 each
         * direction's forward arrays, 9/10 its backward arrays).
         */
        final class Pass {
            final long n, steps, features;
            /** the input time-major {@code [T, n, F]} and as rows {@code [T*n, F]}; the mask time-major {@code [T, n, 1]} */
            final INDArray xT, x2, maskT;
            /** the output; the gradient of the output time-major {@code [T, n, D*u]} (sequences); the gradient of the input as rows and {@code [n, T, F]} */
            final INDArray out, gT, dx2, gx;
            /** the mask at each step {@code [n, 1]} */
            final INDArray[] maskAt;
            /** whether every sample of the last masked forward is real at a step: there the step skips the masking ops */
            final boolean[] real;
            /** step scratch {@code [n, u]}: the state gradients, the parts of them through the step, temporaries */
            final INDArray dh, dc, dhOwn, dcOwn, tmp;
            final Dir[] dirs;
            /** whether every array a step's Java loop reads or writes is {@link Flat#plain} */
            final boolean plain;
            /** the Java loops' readers and writers: the mask, dh, the output's gradient (sequences) */
            final Flat.View maskV, dhV, gTV;
            /**
             * the Java loops' scratch: a step's gate block {@code [n, G*u]} (a), h W_hhᵀ + b_hh (hp, GRU), the
             * gradients of the gates' pre-activations (dz, dzh: GRU's recurrent ones), the states and their
             * gradients {@code [n, u]}, the output's gradient at a step {@code [n, D*u]}, the mask {@code [n]},
             * b_hh {@code [G*u]}
             */
            final double[] a, hp, dz, dzh, h, c, hNew, cNew, tc, dhJ, dcJ, go, m, bhh;
            /** the bias gradients {@code [G*u]} as the backward loops sum them: of dxp, and of dhp (GRU) */
            final double[] gbx, gbh;
            /**
             * σ and tanh of the Java loops: over a gate block {@code [n, G*u]} (LSTM: g by tanh; GRU: all three by
             * σ, n's pre-activation not yet complete), and tanh over {@code [n, u]} (LSTM: c'; GRU: n); GRU's
             * scratch: the σ of its gate block {@code [n, 3u]}, n's pre-activation {@code [n, u]}
             */
            final Squash gateSquash, cellSquash;
            final double[] sq, nPre;

            Pass(long n) {
                this.n = n;
                steps = inShapes[0][0];
                features = inShapes[0][1];
                long du = (long) params.length * units;
                xT = bufShape(0, n, steps, n, features);
                x2 = xT.reshape(steps * n, features);
                maskT = bufShape(1, n, steps, n, 1);
                maskAt = new INDArray[(int) steps];
                for (int t = 0; t < steps; t++) maskAt[t] = maskT.slice(t);
                real = new boolean[(int) steps];
                out = sequences ? buf(2, n, outShape) : bufShape(2, n, n, du);
                gT = sequences ? bufShape(3, n, steps, n, du) : null;
                dx2 = bufShape(4, n, steps * n, features);
                gx = buf(5, n, inShapes[0]);
                INDArray scratch = bufShape(6, n, 5, n, units);
                dh = scratch.slice(0);
                dc = scratch.slice(1);
                dhOwn = scratch.slice(2);
                dcOwn = scratch.slice(3);
                tmp = scratch.slice(4);
                dirs = new Dir[params.length];
                for (int d = 0; d < dirs.length; d++) dirs[d] = new Dir(this, d);
                boolean all = Flat.plain(maskT, dh, gT);
                for (Dir d : dirs) all &= Flat.plain(d.fwd, d.bwd, d.bhh, grads[d.index][2], grads[d.index][3]);
                plain = all;
                maskV = plain ? Flat.view(maskT) : null;
                dhV = plain ? Flat.view(dh) : null;
                gTV = plain && gT != null ? Flat.view(gT) : null;
                int nu = plain ? (int) (n * units) : 0, ngu = nu * gates;
                a = new double[ngu];
                dz = new double[ngu];
                hp = new double[gru ? ngu : 0];
                dzh = new double[gru ? ngu : 0];
                h = new double[nu];
                hNew = new double[nu];
                dhJ = new double[nu];
                c = new double[gru ? 0 : nu];
                cNew = new double[gru ? 0 : nu];
                tc = new double[gru ? 0 : nu];
                dcJ = new double[gru ? 0 : nu];
                go = new double[sequences && plain ? (int) (n * du) : 0];
                m = new double[plain ? (int) n : 0];
                bhh = new double[plain ? gates * units : 0];
                gbx = new double[plain ? gates * units : 0];
                gbh = new double[plain && gru ? gates * units : 0];
                gateSquash = !plain ? null : gru ? new Squash((int) n, gates * units, false, false, false)
                        : new Squash((int) n, gates * units, false, false, true, false);
                cellSquash = plain ? new Squash((int) n, units, true) : null;
                sq = new double[plain && gru ? ngu : 0];
                nPre = new double[plain && gru ? nu : 0];
            }
        }

        /** One direction's arrays in a pass and their views. */
        final class Dir {
            final int index;
            final boolean reverse;
            final INDArray wih, whh, bih, bhh;
            /**
             * xp {@code [T, n, G*u]}: x W_ihᵀ + b_ih (+ b_hh for LSTM), then, step by step, the activated gates;
             * hp (GRU) {@code [T, n, G*u]}: h W_hhᵀ + b_hh of each step;
             * s, c {@code [T+1, n, u]}: the states by time (forward: before step t at t, after it at t+1;
             * reverse: after step t at t, before it at t+1); tc (LSTM) {@code [T, n, u]}: tanh(c') of each step;
             * dxp, dhp {@code [T, n, G*u]}: the gradients of the gates' input and recurrent pre-activations (one
             * array for LSTM); all as rows {@code [T*n, ...]} where a product takes all steps at once
             */
            final INDArray xp2, s, c, tc, dxp2, dhp2;
            /** the states before each step, rows in time order; the states after each step {@code [T, n, u]} in time order; the last state */
            final INDArray before2, after, last;
            /** the output's columns of this direction */
            final INDArray outPart;
            final Step[] at;
            /** the direction's forward and backward buffers (all the arrays above), and their readers and writers for the Java loops (null where not plain) */
            final INDArray fwd, bwd;
            Flat.View fwdV, bwdV, bhhV, gbihV, gbhhV;
            /** where xp, hp, s, c, tc start in the forward buffer, dxp and dhp in the backward one */
            final int xpAt, hpAt, sAt, cAt, tcAt, dxpAt, dhpAt;

            Dir(Pass p, int d) {
                index = d;
                reverse = d == 1;
                wih = params[d][0];
                whh = params[d][1];
                bih = params[d][2];
                bhh = params[d][3];
                long n = p.n, steps = p.steps, gu = (long) gates * units;
                Cut fwd = new Cut(bufShape(7 + d, n, (gru ? 2 : 1) * steps * n * gu + (gru ? 1 : 2) * (steps + 1) * n * units + (gru ? 0 : steps * n * units)));
                this.fwd = fwd.flat;
                xpAt = fwd.at();
                INDArray xp = fwd.next(steps, n, gu);
                hpAt = fwd.at();
                INDArray hp = gru ? fwd.next(steps, n, gu) : null;
                sAt = fwd.at();
                s = fwd.next(steps + 1, n, units);
                cAt = fwd.at();
                c = gru ? null : fwd.next(steps + 1, n, units);
                tcAt = fwd.at();
                tc = gru ? null : fwd.next(steps, n, units);
                Cut bwd = new Cut(bufShape(9 + d, n, (gru ? 2 : 1) * steps * n * gu));
                this.bwd = bwd.flat;
                dxpAt = bwd.at();
                INDArray dxp = bwd.next(steps, n, gu);
                dhpAt = bwd.at();
                INDArray dhp = gru ? bwd.next(steps, n, gu) : dxp;
                if (Flat.plain(this.fwd, this.bwd, bhh, grads[d][2], grads[d][3])) {
                    fwdV = Flat.view(this.fwd);
                    bwdV = Flat.view(this.bwd);
                    bhhV = Flat.view(bhh);
                    gbihV = Flat.view(grads[d][2]);
                    gbhhV = Flat.view(grads[d][3]);
                }
                xp2 = xp.reshape(steps * n, gu);
                dxp2 = dxp.reshape(steps * n, gu);
                dhp2 = dhp.reshape(steps * n, gu);
                before2 = (reverse ? s.get(interval(1, steps + 1)) : s.get(interval(0, steps))).reshape(steps * n, units);
                after = reverse ? s.get(interval(0, steps)) : s.get(interval(1, steps + 1));
                last = s.slice(reverse ? 0 : (int) steps);
                outPart = columns(p.out, d);
                at = new Step[(int) steps];
                for (int t = 0; t < steps; t++) {
                    at[t] = new Step(xp.slice(t), hp != null ? hp.slice(t) : null, s.slice(reverse ? t + 1 : t), s.slice(reverse ? t : t + 1),
                            c != null ? c.slice(reverse ? t + 1 : t) : null, c != null ? c.slice(reverse ? t : t + 1) : null,
                            tc != null ? tc.slice(t) : null, dxp.slice(t), gru ? dhp.slice(t) : null,
                            p.gT != null ? columns(p.gT.slice(t), d) : null);
                }
            }
        }

        /**
         * One step's views: a {@code [n, G*u]} (the gates) and its gate columns, the states before and after,
         * tanh(c'), h W_hhᵀ + b_hh (GRU) and the gradient blocks, with their gate columns.
         */
        final class Step {
            final INDArray a, hp, h, hNew, c, cNew, tc, dx, dhp, gradOut;
            final INDArray[] gate, hpGate, dxGate, dhpGate;
            /** GRU: the r and z columns together, of a, hp, dx and dhp */
            final INDArray rz, hpRz, dxRz, dhpRz;

            Step(INDArray a, INDArray hp, INDArray h, INDArray hNew, INDArray c, INDArray cNew, INDArray tc,
                 INDArray dx, INDArray dhp, INDArray gradOut) {
                this.a = a; this.hp = hp; this.h = h; this.hNew = hNew; this.c = c; this.cNew = cNew; this.tc = tc;
                this.dx = dx; this.dhp = dhp; this.gradOut = gradOut;
                gate = gates(a);
                dxGate = gates(dx);
                hpGate = hp != null ? gates(hp) : null;
                dhpGate = dhp != null ? gates(dhp) : null;
                rz = columns(a, 0, 2);
                dxRz = columns(dx, 0, 2);
                hpRz = hp != null ? columns(hp, 0, 2) : null;
                dhpRz = dhp != null ? columns(dhp, 0, 2) : null;
            }
        }

        private INDArray[] gates(INDArray a) {
            INDArray[] g = new INDArray[gates];
            for (int k = 0; k < gates; k++) g[k] = columns(a, k, 1);
            return g;
        }

        /** Columns k*u .. (k+count)*u of {@code [n, G*u]}. */
        private INDArray columns(INDArray a, int k, int count) {
            return a.get(all(), interval((long) k * units, (long) (k + count) * units));
        }

        /** Direction d's columns (the last axis) of {@code [.., D*u]}. */
        private INDArray columns(INDArray a, int d) {
            return a.rank() == 2 ? columns(a, d, 1) : a.get(all(), all(), interval((long) d * units, (long) (d + 1) * units));
        }

        /** Consecutive views of one flat buffer, so that a direction's arrays take one of the layer's buffer slots. */
        private static final class Cut {
            final INDArray flat;
            long at;
            Cut(INDArray flat) { this.flat = flat; }
            /** where the next view starts */
            int at() { return (int) at; }
            INDArray next(long... shape) {
                long len = Layers.prod(shape);
                INDArray v = flat.get(interval(at, at + len)).reshape('c', shape);
                at += len;
                return v;
            }
        }

        void forward(INDArray[] in, boolean training) {
            long n = in[0].size(0);
            pass = passes.computeIfAbsent(n, Pass::new);
            masked = mask != null;
            Pass p = pass;
            p.xT.assign(in[0].permute(1, 0, 2));
            if (masked) {
                p.maskT.reshape(p.steps, n).assign(mask.transpose());
                float[] least = p.maskT.reshape(p.steps, n).min(1).toFloatVector();
                for (int t = 0; t < p.steps; t++) p.real[t] = least[t] >= 1;
            }
            for (Dir d : p.dirs) runForward(p, d);
            // the output: each direction's states at every step (0 where padded), or its state after the last step
            for (Dir d : p.dirs) {
                if (sequences) d.outPart.assign(d.after.permute(1, 0, 2));
                else d.outPart.assign(d.last);
            }
            if (sequences && masked) Nd4j.exec(new MulOp(p.out, mask.reshape(n, p.steps, 1), p.out));
            out = p.out;
        }

        private void runForward(Pass p, Dir d) {
            K.gemm(p.x2, d.wih, d.xp2, false, true, 1.0, 0.0);
            d.xp2.addiRowVector(d.bih);
            if (!gru) d.xp2.addiRowVector(d.bhh); // LSTM: b_hh adds as b_ih does; GRU: b_hn sits inside r (...)
            int steps = (int) p.steps;
            d.s.slice(d.reverse ? steps : 0).assign(0);
            if (!gru) d.c.slice(d.reverse ? steps : 0).assign(0);
            boolean flat = flat(p);
            if (flat && gru) d.bhhV.get(0, p.bhh, gates * units);
            for (int k = 0; k < steps; k++) {
                int t = d.reverse ? steps - 1 - k : k;
                Step st = d.at[t];
                INDArray[] a = st.gate;
                if (flat) {
                    if (gru) {
                        K.gemm(st.h, d.whh, st.hp, false, true, 1.0, 0.0); // hp = h W_hhᵀ (+ b_hh in the loop)
                        gruStepJava(p, d, t);
                    } else {
                        K.gemm(st.h, d.whh, st.a, false, true, 1.0, 1.0); // a = x W_ihᵀ + b_ih + b_hh + h W_hhᵀ
                        lstmStepJava(p, d, t);
                    }
                    continue;
                }
                if (gru) {
                    K.gemm(st.h, d.whh, st.hp, false, true, 1.0, 0.0);
                    st.hp.addiRowVector(d.bhh);
                    st.rz.addi(st.hpRz);
                    Nd4j.exec(new Sigmoid(st.rz, st.rz));                   // r, z
                    a[0].mul(st.hpGate[2], p.tmp);
                    a[2].addi(p.tmp);
                    Nd4j.exec(new Tanh(a[2], a[2]));                        // n = tanh(W_in x + b_in + r (W_hn h + b_hn))
                    st.h.sub(a[2], st.hNew).muli(a[1]).addi(a[2]);          // h' = n + z (h - n)
                } else {
                    K.gemm(st.h, d.whh, st.a, false, true, 1.0, 1.0);    // a = x W_ihᵀ + b_ih + b_hh + h W_hhᵀ
                    INDArray ifg = st.rz;                                   // the i and f columns
                    Nd4j.exec(new Sigmoid(ifg, ifg));
                    Nd4j.exec(new Tanh(a[2], a[2]));
                    Nd4j.exec(new Sigmoid(a[3], a[3]));
                    a[1].mul(st.c, st.cNew);                                // c' = f c + i g
                    a[0].mul(a[2], p.tmp);
                    st.cNew.addi(p.tmp);
                    Nd4j.exec(new Tanh(st.cNew, st.tc));
                    a[3].mul(st.tc, st.hNew);                               // h' = o tanh(c')
                    if (padded(p, t)) keepAtPadding(st.c, st.cNew, p.maskAt[t]);
                }
                if (padded(p, t)) keepAtPadding(st.h, st.hNew, p.maskAt[t]);
            }
        }

        /** Whether some sample pads at step t of the last forward (a step where all are real needs no masking ops). */
        private boolean padded(Pass p, int t) { return masked && !p.real[t]; }

        /** state' = state + m (state' - state): the new state where the step is real, the old one where it pads. */
        private static void keepAtPadding(INDArray state, INDArray next, INDArray m) {
            next.subi(state).muliColumnVector(m).addi(state);
        }

        INDArray[] backward(INDArray g) {
            Pass p = pass;
            if (sequences) {
                p.gT.assign(g.permute(1, 0, 2));
                if (masked) Nd4j.exec(new MulOp(p.gT, p.maskT, p.gT)); // the output is 0 at padded steps
            }
            int steps = (int) p.steps;
            for (Dir d : p.dirs) {
                if (sequences) p.dh.assign(0);
                else p.dh.assign(columns(g, d.index));
                p.dc.assign(0);
                boolean flat = flat(p);
                if (flat) {
                    if (!gru) Arrays.fill(p.dcJ, 0); // the Java loops keep dc in double from step to step
                    Arrays.fill(p.gbx, 0);           // and sum the bias gradients as they go
                    Arrays.fill(p.gbh, 0);
                }
                for (int k = steps - 1; k >= 0; k--) {
                    int t = d.reverse ? steps - 1 - k : k;
                    Step st = d.at[t];
                    if (flat) {
                        if (gru) gruBackStepJava(p, d, t);
                        else lstmBackStepJava(p, d, t);
                        K.gemm(gru ? st.dhp : st.dx, d.whh, p.dh, false, false, 1.0, 1.0); // dh += dz W_hh
                        continue;
                    }
                    if (sequences) p.dh.addi(st.gradOut);
                    if (gru) gruBackStep(p, d, st, t);
                    else lstmBackStep(p, d, st, t);
                }
                INDArray[] gr = grads[d.index];
                K.gemm(d.dxp2, p.x2, gr[0], true, false, 1.0, 0.0);
                K.gemm(d.dhp2, d.before2, gr[1], true, false, 1.0, 0.0);
                if (flat) { // b_ih and b_hh: the sums over rows and steps of dxp and dhp, which the loops took
                    int gu = gates * units;
                    d.gbihV.put(0, p.gbx, gu);
                    d.gbhhV.put(0, gru ? p.gbh : p.gbx, gu);
                } else {
                    d.dxp2.sum(gr[2], 0);
                    d.dhp2.sum(gr[3], 0);
                }
                if (needInputGrad) K.gemm(d.dxp2, d.wih, p.dx2, false, false, 1.0, d.index == 0 ? 0.0 : 1.0);
            }
            if (!needInputGrad) return new INDArray[] {null};
            p.gx.assign(p.dx2.reshape(p.steps, p.n, p.features).permute(1, 0, 2));
            return new INDArray[] {p.gx};
        }

        /**
         * The part of a state gradient that goes through the step at time t: all of it without a mask; with one,
         * the rows of real steps, and the rest, which skipped a padded step, stays in the state gradient (all of it
         * where no sample pads at t).
         */
        private INDArray through(INDArray dState, INDArray own, Pass p, int t) {
            if (!padded(p, t)) return dState;
            own.assign(dState).muliColumnVector(p.maskAt[t]);
            dState.subi(own);
            return own;
        }

        /** p.dh, p.dc: the gradient of the state after step t; on return, of the state before it. */
        private void lstmBackStep(Pass p, Dir d, Step st, int t) {
            INDArray dh = through(p.dh, p.dhOwn, p, t), dc = through(p.dc, p.dcOwn, p, t), tmp = p.tmp;
            INDArray i = st.gate[0], f = st.gate[1], g = st.gate[2], o = st.gate[3], tc = st.tc;
            INDArray[] dz = st.dxGate;
            // h' = o tanh(c')
            o.rsub(1.0, dz[3]).muli(o).muli(tc).muli(dh);                  // dz_o = dh tanh(c') o (1 - o)
            tc.mul(tc, tmp).rsubi(1.0).muli(o).muli(dh);
            dc.addi(tmp);                                                   // dc' += dh o (1 - tanh²(c'))
            // c' = f c + i g
            i.rsub(1.0, dz[0]).muli(i).muli(g).muli(dc);                   // dz_i = dc' g i (1 - i)
            f.rsub(1.0, dz[1]).muli(f).muli(st.c).muli(dc);                // dz_f = dc' c f (1 - f)
            g.mul(g, dz[2]).rsubi(1.0).muli(i).muli(dc);                   // dz_g = dc' i (1 - g²)
            // to the state before the step: through the gates, plus what skipped a padded step
            boolean padded = padded(p, t);
            K.gemm(st.dx, d.whh, p.dh, false, false, 1.0, padded ? 1.0 : 0.0);
            if (padded) p.dc.addi(dc.muli(f));
            else p.dc.muli(f);
        }

        /** Whether the steps run the plain Java loops: the arrays lie in host memory, and no test asked for ND4J's ops. */
        private boolean flat(Pass p) { return javaLoops && p.plain; }

        /** Whether the last forward pass ran the plain Java loops (for tests). */
        boolean ranJava() { return pass != null && flat(pass); }

        /**
         * Gate gradients smaller than this are written as 0. Going back through 200 steps an LSTM's gradient
         * fades: in bench/sequences/lstm.ann a fifth of dz was nonzero but under 1e-30, and the float products
         * of the weight gradients over such values (dz xᵀ, dz hᵀ) pass through subnormal numbers, which the
         * BLAS multiplies about a hundred times slower (50-300 ms a product instead of 3). Against the
         * gradients that count (1e-8 and up) the values dropped are far below float rounding.
         */
        static final double TINY = 1e-30;

        private static double flush(double v) { return Math.abs(v) < TINY ? 0 : v; }

        /**
         * One LSTM step's element-wise part in Java, after {@code a += h W_hhᵀ}: the gates activated in place
         * (i, f, o by σ, g by tanh; backward reads them), c' = f c + i g, tanh(c'), h' = o tanh(c'), and where
         * step t pads, the states kept (state + m (state' - state)).
         */
        private void lstmStepJava(Pass p, Dir d, int t) {
            int n = (int) p.n, u = units, gu = gates * u, nu = n * u;
            int before = d.reverse ? t + 1 : t, after = d.reverse ? t : t + 1;
            boolean pad = padded(p, t);
            double[] a = p.a, c = p.c, h = p.h, cNew = p.cNew, tc = p.tc, hNew = p.hNew, m = p.m;
            d.fwdV.get(d.xpAt + t * n * gu, a, n * gu);
            d.fwdV.get(d.cAt + before * nu, c, nu);
            if (pad) {
                d.fwdV.get(d.sAt + before * nu, h, nu);
                p.maskV.get(t * n, m, n);
            }
            p.gateSquash.apply(a, n * gu);                           // i, f, o = σ, g = tanh, in place
            for (int r = 0; r < n; r++) {                            // c' = f c + i g
                int g0 = r * gu, s0 = r * u;
                for (int j = 0; j < u; j++) cNew[s0 + j] = a[g0 + u + j] * c[s0 + j] + a[g0 + j] * a[g0 + 2 * u + j];
            }
            p.cellSquash.apply(cNew, tc, nu);                        // tanh(c')
            for (int r = 0; r < n; r++) {                            // h' = o tanh(c')
                int g0 = r * gu + 3 * u, s0 = r * u;
                for (int j = 0; j < u; j++) hNew[s0 + j] = a[g0 + j] * tc[s0 + j];
            }
            if (pad) {                                               // the states kept where step t pads
                for (int r = 0; r < n; r++) {
                    int s0 = r * u;
                    double mr = m[r];
                    for (int j = 0; j < u; j++) {
                        cNew[s0 + j] = c[s0 + j] + mr * (cNew[s0 + j] - c[s0 + j]);
                        hNew[s0 + j] = h[s0 + j] + mr * (hNew[s0 + j] - h[s0 + j]);
                    }
                }
            }
            d.fwdV.put(d.xpAt + t * n * gu, a, n * gu);
            d.fwdV.put(d.cAt + after * nu, cNew, nu);
            d.fwdV.put(d.tcAt + t * nu, tc, nu);
            d.fwdV.put(d.sAt + after * nu, hNew, nu);
        }

        /**
         * One GRU step's element-wise part in Java, after {@code hp = h W_hhᵀ}: hp += b_hh (kept: backward reads
         * hp_n), r, z = σ(a + hp), n = tanh(a_n + r hp_n) written over a, h' = n + z (h - n), kept where step t pads.
         */
        private void gruStepJava(Pass p, Dir d, int t) {
            int n = (int) p.n, u = units, gu = gates * u, nu = n * u;
            int before = d.reverse ? t + 1 : t, after = d.reverse ? t : t + 1;
            boolean pad = padded(p, t);
            double[] a = p.a, hp = p.hp, h = p.h, hNew = p.hNew, m = p.m, b = p.bhh;
            d.fwdV.get(d.xpAt + t * n * gu, a, n * gu);
            d.fwdV.get(d.hpAt + t * n * gu, hp, n * gu);
            d.fwdV.get(d.sAt + before * nu, h, nu);
            if (pad) p.maskV.get(t * n, m, n);
            double[] sq = p.sq, nPre = p.nPre;
            for (int r = 0; r < n; r++) {                            // hp += b_hh; r and z's pre-activations a + hp
                int g0 = r * gu;
                for (int k = 0; k < gu; k++) hp[g0 + k] += b[k];
                for (int k = 0; k < 2 * u; k++) a[g0 + k] += hp[g0 + k];
            }
            p.gateSquash.apply(a, sq, n * gu);                       // r, z = σ (and a σ of n's column, not used)
            for (int r = 0; r < n; r++) {                            // n's pre-activation a_n + r hp_n
                int g0 = r * gu, s0 = r * u;
                for (int j = 0; j < u; j++) nPre[s0 + j] = a[g0 + 2 * u + j] + sq[g0 + j] * hp[g0 + 2 * u + j];
            }
            p.cellSquash.apply(nPre, nu);                            // n = tanh(..)
            for (int r = 0; r < n; r++) {                            // the gates over a; h' = n + z (h - n)
                int g0 = r * gu, s0 = r * u;
                System.arraycopy(sq, g0, a, g0, 2 * u);
                System.arraycopy(nPre, s0, a, g0 + 2 * u, u);
                for (int j = 0; j < u; j++) hNew[s0 + j] = nPre[s0 + j] + sq[g0 + u + j] * (h[s0 + j] - nPre[s0 + j]);
            }
            if (pad) {                                               // the state kept where step t pads
                for (int r = 0; r < n; r++) {
                    int s0 = r * u;
                    double mr = m[r];
                    for (int j = 0; j < u; j++) hNew[s0 + j] = h[s0 + j] + mr * (hNew[s0 + j] - h[s0 + j]);
                }
            }
            d.fwdV.put(d.xpAt + t * n * gu, a, n * gu);
            d.fwdV.put(d.hpAt + t * n * gu, hp, n * gu);
            d.fwdV.put(d.sAt + after * nu, hNew, nu);
        }

        /**
         * The output's gradient of step t (sequences) added to p.dh's copy in dh, then the part of each state
         * gradient that goes through the step ({@link #through}): returns whether the step pads, with the mask in p.m.
         */
        private boolean stateGradIn(Pass p, Dir d, int t, double[] dh) {
            int n = (int) p.n, u = units, nu = n * u;
            p.dhV.get(0, dh, nu);
            if (sequences) {
                int du = p.dirs.length * u;
                p.gTV.get(t * n * du, p.go, n * du);
                for (int r = 0; r < n; r++) {
                    for (int j = 0; j < u; j++) dh[r * u + j] += p.go[r * du + d.index * u + j];
                }
            }
            boolean pad = padded(p, t);
            if (pad) p.maskV.get(t * n, p.m, n);
            return pad;
        }

        /**
         * {@link #lstmBackStep} in Java: from the gradients of the state after step t (p.dh, and p.dcJ, which
         * stays in Java), dz of all four gates into the step's block of dxp, dc of the state before the step
         * into p.dcJ, and into p.dh what goes to h directly (what skipped a padded step); the caller adds dz W_hh.
         */
        private void lstmBackStepJava(Pass p, Dir d, int t) {
            int n = (int) p.n, u = units, gu = gates * u, nu = n * u;
            int before = d.reverse ? t + 1 : t;
            double[] a = p.a, c = p.c, tc = p.tc, dh = p.dhJ, dc = p.dcJ, dz = p.dz, m = p.m;
            boolean pad = stateGradIn(p, d, t, dh);
            d.fwdV.get(d.xpAt + t * n * gu, a, n * gu);
            d.fwdV.get(d.cAt + before * nu, c, nu);
            d.fwdV.get(d.tcAt + t * nu, tc, nu);
            for (int r = 0; r < n; r++) {
                int g0 = r * gu, s0 = r * u;
                double mr = pad ? m[r] : 1;
                for (int j = 0; j < u; j++) {
                    int ai = g0 + j, si = s0 + j;
                    double i = a[ai], f = a[ai + u], g = a[ai + 2 * u], o = a[ai + 3 * u], t1 = tc[si];
                    double dhT = dh[si] * mr, dcT = dc[si] * mr;                   // through the step; the rest skipped it
                    dz[ai + 3 * u] = flush(dhT * t1 * o * (1 - o));               // h' = o tanh(c')
                    dcT += dhT * o * (1 - t1 * t1);
                    dz[ai] = flush(dcT * g * i * (1 - i));                        // c' = f c + i g
                    dz[ai + u] = flush(dcT * c[si] * f * (1 - f));
                    dz[ai + 2 * u] = flush(dcT * i * (1 - g * g));
                    dc[si] = dc[si] - dc[si] * mr + dcT * f;
                    dh[si] = dh[si] - dhT;
                }
                for (int k = 0; k < gu; k++) p.gbx[k] += dz[g0 + k];
            }
            d.bwdV.put(d.dxpAt + t * n * gu, dz, n * gu);
            p.dhV.put(0, dh, nu);
        }

        /**
         * {@link #gruBackStep} in Java: from the gradient of the state after step t (p.dh), the gradients of
         * the gates' input pre-activations (dxp) and recurrent ones (dhp, r times that of n for n), and into
         * p.dh what goes to h directly (through z, and what skipped a padded step); the caller adds dhp W_hh.
         */
        private void gruBackStepJava(Pass p, Dir d, int t) {
            int n = (int) p.n, u = units, gu = gates * u, nu = n * u;
            int before = d.reverse ? t + 1 : t;
            double[] a = p.a, hp = p.hp, h = p.h, dh = p.dhJ, dz = p.dz, dzh = p.dzh, m = p.m;
            boolean pad = stateGradIn(p, d, t, dh);
            d.fwdV.get(d.xpAt + t * n * gu, a, n * gu);
            d.fwdV.get(d.hpAt + t * n * gu, hp, n * gu);
            d.fwdV.get(d.sAt + before * nu, h, nu);
            for (int r = 0; r < n; r++) {
                int g0 = r * gu, s0 = r * u;
                double mr = pad ? m[r] : 1;
                for (int j = 0; j < u; j++) {
                    int ai = g0 + j, si = s0 + j;
                    double rg = a[ai], z = a[ai + u], nn = a[ai + 2 * u];
                    double dhT = dh[si] * mr;                                     // through the step; the rest skipped it
                    double dn = flush(dhT * (1 - z) * (1 - nn * nn));             // h' = n + z (h - n), n = tanh(..)
                    double dzz = flush((h[si] - nn) * dhT * z * (1 - z));
                    double dr = flush(dn * hp[ai + 2 * u] * rg * (1 - rg));       // n's r (W_hn h + b_hn)
                    dz[ai] = dr;
                    dz[ai + u] = dzz;
                    dz[ai + 2 * u] = dn;
                    dzh[ai] = dr;
                    dzh[ai + u] = dzz;
                    dzh[ai + 2 * u] = flush(dn * rg);
                    dh[si] = dh[si] - dhT + dhT * z;
                }
                for (int k = 0; k < gu; k++) {
                    p.gbx[k] += dz[g0 + k];
                    p.gbh[k] += dzh[g0 + k];
                }
            }
            d.bwdV.put(d.dxpAt + t * n * gu, dz, n * gu);
            d.bwdV.put(d.dhpAt + t * n * gu, dzh, n * gu);
            p.dhV.put(0, dh, nu);
        }

        /** p.dh: the gradient of the state after step t; on return, of the state before it. */
        private void gruBackStep(Pass p, Dir d, Step st, int t) {
            INDArray dh = through(p.dh, p.dhOwn, p, t), tmp = p.tmp;
            INDArray r = st.gate[0], z = st.gate[1], nn = st.gate[2], hpn = st.hpGate[2];
            INDArray[] dx = st.dxGate;
            // h' = n + z (h - n)
            z.rsub(1.0, dx[2]).muli(dh);                                     // dn = dh (1 - z)
            dx[2].muli(nn.mul(nn, tmp).rsubi(1.0));                          // through tanh: (1 - n²)
            st.h.sub(nn, dx[1]).muli(dh).muli(z.rsub(1.0, tmp).muli(z));     // dz = dh (h - n) z (1 - z)
            dx[2].mul(hpn, dx[0]).muli(r.rsub(1.0, tmp).muli(r));            // dr = dn hp_n r (1 - r)
            // the recurrent pre-activations: the same for r and z; r times that of n
            st.dhpRz.assign(st.dxRz);
            dx[2].mul(r, st.dhpGate[2]);
            // to the state before the step: directly through z, through the gates, plus what skipped a padded step
            if (padded(p, t)) p.dh.addi(dh.muli(z));
            else p.dh.muli(z);
            K.gemm(st.dhp, d.whh, p.dh, false, false, 1.0, 1.0);
        }
    }
}
