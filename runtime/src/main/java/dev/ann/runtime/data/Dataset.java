package dev.ann.runtime.data;

import java.util.List;

/**
 * Samples in memory: features as float32, row-major, one sample after the
 * other; labels as class indices, or real-valued targets.
 */
public final class Dataset extends Samples {
    public final float[] x;

    public Dataset(int n, int[] sampleShape, float[] x, int[] labels, float[] targets, int targetWidth, List<String> classNames) {
        super(n, sampleShape, labels, targets, targetWidth, classNames);
        this.x = x;
    }

    @Override
    public void read(int i, float[] dst, int off) {
        System.arraycopy(x, i * sampleSize, dst, off, sampleSize);
    }

    @Override
    public boolean inMemory() {
        return true;
    }

    /**
     * The features' nonzero values, row by row: sample i's are {@code col[p]} and {@code val[p]} for p from
     * {@code rowStart[i]} to {@code rowStart[i + 1]}, by column, every value whose bits are not all zero (-0.0 and NaN
     * count), as {@link dev.ann.kernels.BatchEntries} wants them.
     */
    public record Entries(int[] rowStart, int[] col, float[] val) {}

    /** Features at most this sparse are also kept by their entries ({@link #entries}): the dense layer's rule. */
    static final int ENTRIES_DENSITY_DIVISOR = dev.ann.kernels.BatchEntries.DENSITY_DIVISOR;
    /** Rows looked at first: denser data (pixels, embeddings, windows) is not read further. */
    private static final int ENTRIES_PROBE_ROWS = 64;
    private Entries entries;
    private boolean entriesTried;

    /**
     * The features by their nonzero entries, where at most one value in {@link #ENTRIES_DENSITY_DIVISOR} is nonzero (a
     * bag of words: reuters_corn's is 98% zeros); null otherwise. Built at the first call (one pass over the features
     * after a look at the first rows; the arrays take at most a sixteenth of the features' bytes), then kept: the
     * features are not changed after construction.
     */
    public synchronized Entries entries() {
        if (entriesTried) return entries;
        entriesTried = true;
        int probe = Math.min(n, ENTRIES_PROBE_ROWS);
        if (sampleSize == 0 || nonzeros(0, probe * sampleSize) * (long) ENTRIES_DENSITY_DIVISOR > (long) probe * sampleSize) return null;
        long total = nonzeros(0, x.length);
        if (total * ENTRIES_DENSITY_DIVISOR > x.length) return null;
        int[] rowStart = new int[n + 1], col = new int[(int) total];
        float[] val = new float[(int) total];
        int e = 0;
        for (int i = 0; i < n; i++) {
            rowStart[i] = e;
            for (int j = 0, at = i * sampleSize; j < sampleSize; j++) {
                float v = x[at + j];
                if (Float.floatToRawIntBits(v) == 0) continue;
                col[e] = j;
                val[e++] = v;
            }
        }
        rowStart[n] = e;
        return entries = new Entries(rowStart, col, val);
    }

    private long nonzeros(int from, int to) {
        long c = 0;
        for (int i = from; i < to; i++) if (Float.floatToRawIntBits(x[i]) != 0) c++;
        return c;
    }

    /** The samples at the given indices, in that order. */
    public Dataset select(int[] idx) {
        float[] nx = new float[idx.length * sampleSize];
        int[] nl = labels == null ? null : new int[idx.length];
        float[] nt = targets == null ? null : new float[idx.length * targetWidth];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(x, idx[i] * sampleSize, nx, i * sampleSize, sampleSize);
            if (nl != null) nl[i] = labels[idx[i]];
            if (nt != null) System.arraycopy(targets, idx[i] * targetWidth, nt, i * targetWidth, targetWidth);
        }
        return new Dataset(idx.length, sampleShape, nx, nl, nt, targetWidth, classNames);
    }

    public Dataset withX(int[] shape, float[] nx) {
        return new Dataset(n, shape, nx, labels, targets, targetWidth, classNames);
    }

    public Dataset withClassNames(List<String> names) {
        return new Dataset(n, sampleShape, x, labels, targets, targetWidth, names);
    }
}
