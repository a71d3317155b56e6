package dev.ann.runtime.train;

import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import dev.ann.runtime.data.Dataset;
import dev.ann.runtime.data.Samples;
import dev.ann.kernels.BatchEntries;
import dev.ann.kernels.K;
import dev.ann.kernels.Loss;
import dev.ann.kernels.Metrics;
import dev.ann.kernels.Network;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Feeds batches into input and target buffers allocated once per batch size.
 * Samples are gathered by index into host arrays, then copied into the
 * buffers; when the samples stream from disk, {@link Stream} gathers the next
 * batch on a background thread while the current step runs.
 */
public final class Batches {
    final Samples d;
    final boolean oneHot, binary;
    final int yWidth;
    private final Map<Integer, INDArray[]> bufs = new HashMap<>();
    private final Map<Integer, Host> host = new HashMap<>();
    /** The samples by their nonzero entries where they are mostly zeros (a bag of words in memory), else null. */
    private final Dataset.Entries entries;

    public Batches(Samples d, Plan plan) {
        this.d = d;
        this.entries = d instanceof Dataset ds ? ds.entries() : null;
        this.binary = plan.loss().kind().equals("binary_cross_entropy");
        this.oneHot = d.isClassification() && !binary;
        this.yWidth = (int) plan.outputShape().size();
    }

    /** A batch on the Java heap: n samples' features and targets. */
    static final class Host {
        final int n;
        final float[] x, y;
        /** The batch's nonzero entries (index in x, value) where the samples have {@link #entries}. */
        int nnz;
        int[] flat = new int[0];
        float[] vals = new float[0];

        Host(int n, int sampleSize, int yWidth) {
            this.n = n;
            this.x = new float[n * sampleSize];
            this.y = new float[n * yWidth];
        }
    }

    private Host host(int n) {
        synchronized (host) {
            return host.computeIfAbsent(n, k -> new Host(k, d.sampleSize, yWidth));
        }
    }

    /** Reads the samples idx[from..from+n) (from..from+n when idx is null) into h. */
    void gather(int[] idx, int from, Host h) {
        float[] hx = h.x, hy = h.y;
        int s = d.sampleSize, n = h.n;
        h.nnz = 0;
        if (oneHot) java.util.Arrays.fill(hy, 0f);
        for (int i = 0; i < n; i++) {
            int j = idx == null ? from + i : idx[from + i];
            d.read(j, hx, i * s);
            if (entries != null) addEntries(h, j, i * s);
            if (oneHot) hy[i * yWidth + d.labels[j]] = 1f;
            else if (binary && d.labels != null) hy[i * yWidth] = d.labels[j];
            else System.arraycopy(d.targets, j * yWidth, hy, i * yWidth, yWidth);
        }
    }

    /** Appends sample j's entries to h's, at x's offset off. */
    private void addEntries(Host h, int j, int off) {
        int from = entries.rowStart()[j], to = entries.rowStart()[j + 1], m = to - from;
        if (h.flat.length < h.nnz + m) {
            h.flat = java.util.Arrays.copyOf(h.flat, Math.max(h.nnz + m, 2 * h.flat.length));
            h.vals = java.util.Arrays.copyOf(h.vals, h.flat.length);
        }
        int[] col = entries.col();
        for (int p = from; p < to; p++) h.flat[h.nnz + p - from] = off + col[p];
        System.arraycopy(entries.val(), from, h.vals, h.nnz, m);
        h.nnz += m;
    }

    /** Copies a host batch into the {x, y} buffers of its size. */
    INDArray[] upload(Host h) {
        INDArray[] b = bufs.computeIfAbsent(h.n, k -> {
            long[] xs = new long[d.sampleShape.length + 1];
            xs[0] = k;
            for (int i = 0; i < d.sampleShape.length; i++) xs[i + 1] = d.sampleShape[i];
            return new INDArray[] {Nd4j.create(DataType.FLOAT, xs), Nd4j.create(DataType.FLOAT, k, yWidth)};
        });
        K.copyIn(b[0], h.x);
        K.copyIn(b[1], h.y);
        // the dense layer that takes the batch need not scan it for them (BatchEntries; the same sums)
        if (entries != null) BatchEntries.give(b[0], h.n, d.sampleSize, h.flat, h.vals, h.nnz);
        return b;
    }

