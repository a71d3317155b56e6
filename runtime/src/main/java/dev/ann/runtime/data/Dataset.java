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
