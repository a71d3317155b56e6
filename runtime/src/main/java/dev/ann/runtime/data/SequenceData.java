package dev.ann.runtime.data;

import dev.ann.kernels.Split;

import dev.ann.kernels.Arff;
import dev.ann.kernels.Tokenizer;
import dev.ann.kernels.Windows;
import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.runtime.RunException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The data of ARFF sources, text (a tokens line) and windows over a series (a
 * window line), in memory, through the kernels' {@link Arff}, {@link Tokenizer}
 * and {@link Windows}.
 *
 * <p>Tables from ARFF files and texts take the pipeline's usual way (split
 * after the seeded shuffle, validation held out, subset): texts travel it as
 * their row numbers, and the tokenizer is fitted on the texts of the training
 * split only, then encodes every split. Windows are split by time instead.
 */
final class SequenceData {
    private SequenceData() {}

    static boolean handles(DataPipeline p) {
        return p.text() != null || p.window() != null || p.sources().stream().anyMatch(s -> s.kind().equals("arff"));
    }

    /** One source's rows: features (tables), or texts; labels as names, or targets. */
    record Rows(String file, float[] x, int width, List<String> texts, List<String> labels, float[] targets, List<String> declared) {
        int n() {
            return labels != null ? labels.size() : targets.length;
        }
    }

    static Pipeline.Splits load(DataPipeline p, long budget, Pipeline.Transform fitted) {
        if (p.window() != null) return windows(p, budget, fitted);
        boolean regression = "targets".equals(p.labels().kind());
        Map<String, List<Rows>> byRole = new LinkedHashMap<>();
        for (DataPipeline.Source s : p.sources()) byRole.computeIfAbsent(s.role(), k -> new ArrayList<>()).add(read(s, p, regression, budget));
        List<String> names = regression ? List.of() : classNames(p, byRole);
        // every sample as its row number in its role's rows, through the pipeline's split, hold-out and subset
        Map<String, List<Pipeline.Loaded>> loaded = new LinkedHashMap<>();
        Map<String, List<String>> texts = new LinkedHashMap<>();
        for (var e : byRole.entrySet()) {
            List<String> all = new ArrayList<>();
            List<Pipeline.Loaded> ls = new ArrayList<>();
            for (Rows r : e.getValue()) {
                Dataset d = p.text() != null ? rowNumbers(r, all.size(), names) : table(r, names);
                if (r.texts() != null) all.addAll(r.texts());
                ls.add(new Pipeline.Loaded(r.file(), d, null));
            }
            loaded.put(e.getKey(), ls);
            texts.put(e.getKey(), all);
        }
        if (p.text() == null) return Pipeline.build(p, loaded, regression, null, false, mode(byRole), fitted);
        Pipeline.Splits rows = Pipeline.build(plain(p), loaded, regression, null, false, mode(byRole), null);
        // which role's texts a split's row numbers index: one source to split, or train/validation/test sources
        List<String> trainTexts = texts.containsKey("all") ? texts.get("all") : texts.get("train");
        List<String> valTexts = texts.containsKey("all") ? trainTexts : texts.containsKey("validation") ? texts.get("validation") : trainTexts;
        List<String> testTexts = texts.containsKey("all") ? trainTexts : texts.get("test");
        DataPipeline.Text t = p.text();
        boolean given = fitted != null && fitted.tokenizer() != null;
        Tokenizer tok = given ? fitted.tokenizer() : fit(t, (Dataset) rows.train(), trainTexts);
        Dataset tr = encode(tok, t, (Dataset) rows.train(), trainTexts);
        Dataset va = rows.validation() == null ? null : encode(tok, t, (Dataset) rows.validation(), valTexts);
        Dataset te = rows.test() == null ? null : encode(tok, t, (Dataset) rows.test(), testTexts);
        return texts(tr, va, te, tok, rows.classNames(), rows.mode(), given);
    }

