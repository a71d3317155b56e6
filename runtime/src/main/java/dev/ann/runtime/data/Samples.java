package dev.ann.runtime.data;

import java.util.List;

/**
 * A map-style collection of samples: sample {@code i}'s features can be read
 * by index, in any order, so that the seeded shuffle gives the same batches
 * whether the samples are in memory ({@link Dataset}) or read from disk on
 * demand (IDX records, pictures, CSV rows; see {@link Pipeline}).
 *
 * <p>Labels (one int per sample) and targets ({@code targetWidth} floats per
 * sample) are small and always held in memory; only the features may stream.
 * {@link #read} may be called from a prefetch thread while the training step
 * runs on another, so implementations are safe to read from several threads.
 */
public abstract class Samples implements AutoCloseable {
    public final int n;
    public final int[] sampleShape;
    public final int sampleSize;
    /** class index per sample, or null for regression */
    public final int[] labels;
    /** targetWidth values per sample, or null for classification */
    public final float[] targets;
    public final int targetWidth;
    /** class names in label order (may be empty when the labels are bare integers) */
    public final List<String> classNames;

    protected Samples(int n, int[] sampleShape, int[] labels, float[] targets, int targetWidth, List<String> classNames) {
        this.n = n;
        this.sampleShape = sampleShape;
        int s = 1;
        for (int d : sampleShape) s *= d;
        this.sampleSize = s;
        this.labels = labels;
        this.targets = targets;
        this.targetWidth = targetWidth;
        this.classNames = List.copyOf(classNames);
    }

    public final boolean isClassification() {
        return labels != null;
    }

    /** Copies sample {@code i}'s {@link #sampleSize} features into {@code dst} from {@code off}. */
    public abstract void read(int i, float[] dst, int off);

    /** True when every read is a copy from memory (no file is read, nothing is decoded). */
    public abstract boolean inMemory();

    /** Releases files and caches; the default holds none. */
    @Override
    public void close() {}

    /** All samples in one float[] (decoding or reading every one of them). */
    public Dataset materialize() {
        if (this instanceof Dataset d) return d;
        float[] x = new float[Math.multiplyExact(n, sampleSize)];
        for (int i = 0; i < n; i++) read(i, x, i * sampleSize);
        return new Dataset(n, sampleShape, x, labels, targets, targetWidth, classNames);
    }

    /** Bytes the features take as float32 when held in memory. */
    public long decodedBytes() {
        return 4L * n * sampleSize;
    }
}
