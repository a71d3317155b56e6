package dev.ann.runtime;

import static dev.ann.runtime.PlanBuilder.args;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.kernels.Blocked;
import dev.ann.kernels.Network;
import dev.ann.plan.Plan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolutions on oneDNN directly with the batches in its blocked layout between layers ({@link OneDnn},
 * kernels' Blocked) compute what the same network computes on plain NCHW arrays through ND4J: outputs, loss
 * gradients and batchnorm's running statistics, training and evaluating, for a full batch and a smaller last one.
 */
class BlockedTest {
    static { Backend.init(); }

    @AfterEach
    void engineBack() {
        Blocked.use(OneDnn::get);
    }

    /** Three channels in (a plain first convolution), blocks from the second, a max pool, a strided convolution, flatten. */
    private static Plan picturesNet() {
        PlanBuilder b = new PlanBuilder(3, 12, 12).conv(8, 3, 1, "same").norm("batchnorm").act("relu")
                .conv(16, 3, 1, "same").norm("batchnorm").act("relu").pool("maxpool", 2, 2, "valid")
                .conv(16, 3, 2, "valid").act("tanh").conv(16, 1, 1, "valid").norm("batchnorm");
        return b.flatten().dense(5).act("softmax").loss("cross_entropy", args("from_logits", false)).build();
    }

    @Test
    void blockedLayersComputeWhatPlainOnesDo() {
        assertTrue(OneDnn.get() != null, "oneDNN's library loads on this machine (JavaCPP's dnnl preset, linux-x86_64)");
        Plan plan = picturesNet();
        for (int n : new int[] {16, 7}) {
            INDArray[][] r = withAndWithout(plan, n, 5, 6, 3, 12, 12);
            for (int k = 0; k < WHAT.length; k++) {
                double scale = Math.max(1e-12, r[1][k].norm2Number().doubleValue());
                double err = r[0][k].sub(r[1][k]).norm2Number().doubleValue() / scale;
                assertTrue(err < 1e-5, WHAT[k] + " differ by " + err + " (relative) at a batch of " + n);
            }
        }
    }

    /** Two networks training at once on two threads (a cluster worker's tasks do) get what one alone gets. */
    @Test
    void networksOnTwoThreadsAtOnce() throws Exception {
        Plan plan = picturesNet();
        INDArray x = Nd4j.randn(DataType.FLOAT, 16, 3, 12, 12);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 5);
        for (int i = 0; i < 16; i++) y.putScalar(i, i % 5, 1.0);
        INDArray[] alone = run(dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT), plan, x, y);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<INDArray[]>> runs = new java.util.ArrayList<>();
            for (int t = 0; t < 2; t++) {
                runs.add(pool.submit(() -> {
                    INDArray[] r = null;
                    for (int k = 0; k < 5; k++) r = run(dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT), plan, x, y);
                    return r;
                }));
            }
            for (java.util.concurrent.Future<INDArray[]> f : runs) {
                INDArray[] r = f.get();
                for (int k = 0; k < r.length; k++) assertEquals(alone[k], r[k], "array " + k + " of a run on its own thread");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A sequence's convolutions on the engine ({@code nhwcConv}: the batches stay [n, T, F], reordered inside)
     * give what ND4J's conv2d gives, bit for bit: outputs, gradients, evaluation; same and valid padding, a
     * kernel of 2, next to a strided convolution on ND4J.
     */
    @Test
    void sequenceConvolutionsOnTheEngineAreBitForBitND4J() {
        Plan plan = new PlanBuilder(24, 16).conv1d(16, 3, 1, "same").act("relu").conv1d(8, 3, 2, "valid").act("tanh")
                .conv1d(8, 2, 1, "valid").flatten().dense(3).act("softmax").loss("cross_entropy", args("from_logits", false)).build();
        for (int n : new int[] {16, 5}) {
            // the strided one has no jit backward kernel on AVX2 (it stays on ND4J there)
            INDArray[][] r = withAndWithout(plan, n, 3, 2, 24, 16);
            for (int k = 0; k < WHAT.length; k++) {
                assertArrayEquals(r[1][k].ravel().toFloatVector(), r[0][k].ravel().toFloatVector(), WHAT[k] + " at a batch of " + n);
            }
        }
    }

    @Test
    void channelsOutsideWholeBlocksStayPlain() {
        Plan plan = new PlanBuilder(3, 8, 8).conv(6, 3, 1, "same").act("relu").conv(12, 3, 1, "same").flatten().dense(2)
                .act("softmax").loss("cross_entropy", args("from_logits", false)).build();
        Network net = dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT);
        assertEquals(0, net.engineOps());
    }

    /** What {@link #run}'s four arrays are. */
    private static final String[] WHAT = {"training outputs", "gradients", "running statistics", "evaluation outputs"};

    /**
     * {@link #run} on n random samples of this shape (one-hot targets of this many classes) with the engine, which
     * must run at least minOps of the network's ops, and without it: {with, without}.
     */
    private static INDArray[][] withAndWithout(Plan plan, int n, int classes, int minOps, long... sample) {
        long[] shape = new long[sample.length + 1];
        shape[0] = n;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        INDArray x = Nd4j.randn(DataType.FLOAT, shape);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) y.putScalar(i, i % classes, 1.0);
        Blocked.use(OneDnn::get);
        Network engine = dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT);
        assertTrue(engine.engineOps() >= minOps, "ops on the engine: " + engine.engineOps());
        INDArray[] a = run(engine, plan, x, y);
        Blocked.use(null);
        Network plain = dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT);
        assertEquals(0, plain.engineOps());
        return new INDArray[][] {a, run(plain, plan, x, y)};
    }

    /** Two training steps' outputs and gradients (the second after a plain SGD step), the running statistics, then evaluation. */
    private static INDArray[] run(Network net, Plan plan, INDArray x, INDArray y) {
        net.init(11);
        INDArray out = null;
        for (int step = 0; step < 2; step++) {
            out = net.forward(x, true);
            INDArray g = out.ulike();
            dev.ann.runtime.nn.PlanKernels.loss(plan, net).compute(out, y, g);
            net.backward(g);
            if (step == 0) net.params().subi(net.grads().mul(0.1));
        }
        INDArray train = out.dup(), grads = net.grads().dup(), state = net.state().dup();
        INDArray eval = net.forward(x, false).dup();
        return new INDArray[] {train, grads, state, eval};
    }
}