    /** Fills and returns {x, y} for the samples idx[from..from+n). */
    public INDArray[] fill(int[] idx, int from, int n) {
        Host h = host(n);
        gather(idx, from, h);
        return upload(h);
    }

    /**
     * The batches of one pass, in order: batch b holds the samples
     * order[b*size .. (b+1)*size) (0, 1, 2, ... when order is null), from batch {@code first} on.
     * Prefetches on one background thread when the samples are not in memory.
     */
    public Stream stream(int[] order, int size, int first) {
        return new Stream(order, size, first, !d.inMemory());
    }

    public final class Stream implements AutoCloseable {
        final int[] order;
        final int size, count;
        int next;
        private final ExecutorService ex;
        private Future<Host> pending;

        Stream(int[] order, int size, int first, boolean prefetch) {
            this.order = order;
            this.size = size;
            this.count = (d.n + size - 1) / size;
            this.next = first;
            this.ex = prefetch ? Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "ann-prefetch");
                t.setDaemon(true);
                return t;
            }) : null;
            if (ex != null && next < count) pending = submit(next);
        }

        private Future<Host> submit(int b) {
            return ex.submit(() -> {
                int from = b * size, n = Math.min(size, d.n - from);
                Host h = host(n);
                gather(order, from, h);
                return h;
            });
        }

        /** Whether the prefetch thread prepares batches ahead. */
        public boolean prefetching() {
            return ex != null;
        }

        /** The next batch's {x, y}; valid until the next call. */
        public INDArray[] next() {
            if (next >= count) throw new IllegalStateException("no more batches");
            int b = next++;
            if (ex == null) {
                int from = b * size;
                return fill(order, from, Math.min(size, d.n - from));
            }
            Host h;
            try {
                h = pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunException(RunException.FAILURE, "interrupted while waiting for a batch");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                if (c instanceof Error er) throw er;
                throw new RunException(RunException.FAILURE, "reading a batch failed: " + c, c);
            }
            INDArray[] xy = upload(h);
            // the host arrays are copied: the thread may fill them again with the next batch while this one trains
            pending = next < count ? submit(next) : null;
            return xy;
        }

        @Override
        public void close() {
            if (ex == null) return;
            // no interrupt: an interrupted FileChannel read would close the channel for everyone
            ex.shutdown();
            try {
                if (!ex.awaitTermination(60, TimeUnit.SECONDS)) ex.shutdownNow();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs the network over a whole split (evaluation mode) and measures it. */
    public static Evaluation evaluate(Network net, Loss loss, Samples d, Plan plan, java.util.List<String> classNames) {
        Batches b = new Batches(d, plan);
        int bs = Network.EVALUATION_BATCH;
        double lossSum = 0;
        int[] pred = d.isClassification() ? new int[d.n] : null;
        float[] out = d.isClassification() ? null : new float[d.n * b.yWidth];
        try (Stream st = b.stream(null, bs, 0)) {
            for (int from = 0; from < d.n; from += bs) {
                int n = Math.min(bs, d.n - from);
                INDArray[] xy = st.next();
                INDArray o = net.forward(xy[0], false);
                lossSum += loss.compute(o, xy[1], null) * n;
                if (pred != null) {
                    Metrics.predict(o, b.binary, Metrics.threshold(net), pred, from);
                } else {
                    float[] v = o.castTo(DataType.FLOAT).data().asFloat();
                    System.arraycopy(v, 0, out, from * b.yWidth, n * b.yWidth);
                }
            }
        }
        double l = d.n == 0 ? Double.NaN : lossSum / d.n;
        if (pred != null) return Evaluation.classification(d.n, l, classNames, d.labels, pred);
        return Evaluation.regression(d.n, l, d.targets, out);
    }
}
