package dev.ann.kernels;

import java.util.Arrays;

/**
 * Per-feature scaling and normalisation of samples:
 * {@code x' = (x * scale - shift) * mul}. The shift and multiplier are
 * fitted on the training split only: {@code standard} gives the mean and
 * 1/standard deviation, {@code minmax} the minimum and 1/(max - min); a
 * feature that does not vary keeps a multiplier of 1.
 */
public final class Normalize {
    private Normalize() {}

    /** The fitted shift and multiplier, one per feature. */
    public record Stats(float[] shift, float[] mul) {}

    /** Whether a dataset's {@code normalize} setting fits anything ({@code none} and null do not). */
    public static boolean fits(String kind) {
        return kind != null && !kind.equals("none");
    }

    /**
     * Scales and normalises one sample of {@code size} features at {@code off}, in place:
     * {@code x * scale}, then, when {@code shift} is not null, {@code (v - shift) * mul}.
     */
    public static void apply(float[] x, int off, int size, float scale, float[] shift, float[] mul) {
        for (int j = 0; j < size; j++) {
            int k = off + j;
            float v = x[k] * scale;
            if (shift != null) v = (v - shift[j]) * mul[j];
            x[k] = v;
        }
    }

    /** {@link #apply} to each of {@code n} samples stored one after the other. */
    public static void applyAll(float[] x, int n, int size, float scale, float[] shift, float[] mul) {
        for (int i = 0; i < n; i++) apply(x, i * size, size, scale, shift, mul);
    }

    /**
     * The statistics of samples added one after the other: per feature, the
     * sums accumulate in sample order in double precision, so samples read
     * from memory or from disk give the same bits.
     */
    public static final class Fit {
        private final int size;
        private final double[] sum, squares, min, max;
        private long n;

        public Fit(int size) {
            this.size = size;
            sum = new double[size];
            squares = new double[size];
            min = new double[size];
            max = new double[size];
            Arrays.fill(min, Double.MAX_VALUE);
            Arrays.fill(max, -Double.MAX_VALUE);
        }

        /** Adds the sample of {@code size} features at {@code off}. */
        public void add(float[] x, int off) {
            for (int j = 0; j < size; j++) {
                double v = x[off + j];
                sum[j] += v;
                squares[j] += v * v;
                min[j] = Math.min(min[j], v);
                max[j] = Math.max(max[j], v);
            }
            n++;
        }

        /** The shift and multiplier for {@code kind}: "minmax", else standard. */
        public Stats stats(String kind) {
            float[] shift = new float[size], mul = new float[size];
            for (int j = 0; j < size; j++) {
                if (kind.equals("minmax")) {
                    shift[j] = (float) min[j];
                    mul[j] = (float) (max[j] > min[j] ? 1.0 / (max[j] - min[j]) : 1.0);
                } else {
                    double mean = sum[j] / n, variance = Math.max(0, squares[j] / n - mean * mean);
                    shift[j] = (float) mean;
                    mul[j] = (float) (variance > 1e-12 ? 1.0 / Math.sqrt(variance) : 1.0);
                }
            }
            return new Stats(shift, mul);
        }
    }

    /** Fits {@code kind} on {@code n} samples of {@code size} features stored one after the other. */
    public static Stats fit(String kind, float[] x, int n, int size) {
        Fit f = new Fit(size);
        for (int i = 0; i < n; i++) f.add(x, i * size);
        return f.stats(kind);
    }
}
