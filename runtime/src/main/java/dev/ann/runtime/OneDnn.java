package dev.ann.runtime;

import static org.bytedeco.dnnl.global.dnnl.*;

import dev.ann.kernels.Blocked;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kernels' {@link Blocked.Engine}: oneDNN 2.5 called directly (JavaCPP's dnnl preset) for the convolutions of a
 * picture network, on batches kept in oneDNN's blocked layout between layers. ND4J's conv2d runs the same oneDNN
 * kernels but reorders its plain NCHW arrays into that layout and back at every call: fashion_cnn's three 3x3
 * convolutions, forward and backward, took 0.68-0.75 of ND4J's time this way, with the same bits out
 * (bench/dnnl/results.md).
 *
 * <p>Only for float32 on the CPU, where oneDNN has a jit kernel for the shape ({@link #conv} says null otherwise and
 * the layer stays on ND4J). The weights stay plain {@code [F, C, kh, kw]} in the network's parameters (the
 * optimiser's and the checkpoint's layout): each pass reorders them into the primitive's layout and the weights'
 * gradient back, a few hundred KB a step.
 */
public final class OneDnn implements Blocked.Engine {
    private final dnnl_engine engine = new dnnl_engine();
    /**
     * A stream per thread, and the reorders between NCHW and the blocked layout per thread, by shape and direction
     * (a primitive's memories get each run's buffers): networks on several threads at once (a cluster worker's
     * tasks, a batch's two halves) share nothing here. A convolution's own primitives belong to its layer.
     */
    private final ThreadLocal<dnnl_stream> streams = ThreadLocal.withInitial(this::newStream);
    private final ThreadLocal<Map<String, Step>> reorders = ThreadLocal.withInitial(HashMap::new);
    private final int lanes, blockedTag;

    private static OneDnn instance;
    private static boolean tried;

    /**
     * The engine, made the first time: null where oneDNN's library does not load or its convolutions want
     * another layout than nChw8c / nChw16c on this CPU (the network then runs on ND4J alone).
     */
    public static synchronized OneDnn get() {
        if (!tried) {
            tried = true;
            try {
                instance = new OneDnn();
            } catch (RuntimeException | LinkageError e) {
                instance = null;
            }
        }
        return instance;
    }

    private OneDnn() {
        check(dnnl_engine_create(engine, dnnl_cpu, 0), "engine");
        // which blocks oneDNN's convolutions want on this CPU: those of a small probe
        dnnl_primitive_desc pd = convDesc(new long[] {2, 16, 8, 8}, new long[] {16, 16, 3, 3}, new long[] {2, 16, 8, 8},
                new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, dnnl_format_tag_any);
        dnnl_memory_desc_t src = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
        if (dnnl_memory_desc_equal(src, desc(new long[] {2, 16, 8, 8}, dnnl_nChw16c)) == 1) {
            lanes = 16;
            blockedTag = dnnl_nChw16c;
        } else if (dnnl_memory_desc_equal(src, desc(new long[] {2, 16, 8, 8}, dnnl_nChw8c)) == 1) {
            lanes = 8;
            blockedTag = dnnl_nChw8c;
        } else {
            throw new IllegalStateException("oneDNN's convolutions want neither nChw8c nor nChw16c here");
        }
    }

    private dnnl_stream newStream() {
        dnnl_stream s = new dnnl_stream();
        check(dnnl_stream_create(s, engine, dnnl_stream_default_flags), "stream");
        return s;
    }

    @Override public int lanes() {
        return lanes;
    }

    @Override public Blocked.Conv conv(long[] in, long[] out, long[] iargs) {
        return conv(in, out, iargs, false);
    }

    @Override public Blocked.Conv nhwcConv(long[] in, long[] out, long[] iargs) {
        return conv(in, out, iargs, true);
    }

