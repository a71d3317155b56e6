package dev.ann.runtime.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/** The run folder: metrics.csv, summary.json, curves.png, report.md. */
public final class Report {
    private Report() {}

    static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    static void atomicWrite(Path file, byte[] data) {
        try {
            AtomicFile.write(file, false, data);
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, file + ": cannot write: " + e.getMessage(), e);
        }
    }

    static void writeHistory(Path dir, List<Map<String, Double>> history, boolean plot) {
        Set<String> cols = new LinkedHashSet<>();
        for (var r : history) cols.addAll(r.keySet());
        StringBuilder sb = new StringBuilder(String.join(",", cols)).append('\n');
        for (var r : history) {
            List<String> v = new ArrayList<>();
            for (String c : cols) {
                Double d = r.get(c);
                v.add(d == null ? "" : c.equals("epoch") ? String.valueOf(d.intValue()) : String.format(java.util.Locale.ROOT, "%.6g", d));
            }
            sb.append(String.join(",", v)).append('\n');
        }
        atomicWrite(dir.resolve("metrics.csv"), sb.toString().getBytes(StandardCharsets.UTF_8));
        if (plot && !history.isEmpty()) plot(dir.resolve("curves.png"), history);
    }

    /** The best epoch (from 1) and the metric that chose it. */
    record Best(int epoch, String metric) {}

    /**
     * The epoch that {@code keep best(...)} kept, or else the one with the
     * lowest validation loss (training loss without a validation split), as
     * Keras reports it; null before the first epoch ends.
     */
    static Best best(Trainer.Result r) {
        if (r.bestEpoch() > 0) return new Best(r.bestEpoch(), r.bestMetric());
        List<Map<String, Double>> h = r.history();
        if (h == null || h.isEmpty()) return null;
        String metric = h.get(0).containsKey("val_loss") ? "val_loss" : "train_loss";
        int at = -1;
        for (int e = 0; e < h.size(); e++) {
            Double v = h.get(e).get(metric);
            if (v != null && !v.isNaN() && (at < 0 || v < h.get(at).get(metric))) at = e;
        }
        return at < 0 ? null : new Best(at + 1, metric);
    }

    /** A run stopped by a signal: summary.json and report.md as far as it got (no test evaluation); the log has its line already. */
    static void writeStopped(Trainer.Result r, Plan plan) {
        write(r, plan, null);
    }

    /** summary.json: the run's settings, figures and results on the evaluated split. */
    static JsonObject summary(Trainer.Result r, Plan plan) {
        JsonObject s = new JsonObject();
        s.addProperty("train", plan.train());
        s.addProperty("network", plan.network());
        s.addProperty("file", plan.file());
        s.addProperty("profile", plan.profile());
        s.addProperty("task", plan.task().name().toLowerCase(java.util.Locale.ROOT));
        s.addProperty("epochs_run", r.epochsRun());
        if (r.interrupted()) s.addProperty("interrupted", true);
        Best best = best(r);
        if (best != null) {
            s.addProperty("best_epoch", best.epoch());
            s.addProperty("best_metric", best.metric());
        }
        s.addProperty("wall_s", Evaluation.round(r.wallSeconds()));
        s.addProperty("samples_per_s", Math.round(r.samplesPerSecond()));
        s.addProperty("device", r.device());
        s.addProperty("seed", r.seed());
        s.addProperty("plan_hash", plan.architectureHash());
        s.addProperty("parameters", r.net().trainableCount());
        s.addProperty("evaluated_on", r.testSplit());
        if (r.test() != null) s.add(r.testSplit(), r.test().toJson());
        return s;
    }

    static void write(Trainer.Result r, Plan plan, PrintStream log) {
        Best best = best(r);
        atomicWrite(r.runDir().resolve("summary.json"), GSON.toJson(summary(r, plan)).getBytes(StandardCharsets.UTF_8));

        StringBuilder md = new StringBuilder();
        md.append("# ").append(plan.train()).append(" (").append(plan.network()).append(")\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| file | `").append(plan.file()).append("`").append(plan.profile() != null ? " (profile " + plan.profile() + ")" : "").append(" |\n");
        if (r.interrupted()) md.append("| state | stopped during epoch ").append(r.epochsRun() + 1).append("; continue with `--resume` |\n");
        md.append("| epochs run | ").append(r.epochsRun()).append(best != null ? " (best: " + best.epoch() + " by " + best.metric() + ")" : "").append(" |\n");
        md.append(String.format("| wall time | %.1f s |%n", r.wallSeconds()));
        md.append(String.format("| throughput | %,.0f samples/s (training) |%n", r.samplesPerSecond()));
        md.append("| device | ").append(r.device()).append(" |\n");
        md.append("| seed | ").append(r.seed()).append(" |\n");
        md.append("| parameters | ").append(String.format("%,d", r.net().trainableCount())).append(" |\n");
        md.append("| plan hash | ").append(plan.architectureHash()).append(" |\n\n");
        if (r.test() != null) {
            md.append("## Results on the ").append(r.testSplit()).append(" split\n\n```\n").append(r.test().text()).append("```\n\n");
        }
        md.append("![loss and accuracy](curves.png)\n\nPer-epoch figures: `metrics.csv`; machine-readable summary: `summary.json`.\n");
        atomicWrite(r.runDir().resolve("report.md"), md.toString().getBytes(StandardCharsets.UTF_8));
        if (log == null) return;
        if (r.test() != null) {
            log.println();
            log.println("== " + r.testSplit() + " (" + r.test().n + " samples)");
            log.print(r.test().text());
        }
        log.printf("wall time %.1f s, %,.0f samples/s; run folder %s%n", r.wallSeconds(), r.samplesPerSecond(), r.runDir());
    }

    /** repeat K: each metric as mean ± standard deviation over the runs. */
    static void writeRepeat(Path base, Plan plan, List<Trainer.Result> rs, PrintStream log) {
        Map<String, List<Double>> vals = new LinkedHashMap<>();
        for (var r : rs) {
            if (r.test() == null) continue;
            for (var e : r.test().metrics().entrySet()) vals.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
            vals.computeIfAbsent("wall_s", k -> new ArrayList<>()).add(r.wallSeconds());
        }
        JsonObject s = new JsonObject();
        s.addProperty("train", plan.train());
        s.addProperty("repeat", rs.size());
        StringBuilder md = new StringBuilder("# " + plan.train() + ": " + rs.size() + " runs (seeds " + rs.get(0).seed() + ".."
                + rs.get(rs.size() - 1).seed() + ")\n\n| metric | mean ± sd | runs |\n|---|---|---|\n");
        log.printf("%n== over %d seeds (%s split)%n", rs.size(), rs.get(0).testSplit());
        for (var e : vals.entrySet()) {
            double m = e.getValue().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double sd = Math.sqrt(e.getValue().stream().mapToDouble(v -> (v - m) * (v - m)).sum() / Math.max(1, e.getValue().size() - 1));
            JsonObject o = new JsonObject();
            o.addProperty("mean", Evaluation.round(m));
            o.addProperty("sd", Evaluation.round(sd));
            s.add(e.getKey(), o);
            md.append("| ").append(e.getKey()).append(" | ").append(String.format("%.4f ± %.4f", m, sd)).append(" | ").append(e.getValue()).append(" |\n");
            log.printf("%-10s %.4f ± %.4f%n", e.getKey(), m, sd);
        }
        atomicWrite(base.resolve("summary.json"), GSON.toJson(s).getBytes(StandardCharsets.UTF_8));
        atomicWrite(base.resolve("report.md"), md.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Two panels: losses, then accuracy (or MAE / R² for regression), per epoch. */
    static void plot(Path file, List<Map<String, Double>> h) {
        System.setProperty("java.awt.headless", "true");
        int w = 900, hh = 360;
        BufferedImage img = new BufferedImage(w, hh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, hh);
        panel(g, h, 0, 0, w / 2, hh, "loss", List.of("train_loss", "val_loss"));
        List<String> right = h.get(0).containsKey("train_accuracy") || h.get(0).containsKey("val_accuracy")
                ? List.of("train_accuracy", "val_accuracy") : List.of("val_mae", "val_r2");
        panel(g, h, w / 2, 0, w / 2, hh, right.get(0).contains("accuracy") ? "accuracy" : "validation MAE / R²", right);
        g.dispose();
        try {
            java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
            // encoded in memory: ImageIO's default file cache registers a shutdown hook, which fails (and so
            // failed the plot) when the run is stopped by Ctrl-C, inside the JVM's shutdown
            try (var ios = new javax.imageio.stream.MemoryCacheImageOutputStream(bo)) {
                if (!ImageIO.write(img, "png", ios)) throw new IOException("no PNG writer");
            }
            atomicWrite(file, bo.toByteArray());
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, file + ": cannot write the plot: " + e.getMessage(), e);
        }
    }

    private static void panel(Graphics2D g, List<Map<String, Double>> h, int x0, int y0, int w, int hh, String title, List<String> keys) {
        int l = x0 + 60, r = x0 + w - 20, t = y0 + 35, b = y0 + hh - 40;
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (var row : h) for (String k : keys) {
            Double v = row.get(k);
            if (v != null && Double.isFinite(v)) { min = Math.min(min, v); max = Math.max(max, v); }
        }
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, l, y0 + 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(l, t, r - l, b - t);
        if (min > max) return;
        if (max - min < 1e-12) { max += 0.5; min -= 0.5; }
        double pad = (max - min) * 0.05;
        min -= pad;
        max += pad;
        int n = h.size();
        for (int i = 0; i <= 4; i++) {
            double v = min + (max - min) * i / 4;
            int y = (int) (b - (b - t) * (v - min) / (max - min));
            g.setColor(new Color(230, 230, 230));
            g.drawLine(l + 1, y, r - 1, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.3g", v), x0 + 5, y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(l, t, r - l, b - t); // again, over the grid lines at the top and bottom
        g.drawString("epoch", (l + r) / 2 - 15, b + 30);
        for (int i = 0; i < n; i++) {
            if (n <= 20 || i % Math.max(1, n / 10) == 0 || i == n - 1) {
                int x = n == 1 ? (l + r) / 2 : l + (r - l) * i / (n - 1);
                g.drawString(String.valueOf(i + 1), x - 4, b + 14);
            }
        }
        Color[] colors = {new Color(31, 119, 180), new Color(255, 127, 14)};
        g.setStroke(new BasicStroke(2f));
        for (int k = 0; k < keys.size(); k++) {
            g.setColor(colors[k % 2]);
            int px = -1, py = -1;
            for (int i = 0; i < n; i++) {
                Double v = h.get(i).get(keys.get(k));
                if (v == null || !Double.isFinite(v)) continue;
                int x = n == 1 ? (l + r) / 2 : l + (r - l) * i / (n - 1);
                int y = (int) (b - (b - t) * (v - min) / (max - min));
                if (px >= 0) g.drawLine(px, py, x, y);
                g.fillOval(x - 3, y - 3, 6, 6);
                px = x;
                py = y;
            }
        }
        // the legend sits in the title row, right-aligned, so that it never covers a curve
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        int lx = r;
        for (int k = keys.size() - 1; k >= 0; k--) {
            lx -= g.getFontMetrics().stringWidth(keys.get(k));
            g.setColor(Color.DARK_GRAY);
            g.drawString(keys.get(k), lx, y0 + 20);
            g.setColor(colors[k % 2]);
            g.drawLine(lx - 22, y0 + 16, lx - 6, y0 + 16);
            lx -= 34;
        }
    }
}
