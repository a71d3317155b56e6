package dev.ann.runtime.data;

import java.util.List;

/**
 * Samples in memory: features as float32, row-major, one sample after the
 * other; labels as class indices, or real-valued targets.
 */
public final class Dataset {
    public final int n;
    public final int[] sampleShape;
    public final int sampleSize;
    public final float[] x;
    /** class index per sample, or null for regression */
    public final int[] labels;
    /** targetWidth values per sample, or null for classification */
    public final float[] targets;
    public final int targetWidth;
    /** class names in label order (may be empty when the labels are bare integers) */
    public final List<String> classNames;

    public Dataset(int n, int[] sampleShape, float[] x, int[] labels, float[] targets, int targetWidth, List<String> classNames) {
        this.n = n;
        this.sampleShape = sampleShape;
        int s = 1;
        for (int d : sampleShape) s *= d;
        this.sampleSize = s;
        this.x = x;
        this.labels = labels;
        this.targets = targets;
        this.targetWidth = targetWidth;
        this.classNames = List.copyOf(classNames);
    }

    public boolean isClassification() {
        return labels != null;
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
