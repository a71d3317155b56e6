package dev.ann.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layers over time, on samples of shape {@code [T, F]} (batches {@code [n, T, F]}, time before features as
 * PyTorch's batch_first): 1-D convolution and pooling, self-attention, position codes. Padded steps
 * ({@link Layer#mask}) are ignored by attention.
 */
public final class Sequence {
    private Sequence() {}

    /** 1-D convolution over time: {@code [n, T, F]} to {@code [n, T', filters]}; weight {@code [filters, F, kernel]}, bias {@code [filters]}. */
    public static final class Conv1d extends Layer {
        final int kernel, stride, dilation;
        final boolean same;

        public Conv1d(int kernel, int stride, int dilation, boolean same) {
            this.kernel = kernel;
            this.stride = stride;
            this.dilation = dilation;
            this.same = same;
        }

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {}

        void forward(INDArray[] in, boolean training) { throw new UnsupportedOperationException("conv1d: not written yet"); }

        INDArray[] backward(INDArray g) { throw new UnsupportedOperationException("conv1d: not written yet"); }
    }

    /** Max or average pooling over time, each feature on its own. */
    public static final class Pool1d extends Layer {
        final boolean max, same;
        final int size, stride;

        public Pool1d(boolean max, int size, int stride, boolean same) {
            this.max = max;
            this.size = size;
            this.stride = stride;
            this.same = same;
        }

        void forward(INDArray[] in, boolean training) { throw new UnsupportedOperationException("pool1d: not written yet"); }

        INDArray[] backward(INDArray g) { throw new UnsupportedOperationException("pool1d: not written yet"); }
    }

    /** The largest value over time ({@code [n, T, F] -> [n, F]}) or over each channel's plane; padded steps ignored. */
    public static final class GlobalMaxPool extends Layer {
        public GlobalMaxPool() {}

        void forward(INDArray[] in, boolean training) { throw new UnsupportedOperationException("globalmaxpool: not written yet"); }

        INDArray[] backward(INDArray g) { throw new UnsupportedOperationException("globalmaxpool: not written yet"); }
    }

    /** Multi-head self-attention as PyTorch's nn.MultiheadAttention; roles in_weight, in_bias, out_weight, out_bias. */
    public static final class Attention extends Layer {
        final int heads;
        final boolean causal;

        public Attention(int heads, boolean causal) {
            this.heads = heads;
            this.causal = causal;
        }

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {}

        void forward(INDArray[] in, boolean training) { throw new UnsupportedOperationException("attention: not written yet"); }

        INDArray[] backward(INDArray g) { throw new UnsupportedOperationException("attention: not written yet"); }
    }

    /** Adds a position code: learned (role weight {@code [T, F]}) or sinusoidal (none). */
    public static final class Positional extends Layer {
        final boolean learned;

        public Positional(boolean learned) { this.learned = learned; }

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {}

        void forward(INDArray[] in, boolean training) { throw new UnsupportedOperationException("positional: not written yet"); }

        INDArray[] backward(INDArray g) { throw new UnsupportedOperationException("positional: not written yet"); }
    }
}
