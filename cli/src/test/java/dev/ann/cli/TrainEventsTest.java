package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ann train --events json}: the event stream editors read (docs/editors.md), against the real runtime. */
class TrainEventsTest {
    @TempDir Path tmp;

    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    /** Every line of standard output as a JSON object (fails on a line that is not one). */
    static List<JsonObject> events(String out) {
        List<JsonObject> list = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            JsonElement e = JsonParser.parseString(line);
            assertTrue(e.isJsonObject() && e.getAsJsonObject().has("event"), "not an event: " + line);
            list.add(e.getAsJsonObject());
        }
        return list;
    }

    static List<JsonObject> of(List<JsonObject> events, String kind) {
        return events.stream().filter(e -> e.get("event").getAsString().equals(kind)).toList();
    }

    Path copy(String... files) throws Exception {
        for (String f : files) Files.copy(EXAMPLES.resolve(f), tmp.resolve(f));
        return tmp.resolve(files[0]);
    }

    @Test
    void irisStreamsStartBatchesEpochsAndTheTestReport() throws Exception {
        Path ann = copy("iris.ann", "iris.csv");
        Path runDir = tmp.resolve("run");
        Run r = Run.of("train", ann.toString(), "--profile", "dev", "--out", runDir.toString(), "--events", "json");
        assertEquals(0, r.exit(), r.err());
        // the progress text moved to standard error; standard output is only events
        assertTrue(r.err().contains("epoch 5/5") && r.err().contains("== test (22 samples)"), r.err());
        List<JsonObject> ev = events(r.out());

        JsonObject start = ev.get(0);
        assertEquals("start", start.get("event").getAsString());
        assertEquals("IrisNet", start.get("train").getAsString());
        assertEquals("dev", start.get("profile").getAsString());
        assertEquals(5, start.get("epochs").getAsInt());
        assertEquals(7, start.get("batches").getAsInt(), "105 training samples in batches of 16");
        assertEquals("[\"setosa\",\"versicolor\",\"virginica\"]", start.get("classes").toString());
        assertEquals("[\"accuracy\",\"loss\"]", start.get("metrics").toString());
        assertEquals(runDir.toAbsolutePath().normalize().toString(), start.get("run_dir").getAsString());

        List<JsonObject> epochs = of(ev, "epoch");
        assertEquals(5, epochs.size());
        List<String> csv = Files.readAllLines(runDir.resolve("metrics.csv"));
        List<String> cols = List.of(csv.get(0).split(","));
        for (int i = 0; i < 5; i++) {
            JsonObject m = epochs.get(i).getAsJsonObject("metrics");
            assertEquals(i + 1, m.get("epoch").getAsInt());
            assertTrue(epochs.get(i).get("line").getAsString().startsWith("epoch " + (i + 1) + "/5  train_loss "));
            // the event's figures are metrics.csv's row
            String[] row = csv.get(i + 1).split(",");
            for (String k : List.of("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr")) {
                assertEquals(Double.parseDouble(row[cols.indexOf(k)]), m.get(k).getAsDouble(), 1e-5 * Math.max(1, Math.abs(m.get(k).getAsDouble())), k);
            }
        }
        // batches: within each epoch in order, the last one of every epoch is sent
        List<JsonObject> batches = of(ev, "batch");
        for (int e = 1; e <= 5; e++) {
            int epoch = e;
            List<Integer> bs = batches.stream().filter(b -> b.get("epoch").getAsInt() == epoch).map(b -> b.get("batch").getAsInt()).toList();
            assertFalse(bs.isEmpty(), "no batch event in epoch " + e);
            assertEquals(7, bs.get(bs.size() - 1));
            for (int i = 1; i < bs.size(); i++) assertTrue(bs.get(i) > bs.get(i - 1), bs.toString());
        }
        assertTrue(batches.stream().allMatch(b -> b.get("lr").getAsDouble() == 0.01 && b.get("eta_s").getAsDouble() >= 0));
        // an epoch's batches come before its epoch event
        assertTrue(ev.indexOf(batches.get(batches.size() - 1)) < ev.indexOf(epochs.get(4)));

        JsonObject end = ev.get(ev.size() - 1);
        assertEquals("end", end.get("event").getAsString());
        assertEquals(runDir.resolve("report.md").toAbsolutePath().normalize().toString(), end.get("report").getAsString());
        JsonObject summary = end.getAsJsonObject("summary");
        assertEquals(JsonParser.parseString(Files.readString(runDir.resolve("summary.json"))), summary, "the end event carries summary.json");
        JsonObject test = summary.getAsJsonObject("test");
        long total = 0;
        for (JsonElement row : test.getAsJsonArray("confusion")) for (JsonElement v : row.getAsJsonArray()) total += v.getAsLong();
        assertEquals(22, total);
        assertEquals(3, test.getAsJsonArray("per_class").size());
        assertEquals(2, test.getAsJsonArray("accuracy_ci95").size());
        assertFalse(end.has("points"), "points are for regression");
    }

    @Test
    void regressionEndsWithTrueAndPredictedPairs() throws Exception {
        Path ann = copy("projectile.ann", "projectile.csv");
        Run r = Run.of("train", ann.toString(), "--profile", "dev", "--epochs", "2", "--out", tmp.resolve("run").toString(), "--events", "json");
        assertEquals(0, r.exit(), r.err());
        List<JsonObject> ev = events(r.out());
        assertEquals("regression", ev.get(0).get("task").getAsString());
        assertEquals(0, ev.get(0).getAsJsonArray("classes").size());
        JsonObject end = ev.get(ev.size() - 1);
        JsonObject test = end.getAsJsonObject("summary").getAsJsonObject("test");
        JsonArray points = end.getAsJsonArray("points");
        assertEquals(test.get("n").getAsInt(), end.get("points_of").getAsInt(), "one output per sample");
        assertEquals(test.get("n").getAsInt(), points.size());
        // the pairs are the ones the test MSE was computed from
        double se = 0;
        for (JsonElement p : points) {
            double d = p.getAsJsonArray().get(1).getAsDouble() - p.getAsJsonArray().get(0).getAsDouble();
            se += d * d;
        }
        assertEquals(test.get("mse").getAsDouble(), se / points.size(), 1e-4 * Math.max(1, test.get("mse").getAsDouble()));
    }

    @Test
    void anErrorInTheFileIsOneErrorEventWithItsPlace() throws Exception {
        Path ann = copy("iris.ann", "iris.csv");
        Files.writeString(ann, Files.readString(ann).replace("-> relu", "-> rleu"));
        Run r = Run.of("train", ann.toString(), "--events", "json");
        assertEquals(Main.ERRORS, r.exit());
        assertTrue(r.err().contains("rleu"), "the terminal text still goes to standard error: " + r.err());
        List<JsonObject> ev = events(r.out());
        assertEquals(1, ev.size(), r.out());
        JsonObject error = ev.get(0);
        assertEquals("error", error.get("event").getAsString());
        assertEquals(Main.ERRORS, error.get("exit_code").getAsInt());
        JsonObject d = error.getAsJsonArray("diagnostics").get(0).getAsJsonObject();
        List<String> lines = Files.readAllLines(ann);
        int line = d.get("line").getAsInt(), col = d.get("column").getAsInt();
        assertEquals("rleu", lines.get(line - 1).substring(col - 1, col + 3), d.toString());
        assertEquals(ann.toAbsolutePath().normalize().toString(), Path.of(d.get("file").getAsString()).toAbsolutePath().normalize().toString());
    }

    @Test
    void aRunFailureAndAUsageErrorAreErrorEvents() throws Exception {
        Path ann = copy("iris.ann", "iris.csv");
        String[] rows = Files.readString(tmp.resolve("iris.csv")).split("\n");
        rows[7] = "4.6,3.4,x1.4,0.3,setosa";
        Files.writeString(tmp.resolve("iris.csv"), String.join("\n", rows) + "\n");
        Run r = Run.of("train", ann.toString(), "--events", "json", "--out", tmp.resolve("run").toString());
        assertEquals(1, r.exit());
        List<JsonObject> ev = events(r.out());
        JsonObject error = ev.get(ev.size() - 1);
        assertEquals("error", error.get("event").getAsString(), r.out());
        assertEquals(1, error.get("exit_code").getAsInt());
        assertTrue(error.get("message").getAsString().endsWith("iris.csv:8:9: expected a number in column 2 ('petal_length'), found 'x1.4'"),
                error.toString());

        Run u = Run.of("train", ann.toString(), "--events", "json", "--epochs", "0");
        assertEquals(Main.USAGE, u.exit());
        assertEquals("--epochs must be at least 1", events(u.out()).get(0).get("message").getAsString());
        assertEquals(Main.USAGE, Run.of("train", ann.toString(), "--events", "xml").exit());
    }
}