    /** Encoded splits of texts, their transform the vocabulary alone, and the data line that says whose it is. */
    private static Pipeline.Splits texts(Dataset tr, Dataset va, Dataset te, Tokenizer tok, List<String> names, String mode, boolean given) {
        return new Pipeline.Splits(tr, va, te, new Pipeline.Transform(null, 1f, null, null, tok, null, null), names, false,
                mode + "; vocabulary of " + (tok.tokens.size() + 2) + " ids (" + tok.tokens.size()
                        + (given ? " tokens of the checkpoint's" : " tokens of the training texts") + ", padding, unknown)");
    }

    /**
     * The test split of a text dataset alone (Pipeline.loadTest): only the test sources are read, and encoded
     * with the model's vocabulary. Null where the test texts depend on more: no test source, no vocabulary
     * given, or classes that differ from the model's {@code classNames} (the full load takes the training
     * file's declaration first).
     */
    static Pipeline.Splits loadTest(DataPipeline p, long budget, Pipeline.Transform fitted, List<String> classNames) {
        if (p.text() == null || p.window() != null || fitted.tokenizer() == null) return null;
        boolean regression = "targets".equals(p.labels().kind());
        if (!regression && classNames.isEmpty()) return null;
        Map<String, List<Rows>> byRole = new LinkedHashMap<>();
        for (DataPipeline.Source s : p.sources()) {
            if (s.role().equals("test")) byRole.computeIfAbsent("test", k -> new ArrayList<>()).add(read(s, p, regression, budget));
        }
        if (byRole.isEmpty()) return null;
        List<String> names = regression ? List.of() : classNames(p, byRole);
        if (!regression && !names.equals(classNames)) return null;
        List<String> all = new ArrayList<>();
        List<Pipeline.Loaded> ls = new ArrayList<>();
        for (Rows r : byRole.get("test")) {
            ls.add(new Pipeline.Loaded(r.file(), rowNumbers(r, all.size(), names), null));
            all.addAll(r.texts());
        }
        // the row numbers pass untransformed (the plain pipeline's scale 1, no normalisation)
        Pipeline.Splits rows = Pipeline.buildTest(plain(p), Map.of("test", ls), regression, null, false, mode(byRole),
                new Pipeline.Transform(null, 1f, null, null), names);
        Tokenizer tok = fitted.tokenizer();
        return texts(null, null, encode(tok, p.text(), (Dataset) rows.test(), all), tok, names, rows.mode(), true);
    }

    /** The pipeline with the texts' row numbers as its samples: no scale or normalisation. */
    private static DataPipeline plain(DataPipeline p) {
        return new DataPipeline(p.dataset(), p.sources(), p.sampleShape(), p.labels(),
                p.split(), p.validation(), 1.0, "none", p.shuffle(), p.shuffleSeed(), p.subset(), null);
    }

    private static String mode(Map<String, List<Rows>> byRole) {
        int n = byRole.values().stream().flatMap(List::stream).mapToInt(Rows::n).sum();
        return "data: in memory (" + n + " rows)";
    }

    static Tokenizer fit(DataPipeline.Text t, Dataset train, List<String> texts) {
        List<String> mine = new ArrayList<>(train.n);
        for (int i = 0; i < train.n; i++) mine.add(texts.get((int) train.x[i]));
        return Tokenizer.fit(mine, t.tokens().equals("words"), t.lowercase(), t.vocabulary(), t.length());
    }

    static Dataset encode(Tokenizer tok, DataPipeline.Text t, Dataset rows, List<String> texts) {
        int w = t.bag() ? t.vocabulary() : t.length();
        float[] x = new float[Math.multiplyExact(rows.n, w)];
        for (int i = 0; i < rows.n; i++) {
            String s = texts.get((int) rows.x[i]);
            if (t.bag()) tok.counts(s, x, i * w);
            else tok.encode(s, x, i * w);
        }
        return rows.withX(new int[] {w}, x);
    }

    /** Samples whose one feature is the row number (from {@code first}), with their labels. */
    private static Dataset rowNumbers(Rows r, int first, List<String> names) {
        float[] x = new float[r.n()];
        for (int i = 0; i < x.length; i++) x[i] = first + i;
        if (x.length > 0 && first + x.length > (1 << 24)) throw new RunException(RunException.BAD_INPUT, r.file() + ": more than 16,777,216 texts");
        return new Dataset(r.n(), new int[] {1}, x, labels(r, names), r.targets(), r.targets() == null ? 0 : 1, names);
    }

