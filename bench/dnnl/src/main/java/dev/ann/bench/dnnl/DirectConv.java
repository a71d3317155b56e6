package dev.ann.bench.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
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
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * fashion_cnn's three 3x3 convolutions after the first (32 -> 32 at 28x28, 32 -> 64 and 64 -> 64 at 14x14,
 * padding same, batch 64 by default), forward and backward, two ways in one JVM, alternating:
 * <ul>
 * <li>ND4J's {@code conv2d} and {@code conv2d_bp} on NCHW arrays, as kernels' Layers.Conv2d calls them: ND4J's
 * oneDNN (2.3, inside libnd4jcpu) reorders each NCHW input into its blocked layout and each output back, every
 * call;</li>
 * <li>oneDNN 2.5.2 called directly (JavaCPP's dnnl preset) with every tensor already in the blocked layout its
 * primitives choose ({@code format_tag_any}), as a network that kept its activations in that layout from one
 * layer to the next would run them: no reorders.</li>
 * </ul>
 * Before timing, both compute the same inputs and the direct results, reordered back to NCHW, are compared
 * with ND4J's (largest difference relative to the largest value: float rounding, the sums run in another
 * order). Prints one line a shape: medians in ms, and what reordering one activation between NCHW and the
 * blocked layout costs. The direct passes include what such a network would still reorder every step: the
 * weights from ann's [oC, iC, kH, kW] parameters into each primitive's layout, and their gradient back. Threads: OpenMP's, from {@code OMP_NUM_THREADS} (both libraries read it).
 *
 * <p>Usage: {@code DirectConv [batch] [repetitions]}; bench/dnnl/run.sh.
 */
public final class DirectConv {
    private DirectConv() {}

    /** DNNL_MEMORY_ALLOCATE: the library allocates the buffer. */
    private static final Pointer ALLOCATE = new Pointer() {
        {
            address = -1L;
        }
    };
    private static final dnnl_engine ENGINE = new dnnl_engine();
    private static final dnnl_stream STREAM = new dnnl_stream();

    private static void check(int status, String what) {
        if (status != dnnl_success) throw new IllegalStateException(what + ": oneDNN status " + status);
    }

