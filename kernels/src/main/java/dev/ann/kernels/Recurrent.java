package dev.ann.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Token embeddings and the recurrent layers, over samples of shape {@code [T, F]} (batches {@code [n, T, F]}).
 * Parameter layouts are PyTorch's nn.Embedding, nn.LSTM and nn.GRU, so that weights compare one to one.
 * Token id 0 is padding: its steps are masked ({@link Layer#mask}).
 */
public final class Recurrent {
    private Recurrent() {}

    /** Token ids {@code [n, T]} (as floats) to vectors {@code [n, T, dim]}; weight {@code [vocabulary, dim]}. */
    public static final class Embedding extends Layer {
        public Embedding() {}

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {}

        void forward(INDArray[] in, boolean training) { throw new UnsupportedOperationException("embedding: not written yet"); }

        INDArray[] backward(INDArray g) { throw new UnsupportedOperationException("embedding: not written yet"); }
    }

    /**
     * LSTM (gates i, f, g, o) or GRU (gates r, z, n) over {@code [n, T, F]}: {@code [n, units]} or, with
     * {@code sequences}, {@code [n, T, units]}; {@code bidirectional} concatenates the backward direction's
     * output ({@code 2 * units}). Roles: weight_ih, weight_hh, bias_ih, bias_hh (+ the same with _reverse).
     */
    public static final class Rnn extends Layer {
        final boolean gru, sequences, bidirectional;
        final int units;

        public Rnn(boolean gru, int units, boolean sequences, boolean bidirectional) {
            this.gru = gru;
            this.units = units;
            this.sequences = sequences;
            this.bidirectional = bidirectional;
        }

        @Override void bind(Map<String, INDArray> p, Map<String, INDArray> g) {}

        void forward(INDArray[] in, boolean training) { throw new UnsupportedOperationException((gru ? "gru" : "lstm") + ": not written yet"); }

        INDArray[] backward(INDArray g) { throw new UnsupportedOperationException((gru ? "gru" : "lstm") + ": not written yet"); }
    }
}
