package dev.ann.runtime.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ann.kernels.Metrics;
import java.util.List;
import java.util.Map;

/**
 * Metrics of a model on one split, as the kernels' {@link Metrics} computes
 * them (classification: accuracy with its standard error and 95% interval,
 * per-class and macro precision, recall and F1, the confusion matrix;
 * regression: MSE, MAE, R²), with their JSON and text forms.
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

    /** Classification: the kernels' confusion matrix and rates; null for regression. */
    public final Metrics.Classes classes;

    private Evaluation(boolean classification, int n, double loss, List<String> names, Metrics.Classes classes,
                       double mse, double mae, double r2, float[] truth, float[] pred) {
        this.classification = classification;
        this.n = n;
        this.loss = loss;
        this.classNames = names;
        this.classes = classes;
        this.confusion = classes == null ? null : classes.confusion;
        this.mse = mse;
        this.mae = mae;
        this.r2 = r2;
        this.truth = truth;
        this.pred = pred;
    }

    public static Evaluation classification(int n, double loss, List<String> names, int[] truth, int[] pred) {
        return new Evaluation(true, n, loss, names, Metrics.Classes.of(n, loss, names.size(), truth, pred), Double.NaN, Double.NaN, Double.NaN,
                null, null);
    }

    public static Evaluation regression(int n, double loss, float[] truth, float[] pred) {
        Metrics.Regression r = Metrics.Regression.of(n, loss, truth, pred);
        return new Evaluation(false, n, loss, List.of(), null, r.mse(), r.mae(), r.r2(), truth, pred);
    }

    public long correct() { return classes.correct(); }

    public double accuracy() { return classes.accuracy(); }

    public double standardError() { return classes.standardError(); }

    public double[] ci95() { return classes.ci95(); }

    public double precision(int c) { return classes.precision(c); }

    public double recall(int c) { return classes.recall(c); }

    public double f1(int c) { return classes.f1(c); }

    public long support(int c) { return classes.support(c); }

    public String className(int c) {
        return c < classNames.size() ? classNames.get(c) : String.valueOf(c);
    }

    /** Every metric by name ({@link Metrics#CLASSIFICATION} or {@link Metrics#REGRESSION}). */
    public Map<String, Double> metrics() {
        return classification ? classes.asMap() : new Metrics.Regression(n, loss, mse, mae, r2).asMap();
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