    private Blocked.Conv conv(long[] in, long[] out, long[] iargs, boolean nhwc) {
        int kh = (int) iargs[0], kw = (int) iargs[1], sh = (int) iargs[2], sw = (int) iargs[3];
        long ph, pw;
        if (iargs[8] == 1) { // same: ND4J's padding, the odd pixel (if any) at the bottom and right
            ph = Math.max(0, ((out[1] - 1) * sh + kh - in[1]) / 2);
            pw = Math.max(0, ((out[2] - 1) * sw + kw - in[2]) / 2);
        } else {
            ph = iargs[4];
            pw = iargs[5];
        }
        // the padding after the picture that makes the output size come out: ND4J's same may need one more there,
        // a strided valid convolution that leaves pixels out less than none (oneDNN takes that)
        long phAfter = (out[1] - 1) * sh + kh - in[1] - ph, pwAfter = (out[2] - 1) * sw + kw - in[2] - pw;
        Conv c = new Conv(in, out, new long[] {out[0], in[0], kh, kw}, new long[] {sh, sw}, new long[] {ph, pw}, new long[] {phAfter, pwAfter}, nhwc);
        return c.probe() ? c : null;
    }

    @Override public void toBlocked(INDArray plain, INDArray blocked) {
        reorder(plain, blocked, true);
    }

    @Override public void toPlain(INDArray blocked, INDArray plain) {
        reorder(blocked, plain, false);
    }

