package dev.ann.kernels;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A training step's forward pass, loss and backward pass over a batch as two halves at once: the first on
 * the calling thread through the network, the second on a helper thread of its own through
 * a twin of the same ops that reads the same parameters ({@link Network#share}) and keeps its own gradient.
 * The network's gradient is then the mean of the two, weighted by the halves' sizes: the gradient of the
 * batch's mean loss, as one pass over the whole batch gives it up to float rounding.
 *
 * <p>For the networks whose ND4J ops keep one core busy whatever their thread count (recurrent and
 * attention layers, many small products): on 2 cores {@code ann train} trained the transformer example at
 * 458-485 samples/s against 371-381 in one pass, while co2's small LSTM did not gain
 * (bench/peers/profiles/README.md). Which networks train so is the plan's rule ({@code Plan.trainsInHalves},
 * which also needs 250 MFLOP a batch): it looks at the network alone, never at the machine, so that one seed
 * gives the same results on any machine (on one core the halves take turns).
 *
 * <p>When the first half fails (a token id outside the vocabulary, say), the exception leaves at once; the
 * second half ends on its own thread and its result is dropped.
 *
 * <p>Dropout: the first half's masks come from the calling thread's ND4J generator as the caller seeded it,
 * the second half's from the helper thread's, seeded with {@code Seeds.mix(stepSeed, 1)}.
 */
public final class BatchHalves {
    private final Network net, twin;
    private final Loss loss, twinLoss;
    /** per batch size: x and y of each half, and each half's gradient of the loss output */
    private final Map<Long, INDArray[]> bufs = new HashMap<>();
    private final INDArray[] outs = new INDArray[2], ys = new INDArray[2];
    private int parts;
    /** the thread of the second halves (one for all networks: one training step runs at a time on it) */
    private static ExecutorService thread;
    /** how many batches are between their halves now: {@link Halves} then keeps its loops on one thread */
    private static final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    /** Whether some batch trains as halves now (both cores are busy with it). */
    static boolean busy() { return inFlight.get() > 0; }

    private static synchronized ExecutorService thread() {
        if (thread == null) thread = Halves.oneThread("ann-half");
        return thread;
    }

    /**
     * @param net      the network trained (its parameters and gradient are the step's)
     * @param loss     its loss
     * @param twin     a second network built from the same ops; from now on it reads net's parameters
     * @param twinLoss the twin's loss, built for the twin
     */
    public BatchHalves(Network net, Loss loss, Network twin, Loss twinLoss) {
        this.net = net;
        this.loss = loss;
        this.twin = twin.share(net);
        this.twinLoss = twinLoss;
    }

    /**
     * Forward, loss and backward over the batch (x, y); leaves the gradient of the mean loss in the
     * network's gradient and returns the mean loss. When it is not finite, the gradient is not complete
     * and must not be applied.
     *
     * @param stepSeed the seed the caller gave the calling thread's generator for this step
     */
    public double gradient(INDArray x, INDArray y, long stepSeed) {
        long n = x.size(0), n1 = Flat.host() ? n / 2 : 0, n0 = n - n1; // on a GPU: one pass (untried with two threads)
        if (n1 == 0) {
            parts = 1;
            INDArray[] b = bufs(n, n0, n1, x, y);
            outs[0] = net.forward(x, true);
            ys[0] = y;
            INDArray g = grad(b, 4, outs[0]);
            double l = loss.compute(outs[0], y, g);
            if (Double.isFinite(l)) net.backward(g);
            return l;
        }
        parts = 2;
        INDArray[] b = bufs(n, n0, n1, x, y);
        b[0].assign(x.get(rows(x, 0, n0)));
        b[1].assign(y.get(rows(y, 0, n0)));
        b[2].assign(x.get(rows(x, n0, n)));
        b[3].assign(y.get(rows(y, n0, n)));
        inFlight.incrementAndGet();
        try {
            return halves(b, n, n0, n1, stepSeed);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private double halves(INDArray[] b, long n, long n0, long n1, long stepSeed) {
        Future<Double> second = thread().submit(() -> {
            Nd4j.getRandom().setSeed(Seeds.mix(stepSeed, 1));
            outs[1] = twin.forward(b[2], true);
            INDArray g = grad(b, 5, outs[1]);
            double l = twinLoss.compute(outs[1], b[3], g);
            if (Double.isFinite(l)) twin.backward(g);
            return l;
        });
        outs[0] = net.forward(b[0], true);
        ys[0] = b[1];
        ys[1] = b[3];
        INDArray g = grad(b, 4, outs[0]);
        double l0 = loss.compute(outs[0], b[1], g);
        if (Double.isFinite(l0)) net.backward(g);
        double l1;
        try {
            l1 = second.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the second half of a batch trained", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error er) throw er;
            throw new IllegalStateException("the second half of a batch failed", e.getCause());
        }
        if (!Double.isFinite(l0)) return l0;
        if (!Double.isFinite(l1)) return l1;
        INDArray gs = net.grads();
        if (n0 == n1) {
            gs.addi(twin.grads()).muli(0.5);
        } else {
            gs.muli((double) n0 / n);
            gs.addi(twin.grads().mul((double) n1 / n));
        }
        return (l0 * n0 + l1 * n1) / n;
    }

    /** How many parts the last batch trained as (1 when it held one sample or ran on a GPU, else 2). */
    public int parts() { return parts; }

    /** Part i's training output of the last batch (logits when the output function is fused into the loss). */
    public INDArray out(int i) { return outs[i]; }

    /** Part i's targets of the last batch. */
    public INDArray y(int i) { return ys[i]; }

    private INDArray[] bufs(long n, long n0, long n1, INDArray x, INDArray y) {
        return bufs.computeIfAbsent(n, k -> {
            INDArray[] b = new INDArray[6];
            if (n1 > 0) {
                b[0] = Nd4j.create(x.dataType(), K.prepend(n0, tail(x)));
                b[1] = Nd4j.create(y.dataType(), K.prepend(n0, tail(y)));
                b[2] = Nd4j.create(x.dataType(), K.prepend(n1, tail(x)));
                b[3] = Nd4j.create(y.dataType(), K.prepend(n1, tail(y)));
            }
            return b;
        });
    }

    /** slot 4 (the first half) or 5 (the second): the gradient buffer of that half's output */
    private static INDArray grad(INDArray[] b, int slot, INDArray out) {
        if (b[slot] == null || !java.util.Arrays.equals(b[slot].shape(), out.shape())) b[slot] = Nd4j.createUninitialized(out.dataType(), out.shape());
        return b[slot];
    }

    private static long[] tail(INDArray a) {
        return java.util.Arrays.copyOfRange(a.shape(), 1, a.rank());
    }

    private static INDArrayIndex[] rows(INDArray a, long from, long to) {
        INDArrayIndex[] ix = new INDArrayIndex[a.rank()];
        ix[0] = NDArrayIndex.interval(from, to);
        for (int i = 1; i < ix.length; i++) ix[i] = NDArrayIndex.all();
        return ix;
    }
}
