package dev.ann.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Small helpers: one-line custom-op calls and shapes. */
public final class K {
    private K() {}

    /**
     * The elements of {@code a} (row-major) = {@code src}: on the CPU backend, for a float array laid out plainly
     * (a batch buffer from {@code Nd4j.create}), one bulk copy into its host buffer; else {@code DataBuffer.setData}.
     * setData copied element by element: 0.8 ms for a batch of reuters' bags of words ([32, 5000]), a third of a
     * training step.
     */
    public static void copyIn(INDArray a, float[] src) {
        if (Flat.plainFloat(a) && a.length() == src.length) Flat.floats(a).put(0, src, src.length);
        else a.data().setData(src);
    }

    /** Runs a libnd4j custom op by name with preallocated outputs. */
    public static void exec(String op, INDArray[] in, INDArray[] out, long[] iargs, double[] targs) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(op).addInputs(in).addOutputs(out);
        if (iargs != null && iargs.length > 0) { int[] ia = new int[iargs.length]; for (int k = 0; k < ia.length; k++) ia[k] = (int) iargs[k]; b.addIntegerArguments(ia); }
        if (targs != null && targs.length > 0) b.addFloatingPointArguments(toD(targs));
        Nd4j.exec(b.build());
    }

    /**
     * Runs a custom op as {@link #exec} does, without the platform helpers (oneDNN) when {@code plain}:
     * oneDNN on the CPU builds no float primitive for dilated convolutions ("could not create a descriptor
     * for a dilated convolution forward propagation primitive"); libnd4j's own implementation runs them.
     */
    public static void exec(String op, INDArray[] in, INDArray[] out, long[] iargs, double[] targs, boolean plain) {
        if (!plain) {
            exec(op, in, out, iargs, targs);
            return;
        }
        org.nd4j.linalg.factory.Environment env = Nd4j.getEnvironment();
        boolean was = env.helpersAllowed();
        env.allowHelpers(false);
        try {
            exec(op, in, out, iargs, targs);
        } finally {
            env.allowHelpers(was);
        }
    }

    /**
     * From this many FLOPs a product runs on two OpenMP threads when ND4J runs on one ({@link #gemm}). 2 cores,
     * ms one thread -> two: [128, 784] x [784, 256] (51 MFLOP) 0.50 -> 0.31-0.34, [256, 784] x [784, 256]
     * 0.97 -> 0.57; at 8-20 MFLOP no gain, below 1 MFLOP four times slower (docs/training.md, "Threads").
     */
    static final long TWO_THREADS_FROM_FLOPS = 40_000_000L;

    /**
     * c = op(a) op(b) ({@code Nd4j.gemm}). ann trains small networks on one OpenMP thread (the plan's
     * {@code trainsBestOnOneThread}); their few large products still gain from a second core, so such a product
     * ({@link #TWO_THREADS_FROM_FLOPS}) runs on two threads when the other core is idle and no batch's halves
     * keep it busy. The threads split the product's rows and columns, never its sums, so the result is the
     * same bit for bit (FastPathTest).
     */
    public static void gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
        long k = transA ? a.size(0) : a.size(1);
        onTwoThreadsIfLarge(2 * c.size(0) * c.size(1) * k, () -> Nd4j.gemm(a, b, c, transA, transB, 1.0, 0.0));
    }

    /**
     * Runs an op of {@code flops} FLOPs (a product, a convolution's forward pass) on two OpenMP threads when it is
     * that large ({@link #TWO_THREADS_FROM_FLOPS}), ND4J runs on one, the other core is idle and no batch's halves
     * keep it busy; else as ND4J is set. Only for ops whose threads split the output, never a sum: the result is
     * then the same bit for bit on one thread or two (FastPathTest), whatever the machine's load decided.
     * oneDNN's convolutions take their thread count from OpenMP at each call, as the BLAS product does:
     * reuters_corn's conv1d ([32, 200, 32] by 64 filters of 5, 128 MFLOP), one thread -> two, StepBench: forward
     * 1.60 -> 1.14 ms.
     */
    static void onTwoThreadsIfLarge(long flops, Runnable op) {
        twoThreads(flops >= TWO_THREADS_FROM_FLOPS && Flat.host() && Halves.otherCoreFree() && !BatchHalves.busy(), op);
    }

    /**
     * {@link #onTwoThreadsIfLarge} for an op whose two threads split a sum (a convolution's weight gradient: oneDNN
     * sums the batch's halves on a thread each, so the last bits differ from one thread's): two threads whenever
     * the machine has two cores, whatever its load, so that a training's numbers depend on the machine alone and
     * the same command gives the same numbers again. reuters_corn's conv1d backward (256 MFLOP), StepBench:
     * 3.57 -> 2.70 ms.
     */
    static void onTwoThreadsIfLargeSplittingSums(long flops, Runnable op) {
        twoThreads(flops >= TWO_THREADS_FROM_FLOPS && Flat.host() && Runtime.getRuntime().availableProcessors() >= 2
                && !BatchHalves.busy(), op);
    }

    private static void twoThreads(boolean two, Runnable op) {
        if (two) {
            org.nd4j.nativeblas.NativeOps ops = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps();
            if (ops.ompGetMaxThreads() == 1) {
                ops.setOmpNumThreads(2);
                try {
                    op.run();
                } finally {
                    ops.setOmpNumThreads(1);
                }
                return;
            }
        }
        op.run();
    }

    private static Double[] toD(double[] t) {
        Double[] o = new Double[t.length];
        for (int k = 0; k < t.length; k++) o[k] = t[k];
        return o;
    }

    public static long[] prepend(long n, long[] tail) {
        long[] s = new long[tail.length + 1];
        s[0] = n;
        System.arraycopy(tail, 0, s, 1, tail.length);
        return s;
    }
}
