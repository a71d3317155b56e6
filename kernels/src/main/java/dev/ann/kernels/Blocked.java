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
 * channel's arithmetic runs in the same order either way (BlockedTest).
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

    /** Whether a picture batch of {@code c} channels can be laid out in blocks of {@code lanes}. */
    static boolean fits(long c, int lanes) {
        return lanes > 1 && c % lanes == 0;
    }
}
