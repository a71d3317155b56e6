package dev.ann.runtime.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ann.plan.Plan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A profile's {@code sweep} lines: one run per combination (and per seed under {@code repeat K}), each an
 * independent training. Here they run one after another; with {@code --cluster} each (combination, seed) is
 * one Spark task ({@link Runner}, ann-cluster). The report ranks the combinations by the test split's
 * accuracy (classification) or loss, as mean ± standard deviation over the seeds.
 *
 * <p>Folders: {@code OUT/sweep-01} ... one per combination, in the order of {@link #run}'s points; under
 * {@code repeat K} each has {@code seed-S} folders, as a local {@code repeat} run does. OUT holds report.md and
 * summary.json.
 */
public final class Sweep {
    private Sweep() {}

    /** A combination: its label ({@code batch 64, optimizer adam(lr: 3e-3)}) and its Plan. */
    public record Point(String label, Plan plan) {}

    /** One training of a sweep: combination {@code point} under one seed, trained wherever a Runner sends it. */
    public record Job(int point, String label, String planJson, long seed, Long dataMemory) implements Serializable {}

    /**
     * What a run gave: the test metrics and the metrics per epoch, or the error that stopped it; {@code files} are
     * the run folder's files (from an executor, to be written on the driver's side; empty when it ran here).
     */
    public record Outcome(int point, String label, long seed, Map<String, Double> test, List<Map<String, Double>> history,
                          double wallSeconds, String error, Map<String, byte[]> files) implements Serializable {}

    /** Runs jobs elsewhere, all at once, as independent tasks (ann-cluster's Spark runner). */
    public interface Runner extends AutoCloseable {
        List<Outcome> run(List<Job> jobs);

        @Override
        void close();
    }

    /** The folder of combination i (0-based). */
    static String folder(int i) {
        return String.format("sweep-%02d", i + 1);
    }

    /**
     * Trains every combination (here, or through {@code runner} when not null), writes the ranked report, and
     * returns the outcomes in job order.
     */
    public static List<Outcome> run(List<Point> points, Trainer.Options o, Runner runner) {
        if (points.isEmpty()) throw new IllegalArgumentException("a sweep of nothing");
        Plan first = points.get(0).plan();
        Path base = o.out != null ? o.out : o.runsRoot.resolve(first.train()).resolve(
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        long seed = o.seed != null ? o.seed : first.seed();
        int repeat = Math.max(1, first.loop().repeat());
        o.log.printf("sweep: %d combination%s x %d seed%s = %d runs%s; run folder %s%n", points.size(), points.size() == 1 ? "" : "s",
                repeat, repeat == 1 ? "" : "s", points.size() * repeat, runner != null ? ", as independent tasks on the cluster"
                        : ", one after another", base);
        List<Outcome> outcomes = new ArrayList<>();
        if (runner == null) {
            for (int i = 0; i < points.size(); i++) {
                Point p = points.get(i);
                o.log.printf("%n==== %d of %d: %s%n", i + 1, points.size(), p.label());
                Trainer.Options po = Trainer.copy(o);
                po.out = base.resolve(folder(i));
                po.seed = seed;
                List<Trainer.Result> rs = Trainer.train(p.plan(), po);
                for (Trainer.Result r : rs) {
                    outcomes.add(new Outcome(i, p.label(), r.seed(), r.test() == null ? Map.of() : r.test().metrics(), r.history(),
                            r.wallSeconds(), r.interrupted() ? "interrupted" : null, Map.of()));
                }
                if (rs.get(rs.size() - 1).interrupted()) return outcomes;
            }
        } else {
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < points.size(); i++) {
                String json = once(points.get(i).plan());
                for (int r = 0; r < repeat; r++) jobs.add(new Job(i, points.get(i).label(), json, seed + r, o.dataMemory));
            }
            outcomes = runner.run(jobs);
            for (Outcome out : outcomes) {
                Path dir = base.resolve(folder(out.point()));
                if (repeat > 1) dir = dir.resolve("seed-" + out.seed());
                for (var f : out.files().entrySet()) Report.atomicWrite(dir.resolve(f.getKey()), f.getValue());
                o.log.printf("%s seed %d: %s%n", out.label(), out.seed(), out.error() != null ? "failed: " + out.error()
                        : "test " + format(out.test()));
            }
        }
        report(base, points, outcomes, o.log);
        return outcomes;
    }

    /** The Plan of one seed's run: repeat 1 (the seed is the job's). */
    static String once(Plan plan) {
        JsonObject json = JsonParser.parseString(plan.toJson()).getAsJsonObject();
        json.getAsJsonObject("loop").addProperty("repeat", 1);
        return json.toString();
    }

    /**
     * Runs one job in this JVM (an executor) in a temporary folder, and returns its outcome with the run folder's
     * files (the checkpoints folder left out); an error is returned, not thrown, so the other runs' results stay.
     */
    public static Outcome runHere(Job job) {
        Path dir = null;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try {
            dir = Files.createTempDirectory("ann-sweep-");
            Trainer.Options o = new Trainer.Options();
            o.out = dir.resolve("run");
            o.seed = job.seed();
            o.device = "cpu";
            o.dataMemory = job.dataMemory();
            o.log = new PrintStream(log, true, StandardCharsets.UTF_8);
            Plan plan = Plan.fromJson(job.planJson());
            Trainer.Result r = Trainer.train(plan, o).get(0);
            Map<String, byte[]> files = new LinkedHashMap<>();
            try (Stream<Path> s = Files.list(o.out)) {
                for (Path f : s.filter(Files::isRegularFile).sorted().toList()) files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
            files.put("train.log", log.toByteArray());
            return new Outcome(job.point(), job.label(), job.seed(), r.test() == null ? Map.of() : new LinkedHashMap<>(r.test().metrics()),
                    new ArrayList<>(r.history()), r.wallSeconds(), null, files);
        } catch (RuntimeException | IOException | Error e) {
            String m = String.valueOf(e.getMessage());
            return new Outcome(job.point(), job.label(), job.seed(), Map.of(), List.of(), 0, e.getClass().getSimpleName() + ": "
                    + (m.length() > 500 ? m.substring(0, 500) + "..." : m), Map.of("train.log", log.toByteArray()));
        } finally {
            if (dir != null) delete(dir);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary folder; the system cleans it
        }
    }

    /** A combination's line in the report: the mean and standard deviation of each test metric over its seeds. */
    record Row(int point, String label, Map<String, double[]> stats, int runs, int failed) {}

    /** The metric the combinations are ranked by: accuracy (higher first) when there is one, else loss (lower first). */
    static String rankBy(List<Outcome> outcomes) {
        return outcomes.stream().anyMatch(o -> o.test().containsKey("accuracy")) ? "accuracy" : "loss";
    }

    /** Ranks the combinations and writes OUT/report.md and OUT/summary.json; prints the ranking. */
    static List<Row> report(Path base, List<Point> points, List<Outcome> outcomes, PrintStream log) {
        String by = rankBy(outcomes);
        List<Row> rows = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            Map<String, List<Double>> vals = new LinkedHashMap<>();
            int runs = 0, failed = 0;
            for (Outcome o : outcomes) {
                if (o.point() != i) continue;
                if (o.error() != null || o.test().isEmpty()) {
                    failed++;
                    continue;
                }
                runs++;
                for (var e : o.test().entrySet()) {
                    vals.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                    if (!names.contains(e.getKey())) names.add(e.getKey());
                }
            }
            Map<String, double[]> stats = new LinkedHashMap<>();
            for (var e : vals.entrySet()) stats.put(e.getKey(), meanSd(e.getValue()));
            rows.add(new Row(i, points.get(i).label(), stats, runs, failed));
        }
        boolean higher = by.equals("accuracy");
        Comparator<Row> order = Comparator.comparingDouble(r -> {
            double[] s = r.stats().get(by);
            return s == null || !Double.isFinite(s[0]) ? Double.POSITIVE_INFINITY : higher ? -s[0] : s[0];
        });
        rows.sort(order.thenComparingInt(Row::point));
        int seeds = (int) outcomes.stream().mapToLong(Outcome::seed).distinct().count();
        List<String> cols = new ArrayList<>(List.of(by));
        for (String n : names) if (!cols.contains(n)) cols.add(n);

        StringBuilder md = new StringBuilder("# Sweep: " + points.get(0).plan().train()
                + (points.get(0).plan().profile() != null ? " under profile " + points.get(0).plan().profile() : "") + "\n\n"
                + points.size() + " combinations" + (seeds > 1 ? " x " + seeds + " seeds (mean ± standard deviation over the seeds)" : "")
                + ", ranked by the test split's " + by + (higher ? " (higher first)" : " (lower first)") + ".\n\n| rank | combination |");
        for (String c : cols) md.append(' ').append(c).append(" |");
        md.append(" runs | folder |\n|---|---|");
        md.append("---|".repeat(cols.size())).append("---|---|\n");
        log.printf("%n== sweep ranked by test %s (%s)%s%n", by, higher ? "higher first" : "lower first",
                seeds > 1 ? ", mean ± sd over " + seeds + " seeds" : "");
        JsonArray ranking = new JsonArray();
        int rank = 0;
        for (Row r : rows) {
            rank++;
            md.append("| ").append(rank).append(" | `").append(r.label()).append("` |");
            StringBuilder line = new StringBuilder(String.format("%2d. %-40s", rank, r.label()));
            JsonObject jo = new JsonObject();
            jo.addProperty("rank", rank);
            jo.addProperty("combination", r.label());
            jo.addProperty("folder", folder(r.point()));
            jo.addProperty("runs", r.runs());
            jo.addProperty("failed", r.failed());
            for (String c : cols) {
                double[] s = r.stats().get(c);
                String cell = s == null ? "-" : seeds > 1 ? String.format("%.4f ± %.4f", s[0], s[1]) : String.format("%.4f", s[0]);
                md.append(' ').append(cell).append(" |");
                if (c.equals(by) || c.equals("loss")) line.append(String.format("  %s %s", c, cell));
                if (s != null) {
                    JsonObject m = new JsonObject();
                    m.addProperty("mean", Evaluation.round(s[0]));
                    m.addProperty("sd", Evaluation.round(s[1]));
                    jo.add(c, m);
                }
            }
            md.append(' ').append(r.runs()).append(r.failed() > 0 ? " (" + r.failed() + " failed)" : "").append(" | ")
                    .append(folder(r.point())).append(" |\n");
            if (r.failed() > 0) line.append("  (").append(r.failed()).append(" failed)");
            log.println(line);
            ranking.add(jo);
        }
        JsonObject s = new JsonObject();
        s.addProperty("train", points.get(0).plan().train());
        s.addProperty("ranked_by", by);
        s.addProperty("seeds", seeds);
        s.add("ranking", ranking);
        Report.atomicWrite(base.resolve("summary.json"), Report.GSON.toJson(s).getBytes(StandardCharsets.UTF_8));
        Report.atomicWrite(base.resolve("report.md"), md.toString().getBytes(StandardCharsets.UTF_8));
        log.printf("report %s%n", base.resolve("report.md"));
        return rows;
    }

    /** Mean and sample standard deviation (0 for one value). */
    static double[] meanSd(List<Double> v) {
        double m = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double sd = v.size() < 2 ? 0 : Math.sqrt(v.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (v.size() - 1));
        return new double[] {m, sd};
    }

    private static String format(Map<String, Double> test) {
        StringBuilder b = new StringBuilder();
        for (var e : test.entrySet()) {
            if (b.length() > 0) b.append(", ");
            b.append(e.getKey()).append(' ').append(String.format("%.4f", e.getValue()));
        }
        return b.toString();
    }
}
