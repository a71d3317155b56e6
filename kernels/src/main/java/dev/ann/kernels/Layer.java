package dev.ann.kernels;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One op of the network. Buffers are allocated once per batch size and
 * reused: {@link #buf} hands out the same array for the same slot and batch
 * size on every step.
 */
public abstract class Layer {
    DataType dt;
    /** per-sample input shapes and output shape */
    long[][] inShapes;
    long[] outShape;
    /** the output of the last forward pass */
    INDArray out;
    /** whether backward must produce the gradient of the inputs (false when the input is data) */
    boolean needInputGrad = true;
    /**
     * Which time steps of the first input are real (1) and which are padding (0), {@code [n, T]} in the
     * network's data type; null when every step is real. The Network sets it before each forward pass.
     */
    INDArray mask;
    /**
     * 1: the layer reads and writes plain arrays; 8 or 16: picture batches in oneDNN's blocked layout of that many
     * channels a block ({@link Blocked}), set by the Network for the layers that support it.
     */
    int lanes = 1;

    private static final int SLOTS = 12;
    private final Map<Long, INDArray[]> bufs = new HashMap<>();

    /** The Network sets the data type and the shapes when the layer is added. */
    Layer() {}

    /** Called once after construction; params maps role -> view into the flat buffers. */
    void bind(Map<String, INDArray> params, Map<String, INDArray> grads) {}

    abstract void forward(INDArray[] in, boolean training);

    /** Gradient of the loss with respect to each input (entries may be null when !needInputGrad). */
    abstract INDArray[] backward(INDArray gradOut);

    /**
     * The mask of this layer's output after {@link #forward}: the input's mask when the layer keeps the time
     * axis (same first dimension of a {@code [T, ...]} sample in and out), else none. An embedding makes one
     * from its token ids.
     */
    INDArray outMask() {
        if (mask == null || inShapes.length == 0 || inShapes[0].length < 1 || outShape.length < 2) return null;
        return outShape[0] == inShapes[0][0] ? mask : null;
    }

    INDArray buf(int slot, long n, long[] perSample) {
        INDArray[] b = bufs.computeIfAbsent(n, k -> new INDArray[SLOTS]);
        if (b[slot] == null) b[slot] = Nd4j.createUninitialized(dt, K.prepend(n, perSample));
        return b[slot];
    }

    INDArray bufShape(int slot, long n, long... shape) {
        INDArray[] b = bufs.computeIfAbsent(n, k -> new INDArray[SLOTS]);
        if (b[slot] == null) b[slot] = Nd4j.createUninitialized(dt, shape);
        return b[slot];
    }
}
