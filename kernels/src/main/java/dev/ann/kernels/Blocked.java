package dev.ann.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * oneDNN's blocked layout for pictures, {@code nChw8c} (or {@code nChw16c} on AVX-512): a batch {@code [n, C, H, W]}
 * stored as {@code [n, C / L, H, W, L]}, L channels side by side at every pixel. oneDNN's convolutions run in it;
 * ND4J's conv2d takes plain NCHW arrays and reorders them into it and back at every call, a quarter of
 * fashion_cnn's convolution time (bench/dnnl/results.md). A network whose convolutions come from an
 * {@link Engine} keeps the batches between them in this layout instead ({@link Network#build}): the convolutions,
 * batchnorm, max pooling and elementwise activations among them read and write it, and the Network reorders a
 * batch where it enters or leaves such a stretch of layers.
 *
 * <p>The engine is ann's runtime's (oneDNN called directly); a network without one (a generated trainer, a GPU, a
 * double-precision gradient check) runs every layer on plain NCHW arrays. Both give the same numbers: each
 * channel's arithmetic runs in the same order either way (BlockedTest). Where the JVM has the Vector API's module
 * (ann's relaunched training JVM), 3x3 convolutions with channels in whole blocks of 16 run as Winograd
 * convolutions instead ({@link #winograd}): the same convolution up to float rounding, about 1e-5 of the output's
 * scale (WinogradConvTest, WinogradRelaunchTest).
 */
public final class Blocked {
    private Blocked() {}

    /** Convolutions on the blocked layout, and the reorders into and out of it. */
    public interface Engine {
        /** The channels side by side in a block: 8 or 16. */
        int lanes();

        /**
         * A convolution from per-sample input {@code in} [C, H, W] to {@code out} [F, OH, OW], weights
         * {@code [F, C, kh, kw]}, with conv2d's integer arguments; null when the engine cannot run it in the
         * blocked layout (the layer then runs on ND4J's conv2d).
         */
        Conv conv(long[] in, long[] out, long[] iargs);

        /**
         * {@link #conv} on batches that stay plain, in NHWC ({@code [n, H, W, C]}: a sequence layer's
         * {@code [n, T, F]} is one at a height of 1): the engine reorders them into its blocked layout and back
         * inside each pass, as ND4J's conv2d does, with the primitives ND4J's would choose, so the same numbers.
         * Null when the engine's primitives would want another layout than its blocked one.
         */
        Conv nhwcConv(long[] in, long[] out, long[] iargs);

        /** A batch {@code [n, C, H, W]}, C a multiple of {@link #lanes}, from plain NCHW into the blocked layout. */
        void toBlocked(INDArray plain, INDArray blocked);

        /** The reverse of {@link #toBlocked}. */
        void toPlain(INDArray blocked, INDArray plain);
    }

    /**
     * One convolution over batches in the blocked layout (or in NHWC: {@link Engine#nhwcConv}); weights and their
     * gradients stay plain {@code [F, C, kh, kw]}.
     */
    public interface Conv {
        void forward(INDArray x, INDArray w, INDArray b, INDArray y);

        /** gx may be null (the input's gradient is not wanted). */
        void backward(INDArray x, INDArray w, INDArray gy, INDArray gx, INDArray gw, INDArray gb);
    }

    private static volatile java.util.function.Supplier<Engine> engine;

    /**
     * Sets where networks built from now on get their engine (asked only by a network with a convolution; it may
     * answer null), or none (null).
     */
    public static void use(java.util.function.Supplier<Engine> e) {
        engine = e;
    }

    /** Whether an engine is offered ({@link #use}), without making it. */
    public static boolean offered() {
        return engine != null;
    }

    /** Whether a network with this layer asks for the engine: a picture or a sequence convolution. */
    public static boolean wanted(Layer layer) {
        return layer instanceof Layers.Conv2d || layer instanceof Sequence.Conv1d;
    }

    /** The engine networks get now, or null. */
    public static Engine engine() {
        java.util.function.Supplier<Engine> e = engine;
        return e == null ? null : e.get();
    }

    /** The Vector API's module, which {@link #winograd}'s kernel needs (ann's training JVM gets it: Relaunch). */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    /**
     * The Winograd convolution (WinogradConv, in src/main/vector: F(4x4, 3x3) on the Vector API) for a 3x3, stride 1,
     * padding-1 convolution with channels in whole blocks of 16 on 8 lanes, which runs batches of fewer than 16
     * images on {@code direct} (the engine's convolution, may be null); null where it does not apply, where this JVM
     * lacks {@link #VECTOR_MODULE} or the class (a generated trainer's copy of the kernels), or where
     * {@code -Dann.winograd=false} turns it off (the engine's direct convolution then runs it).
     */
    static Conv winograd(long[] in, long[] out, long[] iargs, int lanes, Conv direct) {
        java.lang.reflect.Method make = Winograd.MAKE;
        if (make == null || winogradTurnedOff()) return null;
        try {
            return (Conv) make.invoke(null, in, out, iargs, lanes, direct);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Whether networks built now get the Winograd convolution where it applies (ann doctor says so). */
    public static boolean winogradAvailable() {
        return Winograd.MAKE != null && !winogradTurnedOff();
    }

    /** Whether {@code -Dann.winograd=false} turns the Winograd convolution off (the engine's direct one runs). */
    public static boolean winogradTurnedOff() {
        return !Boolean.parseBoolean(System.getProperty("ann.winograd", "true"));
    }

    /**
     * Compiles the Winograd convolution's loops now, on made-up pictures (WinogradConv.warmUp, about a second of one
     * core), where this JVM has it ({@link #winogradAvailable}); else nothing. ann's runtime calls it on the thread that
     * starts ND4J while the command reads its data: without it, a short training paid the kernel's interpreted
     * first steps (fashion_cnn's dev profile ran 1.7 s slower than with the direct convolution).
     */
    public static void warmUpWinograd() {
        if (!winogradAvailable()) return;
        try {
            Winograd.MAKE.getDeclaringClass().getDeclaredMethod("warmUp").invoke(null);
        } catch (ReflectiveOperationException e) {
            // the first convolution runs cold
        }
    }

    private static final class Winograd {
        static final java.lang.reflect.Method MAKE = find();

        private static java.lang.reflect.Method find() {
            if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) return null;
            try {
                return Class.forName("dev.ann.kernels.WinogradConv").getDeclaredMethod("make", long[].class, long[].class, long[].class, int.class, Conv.class);
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }

    /** Whether a picture batch of {@code c} channels can be laid out in blocks of {@code lanes}. */
    static boolean fits(long c, int lanes) {
        return lanes > 1 && c % lanes == 0;
    }
}