    private static Dataset table(Rows r, List<String> names) {
        return new Dataset(r.n(), new int[] {r.width()}, r.x(), labels(r, names), r.targets(), r.targets() == null ? 0 : 1, names);
    }

    private static int[] labels(Rows r, List<String> names) {
        if (r.labels() == null) return null;
        int[] l = new int[r.n()];
        for (int i = 0; i < l.length; i++) {
            int k = names.indexOf(r.labels().get(i));
            if (k < 0) throw RunException.data(r.file(), 0, 0, "label '" + r.labels().get(i) + "' of data row " + (i + 1) + " is not one of the classes " + names);
            l[i] = k;
        }
        return l;
    }

    /** The declared classes, else a nominal label's values, else the names found (numbers in order when all are integers). */
    private static List<String> classNames(DataPipeline p, Map<String, List<Rows>> byRole) {
        if (!p.labels().classNames().isEmpty()) return p.labels().classNames();
        TreeSet<String> seen = new TreeSet<>();
        for (List<Rows> rs : byRole.values()) {
            for (Rows r : rs) {
                if (r.declared() != null) return r.declared();
                seen.addAll(r.labels());
            }
        }
        if (seen.stream().allMatch(v -> v.matches("\\d{1,9}"))) {
            int max = seen.stream().mapToInt(Integer::parseInt).max().orElse(0);
            return Pipeline.numbered(Math.max(max + 1, p.labels().numClasses()));
        }
        return new ArrayList<>(seen);
    }

    static Rows read(DataPipeline.Source s, DataPipeline p, boolean regression, long budget) {
        Args a = s.args();
        Path f = DataFiles.local(a.getString("path")); // a URI: copied here once (hdfs://, s3a://)
        return switch (s.kind()) {
            case "arff" -> arff(f, a, p, regression, budget);
            case "csv" -> csvText(f, a, regression, budget);
            default -> throw new RunException(RunException.BAD_INPUT, "dataset " + p.dataset() + ": text is read from csv(...) or arff(...) sources, not "
                    + s.kind() + "(...)");
        };
    }

    private static Rows arff(Path f, Args a, DataPipeline p, boolean regression, long budget) {
        Arff.Table t;
        try {
            // a character of text takes about 2 bytes as a String, plus the row's arrays: a budget of bytes allows half as many characters
            t = Arff.read(f, Math.max(1 << 20, budget / 2));
        } catch (Arff.ArffException e) {
            throw RunException.data(f.toString(), e.line, e.col, e.what);
        } catch (IOException e) {
            throw new RunException(RunException.BAD_INPUT, f + ": cannot read: " + e.getMessage());
        }
        String label = a.getString("label");
        int lc = t.column(label);
        if (lc < 0) throw new RunException(RunException.BAD_INPUT, f + ": no attribute '" + label + "'; its attributes are " + t.names());
        Arff.Attribute la = t.attributes().get(lc);
        int n = t.rows().size();
        List<String> labels = regression ? null : new ArrayList<>(n);
        float[] targets = regression ? new float[n] : null;
        for (int i = 0; i < n; i++) {
            String v = t.rows().get(i)[lc];
            if (v == null) throw RunException.data(f.toString(), t.lines()[i], 1, "the label ('" + label + "') is missing (?); fill it in or remove the instance");
            if (regression) targets[i] = Float.parseFloat(v);
            else labels.add(v);
        }
        List<String> declared = la.type() == Arff.Type.NOMINAL ? la.values() : null;
        if (a.has("text")) {
            int tc = t.column(a.getString("text"));
            if (tc < 0) throw new RunException(RunException.BAD_INPUT, f + ": no attribute '" + a.getString("text") + "'");
            List<String> texts = new ArrayList<>(n);
            for (String[] row : t.rows()) texts.add(row[tc] == null ? "" : row[tc]);
            return new Rows(f.toString(), null, 0, texts, labels, targets, declared);
        }
        // a table: numeric attributes as numbers (missing: 0), nominal ones one-hot (missing: all 0); others left out
        int width = 0;
        for (int c = 0; c < t.attributes().size(); c++) {
            Arff.Attribute at = t.attributes().get(c);
            if (c != lc) width += at.type() == Arff.Type.NUMERIC ? 1 : at.type() == Arff.Type.NOMINAL ? at.values().size() : 0;
        }
        if ((long) n * width * 4 > budget) {
            throw new RunException(RunException.BAD_INPUT, f + ": " + n + " instances of " + width + " features do not fit the memory budget of "
                    + Budget.format(budget) + "; give Java more heap (ANN_JAVA_OPTS=-Xmx8g) or --data-memory");
        }
        float[] x = new float[n * width];
        for (int i = 0; i < n; i++) {
            String[] row = t.rows().get(i);
            int o = i * width;
            for (int c = 0; c < row.length; c++) {
                Arff.Attribute at = t.attributes().get(c);
                if (c == lc) continue;
                if (at.type() == Arff.Type.NUMERIC) {
                    x[o++] = row[c] == null ? 0f : Float.parseFloat(row[c]);
                } else if (at.type() == Arff.Type.NOMINAL) {
                    if (row[c] != null) x[o + at.indexOf(row[c])] = 1f;
                    o += at.values().size();
                }
            }
        }
        return new Rows(f.toString(), x, width, null, labels, targets, declared);
    }

