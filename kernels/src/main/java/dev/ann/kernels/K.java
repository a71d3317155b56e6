package dev.ann.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

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
     * {@code trainsBestOnOneThread}); their larger products still gain from a second core: a float product from
     * {@link #HALVES_FROM_FLOPS} in column halves, one on the helper ({@link Sgemm#inColumnHalves}); another from
     * {@link #TWO_THREADS_FROM_FLOPS} on two OpenMP threads, when the other core is idle and no batch's halves
     * keep it busy. The threads split the product's rows and columns, never its sums, so the result is the
     * same bit for bit (FastPathTest). A small result over a long sum ({@link #TWO_THREADS_FROM_OUTPUTS}) stays
     * on one thread: there OpenBLAS's one thread and two sum in different orders on some CPUs (Im2col's weight
     * gradient, [16, 65536] x [65536, 28], differed in the last bits on an AVX2 AMD EPYC).
     */
    public static void gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
        long k = transA ? a.size(0) : a.size(1);
        if (Blas.small(a, b, c, k)) {
            Blas.gemm(a, b, c, transA, transB, 1.0, 0.0, k);
            return;
        }
        long flops = c.size(0) * c.size(1) >= TWO_THREADS_FROM_OUTPUTS ? flops(a, c, transA) : 0;
        if (flops >= HALVES_FROM_FLOPS && Sgemm.inColumnHalves(a, b, c, transA, transB)) return;
        onTwoThreadsIfLarge(flops, () -> large(a, b, c, transA, transB, 1.0, 0.0));
    }

    /**
     * From this many FLOPs a product runs in column halves, one on each core, when the other core is free
     * ({@link Sgemm#inColumnHalves}): fashion_mlp's second layer forward ({@code [128, 256] x [256, 128]}, 8 MFLOP)
     * 0.08-0.11 ms in the step against 0.12-0.16 whole (StepBench, 5 rounds).
     */
    static final long HALVES_FROM_FLOPS = 4_000_000L;

    /**
     * From this many FLOPs each, two products that need not wait for each other run at once, one on each core
     * ({@link #gemmPair}).
     */
    static final long PAIR_FROM_FLOPS = 2_000_000L;

    /**
     * c1 = op(a1) op(b1) and c2 = op(a2) op(b2), two products that read neither's result (a dense layer's weight
     * and input gradients): at once, one on this thread and one on the helper, when each is too small for {@link #gemm}'s
     * two threads ({@link #TWO_THREADS_FROM_FLOPS}) and large enough to be worth the hand-over
     * ({@link #PAIR_FROM_FLOPS}), ND4J runs on one thread and the other core is idle; else one after the other as
     * {@link #gemm} runs them. Each product is the one {@link #gemm} computes on one thread, so the bits are the
     * same either way, whichever thread takes which (FastPathTest). fashion_mlp's second layer ([128, 256] by 128
     * units: 8 MFLOP each): 0.20-0.22 ms one after the other, 0.13-0.15 at once (docs/training.md, "Threads").
     */
    public static void gemmPair(INDArray a1, INDArray b1, INDArray c1, boolean transA1, boolean transB1,
                                INDArray a2, INDArray b2, INDArray c2, boolean transA2, boolean transB2) {
        long f1 = flops(a1, c1, transA1), f2 = flops(a2, c2, transA2);
        boolean pair = Math.min(f1, f2) >= PAIR_FROM_FLOPS && Math.max(f1, f2) < TWO_THREADS_FROM_FLOPS && Flat.host()
                && Halves.otherCoreFree() && ompThreads() == 1;
        if (!pair) { // each as K.gemm runs it
            gemm(a1, b1, c1, transA1, transB1);
            gemm(a2, b2, c2, transA2, transB2);
            return;
        }
        // each thread takes the next product not yet taken: a helper that wakes late leaves both to this thread
        Thread caller = Thread.currentThread();
        Halves.shared(2, true, 1, (from, to) -> onOneOmpThread(caller, () -> {
            for (int i = from; i < to; i++) { // each product whole, on its thread alone
                if (i == 0) gemm(a1, b1, c1, transA1, transB1, 1.0, 0.0);
                else gemm(a2, b2, c2, transA2, transB2, 1.0, 0.0);
            }
        }));
    }

    /**
     * Runs work on one OpenMP thread: on the caller's thread as it is (it runs on one), on the helper with the
     * helper's own setting put back after.
     */
    private static void onOneOmpThread(Thread caller, Runnable work) {
        var ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int was = Thread.currentThread() == caller ? 1 : ompThreads();
        if (was != 1) ops.setOmpNumThreads(1);
        try {
            work.run();
        } finally {
            if (was != 1) ops.setOmpNumThreads(was);
        }
    }

    /** The FLOPs of c = op(a) op(b): two for each of c's values and each term of its sum. */
    static long flops(INDArray a, INDArray c, boolean transA) {
        return 2 * c.size(0) * c.size(1) * (transA ? a.size(0) : a.size(1));
    }

    /** The calling thread's OpenMP thread count. */
    private static int ompThreads() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    /** From this many values in its result a large product may take two threads ({@link #gemm}). */
    static final long TWO_THREADS_FROM_OUTPUTS = 64 * 64;

    /**
     * c = alpha op(a) op(b) + beta c on the calling thread, as {@code Nd4j.gemm} computes it: every product of the
     * kernels that does not take {@link #gemm}'s second thread goes through here, so that a small one reaches the
     * BLAS in one native call ({@link Blas}).
     */
    public static void gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double alpha, double beta) {
        long k = transA ? a.size(0) : a.size(1);
        if (Blas.small(a, b, c, k)) Blas.gemm(a, b, c, transA, transB, alpha, beta, k);
        else large(a, b, c, transA, transB, alpha, beta);
    }

    /** A product too large for {@link Blas}: oneDNN's sgemm called directly ({@link Sgemm}), else ND4J's. */
    private static void large(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double alpha, double beta) {
        if (!Sgemm.gemm(a, b, c, transA, transB, alpha, beta)) Nd4j.gemm(a, b, c, transA, transB, alpha, beta);
    }

    /** The class whose loading loads oneDNN's preset (its JNI library and libdnnl): {@link Sgemm} calls into it. */
    static final String ONEDNN_CLASS = "org.bytedeco.dnnl.global.dnnl";

    /**
     * Loads oneDNN's preset now, on the calling thread, where the classpath has it; the kernels and the blocked
     * convolutions would load it at their first use, on whichever thread that is. Called where ND4J starts
     * (ann's Backend, so also Spark's executors; the generated trainer's main), before a second thread uses ND4J:
     * while JavaCPP 1.5.7 loads a library, that library records its classes' native sizes in Loader's table (a
     * WeakHashMap), which every buffer view and allocation on other threads reads without a lock. A read during the load found no entry and
     * took the size -1; JavaCPP then asked the JVM for a buffer of negative capacity and touched the null it got
     * back: the JVM died (SIGSEGV in asDirectBuffer; in three of six runs of scripts/fresh-clone-test.sh on
     * 2026-12-05, where ann train's first steps met K.prepare loading oneDNN on ND4J's start-up thread;
     * bench/native-load-race reproduces it).
     */
    public static void loadLibraries() {
        try {
            Class.forName(ONEDNN_CLASS, true, K.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // not on this classpath (a CUDA build, a trainer without it): the products take ND4J's call
        }
    }

    /**
     * Runs the products' one-time setup now: the direct sgemm's lookup and its check against ND4J's sixteen products
     * ({@link Sgemm#sameAsNd4j}), 0.3-0.4 s on the 2-core machine, mostly oneDNN generating its kernels. A command
     * that will train calls it on a thread of its own while it compiles the .ann file and reads the data, so that the
     * first step (or the JIT's warm-up) does not wait for it; the products wait for it where it is still under way.
     */
    public static void prepare() {
        Sgemm.available();
    }

    /**
     * Float products too large for {@link Blas} straight to oneDNN's {@code dnnl_sgemm}: the sgemm that ND4J's
     * {@code Nd4j.gemm} reaches through its oneDNN matmul, without the op, the shapes and the primitive that ND4J
     * makes around it at every call, 50-70 µs a product whatever its size (2 cores, fashion_mlp's
     * {@code [128, 256] x [256, 128]}: 62-91 against 99-164 µs, {@code [128, 784] x [784, 256]} 433-592 against
     * 504-685; bench/peers/profiles/README.md). The same kernel, so the same bits: the first use checks that on
     * products of a few shapes and every transposition and falls back to ND4J's call for good if one differs in
     * any bit, so a generated trainer (whose classpath may lack oneDNN's preset: ND4J's call) trains the same
     * numbers. Looked up by name when first needed (loading the library takes about 80 ms), as the kernels compile
     * against ND4J's API alone; only on the CPU backend, for plain row-major float arrays. Its threads are OpenMP's,
     * the one pool ND4J's library sets, so {@link #onTwoThreadsIfLarge} applies as to ND4J's call.
     */
    static final class Sgemm {
        private Sgemm() {}

        /** Tests switch the direct call off to compare it with ND4J's. */
        static volatile boolean off;

        /** Whether products take the direct call here: oneDNN's preset is on the classpath and gives ND4J's bits. */
        static boolean available() {
            return Flat.host() && Handle.SGEMM != null;
        }

        private static final class Handle {
            static final java.lang.invoke.MethodHandle SGEMM = find();
        }

        static boolean gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double alpha, double beta) {
            if (off || c.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT || !Blas.operands(a, b, c, 2)) return false; // operands: host memory only
            java.lang.invoke.MethodHandle h = Handle.SGEMM;
            if (h == null) return false;
            call(h, a, b, c, transA, transB, (float) alpha, (float) beta);
            return true;
        }

        /**
         * c = op(a) op(b) as two products of c's column halves, one on this thread and one on the helper, each
         * thread taking the half not yet taken ({@link Halves#shared}); false (nothing done) where that does not
         * apply: not float, not plain, ND4J on more than one OpenMP thread, or a shape whose halves do not give the
         * whole product's bits. The halves' wait is the helper's, who stays awake between a step's products
         * ({@link Halves#AWAKE_NS}), where OpenMP's second thread sleeps between them: fashion_mlp's first layer
         * {@code [128, 784] x [784, 256]}, called every millisecond, median 0.36 ms against 0.53 on two OpenMP
         * threads. Each half is oneDNN's product on one thread of c's columns, which sums each value as the whole
         * product does; the first product of each shape checks that bit for bit (computing it both ways) and keeps
         * the whole product for good where a bit differs, so that the numbers never depend on the halves (nor on
         * whether the helper took one).
         */
        static boolean inColumnHalves(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
            long n = c.size(1);
            if (off || halvesOff || n < 32 || c.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT || !Blas.operands(a, b, c, 2)
                    || Handle.SGEMM == null || ompThreads() != 1) {
                return false;
            }
            java.lang.invoke.MethodHandle h = Handle.SGEMM;
            long half = Math.max(16, n / 2 / 16 * 16); // the halves' widths in whole vectors of 16 floats
            Shape shape = new Shape(c.size(0), n, transA ? a.size(0) : a.size(1), transA, transB);
            Boolean same = SPLITS.get(shape);
            if (same == null) {
                int len = (int) c.length(); // c's values alone: c may be a view of a buffer that other threads write
                float[] whole = new float[len], split = new float[len];
                call(h, a, b, c, transA, transB, 1f, 0f);
                Flat.floats(c).get(0, whole, len);
                columns(h, a, b, c, transA, transB, 1f, 0f, 0, half);
                columns(h, a, b, c, transA, transB, 1f, 0f, half, n - half);
                Flat.floats(c).get(0, split, len);
                same = sameBits(whole, split);
                SPLITS.put(shape, same);
                if (!same) call(h, a, b, c, transA, transB, 1f, 0f);
                return true;
            }
            if (!same) return false;
            if (!Halves.otherCoreFree() || BatchHalves.busy()) { // no helper: the whole product, the same bits
                call(h, a, b, c, transA, transB, 1f, 0f);
                return true;
            }
            Thread caller = Thread.currentThread();
            Halves.shared(2, true, 1, (from, to) -> onOneOmpThread(caller, () -> {
                for (int i = from; i < to; i++) {
                    if (i == 0) columns(h, a, b, c, transA, transB, 1f, 0f, 0, half);
                    else columns(h, a, b, c, transA, transB, 1f, 0f, half, n - half);
                }
            }));
            return true;
        }

        /** Tests switch the column halves off to compare them with the whole product. */
        static volatile boolean halvesOff;

        /** Whether products of this shape run in column halves: null before its first product. */
        static Boolean halvesFor(long m, long n, long k, boolean transA, boolean transB) {
            return SPLITS.get(new Shape(m, n, k, transA, transB));
        }

        /** A product's shape: c's rows and columns, the sum's length, the transpositions. */
        private record Shape(long m, long n, long k, boolean transA, boolean transB) {}

        /** By shape, whether the column halves give the whole product's bits (checked at its first product). */
        private static final java.util.Map<Shape, Boolean> SPLITS = new java.util.concurrent.ConcurrentHashMap<>();

        private static boolean sameBits(float[] x, float[] y) {
            for (int q = 0; q < x.length; q++) if (Float.floatToRawIntBits(x[q]) != Float.floatToRawIntBits(y[q])) return false;
            return true;
        }

        private static void call(java.lang.invoke.MethodHandle h, INDArray a, INDArray b, INDArray c, boolean transA, boolean transB,
                float alpha, float beta) {
            columns(h, a, b, c, transA, transB, alpha, beta, 0, c.size(1));
        }

        /** c = alpha op(a) op(b) + beta c over c's columns [from, from + cols): op(b)'s columns of those indices, all of op(a). */
        private static void columns(java.lang.invoke.MethodHandle h, INDArray a, INDArray b, INDArray c, boolean transA, boolean transB,
                float alpha, float beta, long from, long cols) {
            long m = c.size(0), n = c.size(1), k = transA ? a.size(0) : a.size(1);
            org.bytedeco.javacpp.FloatPointer pb = Blas.floats(b), pc = Blas.floats(c);
            if (from > 0) {
                pb.position(pb.position() + (transB ? from * b.size(1) : from));
                pc.position(pc.position() + from);
            }
            int status;
            try {
                status = (int) h.invokeExact((byte) (transA ? 'T' : 'N'), (byte) (transB ? 'T' : 'N'), m, cols, k, alpha,
                        Blas.floats(a), a.size(1), pb, b.size(1), beta, pc, n);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("oneDNN's sgemm failed", t);
            }
            if (status != 0) throw new IllegalStateException("oneDNN's sgemm failed with status " + status);
        }

        /** dnnl_sgemm, or null: no oneDNN preset on the classpath, or a product that differs from ND4J's. */
        private static java.lang.invoke.MethodHandle find() {
            java.lang.invoke.MethodHandle h;
            try {
                Class<?> d = Class.forName(ONEDNN_CLASS);
                Class<?> fp = org.bytedeco.javacpp.FloatPointer.class;
                h = java.lang.invoke.MethodHandles.publicLookup().findStatic(d, "dnnl_sgemm", java.lang.invoke.MethodType.methodType(int.class,
                        byte.class, byte.class, long.class, long.class, long.class, float.class, fp, long.class, fp, long.class, float.class,
                        fp, long.class));
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
            return sameAsNd4j(h) ? h : null;
        }

        /**
         * Whether oneDNN's sgemm gives ND4J's product bit for bit: shapes like a dense layer's forward and
         * gradient products (a short, a long and a tall sum), every transposition, with and without beta.
         */
        static boolean sameAsNd4j(java.lang.invoke.MethodHandle h) {
            long[][] shapes = {{37, 300, 45}, {128, 784, 64}, {64, 70, 1000}, {515, 33, 129}};
            java.util.Random r = new java.util.Random(11);
            try {
                for (long[] s : shapes) {
                    for (int t = 0; t < 4; t++) {
                        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                        long m = s[0], k = s[1], n = s[2];
                        INDArray a = random(r, ta ? k : m, ta ? m : k), b = random(r, tb ? n : k, tb ? k : n);
                        INDArray c0 = random(r, m, n), c1 = c0.dup();
                        double beta = t == 3 ? 1.0 : 0.0;
                        Nd4j.gemm(a, b, c0, ta, tb, 0.5, beta);
                        call(h, a, b, c1, ta, tb, 0.5f, (float) beta);
                        float[] x = c0.data().asFloat(), y = c1.data().asFloat();
                        for (int q = 0; q < x.length; q++) if (Float.floatToRawIntBits(x[q]) != Float.floatToRawIntBits(y[q])) return false;
                    }
                }
                return true;
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        }

        private static INDArray random(java.util.Random r, long rows, long cols) {
            float[] v = new float[(int) (rows * cols)];
            // uniform in [-1, 1): every bit of the sums varies as with normal values, at a fifth of their cost
            for (int q = 0; q < v.length; q++) v[q] = 2 * r.nextFloat() - 1;
            return Nd4j.create(v, new long[] {rows, cols}, org.nd4j.linalg.api.buffer.DataType.FLOAT);
        }
    }

    /**
     * Small products straight to OpenBLAS's {@code cblas_sgemm} / {@code cblas_dgemm}, the functions ND4J's CPU
     * backend's BLAS calls (nd4j-native's CpuLevel3), without ND4J's Java around the call. ND4J's matmul op sums
     * some layouts in another order: the same product up to rounding (FastPathTest). One call, 2 cores, one
     * thread: co2's LSTM step {@code [32, 32] x [32, 128]ᵀ} 5 against 20-25 µs, a dense layer's
     * {@code [32, 64] x [64, 2]ᵀ} 0.9 against 19 µs.
     *
     * <p>Small: m n k up to 2^18, where OpenBLAS runs a product on the calling thread whatever its thread count
     * (its GEMM_MULTITHREAD_THRESHOLD), so two of ann's threads may call it at once. Larger products go to oneDNN's
     * sgemm ({@link Sgemm}), ND4J's kernel there, faster than OpenBLAS's on some ({@code [32, 5000] x [5000, 64]}
     * 0.25 against 0.40 ms through ND4J's call). Only on
     * the CPU backend, for plain row-major arrays of one float type; OpenBLAS is looked up by name, as the
     * kernels compile against ND4J's API alone.
     */
    static final class Blas {
        private Blas() {}

        static final long SMALL_MNK = 1L << 18;
        private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112; // CBLAS's enums
        private static final java.lang.invoke.MethodHandle SGEMM, DGEMM;

        static {
            java.lang.invoke.MethodHandle s = null, d = null;
            if (Flat.host()) {
                try {
                    Class<?> c = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
                    var lookup = java.lang.invoke.MethodHandles.publicLookup();
                    s = lookup.findStatic(c, "cblas_sgemm", java.lang.invoke.MethodType.methodType(void.class, int.class, int.class, int.class,
                            int.class, int.class, int.class, float.class, org.bytedeco.javacpp.FloatPointer.class, int.class,
                            org.bytedeco.javacpp.FloatPointer.class, int.class, float.class, org.bytedeco.javacpp.FloatPointer.class, int.class));
                    d = lookup.findStatic(c, "cblas_dgemm", java.lang.invoke.MethodType.methodType(void.class, int.class, int.class, int.class,
                            int.class, int.class, int.class, double.class, org.bytedeco.javacpp.DoublePointer.class, int.class,
                            org.bytedeco.javacpp.DoublePointer.class, int.class, double.class, org.bytedeco.javacpp.DoublePointer.class, int.class));
                } catch (ReflectiveOperationException | LinkageError e) {
                    s = d = null; // another BLAS or backend: ND4J's own call
                }
            }
            SGEMM = s;
            DGEMM = d;
        }

        /** Tests switch the direct call off to compare it with ND4J's. */
        static volatile boolean off;

        static boolean small(INDArray a, INDArray b, INDArray c, long k) {
            return SGEMM != null && !off && c.size(0) * c.size(1) * k <= SMALL_MNK && operands(a, b, c, 2);
        }

        /**
         * Whether a native product can read and write these arrays in place: each of this rank, of c's type,
         * plain row-major in host memory, not empty, starting inside its buffer.
         */
        static boolean operands(INDArray a, INDArray b, INDArray c, int rank) {
            return a.rank() == rank && b.rank() == rank && c.rank() == rank && a.dataType() == c.dataType() && b.dataType() == c.dataType()
                    && Flat.plain(a, b, c) && a.length() > 0 && b.length() > 0
                    && Flat.fromAddress(a) >= 0 && Flat.fromAddress(b) >= 0 && Flat.fromAddress(c) >= 0;
        }

        static void gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double alpha, double beta, long k) {
            int m = (int) c.size(0), n = (int) c.size(1), lda = (int) a.size(1), ldb = (int) b.size(1);
            try {
                if (c.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
                    SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, (int) k, (float) alpha,
                            floats(a), lda, floats(b), ldb, (float) beta, floats(c), n);
                } else {
                    DGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, (int) k, alpha,
                            doubles(a), lda, doubles(b), ldb, beta, doubles(c), n);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("the BLAS product failed", t);
            }
        }

        /**
         * c = alpha op(a) op(b) for rank-3 arrays, one product per index of the first axis, each slice straight to
         * the BLAS, when each is {@link #small}: what ND4J's batched {@code matmul} op computes, the same bits
         * (it calls the same function slice by slice), without its Java and its loop's overhead. The transformer's
         * attention, batch 32 and 4 heads: {@code [128, 100, 16] x [128, 100, 16]ᵀ} 1.6-1.7 against 2.2-2.6 ms,
         * {@code [128, 100, 100]ᵀ x [128, 100, 16]} 3.1 against 4.3 ms. False (nothing done) where it does not
         * apply: ND4J's op then.
         */
        static boolean batched(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double alpha) {
            if (SGEMM == null || off || !operands(a, b, c, 3)) return false;
            long slices = c.size(0), m = c.size(1), n = c.size(2), k = transA ? a.size(1) : a.size(2);
            if (a.size(0) != slices || b.size(0) != slices || (transA ? a.size(2) : a.size(1)) != m
                    || (transB ? b.size(1) : b.size(2)) != n || (transB ? b.size(2) : b.size(1)) != k || m * n * k > SMALL_MNK) {
                return false;
            }
            int lda = (int) a.size(2), ldb = (int) b.size(2), ta = transA ? TRANS : NO_TRANS, tb = transB ? TRANS : NO_TRANS;
            long sa = a.size(1) * a.size(2), sb = b.size(1) * b.size(2), sc = m * n;
            boolean f = c.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT;
            org.bytedeco.javacpp.Pointer pa = f ? floats(a) : doubles(a), pb = f ? floats(b) : doubles(b), pc = f ? floats(c) : doubles(c);
            long a0 = pa.position(), b0 = pb.position(), c0 = pc.position();
            try {
                for (long q = 0; q < slices; q++) {
                    pa.position(a0 + q * sa);
                    pb.position(b0 + q * sb);
                    pc.position(c0 + q * sc);
                    if (f) {
                        SGEMM.invokeExact(ROW_MAJOR, ta, tb, (int) m, (int) n, (int) k, (float) alpha, (org.bytedeco.javacpp.FloatPointer) pa, lda,
                                (org.bytedeco.javacpp.FloatPointer) pb, ldb, 0f, (org.bytedeco.javacpp.FloatPointer) pc, (int) n);
                    } else {
                        DGEMM.invokeExact(ROW_MAJOR, ta, tb, (int) m, (int) n, (int) k, alpha, (org.bytedeco.javacpp.DoublePointer) pa, lda,
                                (org.bytedeco.javacpp.DoublePointer) pb, ldb, 0.0, (org.bytedeco.javacpp.DoublePointer) pc, (int) n);
                    }
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("the BLAS product failed", t);
            }
            return true;
        }

        static org.bytedeco.javacpp.FloatPointer floats(INDArray a) {
            return new org.bytedeco.javacpp.FloatPointer(a.data().addressPointer()).position(Flat.fromAddress(a));
        }

        static org.bytedeco.javacpp.DoublePointer doubles(INDArray a) {
            return new org.bytedeco.javacpp.DoublePointer(a.data().addressPointer()).position(Flat.fromAddress(a));
        }
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
