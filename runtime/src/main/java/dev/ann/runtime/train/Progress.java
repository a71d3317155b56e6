package dev.ann.runtime.train;

import java.io.PrintStream;
import java.util.Map;

/**
 * On a terminal a progress bar per epoch; otherwise one plain line per epoch.
 * With {@link Events} (ann train --events json) the same figures also go out
 * as {@code batch} and {@code epoch} events, throttled as the bar is redrawn.
 */
final class Progress {
    /** The bar is redrawn (and a batch event sent) at most this often, and at the end of each epoch. */
    static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final Events events;
    private final long started = System.nanoTime();
    private int epoch, epochs, batches;
    private long lastDraw;
    /** Epochs finished in this process and their wall time (training and validation): for the run's ETA. */
    private int epochsTimed;
    private double epochSeconds;
    private long epochStarted;

    Progress(PrintStream out, boolean terminal, Events events) {
        this.out = out;
        this.terminal = terminal;
        this.events = events;
    }

    void startEpoch(int epoch, int epochs, int batches) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.batches = batches;
        lastDraw = 0;
        epochStarted = System.nanoTime();
    }

    void batch(int b, long seen, double loss, long nanos, long samplesThisRun, double lr) {
        if (!terminal && events == null) return;
        long now = System.nanoTime();
        if (b < batches && now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        double secs = nanos / 1e9;
        double sps = samplesThisRun / Math.max(1e-9, secs);
        double eta = b == 0 ? 0 : secs / b * (batches - b);
        if (terminal) {
            int width = 24, fill = (int) Math.round((double) width * b / batches);
            String bar = "=".repeat(Math.max(0, fill - 1)) + (fill > 0 ? (b == batches ? "=" : ">") : "") + " ".repeat(width - fill);
            out.printf("\r  epoch %d/%d [%s] %d/%d  %,.0f samples/s  loss %.4f  ETA %s   ", epoch, epochs, bar, b, batches, sps, loss, time(eta));
            out.flush();
        }
        if (events != null) {
            double thisEpoch = b == 0 ? Double.NaN : (now - epochStarted) / 1e9 / b * batches;
            events.batch(epoch, epochs, b, batches, seen, loss, sps, lr, eta, elapsed(), eta + (epochs - epoch) * perEpoch(thisEpoch));
        }
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
        epochsTimed++;
        epochSeconds += (System.nanoTime() - epochStarted) / 1e9;
        if (events != null) events.epoch(epochs, row, sb.toString(), elapsed(), (epochs - epoch) * perEpoch(Double.NaN));
    }

    private double elapsed() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** Seconds an epoch takes: the mean of those finished here, else the estimate for the current one. */
    private double perEpoch(double estimate) {
        return epochsTimed > 0 ? epochSeconds / epochsTimed : estimate;
    }

    static String time(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String.format("%d:%02d", t / 60, t % 60);
    }
}