    /** A CSV text column and its label or target column. */
    private static Rows csvText(Path f, Args a, boolean regression, long budget) {
        boolean header = a.has("header") && a.getBool("header");
        String d = a.has("delimiter") ? a.getString("delimiter") : ",";
        char delim = d.isEmpty() ? ',' : d.charAt(0);
        int tc = a.getInts("text").get(0);
        int lc = regression ? a.getInts("target").get(0) : a.getInts("label").get(0);
        List<String> texts = new ArrayList<>(), labels = regression ? null : new ArrayList<>();
        float[] targets = regression ? new float[64] : null;
        long chars = 0;
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if ((lineNo == 1 && header) || line.isBlank()) continue;
                chars += line.length();
                if (chars > budget / 2) throw RunException.data(f.toString(), lineNo, 1, "the texts do not fit the memory budget of " + Budget.format(budget));
                dev.ann.kernels.Csv.Row row;
                try {
                    row = dev.ann.kernels.Csv.split(f.toString(), lineNo, line, delim);
                } catch (dev.ann.kernels.BadData e) {
                    throw RunException.data(e.file, e.line, e.column, e.detail);
                }
                List<String> fields = row.fields();
                List<Integer> at = row.starts();
                if (fields.size() <= Math.max(tc, lc)) {
                    throw RunException.data(f.toString(), lineNo, line.length() + 1, "the row has " + fields.size() + " fields; columns "
                            + tc + " (text) and " + lc + " are read");
                }
                texts.add(fields.get(tc));
                String v = fields.get(lc).strip();
                if (regression) {
                    int i = texts.size() - 1;
                    if (i == targets.length) targets = Arrays.copyOf(targets, i * 2);
                    try {
                        targets[i] = Float.parseFloat(v);
                    } catch (NumberFormatException e) {
                        throw RunException.data(f.toString(), lineNo, at.get(lc) + 1, "expected a number in column " + lc + ", found '" + Arff.clip(v) + "'");
                    }
                } else {
                    if (v.isEmpty()) throw RunException.data(f.toString(), lineNo, at.get(lc) + 1, "the label (column " + lc + ") is empty");
                    labels.add(v);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new RunException(RunException.BAD_INPUT, f + ": cannot read: " + e.getMessage());
        }
        return new Rows(f.toString(), null, 0, texts, labels, regression ? Arrays.copyOf(targets, texts.size()) : null, null);
    }

    // ---- windows over a series ------------------------------------------------------------------

