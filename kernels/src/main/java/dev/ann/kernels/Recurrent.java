package dev.ann.kernels;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

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
        /** the ids of the last forward pass as integers, {@code [n * T]} */
        INDArray ids;
        /** {@code [n, T]}: 1 where the id is a word, 0 where it pads */
        INDArray idMask;

        public Embedding() {}

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            w = p.get("weight");
            gw = g.get("weight");
        }

        void forward(INDArray[] in, boolean training) {
            INDArray x = in[0];
            long n = x.size(0), steps = inShapes[0][0], vocabulary = w.size(0), dim = w.size(1);
            double lo = x.minNumber().doubleValue(), hi = x.maxNumber().doubleValue();
            if (lo < 0 || hi >= vocabulary) {
                throw new IllegalArgumentException("embedding: token id " + (long) (lo < 0 ? lo : hi)
                        + " is outside its vocabulary of " + vocabulary + " (ids 0.." + (vocabulary - 1)
                        + "); give the embedding the dataset's vocabulary size");
            }
            if (ids == null || ids.length() != n * steps) ids = Nd4j.createUninitialized(DataType.INT32, n * steps);
            ids.assign(x.reshape(n * steps));
            out = buf(0, n, outShape);
            K.exec("gather", new INDArray[] {w, ids}, new INDArray[] {out.reshape(n * steps, dim)}, new long[] {0}, null);
            idMask = bufShape(1, n, n, steps);
            Nd4j.exec(new Sign(x.reshape(n, steps), idMask)); // ids are >= 0: sign is 1 for a word, 0 for padding
        }

        INDArray[] backward(INDArray g) {
            long rows = ids.length();
            K.exec("unsorted_segment_sum", new INDArray[] {g.reshape(rows, w.size(1)), ids}, new INDArray[] {gw},
                    new long[] {w.size(0)}, null);
            return new INDArray[] {null};
        }

        @Override INDArray outMask() { return idMask; }
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
     */
    public static final class Rnn extends Layer {
        final boolean gru, sequences, bidirectional;
        final int units;
        /** gates per unit: 4 for LSTM, 3 for GRU */
        final int gates;
        Direction[] dirs;

        /** of the last forward pass: batch size, steps, features, the input time-major {@code [T, n, F]}, the mask {@code [T, n, 1]} or null */
        long n, steps, features;
        INDArray xT, maskT;

        public Rnn(boolean gru, int units, boolean sequences, boolean bidirectional) {
            this.gru = gru;
            this.units = units;
            this.sequences = sequences;
            this.bidirectional = bidirectional;
            this.gates = gru ? 3 : 4;
        }

        /** One direction: its parameters, their gradients and the arrays of the last pass. */
        static final class Direction {
            final boolean reverse;
            final INDArray wih, whh, bih, bhh, gwih, gwhh, gbih, gbhh;
            /**
             * xp {@code [T, n, G*u]}: x W_ihᵀ + b_ih (+ b_hh for LSTM), then, step by step, the activated gates;
             * hp (GRU) {@code [T, n, G*u]}: h W_hhᵀ + b_hh of each step;
             * s, c {@code [T+1, n, u]}: the states, by time (forward: before step t at t, after it at t+1;
             * reverse: after step t at t, before it at t+1); tc (LSTM) {@code [T, n, u]}: tanh(c') of each step;
             * dxp, dhp {@code [T, n, G*u]}: the gradient of the gates' input and recurrent pre-activations
             * (the same array for LSTM)
             */
            INDArray xp, hp, s, c, tc, dxp, dhp;

            Direction(boolean reverse, Map<String, INDArray> p, Map<String, INDArray> g) {
                this.reverse = reverse;
                String sfx = reverse ? "_reverse" : "";
                wih = p.get("weight_ih" + sfx);
                whh = p.get("weight_hh" + sfx);
                bih = p.get("bias_ih" + sfx);
                bhh = p.get("bias_hh" + sfx);
                gwih = g.get("weight_ih" + sfx);
                gwhh = g.get("weight_hh" + sfx);
                gbih = g.get("bias_ih" + sfx);
                gbhh = g.get("bias_hh" + sfx);
            }

            /** index in s and c of the state before and after the step at time t */
            int before(int t) { return reverse ? t + 1 : t; }
            int after(int t) { return reverse ? t : t + 1; }
        }

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {
            long f = inShapes[0][1];
            dirs = new Direction[bidirectional ? 2 : 1];
            for (int d = 0; d < dirs.length; d++) {
                dirs[d] = new Direction(d == 1, p, g);
                String sfx = d == 1 ? "_reverse" : "";
                expect(dirs[d].wih, "weight_ih" + sfx, (long) gates * units, f);
                expect(dirs[d].whh, "weight_hh" + sfx, (long) gates * units, units);
                expect(dirs[d].bih, "bias_ih" + sfx, (long) gates * units);
                expect(dirs[d].bhh, "bias_hh" + sfx, (long) gates * units);
            }
        }

        private void expect(INDArray a, String role, long... shape) {
            String name = gru ? "gru" : "lstm";
            if (a == null) throw new IllegalArgumentException(name + ": parameter " + role + " is missing");
            if (!java.util.Arrays.equals(a.shape(), shape)) {
                throw new IllegalArgumentException(name + ": parameter " + role + " has shape "
                        + java.util.Arrays.toString(a.shape()) + ", expected " + java.util.Arrays.toString(shape));
            }
        }

        /** Gate k of a {@code [n, G*u]} block: its columns k*u .. (k+1)*u. */
        private INDArray gate(INDArray a, int k) {
            return a.get(all(), interval((long) k * units, (long) (k + 1) * units));
        }

        /** Columns k*u .. (k+1)*u of {@code [.., D*u]} rows: direction k's part of the output. */
        private INDArray part(INDArray a, int k) {
            return a.rank() == 2 ? gate(a, k) : a.get(all(), all(), interval((long) k * units, (long) (k + 1) * units));
        }

        /** Consecutive views of one flat buffer, so that a direction's arrays take one of the layer's buffer slots. */
        private static final class Cut {
            final INDArray flat;
            long at;
            Cut(INDArray flat) { this.flat = flat; }
            INDArray next(long... shape) {
                long len = Layers.prod(shape);
                INDArray v = flat.get(interval(at, at + len)).reshape('c', shape);
                at += len;
                return v;
            }
        }

        // buffer slots: 0 xT, 1 maskT, 2 out, 3 gT, 4 dxT, 5 gx, 6 step scratch, 7/8 forward arrays, 9/10 backward arrays
        private static final int FWD = 7, BWD = 9;

        /** step scratch {@code [n, u]}: 0 dh, 1 dc, 2 dh of the step's own update, 3 dc of it, 4 and 5 temporaries */
        private INDArray scratch(int k) {
            return bufShape(6, n, 6, n, units).slice(k);
        }

        void forward(INDArray[] in, boolean training) {
            INDArray x = in[0];
            n = x.size(0);
            steps = inShapes[0][0];
            features = inShapes[0][1];
            long gu = (long) gates * units, t1 = steps + 1;
            xT = bufShape(0, n, steps, n, features);
            xT.assign(x.permute(1, 0, 2));
            maskT = null;
            if (mask != null) {
                maskT = bufShape(1, n, steps, n, 1);
                maskT.reshape(steps, n).assign(mask.transpose());
            }
            INDArray x2 = xT.reshape(steps * n, features);
            for (int k = 0; k < dirs.length; k++) {
                Direction d = dirs[k];
                long size = gru ? 2 * steps * n * gu + t1 * n * units : steps * n * gu + 2 * t1 * n * units + steps * n * units;
                Cut cut = new Cut(bufShape(FWD + k, n, size));
                d.xp = cut.next(steps, n, gu);
                d.s = cut.next(t1, n, units);
                if (gru) d.hp = cut.next(steps, n, gu);
                else {
                    d.c = cut.next(t1, n, units);
                    d.tc = cut.next(steps, n, units);
                }
                runForward(d, x2);
            }
            writeOutput();
        }

        private void runForward(Direction d, INDArray x2) {
            INDArray xp2 = d.xp.reshape(steps * n, (long) gates * units);
            Nd4j.gemm(x2, d.wih, xp2, false, true, 1.0, 0.0);
            xp2.addiRowVector(d.bih);
            if (!gru) xp2.addiRowVector(d.bhh); // LSTM: b_hh adds like b_ih; GRU: b_hn sits inside r (...)
            int first = d.reverse ? (int) steps : 0;
            d.s.slice(first).assign(0);
            if (!gru) d.c.slice(first).assign(0);
            INDArray tmp = scratch(5);
            for (int s = 0; s < steps; s++) {
                int t = d.reverse ? (int) steps - 1 - s : s;
                INDArray h = d.s.slice(d.before(t)), hNew = d.s.slice(d.after(t)), a = d.xp.slice(t);
                if (gru) {
                    INDArray hp = d.hp.slice(t);
                    Nd4j.gemm(h, d.whh, hp, false, true, 1.0, 0.0);
                    hp.addiRowVector(d.bhh);
                    INDArray rz = a.get(all(), interval(0, 2L * units));
                    rz.addi(hp.get(all(), interval(0, 2L * units)));
                    Nd4j.exec(new Sigmoid(rz, rz));
                    INDArray r = gate(a, 0), z = gate(a, 1), nn = gate(a, 2);
                    r.mul(gate(hp, 2), tmp);
                    nn.addi(tmp);
                    Nd4j.exec(new Tanh(nn, nn));
                    h.sub(nn, hNew).muli(z).addi(nn);                     // h' = n + z (h - n)
                } else {
                    Nd4j.gemm(h, d.whh, a, false, true, 1.0, 1.0);        // a = x W_ihᵀ + b_ih + b_hh + h W_hhᵀ
                    INDArray ifg = a.get(all(), interval(0, 2L * units));
                    Nd4j.exec(new Sigmoid(ifg, ifg));
                    Nd4j.exec(new Tanh(gate(a, 2), gate(a, 2)));
                    Nd4j.exec(new Sigmoid(gate(a, 3), gate(a, 3)));
                    INDArray c = d.c.slice(d.before(t)), cNew = d.c.slice(d.after(t)), tc = d.tc.slice(t);
                    gate(a, 1).mul(c, cNew);                               // c' = f c + i g
                    gate(a, 0).mul(gate(a, 2), tmp);
                    cNew.addi(tmp);
                    Nd4j.exec(new Tanh(cNew, tc));
                    gate(a, 3).mul(tc, hNew);                              // h' = o tanh(c')
                    if (maskT != null) keepAtPadding(c, cNew, maskT.slice(t));
                }
                if (maskT != null) keepAtPadding(h, hNew, maskT.slice(t));
            }
        }

        /** state' = state + m (state' - state): the new state where the step is real, the old one where it pads. */
        private static void keepAtPadding(INDArray state, INDArray next, INDArray m) {
            next.subi(state).muliColumnVector(m).addi(state);
        }

        /** The output: each direction's states at every step (0 where padded), or its state after the last step. */
        private void writeOutput() {
            if (sequences) {
                out = buf(2, n, outShape);
                for (int k = 0; k < dirs.length; k++) {
                    INDArray hs = dirs[k].reverse ? dirs[k].s.get(interval(0, steps)) : dirs[k].s.get(interval(1, steps + 1));
                    part(out, k).assign(hs.permute(1, 0, 2));
                }
                if (mask != null) Nd4j.exec(new MulOp(out, mask.reshape(n, steps, 1), out));
            } else {
                out = bufShape(2, n, n, (long) dirs.length * units);
                for (int k = 0; k < dirs.length; k++) {
                    part(out, k).assign(dirs[k].s.slice(dirs[k].reverse ? 0 : (int) steps));
                }
            }
        }

        INDArray[] backward(INDArray g) {
            long gu = (long) gates * units;
            INDArray gT = null;
            if (sequences) {
                gT = bufShape(3, n, steps, n, (long) dirs.length * units);
                gT.assign(g.permute(1, 0, 2));
                if (maskT != null) Nd4j.exec(new MulOp(gT, maskT, gT)); // the output is 0 at padded steps
            }
            INDArray x2 = xT.reshape(steps * n, features);
            INDArray dx2 = needInputGrad ? bufShape(4, n, steps * n, features) : null;
            for (int k = 0; k < dirs.length; k++) {
                Direction d = dirs[k];
                Cut cut = new Cut(bufShape(BWD + k, n, (gru ? 2 : 1) * steps * n * gu));
                d.dxp = cut.next(steps, n, gu);
                d.dhp = gru ? cut.next(steps, n, gu) : d.dxp;
                INDArray dh = scratch(0), dc = scratch(1);
                if (sequences) dh.assign(0);
                else dh.assign(part(g, k));
                dc.assign(0);
                for (int s = (int) steps - 1; s >= 0; s--) {
                    int t = d.reverse ? (int) steps - 1 - s : s;
                    if (sequences) dh.addi(gate(gT.slice(t), k));
                    if (gru) gruBackStep(d, t, dh);
                    else lstmBackStep(d, t, dh, dc);
                }
                INDArray dxp2 = d.dxp.reshape(steps * n, gu), dhp2 = d.dhp.reshape(steps * n, gu);
                INDArray before = (d.reverse ? d.s.get(interval(1, steps + 1)) : d.s.get(interval(0, steps))).reshape(steps * n, units);
                Nd4j.gemm(dxp2, x2, d.gwih, true, false, 1.0, 0.0);
                Nd4j.gemm(dhp2, before, d.gwhh, true, false, 1.0, 0.0);
                dxp2.sum(d.gbih, 0);
                dhp2.sum(d.gbhh, 0);
                if (dx2 != null) Nd4j.gemm(dxp2, d.wih, dx2, false, false, 1.0, k == 0 ? 0.0 : 1.0);
            }
            if (dx2 == null) return new INDArray[] {null};
            INDArray gx = buf(5, n, inShapes[0]);
            gx.assign(dx2.reshape(steps, n, features).permute(1, 0, 2));
            return new INDArray[] {gx};
        }

        /**
         * The part of dh (and dc) that goes through the step at time t; with a mask, the rest, which skipped the
         * padded step, stays in dh (dc) for the step before.
         */
        private INDArray through(INDArray dState, int t, int slot) {
            if (maskT == null) return dState;
            INDArray own = scratch(slot);
            own.assign(dState).muliColumnVector(maskT.slice(t));
            dState.subi(own);
            return own;
        }

        /** dh, dc: the gradient of the state after step t; on return, of the state before it. */
        private void lstmBackStep(Direction d, int t, INDArray dh, INDArray dc) {
            INDArray dhn = through(dh, t, 2), dcn = through(dc, t, 3), tmp = scratch(4);
            INDArray a = d.xp.slice(t), i = gate(a, 0), f = gate(a, 1), g = gate(a, 2), o = gate(a, 3);
            INDArray tc = d.tc.slice(t), c = d.c.slice(d.before(t)), dz = d.dxp.slice(t);
            // h' = o tanh(c')
            o.rsub(1.0, gate(dz, 3)).muli(o).muli(tc).muli(dhn);            // dz_o = dh tanh(c') o (1 - o)
            tc.mul(tc, tmp).rsubi(1.0).muli(o).muli(dhn);
            dcn.addi(tmp);                                                   // dc' += dh o (1 - tanh²(c'))
            // c' = f c + i g
            i.rsub(1.0, gate(dz, 0)).muli(i).muli(g).muli(dcn);             // dz_i = dc' g i (1 - i)
            f.rsub(1.0, gate(dz, 1)).muli(f).muli(c).muli(dcn);             // dz_f = dc' c f (1 - f)
            g.mul(g, gate(dz, 2)).rsubi(1.0).muli(i).muli(dcn);             // dz_g = dc' i (1 - g²)
            // to the state before the step: through the gates, plus what skipped a padded step
            boolean carried = maskT != null;
            Nd4j.gemm(dz, d.whh, dh, false, false, 1.0, carried ? 1.0 : 0.0);
            if (carried) dc.addi(dcn.muli(f));
            else dc.muli(f);
        }

        /** dh: the gradient of the state after step t; on return, of the state before it. */
        private void gruBackStep(Direction d, int t, INDArray dh) {
            INDArray dhn = through(dh, t, 2), tmp = scratch(4);
            INDArray a = d.xp.slice(t), r = gate(a, 0), z = gate(a, 1), nn = gate(a, 2);
            INDArray hpn = gate(d.hp.slice(t), 2), h = d.s.slice(d.before(t));
            INDArray dx = d.dxp.slice(t), dxr = gate(dx, 0), dxz = gate(dx, 1), dxn = gate(dx, 2);
            // h' = n + z (h - n)
            z.rsub(1.0, dxn).muli(dhn);                                      // dn = dh (1 - z)
            dxn.muli(nn.mul(nn, tmp).rsubi(1.0));                            // through tanh: (1 - n²)
            h.sub(nn, dxz).muli(dhn).muli(z.rsub(1.0, tmp).muli(z));         // dz = dh (h - n) z (1 - z)
            dxn.mul(hpn, dxr).muli(r.rsub(1.0, tmp).muli(r));                // dr = dn hp_n r (1 - r)
            // the recurrent pre-activations: the same for r and z; r times that of n
            INDArray dhp = d.dhp.slice(t);
            dhp.get(all(), interval(0, 2L * units)).assign(dx.get(all(), interval(0, 2L * units)));
            dxn.mul(r, gate(dhp, 2));
            // to the state before the step: directly through z, through the gates, plus what skipped a padded step
            if (maskT != null) dh.addi(dhn.muli(z));
            else dh.muli(z);
            Nd4j.gemm(dhp, d.whh, dh, false, false, 1.0, 1.0);
        }
    }
}
