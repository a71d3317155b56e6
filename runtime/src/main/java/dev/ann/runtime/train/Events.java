package dev.ann.runtime.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.ann.plan.Plan;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code ann train --events json}: what the run does, as one JSON object a
 * line, for editors (the language server forwards them; docs/editors.md
 * describes every field). Events, in order: {@code start}, then per epoch
 * some throttled {@code batch} events and one {@code epoch}, then {@code end}
 * (with the test results) or {@code interrupted}; {@code error} when the run
 * cannot start or fails. Numbers that are not finite are written as null, so
 * that every line is strict JSON.
 */
public final class Events {
    /** Bumped when a field changes meaning or goes away (new fields may come at any time). */
    public static final int FORMAT_VERSION = 1;
    /** At most this many (true, predicted) pairs go into a regression's {@code end} event. */
    static final int MAX_POINTS = 2000;

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private final PrintStream out;

    public Events(PrintStream out) {
        this.out = out;
    }

    private synchronized void emit(String event, JsonObject body) {
        JsonObject o = new JsonObject();
        o.addProperty("event", event);
        for (var e : body.entrySet()) o.add(e.getKey(), finite(e.getValue()));
        out.println(GSON.toJson(o));
        out.flush();
    }

    /** The same tree with every NaN or infinite number replaced by null. */
    static JsonElement finite(JsonElement e) {
        if (e instanceof JsonPrimitive p && p.isNumber()) {
            double d = p.getAsDouble();
            return Double.isFinite(d) ? p : JsonNull.INSTANCE;
        }
        if (e instanceof JsonObject o) {
            JsonObject c = new JsonObject();
            for (var x : o.entrySet()) c.add(x.getKey(), finite(x.getValue()));
            return c;
        }
        if (e instanceof JsonArray a) {
            JsonArray c = new JsonArray();
            for (JsonElement x : a) c.add(finite(x));
            return c;
        }
        return e;
    }

    private static JsonObject row(Map<String, Double> row) {
        JsonObject o = new JsonObject();
        for (var e : row.entrySet()) {
            if (e.getKey().equals("epoch")) o.addProperty("epoch", e.getValue().intValue());
            else o.addProperty(e.getKey(), e.getValue());
        }
        return o;
    }

    /** The run begins (after the data is loaded); {@code history}: the epochs a resumed run already has. */
    void start(Plan plan, Path runDir, int epochs, int batches, int trainN, Integer valN, Integer testN,
               List<String> classNames, String device, long seed, long parameters, List<Map<String, Double>> history) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT_VERSION);
        o.addProperty("train", plan.train());
        o.addProperty("network", plan.network());
        o.addProperty("file", plan.file());
        o.addProperty("profile", plan.profile());
        o.addProperty("task", plan.task().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("run_dir", runDir.toAbsolutePath().normalize().toString());
        o.addProperty("epochs", epochs);
        o.addProperty("batches", batches);
        o.addProperty("batch_size", plan.loop().batch());
        o.addProperty("train_samples", trainN);
        o.addProperty("validation_samples", valN);
        o.addProperty("test_samples", testN);
        JsonArray metrics = new JsonArray();
        plan.metrics().forEach(metrics::add);
        o.add("metrics", metrics);
        JsonArray classes = new JsonArray();
        if (plan.task() != Plan.Task.REGRESSION && classNames != null) classNames.forEach(classes::add);
        o.add("classes", classes);
        o.addProperty("loss", plan.loss().kind());
        o.addProperty("optimizer", plan.optimizer().kind());
        o.addProperty("schedule", plan.schedule() == null ? null : plan.schedule().kind());
        o.addProperty("device", device);
        o.addProperty("seed", seed);
        o.addProperty("parameters", parameters);
        JsonArray h = new JsonArray();
        for (var r : history) h.add(row(r));
        o.add("history", h);
        emit("start", o);
    }

    void batch(int epoch, int epochs, int batch, int batches, long samples, double loss, double samplesPerSecond,
               double lr, double epochEtaSeconds, double elapsedSeconds, double etaSeconds) {
        JsonObject o = new JsonObject();
        o.addProperty("epoch", epoch);
        o.addProperty("epochs", epochs);
        o.addProperty("batch", batch);
        o.addProperty("batches", batches);
        o.addProperty("samples", samples);
        o.addProperty("loss", loss);
        o.addProperty("samples_per_s", samplesPerSecond);
        o.addProperty("lr", lr);
        o.addProperty("epoch_eta_s", epochEtaSeconds);
        o.addProperty("elapsed_s", elapsedSeconds);
        o.addProperty("eta_s", etaSeconds);
        emit("batch", o);
    }

    /** One epoch's row of metrics.csv, the line the terminal shows for it, elapsed time and ETA of the run. */
    void epoch(int epochs, Map<String, Double> row, String line, double elapsedSeconds, double etaSeconds) {
        JsonObject o = new JsonObject();
        o.addProperty("epochs", epochs);
        o.add("metrics", row(row));
        o.addProperty("line", line);
        o.addProperty("elapsed_s", elapsedSeconds);
        o.addProperty("eta_s", etaSeconds);
        emit("epoch", o);
    }

    /** The run finished: summary.json's content, the report, and for regression (true, predicted) pairs. */
    void end(Trainer.Result r, Plan plan) {
        JsonObject o = new JsonObject();
        o.addProperty("run_dir", r.runDir().toAbsolutePath().normalize().toString());
        o.addProperty("report", r.runDir().resolve("report.md").toAbsolutePath().normalize().toString());
        o.add("summary", Report.summary(r, plan));
        if (r.test() != null && !r.test().classification && r.test().truth != null) {
            float[] t = r.test().truth, p = r.test().pred;
            int step = Math.max(1, (t.length + MAX_POINTS - 1) / MAX_POINTS);
            JsonArray pts = new JsonArray();
            for (int i = 0; i < t.length; i += step) {
                JsonArray pt = new JsonArray();
                pt.add(t[i]);
                pt.add(p[i]);
                pts.add(pt);
            }
            o.add("points", pts);
            o.addProperty("points_of", t.length);
        }
        emit("end", o);
    }

    /** Ctrl-C (SIGINT): the checkpoint to resume from. */
    void interrupted(int epoch, int batch, Path checkpoint, Path runDir) {
        JsonObject o = new JsonObject();
        o.addProperty("epoch", epoch);
        o.addProperty("batch", batch);
        o.addProperty("checkpoint", checkpoint.toAbsolutePath().normalize().toString());
        o.addProperty("run_dir", runDir.toAbsolutePath().normalize().toString());
        emit("interrupted", o);
    }

    /**
     * The run could not start or failed: the message the terminal shows, the
     * exit code, and for errors in the .ann file the diagnostics (as
     * {@code ann check --format json} writes them: file, line, column, code...).
     */
    public void error(String message, int exitCode, JsonArray diagnostics) {
        JsonObject o = new JsonObject();
        o.addProperty("message", message);
        o.addProperty("exit_code", exitCode);
        o.add("diagnostics", diagnostics == null ? new JsonArray() : diagnostics);
        emit("error", o);
    }
}