    private void reorder(INDArray from, INDArray to, boolean toBlocked) {
        long[] dims = from.shape();
        String key = java.util.Arrays.toString(dims) + toBlocked;
        Map<String, Step> mine = reorders.get();
        Step r = mine.get(key);
        if (r == null) {
            dnnl_memory_desc_t plain = desc(dims, dnnl_nchw), blocked = desc(dims, blockedTag);
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(toBlocked ? dnnl_reorder_primitive_desc_create(pd, plain, engine, blocked, engine, null)
                    : dnnl_reorder_primitive_desc_create(pd, blocked, engine, plain, engine, null), "reorder");
            r = new Step(pd, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO},
                    toBlocked ? new dnnl_memory_desc_t[] {plain, blocked} : new dnnl_memory_desc_t[] {blocked, plain});
            mine.put(key, r);
        }
        r.run(from, to);
    }

    /** A primitive and a memory object per argument, whose buffers are set at each run. */
    private final class Step {
        final dnnl_primitive p = new dnnl_primitive();
        final int[] keys;
        final dnnl_memory[] ms;
        final dnnl_exec_arg_t args;

        Step(dnnl_primitive_desc pd, int[] keys, dnnl_memory_desc_t[] descs) {
            check(dnnl_primitive_create(p, pd), "primitive");
            this.keys = keys;
            ms = new dnnl_memory[keys.length];
            args = new dnnl_exec_arg_t(keys.length);
            for (int i = 0; i < keys.length; i++) {
                ms[i] = new dnnl_memory();
                check(dnnl_memory_create(ms[i], descs[i], engine, (Pointer) null), "memory");
                args.position(i).arg(keys[i]).memory(ms[i]);
            }
            args.position(0);
        }

        /** Runs on these arrays' buffers (INDArrays) or oneDNN memories of the engine's own (Scratch), in key order. */
        void run(Object... buffers) {
            for (int i = 0; i < keys.length; i++) {
                Pointer at = buffers[i] instanceof INDArray a ? address(a) : ((Scratch) buffers[i]).data;
                check(dnnl_memory_set_data_handle(ms[i], at), "data handle");
            }
            dnnl_stream stream = streams.get();
            check(dnnl_primitive_execute(p, stream, keys.length, args), "execute");
            check(dnnl_stream_wait(stream), "wait");
        }
    }

    /** A buffer of the engine's own for a tensor in a primitive's layout (the weights and their gradient in it). */
    private static final class Scratch {
        final Pointer data;

        Scratch(dnnl_memory_desc_t d) {
            data = new BytePointer(dnnl_memory_desc_get_size(d));
        }
    }

    /**
     * One convolution's primitives, per batch size. On the blocked layout the batches are the network's own; in
     * NHWC ({@link #nhwcConv}) each pass reorders them into the engine's scratch in the blocked layout and back, the
     * input kept from the forward pass for the weights' gradient.
     */
    private final class Conv implements Blocked.Conv {
        final long[] in, out, wDims, strides, padBefore, padAfter;
        final boolean nhwc;
        final Map<Long, Prims> byBatch = new HashMap<>();

        Conv(long[] in, long[] out, long[] wDims, long[] strides, long[] padBefore, long[] padAfter, boolean nhwc) {
            this.in = in;
            this.out = out;
            this.wDims = wDims;
            this.strides = strides;
            this.padBefore = padBefore;
            this.padAfter = padAfter;
            this.nhwc = nhwc;
        }

        /**
         * Whether oneDNN runs this convolution with jit kernels on the blocked layout, forward and backward (a batch
         * of 2 to see; descriptors only: no kernel is generated until a batch of that size runs); in NHWC, also
         * whether oneDNN picks the blocked layout when left to choose, as ND4J's conv2d leaves it.
         */
        boolean probe() {
            try {
                Descs d = new Descs(2);
                boolean jit = implementation(d.fpd).startsWith("jit") && implementation(d.dpd).startsWith("jit")
                        && implementation(d.wpd).startsWith("jit");
                if (!jit || !nhwc) return jit;
                dnnl_primitive_desc any = convDesc(new long[] {2, in[0], in[1], in[2]}, wDims, new long[] {2, out[0], out[1], out[2]},
                        strides, padBefore, padAfter, dnnl_format_tag_any);
                return dnnl_memory_desc_equal(dnnl_primitive_desc_query_md(any, dnnl_query_src_md, 0), d.x) == 1
                        && dnnl_memory_desc_equal(dnnl_primitive_desc_query_md(any, dnnl_query_dst_md, 0), d.y) == 1;
            } catch (IllegalStateException e) {
                return false;
            }
        }

        private Prims prims(long n) {
            return byBatch.computeIfAbsent(n, Prims::new);
        }

        @Override public void forward(INDArray x, INDArray w, INDArray b, INDArray y) {
            Prims p = prims(x.size(0));
            p.wIn.run(w, p.wFwd);
            if (nhwc) {
                Plain q = p.plain();
                q.xIn.run(x, q.x);
                p.fwd.run(q.x, p.wFwd, b, q.y);
                q.yOut.run(q.y, y);
            } else {
                p.fwd.run(x, p.wFwd, b, y);
            }
        }

        @Override public void backward(INDArray x, INDArray w, INDArray gy, INDArray gx, INDArray gw, INDArray gb) {
            Prims pr = prims(x.size(0));
            Back p = pr.back();
            Object xs = x, gys = gy, gxs = gx;
            Plain q = null;
            if (nhwc) { // x lies blocked in the scratch since the forward pass
                q = pr.plain();
                q.yIn.run(gy, q.y);
                xs = q.x;
                gys = q.y;
                gxs = q.gx;
            }
            if (gx != null) {
                p.wInData.run(w, p.wData);
                p.bwdData.run(gys, p.wData, gxs);
                if (nhwc) q.gxOut.run(q.gx, gx);
            }
            p.bwdWeights.run(xs, gys, p.gwBlocked, gb);
            p.gwOut.run(p.gwBlocked, gw);
        }

        /** The three passes' primitive descriptors for batches of n, and their tensors' descriptors. */
        private final class Descs {
            final long[] src, dst;
            final dnnl_memory_desc_t x, y, b, wPlain;
            final dnnl_primitive_desc fpd, dpd, wpd;

            Descs(long n) {
                src = new long[] {n, in[0], in[1], in[2]};
                dst = new long[] {n, out[0], out[1], out[2]};
                long[] bias = {out[0]};
                x = desc(src, blockedTag);
                y = desc(dst, blockedTag);
                b = desc(bias, dnnl_x);
                wPlain = desc(wDims, dnnl_oihw);
                dnnl_memory_desc_t anyW = desc(wDims, dnnl_format_tag_any);
                dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t(), dd = new dnnl_convolution_desc_t(), wd = new dnnl_convolution_desc_t();
                check(dnnl_convolution_forward_desc_init(fd, dnnl_forward_training, dnnl_convolution_direct, x, anyW, b, y,
                        strides, padBefore, padAfter), "convolution");
                fpd = create(fd, null);
                check(dnnl_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, x, anyW, y, strides, padBefore, padAfter), "convolution");
                dpd = create(dd, fpd);
                check(dnnl_convolution_backward_weights_desc_init(wd, dnnl_convolution_direct, x, anyW, b, y, strides, padBefore, padAfter), "convolution");
                wpd = create(wd, fpd);
            }
        }

        /** The forward pass's primitives for batches of n; the backward pass's made at its first run (evaluation has none). */
        private final class Prims {
            final Descs d;
            final Step fwd, wIn;
            final Scratch wFwd;
            private Back back;
            private Plain plain;

            Plain plain() {
                if (plain == null) plain = new Plain(d);
                return plain;
            }

            Prims(long n) {
                d = new Descs(n);
                dnnl_memory_desc_t wf = dnnl_primitive_desc_query_md(d.fpd, dnnl_query_weights_md, 0);
                fwd = new Step(d.fpd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST}, new dnnl_memory_desc_t[] {d.x, wf, d.b, d.y});
                wIn = reorderStep(d.wPlain, wf);
                wFwd = new Scratch(wf);
            }

            Back back() {
                if (back == null) back = new Back(d);
                return back;
            }
        }

        /**
         * In NHWC, the reorders between the caller's batches and the blocked scratch: the input (kept for the
         * backward pass), the output and its gradient (one buffer: the gradient comes after the output is read), the
         * input's gradient.
         */
        private final class Plain {
            final Step xIn, yOut, yIn, gxOut;
            final Scratch x, y, gx;

            Plain(Descs d) {
                dnnl_memory_desc_t xu = desc(d.src, dnnl_nhwc), yu = desc(d.dst, dnnl_nhwc);
                xIn = reorderStep(xu, d.x);
                yOut = reorderStep(d.y, yu);
                yIn = reorderStep(yu, d.y);
                gxOut = reorderStep(d.x, xu);
                x = new Scratch(d.x);
                y = new Scratch(d.y);
                gx = new Scratch(d.x);
            }
        }

        /** The backward pass's primitives. */
        private final class Back {
            final Step bwdData, bwdWeights, wInData, gwOut;
            final Scratch wData, gwBlocked;

            Back(Descs d) {
                dnnl_memory_desc_t wdd = dnnl_primitive_desc_query_md(d.dpd, dnnl_query_weights_md, 0);
                dnnl_memory_desc_t gwd = dnnl_primitive_desc_query_md(d.wpd, dnnl_query_diff_weights_md, 0);
                bwdData = new Step(d.dpd, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC}, new dnnl_memory_desc_t[] {d.y, wdd, d.x});
                bwdWeights = new Step(d.wpd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
                        new dnnl_memory_desc_t[] {d.x, d.y, gwd, d.b});
                wInData = reorderStep(d.wPlain, wdd);
                gwOut = reorderStep(gwd, d.wPlain);
                wData = new Scratch(wdd);
                gwBlocked = new Scratch(gwd);
            }
        }
    }

    private Step reorderStep(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, null), "reorder");
        return new Step(pd, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory_desc_t[] {from, to});
    }

    private dnnl_primitive_desc convDesc(long[] src, long[] wei, long[] dst, long[] strides, long[] padBefore, long[] padAfter, int tag) {
        dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
        check(dnnl_convolution_forward_desc_init(fd, dnnl_forward_training, dnnl_convolution_direct, desc(src, tag),
                desc(wei, dnnl_format_tag_any), desc(new long[] {wei[0]}, dnnl_x), desc(dst, tag), strides, padBefore, padAfter), "convolution");
        return create(fd, null);
    }

    private dnnl_primitive_desc create(Pointer opDesc, dnnl_primitive_desc hint) {
        dnnl_primitive_desc p = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(p, new const_dnnl_op_desc_t(opDesc), null, engine, hint), "primitive descriptor");
        return p;
    }

    private static String implementation(dnnl_primitive_desc pd) {
        PointerPointer<BytePointer> s = new PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, s), "query");
        return s.get(BytePointer.class, 0).getString();
    }

    private static dnnl_memory_desc_t desc(long[] dims, int tag) {
        dnnl_memory_desc_t m = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(m, dims.length, dims, dnnl_f32, tag), "memory descriptor");
        return m;
    }

    /** Where a float array's first element lies (a view's offset counted). */
    private static Pointer address(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalStateException("oneDNN's blocked convolutions take float arrays");
        }
        return new BytePointer(a.data().addressPointer()).position((a.offset() - a.data().offset()) * 4);
    }

    private static void check(int status, String what) {
        if (status != dnnl_success) throw new IllegalStateException("oneDNN: " + what + " failed (status " + status + ")");
    }
}

