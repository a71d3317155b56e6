package dev.ann.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The nonzero entries of a batch, handed over by whoever filled it and knew them already (a bag of words kept by its
 * entries in memory), so that the dense layer that takes the batch need not scan it for them: on reuters_corn's
 * {@code [32, 5000]} bag of words the scan ({@link SparseBatch#hold}) was a quarter of the step (JFR, StepBench).
 *
 * <p>Per thread and for one array: the layer uses them only for a batch of the same memory and shape, filled on the
 * thread that trains; any other batch is scanned as before. The entries must be exactly those the scan finds, every
 * value whose bits are not all zero (so -0.0 and NaN count) in row-major order; then the layer's sums are the same
 * bit for bit either way, and a program without a feeder that hands them over (the generated trainer) trains the same
 * numbers.
 */
public final class BatchEntries {
    /**
     * A batch with more than one nonzero value in this many is multiplied through the BLAS, entries or not (the
     * layer's rule, {@link SparseBatch#DENSITY_DIVISOR}): a feeder need not keep denser samples by their entries.
     */
    public static final int DENSITY_DIVISOR = SparseBatch.DENSITY_DIVISOR;

    private static final ThreadLocal<BatchEntries> OF_THREAD = ThreadLocal.withInitial(BatchEntries::new);

    /**
     * The batch they describe (held, so its memory cannot be reused for another array while they are given). A
     * thread keeps its last batch and entries until its next {@link #give}: one batch's worth, whatever the data.
     */
    private INDArray x;
    private long rows, cols;
    int nnz;
    int[] flat = new int[0];
    float[] vals = new float[0];

    private BatchEntries() {}

    /**
     * Gives the entries of batch x {@code [rows, cols]} (plain, row-major): {@code flat[e]} the index of entry e in
     * x's row-major order ({@code row * cols + col}), {@code vals[e]} its value, for e below nnz, in ascending order
     * of index. They are copied; they stand until the next call on this thread.
     */
    public static void give(INDArray x, long rows, long cols, int[] flat, float[] vals, int nnz) {
        BatchEntries b = OF_THREAD.get();
        if (b.flat.length < nnz) {
            b.flat = new int[Math.max(nnz, b.flat.length * 2)];
            b.vals = new float[b.flat.length];
        }
        System.arraycopy(flat, 0, b.flat, 0, nnz);
        System.arraycopy(vals, 0, b.vals, 0, nnz);
        b.nnz = nnz;
        b.x = x;
        b.rows = rows;
        b.cols = cols;
    }

    /** The entries given on this thread for x {@code [n, k]}: the same memory and shape; null when none were. */
    static BatchEntries of(INDArray x, int n, int k) {
        BatchEntries b = OF_THREAD.get();
        if (b.x == null || b.rows != n || b.cols != k || (b.x != x && address(b.x) != address(x))) return null;
        return b;
    }

    /** Where x's first element lies in memory (arrays over one buffer at one offset share it). */
    private static long address(INDArray x) {
        return x.data().address() + Flat.fromAddress(x) * x.dataType().width();
    }

    /** How many of the entries lie in the first row. */
    int inFirstRow() {
        int c = 0;
        while (c < nnz && flat[c] < cols) c++;
        return c;
    }
}
