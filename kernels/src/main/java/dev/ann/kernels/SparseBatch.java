package dev.ann.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch of a dense layer's inputs that is mostly zeros (a bag of words, one-hot codes), held by its nonzero
 * entries column by column, so that the layer's two products with it, {@code x W} forward and {@code xᵀ g} for the
 * weight's gradient, cost only those entries. reuters_corn's bag of words is 98% zeros: its
 * {@code [32, 5000] x [5000, 64]} took 0.27 ms through the BLAS each way.
 *
 * <p>The same sums as the BLAS's up to rounding: the zero terms are left out and the others are added column by
 * column, in float (FastPathTest). (Where W holds an infinity, the BLAS's 0 x inf = NaN is left out too; training
 * has diverged by then, and its loss says so.) Only in host memory, for plain float arrays; the layer asks
 * {@link #hold} each batch and multiplies through the BLAS when it says no.
 */
final class SparseBatch {
    /**
     * Held when at most one value in this many is nonzero: past about 3% nonzero at random the BLAS's two
     * products of {@code [32, 5000] x [5000, 64]} are faster (reading the batch costs more as its entries
     * scatter; `bench/training/ops.sh 100 sparse`, ops-results.md). A batch of pixels costs only the look at its
     * first row.
     */
    static final int DENSITY_DIVISOR = 32;

    /** Tests switch sparse batches off to compare with the BLAS. */
    static volatile boolean off;

    private int n, k, nnz, touchedCount;
    private boolean held;
    /** Values read from the batch at a time, by their bits. */
    private static final int CHUNK = 1 << 14;
    private final int[] bits = new int[CHUNK + 8];
    private float[] row = new float[0];
    private float[][] batchRows = new float[0][];
    private int[] count = new int[0], start = new int[0], touched = new int[0];
    private int[] flat = new int[0], rows = new int[0];
    private float[] flatVal = new float[0], vals = new float[0];

    /** Lets the batch go (the layer multiplies this batch through the BLAS). */
    void forget() { held = false; }

    /** Whether the last {@link #hold} held its batch. */
    boolean held() { return held; }

    /**
     * Reads x {@code [n, k]} (plain float) and holds it when at most one value in {@link #DENSITY_DIVISOR} is
     * nonzero; a batch whose first row is an eighth nonzero or more is not read further (one row alone may be a
     * long story). The values are read by their bits, eight at a time, so that a run of zeros costs one test:
     * -0.0 is an entry of value -0.0, NaN one of NaN, and the products come out as the BLAS's would.
     */
    boolean hold(INDArray x) {
        return hold(x, DENSITY_DIVISOR);
    }

    /** {@link #hold} at another density (the benchmark times the products past the rule's: OpBench sparse). */
    boolean hold(INDArray x, int densityDivisor) {
        held = false;
        if (off || x.rank() != 2 || !Flat.plainFloat(x) || x.size(0) * x.size(1) > Integer.MAX_VALUE / 2) return false;
        n = (int) x.size(0);
        k = (int) x.size(1);
        if (n == 0 || k == 0) return false;
        BatchEntries given = BatchEntries.of(x, n, k);
        if (given != null) return hold(given, densityDivisor);
        java.nio.IntBuffer xb = x.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asIntBuffer();
        int base = (int) x.offset();
        if (firstRowDense(xb, base)) return false;
        int most = n * k / densityDivisor;
        if (flat.length < most) room(most);
        if (!collect(xb, base, n * k, most)) return false;
        byColumn();
        held = true;
        return true;
    }

    /** {@link #hold} with the entries its feeder gave (the scan's own rules on them, so that it holds the same batches). */
    private boolean hold(BatchEntries given, int densityDivisor) {
        if (given.inFirstRow() * 8 > k) return false;
        int most = n * k / densityDivisor;
        if (given.nnz > most) return false;
        if (flat.length < most) room(most);
        nnz = given.nnz;
        System.arraycopy(given.flat, 0, flat, 0, nnz);
        System.arraycopy(given.vals, 0, flatVal, 0, nnz);
        byColumn();
        held = true;
        return true;
    }

    /** Whether the first row is an eighth nonzero or more: clearly dense (pixels, embeddings), not read further. */
    private boolean firstRowDense(java.nio.IntBuffer xb, int base) {
        int nonzero = 0;
        for (int at = 0; at < k; at += CHUNK) {
            int m = Math.min(CHUNK, k - at);
            xb.get(base + at, bits, 0, m);
            nonzero += nonzeros(bits, m);
        }
        return nonzero * 8 > k;
    }

    /**
     * The batch's nonzero entries in row order (flat index and value), read {@link #CHUNK} values at a time (the
     * scratch stays small whatever the batch); false once there are more than {@code most}, for which the entries'
     * arrays have room: a test for more room in this loop, never true in the steps the JIT profiled, made it
     * recompile the loop when the first validation's bigger batch needed more.
     */
    private boolean collect(java.nio.IntBuffer xb, int base, int len, int most) {
        nnz = 0;
        for (int at = 0; at < len; at += CHUNK) {
            int m = Math.min(CHUNK, len - at);
            xb.get(base + at, bits, 0, m);
            java.util.Arrays.fill(bits, m, m + 8, 0); // the last block of eight reads zeros past the chunk
            for (int b = 0; b < m; b += 8) {
                if ((bits[b] | bits[b + 1] | bits[b + 2] | bits[b + 3] | bits[b + 4] | bits[b + 5] | bits[b + 6] | bits[b + 7]) == 0) continue;
                for (int i = b; i < b + 8 && i < m; i++) {
                    if (bits[i] == 0) continue;
                    if (nnz == most) return false;
                    flat[nnz] = at + i;
                    flatVal[nnz] = Float.intBitsToFloat(bits[i]);
                    nnz++;
                }
            }
        }
        return true;
    }

    /** Room for {@code most} entries: the four arrays hold an eighth of the dense batch's bytes at most. */
    private void room(int most) {
        flat = new int[most];
        flatVal = new float[most];
        rows = new int[most];
        vals = new float[most];
    }

    /** The entries by column (a counting sort of the row-ordered ones): rows ascending within a column. */
    private void byColumn() {
        if (count.length < k) { count = new int[k]; start = new int[k + 1]; touched = new int[k]; }
        java.util.Arrays.fill(count, 0, k, 0);
        for (int e = 0; e < nnz; e++) count[flat[e] % k]++;
        touchedCount = 0;
        int at = 0;
        for (int j = 0; j < k; j++) {
            start[j] = at;
            if (count[j] > 0) touched[touchedCount++] = j;
            at += count[j];
        }
        start[k] = at;
        System.arraycopy(start, 0, count, 0, k); // count: each column's next free place
        for (int e = 0; e < nnz; e++) {
            int i = flat[e], r = i / k, p = count[i - r * k]++;
            rows[p] = r;
            vals[p] = flatVal[e];
        }
    }

    private static int nonzeros(int[] v, int len) {
        int c = 0;
        for (int i = 0; i < len; i++) if (v[i] != 0) c++;
        return c;
    }

    /**
     * z {@code [n, units]} = x W for the held batch; w {@code [k, units]}, z plain float. A column's row of W is
     * read once and added, scaled, into each of its entries' rows, every row a Java array of its own: a loop over
     * two arrays at one index is one the JIT vectorises (two offsets into arrays that may be one are not, in JDK 17).
     */
    void times(INDArray w, INDArray z) {
        int units = (int) w.size(1);
        float[][] acc = scratchRows(units);
        if (row.length != units) row = new float[units];
        for (int i = 0; i < n; i++) java.util.Arrays.fill(acc[i], 0f);
        Flat.Floats wf = Flat.floats(w);
        for (int t = 0; t < touchedCount; t++) {
            int j = touched[t];
            wf.get(j * units, row, units);
            for (int p = start[j]; p < start[j + 1]; p++) axpy(acc[rows[p]], vals[p], row);
        }
        Flat.Floats zf = Flat.floats(z);
        for (int i = 0; i < n; i++) zf.put(i * units, acc[i], units);
    }

    /**
     * gw {@code [k, units]} = xᵀ g for the held batch; g {@code [n, units]}, both plain float. Every row of gw is
     * written once, in order: a touched column's sums, or zeros between them. (Zeroing all of gw first and then
     * writing the touched rows wrote reuters_corn's 1.3 MB gradient one and a half times a step: the memset alone
     * took 18% of `ann train`'s step samples, JFR.)
     */
    void transposeTimes(INDArray g, INDArray gw) {
        int units = (int) g.size(1);
        float[][] gr = scratchRows(units);
        if (row.length != units) row = new float[units];
        if (zeros.length < units) zeros = new float[Math.max(units, ZEROS)];
        Flat.Floats gf = Flat.floats(g);
        for (int i = 0; i < n; i++) gf.get(i * units, gr[i], units);
        Flat.Floats out = Flat.floats(gw);
        int next = 0; // the first row not yet written
        for (int t = 0; t < touchedCount; t++) {
            int j = touched[t];
            zeroRows(out, next, j, units);
            java.util.Arrays.fill(row, 0f);
            for (int p = start[j]; p < start[j + 1]; p++) axpy(row, vals[p], gr[rows[p]]);
            out.put(j * units, row, units);
            next = j + 1;
        }
        zeroRows(out, next, k, units);
    }

    /** Floats of zeros copied at a time into the rows between touched ones. */
    private static final int ZEROS = 4096;
    private float[] zeros = new float[0];

    /** Rows [from, to) of out (rows of {@code units}) = 0. */
    private void zeroRows(Flat.Floats out, int from, int to, int units) {
        long at = (long) from * units, end = (long) to * units;
        while (at < end) {
            int len = (int) Math.min(zeros.length, end - at);
            out.put((int) at, zeros, len);
            at += len;
        }
    }

    /** n rows of exactly {@code units} floats (scratch). */
    private float[][] scratchRows(int units) {
        if (batchRows.length < n || batchRows[0].length != units) {
            batchRows = new float[n][units];
        }
        return batchRows;
    }

    /** y += a x, all of both (of one length). */
    private static void axpy(float[] y, float a, float[] x) {
        for (int u = 0; u < y.length; u++) y[u] += a * x[u];
    }
}