    private static dnnl_memory_desc_t desc(long[] dims, int tag) {
        dnnl_memory_desc_t m = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(m, dims.length, dims, dnnl_f32, tag), "memory descriptor");
        return m;
    }

    /** A memory of descriptor m over {@code data} (an ND4J array's buffer), or allocated by oneDNN when data is null. */
    private static dnnl_memory memory(dnnl_memory_desc_t m, INDArray data) {
        dnnl_memory x = new dnnl_memory();
        check(dnnl_memory_create(x, m, ENGINE, data == null ? ALLOCATE : data.data().addressPointer()), "memory");
        return x;
    }

    private static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_desc hint) {
        dnnl_primitive_desc p = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(p, new const_dnnl_op_desc_t(opDesc), null, ENGINE, hint), "primitive descriptor");
        return p;
    }

    private static dnnl_primitive primitive(dnnl_primitive_desc pd) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), "primitive");
        return p;
    }

    private static String implementation(dnnl_primitive_desc pd) {
        PointerPointer<BytePointer> s = new PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, s), "query");
        return s.get(BytePointer.class, 0).getString();
    }

    private static void execute(dnnl_primitive p, int[] keys, dnnl_memory... ms) {
        dnnl_exec_arg_t a = new dnnl_exec_arg_t(keys.length);
        for (int i = 0; i < keys.length; i++) a.position(i).arg(keys[i]).memory(ms[i]);
        check(dnnl_primitive_execute(p, STREAM, keys.length, a.position(0)), "execute");
        check(dnnl_stream_wait(STREAM), "wait");
    }

    /** A reorder from memory {@code from} (descriptor fromDesc) to {@code to}. */
    private static final class Reorder {
        final dnnl_primitive p;
        final dnnl_memory from, to;

        Reorder(dnnl_memory_desc_t fromDesc, dnnl_memory from, dnnl_memory_desc_t toDesc, dnnl_memory to) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, fromDesc, ENGINE, toDesc, ENGINE, null), "reorder");
            p = primitive(pd);
            this.from = from;
            this.to = to;
        }

        void run() {
            execute(p, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, from, to);
        }
    }

    private static double median(double[] t) {
        double[] c = t.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /** max |a - b| / max |b|. */
    private static double relDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue() / Math.max(1e-30, b.amaxNumber().doubleValue());
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64, reps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        check(dnnl_engine_create(ENGINE, dnnl_cpu, 0), "engine");
        check(dnnl_stream_create(STREAM, ENGINE, dnnl_stream_default_flags), "stream");
        Nd4j.getRandom().setSeed(7);
        int[][] layers = {{32, 32, 28}, {32, 64, 14}, {64, 64, 14}}; // in channels, out channels, height = width
        double sumDirect = 0, sumNd4j = 0;
        System.out.printf("batch %d, %s OpenMP threads, median of %d%n", batch, System.getenv("OMP_NUM_THREADS"), reps);
        for (int[] l : layers) {
            long n = batch, ic = l[0], oc = l[1], hw = l[2];
            long[] src = {n, ic, hw, hw}, wei = {oc, ic, 3, 3}, bia = {oc}, dst = {n, oc, hw, hw}, stride = {1, 1}, pad = {1, 1};
            INDArray x = Nd4j.randn(DataType.FLOAT, src), w = Nd4j.randn(DataType.FLOAT, wei).muli(0.1), b = Nd4j.randn(DataType.FLOAT, oc).muli(0.1);
            INDArray gy = Nd4j.randn(DataType.FLOAT, dst);
            INDArray y = Nd4j.zeros(DataType.FLOAT, dst), gx = Nd4j.zeros(DataType.FLOAT, src), gw = Nd4j.zeros(DataType.FLOAT, wei), gb = Nd4j.zeros(DataType.FLOAT, oc);
            // ND4J as Layers.Conv2d: kH kW sH sW pH pW dH dW same dataFormat(0 NCHW) weightFormat(1 [oC, iC, kH, kW])
            int[] iargs = {3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 1};
            Runnable nd4jForward = () -> Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, w, b).addOutputs(y).addIntegerArguments(iargs).build());
            Runnable nd4jBackward = () -> Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, b, gy).addOutputs(gx, gw, gb).addIntegerArguments(iargs).build());

            // oneDNN directly: the primitives pick their layouts
            dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t(), bdd = new dnnl_convolution_desc_t(), bwd = new dnnl_convolution_desc_t();
            check(dnnl_convolution_forward_desc_init(fd, dnnl_forward_training, dnnl_convolution_direct, desc(src, dnnl_format_tag_any),
                    desc(wei, dnnl_format_tag_any), desc(bia, dnnl_x), desc(dst, dnnl_format_tag_any), stride, pad, pad), "forward");
            dnnl_primitive_desc fpd = primitiveDesc(fd, null);
            check(dnnl_convolution_backward_data_desc_init(bdd, dnnl_convolution_direct, desc(src, dnnl_format_tag_any),
                    desc(wei, dnnl_format_tag_any), desc(dst, dnnl_format_tag_any), stride, pad, pad), "backward data");
            dnnl_primitive_desc bdpd = primitiveDesc(bdd, fpd);
            check(dnnl_convolution_backward_weights_desc_init(bwd, dnnl_convolution_direct, desc(src, dnnl_format_tag_any),
                    desc(wei, dnnl_format_tag_any), desc(bia, dnnl_x), desc(dst, dnnl_format_tag_any), stride, pad, pad), "backward weights");
            dnnl_primitive_desc bwpd = primitiveDesc(bwd, fpd);
            dnnl_memory_desc_t xd = dnnl_primitive_desc_query_md(fpd, dnnl_query_src_md, 0), wd = dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
            dnnl_memory_desc_t yd = dnnl_primitive_desc_query_md(fpd, dnnl_query_dst_md, 0);
            dnnl_memory_desc_t gyd = dnnl_primitive_desc_query_md(bdpd, dnnl_query_diff_dst_md, 0), gxd = dnnl_primitive_desc_query_md(bdpd, dnnl_query_diff_src_md, 0);
            dnnl_memory_desc_t gyd2 = dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_dst_md, 0), xd2 = dnnl_primitive_desc_query_md(bwpd, dnnl_query_src_md, 0);
            dnnl_memory_desc_t gwd = dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_weights_md, 0);
            dnnl_memory_desc_t wdData = dnnl_primitive_desc_query_md(bdpd, dnnl_query_weights_md, 0); // may differ from the forward's
            if (dnnl_memory_desc_equal(gyd, gyd2) != 1 || dnnl_memory_desc_equal(xd, xd2) != 1) {
                throw new IllegalStateException("the backward passes want other layouts than the forward pass: not measured here");
            }
            dnnl_memory bx = memory(xd, null), bw = memory(wd, null), bb = memory(desc(bia, dnnl_x), b), by = memory(yd, null);
            dnnl_memory bgy = memory(gyd, null), bgx = memory(gxd, null), bgw = memory(gwd, null), bgb = memory(desc(bia, dnnl_x), null);
            dnnl_primitive forward = primitive(fpd), backData = primitive(bdpd), backWeights = primitive(bwpd);
            dnnl_memory_desc_t nchwSrc = desc(src, dnnl_nchw), nchwDst = desc(dst, dnnl_nchw), oihw = desc(wei, dnnl_oihw);
            INDArray y2 = Nd4j.zeros(DataType.FLOAT, dst), gx2 = Nd4j.zeros(DataType.FLOAT, src), gw2 = Nd4j.zeros(DataType.FLOAT, wei), gb2 = Nd4j.zeros(DataType.FLOAT, oc);
            // the weights live in ann's parameters as [oC, iC, kH, kW] (the optimiser's and the checkpoint's layout): a
            // direct network reorders them into each primitive's layout every step, and their gradient back
            dnnl_memory wPlain = memory(oihw, w), bwData = memory(wdData, null);
            Reorder xIn = new Reorder(nchwSrc, memory(nchwSrc, x), xd, bx), wIn = new Reorder(oihw, wPlain, wd, bw);
            Reorder wInData = new Reorder(oihw, wPlain, wdData, bwData);
            Reorder gwOut = new Reorder(gwd, bgw, oihw, memory(oihw, gw2)), gbOut = new Reorder(desc(bia, dnnl_x), bgb, desc(bia, dnnl_x), memory(desc(bia, dnnl_x), gb2));
            Reorder gyIn = new Reorder(nchwDst, memory(nchwDst, gy), gyd, bgy);
            Reorder yOut = new Reorder(yd, by, nchwDst, memory(nchwDst, y2)), gxOut = new Reorder(gxd, bgx, nchwSrc, memory(nchwSrc, gx2));
            Runnable directForward = () -> {
                wIn.run();
                execute(forward, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST}, bx, bw, bb, by);
            };
            Runnable directBackward = () -> {
                wInData.run();
                execute(backData, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC}, bgy, bwData, bgx);
                execute(backWeights, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS}, bx, bgy, bgw, bgb);
                gwOut.run();
                gbOut.run();
            };

            // the same results, up to float rounding
            xIn.run();
            gyIn.run();
            directForward.run();
            directBackward.run();
            nd4jForward.run();
            nd4jBackward.run();
            yOut.run();
            gxOut.run();
            double diff = Math.max(Math.max(relDiff(y2, y), relDiff(gx2, gx)), Math.max(relDiff(gw2, gw), relDiff(gb2, gb)));
            if (!(diff < 1e-4)) throw new IllegalStateException("the direct results differ from ND4J's: relative difference " + diff);

            double[] df = new double[reps], db = new double[reps], nf = new double[reps], nb = new double[reps], rin = new double[reps], rout = new double[reps];
            for (int r = 0; r < reps + 3; r++) { // three rounds of warm-up
                long t0 = System.nanoTime();
                directForward.run();
                long t1 = System.nanoTime();
                directBackward.run();
                long t2 = System.nanoTime();
                nd4jForward.run();
                long t3 = System.nanoTime();
                nd4jBackward.run();
                long t4 = System.nanoTime();
                xIn.run();
                long t5 = System.nanoTime();
                yOut.run();
                long t6 = System.nanoTime();
                if (r < 3) continue;
                int i = r - 3;
                df[i] = (t1 - t0) / 1e6;
                db[i] = (t2 - t1) / 1e6;
                nf[i] = (t3 - t2) / 1e6;
                nb[i] = (t4 - t3) / 1e6;
                rin[i] = (t5 - t4) / 1e6;
                rout[i] = (t6 - t5) / 1e6;
            }
            double d = median(df) + median(db), nd = median(nf) + median(nb);
            sumDirect += d;
            sumNd4j += nd;
            System.out.printf("%d -> %d at %dx%d (%.0f MFLOP forward): direct forward %.2f backward %.2f ms | ND4J conv2d %.2f conv2d_bp %.2f ms"
                            + " | direct/ND4J %.2f | one reorder NCHW -> blocked %.2f, blocked -> NCHW %.2f ms | %s | results differ by %.1e%n",
                    ic, oc, hw, hw, 2.0 * n * hw * hw * oc * ic * 9 / 1e6, median(df), median(db), median(nf), median(nb), d / nd,
                    median(rin), median(rout), implementation(fpd), diff);
        }
        System.out.printf("all three, forward and backward: direct %.1f ms, ND4J %.1f ms a batch: %.2f%n", sumDirect, sumNd4j, sumDirect / sumNd4j);
    }
}