    private static Pipeline.Splits windows(DataPipeline p, long budget, Pipeline.Transform fitted) {
        DataPipeline.Window w = p.window();
        List<Integer> feats = null, targs = null;
        Map<String, Windows.Series> byRole = new LinkedHashMap<>();
        Map<String, String> files = new LinkedHashMap<>();
        int[] cols = null;
        for (DataPipeline.Source s : p.sources()) {
            if (!s.kind().equals("csv")) throw new RunException(RunException.BAD_INPUT, "window reads a CSV file, not " + s.kind() + "(...)");
            if (byRole.containsKey(s.role())) throw new RunException(RunException.BAD_INPUT, "dataset " + p.dataset() + ": give one " + s.role() + " series");
            Args a = s.args();
            feats = a.getInts("features");
            targs = a.getInts("target");
            TreeSet<Integer> union = new TreeSet<>(feats);
            union.addAll(targs);
            cols = union.stream().mapToInt(Integer::intValue).toArray();
            Path f = DataFiles.local(a.getString("path")); // a URI: copied here once (hdfs://, s3a://)
            String d = a.has("delimiter") ? a.getString("delimiter") : ",";
            try {
                Windows.Series series = Windows.read(f, a.has("header") && a.getBool("header"), d.isEmpty() ? ',' : d.charAt(0), cols, budget / 4);
                Windows.interpolate(series);
                byRole.put(s.role(), series);
                files.put(s.role(), f.toString());
            } catch (Windows.SeriesException e) {
                throw RunException.data(f.toString(), e.line, e.col, e.getMessage());
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new RunException(RunException.BAD_INPUT, f + ": cannot read: " + e.getMessage());
            }
        }
        int[] fi = index(cols, feats), ti = index(cols, targs);
        // the parts: [series, from, to] for train, validation, test
        Map<String, Object[]> parts = new LinkedHashMap<>();
        if (byRole.containsKey("all")) {
            Windows.Series s = byRole.get("all");
            DataPipeline.Split sp = p.split();
            int[] b = Windows.bounds(s.rows(), sp == null ? 1 - p.validation() : sp.train(), sp == null ? p.validation() : sp.validation());
            parts.put("train", new Object[] {s, b[0], b[1], "all"});
            if (b[2] > b[1]) parts.put("validation", new Object[] {s, b[1], b[2], "all"});
            if (b[3] > b[2]) parts.put("test", new Object[] {s, b[2], b[3], "all"});
        } else {
            Windows.Series s = byRole.get("train");
            if (s == null) throw new RunException(RunException.BAD_INPUT, "dataset " + p.dataset() + " has no training series");
            int[] b = Windows.bounds(s.rows(), 1 - (byRole.containsKey("validation") ? 0 : p.validation()), 0);
            parts.put("train", new Object[] {s, 0, b[1], "train"});
            if (byRole.containsKey("validation")) parts.put("validation", new Object[] {byRole.get("validation"), 0, byRole.get("validation").rows(), "validation"});
            else if (b[1] < s.rows()) parts.put("validation", new Object[] {s, b[1], s.rows(), "train"});
            if (byRole.containsKey("test")) parts.put("test", new Object[] {byRole.get("test"), 0, byRole.get("test").rows(), "test"});
        }
        // statistics of each column from the training rows (or the checkpoint's), then every series normalised
        float[] shift = null, mul = null;
        boolean normalize = p.normalize() != null && !p.normalize().equals("none");
        if (normalize) {
            if (fitted != null && fitted.shift() != null) {
                shift = new float[cols.length];
                mul = new float[cols.length];
                for (int k = 0; k < fi.length; k++) {
                    shift[fi[k]] = fitted.shift()[k];
                    mul[fi[k]] = fitted.mul()[k];
                }
                for (int k = 0; k < ti.length; k++) {
                    shift[ti[k]] = fitted.targetShift()[k];
                    mul[ti[k]] = fitted.targetMul()[k];
                }
            } else {
                Object[] tr = parts.get("train");
                float[][] st = Windows.fit((Windows.Series) tr[0], (int) tr[1], (int) tr[2], p.normalize().equals("minmax"));
                shift = st[0];
                mul = st[1];
            }
            for (Windows.Series s : byRole.values()) Windows.normalize(s, shift, mul);
        }
        Map<String, Dataset> sets = new LinkedHashMap<>();
        for (var e : parts.entrySet()) {
            Object[] part = e.getValue();
            Windows.Series s = (Windows.Series) part[0];
            int from = (int) part[1], to = (int) part[2];
            int n = Windows.count(to - from, w.size(), w.horizon());
            if (n == 0) {
                if (e.getKey().equals("train")) {
                    throw new RunException(RunException.BAD_INPUT, files.get(part[3]) + ": the training part has " + (to - from) + " rows, fewer than a window of "
                            + w.size() + " and a horizon of " + w.horizon() + " need (" + (w.size() + w.horizon()) + "); use a shorter window or more rows");
                }
                continue;
            }
            int xs = w.size() * fi.length, ys = w.horizon() * ti.length;
            if ((long) n * (xs + ys) * 4 > budget) {
                throw new RunException(RunException.BAD_INPUT, files.get(part[3]) + ": " + n + " windows of " + xs + " values do not fit the memory budget of "
                        + Budget.format(budget) + "; give Java more heap (ANN_JAVA_OPTS=-Xmx8g) or --data-memory");
            }
            float[] x = new float[n * xs], y = new float[n * ys];
            for (int i = 0; i < n; i++) Windows.sample(s, from, i, w.size(), w.horizon(), fi, ti, x, i * xs, y, i * ys, w.relative());
            sets.put(e.getKey(), new Dataset(n, new int[] {w.size(), fi.length}, x, null, y, ys, List.of()));
        }
        Samples train = sets.get("train"), val = sets.get("validation"), test = sets.get("test");
        long seed = p.shuffleSeed();
        if (p.subset() > 0 && p.subset() < 1) {
            train = Pipeline.subset(train, p.subset(), seed, Split.Of.TRAIN);
            if (val != null) val = Pipeline.subset(val, p.subset(), seed, Split.Of.VALIDATION);
            if (test != null) test = Pipeline.subset(test, p.subset(), seed, Split.Of.TEST);
        }
        // the checkpoint keeps each feature's and target's statistics: the features' repeated over the window
        // (the transform's per-value form, which prediction applies to raw windows), the targets' to undo on forecasts
        float[] fs = null, fm = null, ts = null, tm = null;
        if (normalize) {
            fs = new float[fi.length];
            fm = new float[fi.length];
            for (int k = 0; k < fi.length; k++) {
                fs[k] = shift[fi[k]];
                fm[k] = mul[fi[k]];
            }
            ts = new float[ti.length];
            tm = new float[ti.length];
            for (int k = 0; k < ti.length; k++) {
                ts[k] = shift[ti[k]];
                tm[k] = mul[ti[k]];
            }
        }
        Pipeline.Transform tf = new Pipeline.Transform(null, 1f, fs, fm, null, ts, tm);
        int rows = byRole.values().stream().mapToInt(Windows.Series::rows).sum();
        int missing = byRole.values().stream().mapToInt(Windows.Series::missing).sum();
        return new Pipeline.Splits(train, val, test, tf, List.of(), false, "data: in memory (" + rows + " rows in time order"
                + (missing > 0 ? ", " + missing + " missing values interpolated" : "") + "; windows of " + w.size() + ", horizon " + w.horizon()
                + (w.relative() ? ", relative to their last row" : "")
                + "; split by time" + (ts == null ? "" : "; targets normalised as the training rows' (x - " + String.format(java.util.Locale.ROOT, "%.6g", ts[0])
                + ") * " + String.format(java.util.Locale.ROOT, "%.6g", tm[0]) + ": MSE and MAE are in those units, MAE / "
                + String.format(java.util.Locale.ROOT, "%.6g", tm[0]) + " in the data's; ann predict answers in the data's") + ")");
    }

    private static int[] index(int[] cols, List<Integer> which) {
        int[] out = new int[which.size()];
        for (int k = 0; k < out.length; k++) out[k] = Arrays.binarySearch(cols, which.get(k));
        return out;
    }
}
