package dev.ann.kernels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a model is measured on a split, and which epoch is the best.
 *
 * <p>Classification: the predicted class is the output's arg max, or for one
 * sigmoid output whether it is above the threshold; accuracy is a rate over n
 * samples with its standard error sqrt(p(1-p)/n) and the normal 95% interval
 * p ± 1.96·SE clipped to [0, 1]; per class precision, recall and F1 from the
 * confusion matrix (rows: true class, columns: predicted), and their macro
 * averages. Regression: MSE, MAE and R² = 1 - SSE/SST over all target values.
 */
public final class Metrics {
    private Metrics() {}

    /** The metrics of a classifier, in the order and under the names reports and checkpoints use. */
    public static final List<String> CLASSIFICATION = List.of("loss", "accuracy", "precision", "recall", "f1");
    /** The metrics of a regression. */
    public static final List<String> REGRESSION = List.of("loss", "mse", "mae", "r2");

    // ---- predictions -----------------------------------------------------------------------

    /**
     * The threshold on a binary output: 0 on logits (the sigmoid fused into
     * the loss), 0.5 on probabilities.
     */
    public static double threshold(Network net) {
        return net.fusion() == Network.OutputFusion.SIGMOID ? 0.0 : 0.5;
    }

    /** The predicted class of each row of {@code out} into {@code dst} from {@code off}: 0/1 against the threshold when binary, else the arg max. */
    public static void predict(INDArray out, boolean binary, double threshold, int[] dst, int off) {
        int n = (int) out.size(0);
        if (binary) {
            float[] v = out.data().asFloat();
            int w = (int) out.size(1);
            for (int i = 0; i < n; i++) dst[off + i] = v[i * w] > threshold ? 1 : 0;
        } else {
            System.arraycopy(out.argMax(1).toIntVector(), 0, dst, off, n);
        }
    }

    /** How many rows of {@code out} predict the class that the target rows {@code y} (one-hot, or 0/1 when binary) hold. */
    public static long correct(INDArray out, INDArray y, boolean binary, double threshold) {
        long c = 0;
        if (binary) {
            float[] o = out.data().asFloat(), t = y.data().asFloat();
            int w = (int) out.size(1);
            for (int i = 0; i < out.size(0); i++) if ((o[i * w] > threshold ? 1f : 0f) == t[i * w]) c++;
            return c;
        }
        // equal where the target's arg max is the output's (the first of equal maxima, as ND4J's argMax);
        // one pass over the [n, k] rows of plain arrays instead of two argMax ops and their copies
        if (out.rank() == 2 && y.rank() == 2 && out.ordering() == 'c' && y.ordering() == 'c' && out.length() == y.length()
                && out.length() <= Integer.MAX_VALUE && !out.isView() && !y.isView()) {
            float[] o = out.data().asFloat(), t = y.data().asFloat();
            int k = (int) out.size(1);
            for (int r = 0; r + k <= out.length(); r += k) {
                int ia = r, ib = r;
                for (int j = r + 1; j < r + k; j++) {
                    if (o[j] > o[ia]) ia = j;
                    if (t[j] > t[ib]) ib = j;
                }
                if (ia == ib) c++;
            }
            return c;
        }
        int[] a = out.argMax(1).toIntVector(), b = y.argMax(1).toIntVector();
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) c++;
        return c;
    }

    // ---- classification --------------------------------------------------------------------

    /** A classifier's results on n samples: the mean loss, the confusion matrix and the rates read from it. */
    public static final class Classes {
        public final int n;
        public final double loss;
        /** rows: true class, columns: predicted */
        public final long[][] confusion;

        public Classes(int n, double loss, long[][] confusion) {
            this.n = n;
            this.loss = loss;
            this.confusion = confusion;
        }

        /** Counts the pairs (truth, predicted) of {@code n} samples; at least {@code classes} classes, more when a label or prediction is larger. */
        public static Classes of(int n, double loss, int classes, int[] truth, int[] predicted) {
            int k = classes;
            for (int i = 0; i < n; i++) k = Math.max(k, Math.max(truth[i], predicted[i]) + 1);
            long[][] cm = new long[k][k];
            for (int i = 0; i < n; i++) cm[truth[i]][predicted[i]]++;
            return new Classes(n, loss, cm);
        }

        public int classes() {
            return confusion.length;
        }

        public long correct() {
            long c = 0;
            for (int i = 0; i < confusion.length; i++) c += confusion[i][i];
            return c;
        }

        public double accuracy() {
            return n == 0 ? Double.NaN : (double) correct() / n;
        }

        public double standardError() {
            double p = accuracy();
            return Math.sqrt(p * (1 - p) / n);
        }

        /** The normal 95% interval of the accuracy, clipped to [0, 1]. */
        public double[] ci95() {
            double p = accuracy(), se = standardError();
            return new double[] {Math.max(0, p - 1.96 * se), Math.min(1, p + 1.96 * se)};
        }

        /** Samples of class {@code c}. */
        public long support(int c) {
            long row = 0;
            for (long v : confusion[c]) row += v;
            return row;
        }

        public double precision(int c) {
            long col = 0;
            for (long[] row : confusion) col += row[c];
            return col == 0 ? 0 : (double) confusion[c][c] / col;
        }

        public double recall(int c) {
            long row = support(c);
            return row == 0 ? 0 : (double) confusion[c][c] / row;
        }

        public double f1(int c) {
            double p = precision(c), r = recall(c);
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        public double macroPrecision() {
            double s = 0;
            for (int c = 0; c < confusion.length; c++) s += precision(c);
            return s / confusion.length;
        }

        public double macroRecall() {
            double s = 0;
            for (int c = 0; c < confusion.length; c++) s += recall(c);
            return s / confusion.length;
        }

        public double macroF1() {
            double s = 0;
            for (int c = 0; c < confusion.length; c++) s += f1(c);
            return s / confusion.length;
        }

        /** {@link #CLASSIFICATION} by name. */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("loss", loss);
            m.put("accuracy", accuracy());
            m.put("precision", macroPrecision());
            m.put("recall", macroRecall());
            m.put("f1", macroF1());
            return m;
        }
    }

    // ---- regression ------------------------------------------------------------------------

    /** A regression's results: the mean loss over n samples, the errors over all target values (n samples times the outputs). */
    public record Regression(int n, double loss, double mse, double mae, double r2) {
        public static Regression of(int n, double loss, float[] truth, float[] predicted) {
            double se = 0, ae = 0, mean = 0, sst = 0;
            for (float t : truth) mean += t;
            mean /= truth.length;
            for (int i = 0; i < truth.length; i++) {
                double d = predicted[i] - truth[i];
                se += d * d;
                ae += Math.abs(d);
                sst += (truth[i] - mean) * (truth[i] - mean);
            }
            return new Regression(n, loss, se / truth.length, ae / truth.length, sst > 0 ? 1 - se / sst : Double.NaN);
        }

        /** {@link #REGRESSION} by name. */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("loss", loss);
            m.put("mse", mse);
            m.put("mae", mae);
            m.put("r2", r2);
            return m;
        }
    }

    // ---- the best epoch --------------------------------------------------------------------

    /**
     * Whether {@code value} improves on {@code best} (null: nothing yet) by
     * more than {@code minDelta}, upwards when {@code max}, else downwards.
     * The best epoch ({@code keep best}, or the early-stopping monitor) uses
     * {@code minDelta} 0; early stopping uses its {@code min_delta}.
     */
    public static boolean improves(double value, Double best, boolean max, double minDelta) {
        return best == null || (max ? value > best + minDelta : value < best - minDelta);
    }
}
