package dev.ann.runtime.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics of a model on one split. Classification: accuracy as a rate over n
 * samples with its standard error sqrt(p(1-p)/n) and the normal 95% interval
 * p ± 1.96·SE (clipped to [0, 1]); per-class precision, recall and F1; their
 * macro averages; the confusion matrix (rows: true class, columns: predicted).
 * Regression: MSE, MAE and R² = 1 - SSE/SST over all target values.
 */
public final class Evaluation {
    public final boolean classification;
    public final int n;
    public final double loss;
    public final List<String> classNames;
    public final long[][] confusion;
    public final double mse, mae, r2;
    /** Regression: every true and predicted value (n times the outputs), for a scatter plot; null for classification. */
    final float[] truth, pred;

    private Evaluation(boolean classification, int n, double loss, List<String> names, long[][] confusion,
                       double mse, double mae, double r2, float[] truth, float[] pred) {
        this.classification = classification;
        this.n = n;
        this.loss = loss;
        this.classNames = names;
        this.confusion = confusion;
        this.mse = mse;
        this.mae = mae;
        this.r2 = r2;
        this.truth = truth;
        this.pred = pred;
    }

    public static Evaluation classification(int n, double loss, List<String> names, int[] truth, int[] pred) {
        int k = names.size();
        for (int i = 0; i < n; i++) k = Math.max(k, Math.max(truth[i], pred[i]) + 1);
        long[][] cm = new long[k][k];
        for (int i = 0; i < n; i++) cm[truth[i]][pred[i]]++;
        return new Evaluation(true, n, loss, names, cm, Double.NaN, Double.NaN, Double.NaN, null, null);
    }

    public static Evaluation regression(int n, double loss, float[] truth, float[] pred) {
        double se = 0, ae = 0, mean = 0;
        for (float t : truth) mean += t;
        mean /= truth.length;
        double sst = 0;
        for (int i = 0; i < truth.length; i++) {
            double d = pred[i] - truth[i];
            se += d * d;
            ae += Math.abs(d);
            sst += (truth[i] - mean) * (truth[i] - mean);
        }
        return new Evaluation(false, n, loss, List.of(), null, se / truth.length, ae / truth.length,
                sst > 0 ? 1 - se / sst : Double.NaN, truth, pred);
    }

    public long correct() {
        long c = 0;
        for (int i = 0; i < confusion.length; i++) c += confusion[i][i];
        return c;
    }

    public double accuracy() { return n == 0 ? Double.NaN : (double) correct() / n; }

    public double standardError() {
        double p = accuracy();
        return Math.sqrt(p * (1 - p) / n);
    }

    public double[] ci95() {
        double p = accuracy(), se = standardError();
        return new double[] {Math.max(0, p - 1.96 * se), Math.min(1, p + 1.96 * se)};
    }

    public double precision(int c) {
        long tp = confusion[c][c], col = 0;
        for (long[] row : confusion) col += row[c];
        return col == 0 ? 0 : (double) tp / col;
    }

    public double recall(int c) {
        long tp = confusion[c][c], row = 0;
        for (long v : confusion[c]) row += v;
        return row == 0 ? 0 : (double) tp / row;
    }

    public double f1(int c) {
        double p = precision(c), r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public long support(int c) {
        long row = 0;
        for (long v : confusion[c]) row += v;
        return row;
    }

    private double macro(java.util.function.IntToDoubleFunction f) {
        double s = 0;
        for (int c = 0; c < confusion.length; c++) s += f.applyAsDouble(c);
        return s / confusion.length;
    }

    public String className(int c) {
        return c < classNames.size() ? classNames.get(c) : String.valueOf(c);
    }

    /** Every metric by name: loss, accuracy, precision, recall, f1 (macro) or loss, mse, mae, r2. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        if (classification) {
            m.put("accuracy", accuracy());
            m.put("precision", macro(this::precision));
            m.put("recall", macro(this::recall));
            m.put("f1", macro(this::f1));
        } else {
            m.put("mse", mse);
            m.put("mae", mae);
            m.put("r2", r2);
        }
        return m;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("n", n);
        for (var e : metrics().entrySet()) o.addProperty(e.getKey(), round(e.getValue()));
        if (classification) {
            o.addProperty("accuracy_se", round(standardError()));
            JsonArray ci = new JsonArray();
            ci.add(round(ci95()[0]));
            ci.add(round(ci95()[1]));
            o.add("accuracy_ci95", ci);
            JsonArray per = new JsonArray();
            for (int c = 0; c < confusion.length; c++) {
                JsonObject pc = new JsonObject();
                pc.addProperty("class", className(c));
                pc.addProperty("precision", round(precision(c)));
                pc.addProperty("recall", round(recall(c)));
                pc.addProperty("f1", round(f1(c)));
                pc.addProperty("support", support(c));
                per.add(pc);
            }
            o.add("per_class", per);
            JsonArray cm = new JsonArray();
            for (long[] row : confusion) {
                JsonArray r = new JsonArray();
                for (long v : row) r.add(v);
                cm.add(r);
            }
            o.add("confusion", cm);
        }
        return o;
    }

    static double round(double v) {
        if (!Double.isFinite(v)) return v;
        return Math.round(v * 1e6) / 1e6;
    }

    /** Human-readable text: the headline, per-class table, confusion matrix. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        if (classification) {
            double[] ci = ci95();
            sb.append(String.format("accuracy %.2f%% ± %.2f%% (SE) over n = %d; 95%% interval %.2f%%..%.2f%%; loss %.4f%n",
                    100 * accuracy(), 100 * standardError(), n, 100 * ci[0], 100 * ci[1], loss));
            int w = 5;
            for (int c = 0; c < confusion.length; c++) w = Math.max(w, className(c).length());
            sb.append(String.format("%n%-" + w + "s  precision  recall      f1  support%n", "class"));
            for (int c = 0; c < confusion.length; c++) {
                sb.append(String.format("%-" + w + "s  %9.3f  %6.3f  %6.3f  %7d%n", className(c), precision(c), recall(c), f1(c), support(c)));
            }
            sb.append(String.format("%-" + w + "s  %9.3f  %6.3f  %6.3f  %7d%n", "macro", metrics().get("precision"), metrics().get("recall"), metrics().get("f1"), n));
            sb.append(String.format("%nconfusion matrix (rows: true class, columns: predicted)%n"));
            int cw = 4;
            for (long[] row : confusion) for (long v : row) cw = Math.max(cw, String.valueOf(v).length());
            sb.append(String.format("%-" + w + "s", ""));
            for (int c = 0; c < confusion.length; c++) sb.append(String.format(" %" + cw + "s", shortName(c, cw)));
            sb.append('\n');
            for (int r = 0; r < confusion.length; r++) {
                sb.append(String.format("%-" + w + "s", className(r)));
                for (long v : confusion[r]) sb.append(String.format(" %" + cw + "d", v));
                sb.append('\n');
            }
        } else {
            sb.append(String.format("MSE %.6g, MAE %.6g, R² %.4f over n = %d%n", mse, mae, r2, n));
        }
        return sb.toString();
    }

    private String shortName(int c, int w) {
        String s = className(c);
        return s.length() <= w ? s : s.substring(0, w);
    }
}
