package dev.ann.runtime.train;

import java.io.PrintStream;
import java.util.Map;

/** On a terminal a progress bar per epoch; otherwise one plain line per epoch. */
final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private int epoch, epochs, batches;
    private long lastDraw;

    Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void startEpoch(int epoch, int epochs, int batches) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.batches = batches;
        lastDraw = 0;
    }

    void batch(int b, long seen, double loss, long nanos, long samplesThisRun) {
        if (!terminal) return;
        long now = System.nanoTime();
        if (b < batches && now - lastDraw < 200_000_000L) return;
        lastDraw = now;
        double secs = nanos / 1e9;
        double sps = samplesThisRun / Math.max(1e-9, secs);
        double eta = b == 0 ? 0 : secs / b * (batches - b);
        int width = 24, fill = (int) Math.round((double) width * b / batches);
        String bar = "=".repeat(Math.max(0, fill - 1)) + (fill > 0 ? (b == batches ? "=" : ">") : "") + " ".repeat(width - fill);
        out.printf("\r  epoch %d/%d [%s] %d/%d  %,.0f samples/s  loss %.4f  ETA %s   ", epoch, epochs, bar, b, batches, sps, loss, time(eta));
        out.flush();
    }

    void endEpoch(Map<String, Double> row) {
        if (terminal) out.print("\r" + " ".repeat(100) + "\r");
        StringBuilder sb = new StringBuilder(String.format("epoch %d/%d", epoch, epochs));
        for (var e : row.entrySet()) {
            String k = e.getKey();
            if (k.equals("epoch") || k.equals("seconds") || k.equals("samples_per_s") || k.equals("lr")) continue;
            double v = e.getValue();
            sb.append("  ").append(k).append(' ').append(k.contains("accuracy") ? String.format("%.2f%%", 100 * v) : String.format("%.4f", v));
        }
        sb.append(String.format("  %s  %,.0f samples/s", time(row.get("seconds")), row.get("samples_per_s")));
        out.println(sb);
        out.flush();
    }

    static String time(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String.format("%d:%02d", t / 60, t % 60);
    }
}
