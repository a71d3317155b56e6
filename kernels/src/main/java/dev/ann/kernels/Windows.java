package dev.ann.kernels;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Windows over a time series (rows in time order, columns the variables), the
 * same in {@code ann train} and a generated trainer.
 *
 * <p>The rows are split by time: the first {@code train} fraction, then
 * validation, then test. A sample is {@code window} consecutive rows of the
 * feature columns ({@code [window, F]}, time before features) and its target
 * the next {@code horizon} rows of the target columns ({@code [horizon * T]},
 * row by row); no sample reaches across a split boundary, so a part of r rows
 * gives {@code r - window - horizon + 1} samples, in time order. Normalisation
 * statistics are fitted on the training rows only. Optionally ({@code relative})
 * a sample's values are taken relative to its window's last row.
 */
public final class Windows {
    private Windows() {}

    /** A series read from a file: {@code rows x cols} values, row-major; NaN where a value is missing. */
    public record Series(int rows, int cols, float[] values, int missing) {
        public float at(int r, int c) {
            return values[r * cols + c];
        }
    }

    /** A malformed line: where (1-based) and what. */
    public static final class SeriesException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public final int line;
        public final int col;

        public SeriesException(int line, int col, String what) {
            super(what);
            this.line = line;
            this.col = col;
        }
    }

    /**
     * Reads the numeric columns {@code columns} of a delimited file (a header
     * row skipped when {@code header}); an empty field, {@code ?} or
     * {@code NA} is missing (NaN). At most {@code maxValues} values are read.
     */
    public static Series read(Path file, boolean header, char delimiter, int[] columns, long maxValues) throws IOException {
        int need = 0;
        for (int c : columns) need = Math.max(need, c + 1);
        float[] v = new float[Math.max(16, columns.length * 64)];
        int rows = 0, missing = 0, lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && header) continue;
                if (line.isBlank()) continue;
                Csv.Row row;
                try {
                    row = Csv.split(file.toString(), lineNo, line, delimiter);
                } catch (BadData e) {
                    throw new SeriesException(lineNo, e.column, e.detail);
                }
                List<String> f = row.fields();
                List<Integer> at = row.starts();
                if (f.size() < need) {
                    throw new SeriesException(lineNo, line.length() + 1, "the row has " + f.size() + " fields; column " + (need - 1)
                            + " is read, so every row needs at least " + need);
                }
                if ((long) (rows + 1) * columns.length > maxValues) {
                    throw new SeriesException(lineNo, 1, "more than " + maxValues + " values; the series does not fit the memory allowed");
                }
                if ((rows + 1) * columns.length > v.length) v = Arrays.copyOf(v, Math.max(v.length * 2, (rows + 1) * columns.length));
                for (int k = 0; k < columns.length; k++) {
                    String s = f.get(columns[k]).strip();
                    float x;
                    if (s.isEmpty() || s.equals("?") || s.equalsIgnoreCase("NA") || s.equalsIgnoreCase("NaN")) {
                        x = Float.NaN;
                        missing++;
                    } else {
                        try {
                            x = Float.parseFloat(s);
                            if (!Float.isFinite(x)) throw new NumberFormatException();
                        } catch (NumberFormatException e) {
                            throw new SeriesException(lineNo, at.get(columns[k]) + 1, "expected a number in column " + columns[k] + ", found '"
                                    + Arff.clip(s) + "'");
                        }
                    }
                    v[rows * columns.length + k] = x;
                }
                rows++;
            }
        }
        return new Series(rows, columns.length, Arrays.copyOf(v, rows * columns.length), missing);
    }

    /**
     * Fills missing values (NaN) of each column by linear interpolation in
     * time between the nearest known values before and after; a gap at either
     * end takes the nearest known value. A column with no value at all is left NaN.
     */
    public static void interpolate(Series s) {
        float[] v = s.values();
        for (int c = 0; c < s.cols(); c++) {
            int prev = -1;
            for (int r = 0; r <= s.rows(); r++) {
                if (r < s.rows() && Float.isNaN(v[r * s.cols() + c])) continue;
                // rows prev+1 .. r-1 are missing
                for (int g = prev + 1; g < r; g++) {
                    float x;
                    if (prev < 0 && r == s.rows()) break;
                    else if (prev < 0) x = v[r * s.cols() + c];
                    else if (r == s.rows()) x = v[prev * s.cols() + c];
                    else {
                        double a = v[prev * s.cols() + c], b = v[r * s.cols() + c];
                        x = (float) (a + (b - a) * (g - prev) / (double) (r - prev));
                    }
                    v[g * s.cols() + c] = x;
                }
                prev = r;
            }
        }
    }

    /** The first row of each part, and the end: {@code {0, t, t + v, rows}} for fractions train, validation, test. */
    public static int[] bounds(int rows, double train, double validation) {
        int nt = (int) Math.round(rows * train), nv = (int) Math.round(rows * validation);
        nt = Math.min(nt, rows);
        nv = Math.min(nv, rows - nt);
        return new int[] {0, nt, nt + nv, rows};
    }

    /** Samples a part of {@code rows} rows gives. */
    public static int count(int rows, int window, int horizon) {
        return Math.max(0, rows - window - horizon + 1);
    }

    /**
     * Sample {@code i} of the part that starts at row {@code from}: rows
     * {@code from+i .. from+i+window-1} of {@code features} into
     * {@code x[xo..]} ({@code [window, F]}), and rows
     * {@code from+i+window .. +horizon-1} of {@code targets} into {@code y[yo..]}
     * ({@code y} may be null: no targets). The columns index the series' columns.
     *
     * <p>With {@code relative}, every value is taken relative to the window's
     * last row: a feature minus its column's value in that row (so the last
     * step is 0), a target minus its column's value in that row. The network
     * then forecasts the change from the last value it saw (as NLinear does);
     * {@link #restore} adds that value back. An error of the change is the
     * same error of the level, so MSE and MAE keep their meaning.
     */
    public static void sample(Series s, int from, int i, int window, int horizon, int[] features, int[] targets,
                              float[] x, int xo, float[] y, int yo, boolean relative) {
        int r0 = from + i, last = r0 + window - 1;
        for (int t = 0; t < window; t++) {
            for (int f = 0; f < features.length; f++) {
                x[xo + t * features.length + f] = relative ? s.at(r0 + t, features[f]) - s.at(last, features[f]) : s.at(r0 + t, features[f]);
            }
        }
        if (y == null) return;
        for (int h = 0; h < horizon; h++) {
            for (int k = 0; k < targets.length; k++) {
                y[yo + h * targets.length + k] = relative ? s.at(r0 + window + h, targets[k]) - s.at(last, targets[k]) : s.at(r0 + window + h, targets[k]);
            }
        }
    }

    /**
     * Undoes {@code relative} on a forecast of sample {@code i} of the part
     * that starts at row {@code from}: adds each target column's value in the
     * window's last row to {@code v} ({@code [horizon * T]}, row by row), in place.
     */
    public static void restore(Series s, int from, int i, int window, int[] targets, double[] v) {
        int last = from + i + window - 1;
        for (int j = 0; j < v.length; j++) v[j] += s.at(last, targets[j % targets.length]);
    }

    /**
     * Per column over rows {@code from..to-1} (the training part): {@code shift}
     * and {@code mul} such that {@code (v - shift) * mul} is standardised
     * (mean 0, std 1) or, for {@code minmax}, in 0..1; a constant column gets mul 1.
     * Sums are taken in row order in double precision.
     */
    public static float[][] fit(Series s, int from, int to, boolean minmax) {
        int c = s.cols(), n = to - from;
        float[] shift = new float[c], mul = new float[c];
        for (int k = 0; k < c; k++) {
            double sum = 0, sq = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (int r = from; r < to; r++) {
                double v = s.at(r, k);
                sum += v;
                sq += v * v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (minmax) {
                shift[k] = (float) min;
                mul[k] = (float) (max > min ? 1.0 / (max - min) : 1.0);
            } else {
                double mean = sum / n, var = Math.max(0, sq / n - mean * mean);
                shift[k] = (float) mean;
                mul[k] = (float) (var > 1e-12 ? 1.0 / Math.sqrt(var) : 1.0);
            }
        }
        return new float[][] {shift, mul};
    }

    /** Applies {@code (v - shift[c]) * mul[c]} to every value of the series, in place. */
    public static void normalize(Series s, float[] shift, float[] mul) {
        float[] v = s.values();
        for (int r = 0; r < s.rows(); r++) {
            for (int k = 0; k < s.cols(); k++) v[r * s.cols() + k] = (v[r * s.cols() + k] - shift[k]) * mul[k];
        }
    }
}
