package dev.ann.runtime.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Plan;
import dev.ann.runtime.Backend;
import dev.ann.runtime.RunException;
import dev.ann.runtime.data.CsvLoader;
import dev.ann.runtime.data.Dataset;
import dev.ann.runtime.data.ImageLoader;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.data.Samples;
import dev.ann.kernels.Loss;
import dev.ann.kernels.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A trained model from a checkpoint: evaluation on the plan's data, predictions for new inputs. */
public final class Predictor {
    final Plan plan;
    private Network net;
    final Checkpoint ckpt;
    final List<String> classNames;

    public Predictor(Plan plan, Path checkpoint) {
        Backend.init();
        this.plan = plan;
        this.ckpt = Checkpoint.read(checkpoint);
        Model.checkCompatible(ckpt, plan, checkpoint);
        List<String> names = Model.classNames(ckpt);
        this.classNames = names.isEmpty() ? plan.data().labels().classNames() : names;
    }

    /**
     * From this many samples an evaluation or prediction runs the convolutions on the engine (oneDNN directly,
     * {@link Backend#loadEngineSoon}); fewer run on ND4J alone: loading the engine's library and making its kernels
     * takes 0.2-0.4 s, which a few hundred samples do not win back (`ann predict` of one text with reuters_corn's
     * conv network 1.72-1.82 s with the engine against 1.41-1.72 without; `ann eval` of fashion_cnn_short's 200
     * test pictures 3.0-3.4 against 2.8-3.1).
     */
    static final int ENGINE_FROM = 2048;

    /**
     * The network with the checkpoint's weights, built at its first use (for {@code samples} samples): after the
     * data has loaded, during which the engine's library loads on another thread.
     */
    Network net(long samples) {
        if (net == null) {
            Network n = dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT, samples >= ENGINE_FROM);
            Model.load(ckpt, n);
            net = n;
        }
        return net;
    }

    /** The plan's test split (or validation when there is none). */
    public Evaluation evaluate(String[] splitOut) {
        return evaluate(splitOut, null);
    }

    /** The same, with a memory budget for the data (see {@link Trainer.Options#dataMemory}). */
    public Evaluation evaluate(String[] splitOut, Long dataMemory) {
        // the checkpoint's fitted normalisation, not one fitted anew as the file now says (a changed normalize
        // would otherwise feed the model data scaled unlike its training data, and score it wrongly)
        // where the test split can be read alone (Pipeline.loadTest), the other sources are not read
        Backend.loadEngineSoon(plan); // loads while the data does, for a test split of ENGINE_FROM samples or more
        Pipeline.Transform fitted = Model.transform(ckpt, plan);
        Pipeline.Splits testOnly = Pipeline.loadTest(plan.data(), dataMemory, fitted, classNames);
        try (Pipeline.Splits s = testOnly != null ? testOnly : Pipeline.load(plan.data(), dataMemory, fitted)) {
            Samples d = s.test() != null ? s.test() : s.validation();
            if (splitOut != null) splitOut[0] = s.test() != null ? "test" : "validation";
            if (d == null) throw new RunException(RunException.BAD_INPUT, "dataset " + plan.data().dataset() + " has no test or validation split to evaluate on; add a test source or a split");
            Network n = net(d.n);
            return Batches.evaluate(n, dev.ann.runtime.nn.PlanKernels.loss(plan, n), d, plan, classNames);
        }
    }

    /** One input sample's prediction. */
    public record Prediction(String id, List<String> classes, List<Double> probabilities, double[] values) {}

    /**
     * Predictions for a command line's input: a file or folder, or, for a model of text, a text itself when no
     * file of that name exists.
     */
    public List<Prediction> predict(String input, int top) {
        boolean exists;
        try {
            exists = input.indexOf('\0') < 0 && Files.exists(Path.of(input));
        } catch (java.nio.file.InvalidPathException e) {
            exists = false;
        }
        if (plan.data().text() != null && !exists) return predictTexts(List.of(input), List.of("text"), top);
        if (!exists) {
            if (input.indexOf('\0') >= 0) throw new RunException(RunException.BAD_INPUT, "the input is not a valid path (it holds a NUL character)");
            throw new RunException(RunException.BAD_INPUT, input + ": no such file or folder");
        }
        return predict(Path.of(input), top);
    }

    /** Texts made ids by the checkpoint's vocabulary (as the model was trained), then predicted. */
    private List<Prediction> predictTexts(List<String> texts, List<String> ids, int top) {
        dev.ann.kernels.Tokenizer tok = Model.tokenizer(ckpt, plan);
        if (tok == null) throw new RunException(RunException.BAD_INPUT, "the checkpoint holds no vocabulary; it was not trained on text by this ann: train anew");
        DataPipeline.Text t = plan.data().text();
        int w = t.bag() ? t.vocabulary() : t.length();
        float[] x = new float[Math.multiplyExact(texts.size(), w)];
        for (int i = 0; i < texts.size(); i++) {
            if (t.bag()) tok.counts(texts.get(i), x, i * w);
            else tok.encode(texts.get(i), x, i * w);
        }
        return run(new Dataset(texts.size(), new int[] {w}, x, null, null, 0, List.of()), ids, top);
    }

    /** A CSV of texts: its first column, or the training file's text column when the rows are laid out like it. */
    private List<Prediction> predictTextFile(Path input, int top) {
        DataPipeline.Source src = plan.data().sources().get(0);
        int col = src.kind().equals("csv") && src.args().has("text") && fieldsPerRow(input, false, ",") > 1 ? src.args().getInts("text").get(0) : 0;
        boolean header = src.kind().equals("csv") && src.args().has("header") && src.args().getBool("header");
        List<String> texts = new ArrayList<>(), ids = new ArrayList<>();
        try (var r = Files.newBufferedReader(input)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if ((n == 1 && header) || line.isBlank()) continue;
                List<String> f;
                try {
                    f = dev.ann.kernels.Csv.split(input.toString(), n, line, ',').fields();
                } catch (dev.ann.kernels.BadData e) {
                    throw RunException.data(e.file, e.line, e.column, e.detail);
                }
                if (f.size() <= col) throw RunException.data(input.toString(), n, 1, "the row has " + f.size() + " fields; the text is column " + col);
                texts.add(f.get(col));
                ids.add("row " + texts.size());
                if (texts.size() > 10_000_000) throw RunException.data(input.toString(), n, 1, "more than 10,000,000 texts");
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new RunException(RunException.BAD_INPUT, input + ": cannot read: " + e.getMessage());
        }
        if (texts.isEmpty()) throw new RunException(RunException.BAD_INPUT, input + ": no texts (one per row)");
        return predictTexts(texts, ids, top);
    }

    /** A series laid out like the training one: a forecast after every window of it, in the data's units. */
    private List<Prediction> predictWindows(Path input, int top) {
        DataPipeline.Source src = plan.data().sources().get(0);
        DataPipeline.Window w = plan.data().window();
        List<Integer> feats = src.args().getInts("features"), targs = src.args().getInts("target");
        java.util.TreeSet<Integer> union = new java.util.TreeSet<>(feats);
        union.addAll(targs);
        int[] cols = union.stream().mapToInt(Integer::intValue).toArray();
        String d = src.args().has("delimiter") ? src.args().getString("delimiter") : ",";
        dev.ann.kernels.Windows.Series s;
        try {
            s = dev.ann.kernels.Windows.read(input, src.args().has("header") && src.args().getBool("header"), d.isEmpty() ? ',' : d.charAt(0), cols, 100_000_000L);
        } catch (dev.ann.kernels.Windows.SeriesException e) {
            throw RunException.data(input.toString(), e.line, e.col, e.getMessage());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new RunException(RunException.BAD_INPUT, input + ": cannot read: " + e.getMessage());
        }
        dev.ann.kernels.Windows.interpolate(s);
        int[] fi = new int[feats.size()], ti = new int[targs.size()];
        for (int k = 0; k < fi.length; k++) fi[k] = java.util.Arrays.binarySearch(cols, feats.get(k));
        for (int k = 0; k < ti.length; k++) ti[k] = java.util.Arrays.binarySearch(cols, targs.get(k));
        Pipeline.Transform t = Model.transform(ckpt, plan);
        if (t.shift() != null) {
            float[] shift = new float[cols.length], mul = new float[cols.length];
            for (int k = 0; k < ti.length; k++) { shift[ti[k]] = t.targetShift()[k]; mul[ti[k]] = t.targetMul()[k]; }
            for (int k = 0; k < fi.length; k++) { shift[fi[k]] = t.shift()[k]; mul[fi[k]] = t.mul()[k]; }
            dev.ann.kernels.Windows.normalize(s, shift, mul);
        }
        int n = dev.ann.kernels.Windows.count(s.rows(), w.size(), 0);
        if (n == 0) throw new RunException(RunException.BAD_INPUT, input + ": " + s.rows() + " rows, fewer than a window of " + w.size());
        int xs = w.size() * fi.length;
        float[] x = new float[Math.multiplyExact(n, xs)];
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            dev.ann.kernels.Windows.sample(s, 0, i, w.size(), 0, fi, ti, x, i * xs, null, 0, w.relative());
            ids.add("after rows " + (i + 1) + ".." + (i + w.size()));
        }
        List<Prediction> ps = run(new Dataset(n, new int[] {w.size(), fi.length}, x, null, null, 0, List.of()), ids, top);
        if (t.targetShift() == null && !w.relative()) return ps;
        // forecasts in the data's units: a relative window's change added to its last row, then the targets'
        // normalisation undone
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            Prediction p = ps.get(i);
            double[] v = p.values().clone();
            if (w.relative()) dev.ann.kernels.Windows.restore(s, 0, i, w.size(), ti, v);
            if (t.targetShift() != null) {
                for (int k = 0; k < v.length; k++) v[k] = v[k] / t.targetMul()[k % ti.length] + t.targetShift()[k % ti.length];
            }
            out.add(new Prediction(p.id(), p.classes(), p.probabilities(), v));
        }
        return out;
    }

    public List<Prediction> predict(Path input, int top) {
        if (!Files.exists(input)) throw new RunException(RunException.BAD_INPUT, input + ": no such file or folder");
        if (!Files.isDirectory(input) && !Files.isRegularFile(input)) {
            throw new RunException(RunException.BAD_INPUT, input + ": not a regular file (a device or pipe?); pass a CSV file, a picture or a folder of pictures");
        }
        if (plan.data().text() != null) {
            if (Files.isDirectory(input)) throw new RunException(RunException.BAD_INPUT, input + ": a folder; this model reads text: give a text or a CSV file of texts");
            return predictTextFile(input, top);
        }
        if (plan.data().window() != null) return predictWindows(input, top);
        List<String> ids = new ArrayList<>();
        Dataset d;
        int[] shape = plan.data().sampleShape().toArray();
        if (Files.isDirectory(input) || ImageLoader.isImage(input)) {
            List<Path> files;
            if (Files.isDirectory(input)) {
                try (Stream<Path> s = Files.walk(input)) {
                    files = s.filter(Files::isRegularFile).filter(ImageLoader::isImage).sorted().toList();
                } catch (java.io.IOException e) {
                    throw new RunException(RunException.BAD_INPUT, input + ": cannot list: " + e.getMessage());
                }
                if (files.isEmpty()) throw new RunException(RunException.BAD_INPUT, input + ": no .png or .jpg pictures in this folder");
            } else files = List.of(input);
            if (shape.length != 3) throw new RunException(RunException.BAD_INPUT, input + ": this network takes " + plan.data().sampleShape() + " feature vectors, not pictures; pass a CSV file");
            // read straight at the network's input size (the transform's resize is then a no-op)
            int[] size = shape.clone();
            int per = size[0] * size[1] * size[2];
            float[] x = new float[files.size() * per];
            for (int i = 0; i < files.size(); i++) {
                System.arraycopy(ImageLoader.read(files.get(i), size), 0, x, i * per, per);
                ids.add(files.get(i).toString());
            }
            d = new Dataset(files.size(), size, x, null, null, 0, List.of());
        } else {
            DataPipeline.Source csv = plan.data().sources().stream().filter(x -> x.kind().equals("csv")).findFirst().orElse(null);
            List<Integer> feats = csv != null ? csv.args().getInts("features") : null;
            boolean header = csv != null && csv.args().has("header") && csv.args().getBool("header");
            int width = (int) plan.data().sampleShape().size();
            String delim = csv != null && csv.args().has("delimiter") ? csv.args().getString("delimiter") : ",";
            List<Integer> cols = new ArrayList<>();
            for (int i = 0; i < width; i++) cols.add(i);
            // a file with just the feature columns, or one laid out like the training data; any other width is refused
            int found = fieldsPerRow(input, header, delim);
            int layout = csv != null && feats != null ? trainingColumns(csv, header, delim) : -1;
            if (found != width && found != layout) {
                throw new RunException(RunException.BAD_INPUT, input + ": " + (found == 0 ? "no rows" : "rows of " + found + " columns")
                        + ", but network " + plan.network() + " takes " + width + " features: give a CSV of the " + width + " feature columns"
                        + (layout > 0 ? ", or rows laid out like the training file (" + layout + " columns, features " + feats + ")" : ""));
            }
            CsvLoader.Raw raw = CsvLoader.load(input, header, found == width ? cols : feats, List.of(), List.of(), delim);
            for (int i = 0; i < raw.n(); i++) ids.add("row " + (i + 1));
            d = new Dataset(raw.n(), shape, raw.x(), null, null, 0, List.of());
        }
        d = Model.transform(ckpt, plan).apply(d);
        return run(d, ids, top);
    }

    /** The network's outputs for prepared samples, in batches of {@link Network#EVALUATION_BATCH}. */
    private List<Prediction> run(Dataset d, List<String> ids, int top) {
        List<Prediction> out = new ArrayList<>();
        int bs = Network.EVALUATION_BATCH;
        for (int from = 0; from < d.n; from += bs) {
            int n = Math.min(bs, d.n - from);
            long[] xs = new long[d.sampleShape.length + 1];
            xs[0] = n;
            for (int i = 0; i < d.sampleShape.length; i++) xs[i + 1] = d.sampleShape[i];
            INDArray x = Nd4j.create(java.util.Arrays.copyOfRange(d.x, from * d.sampleSize, (from + n) * d.sampleSize), xs);
            INDArray p = net(d.n).predict(x).castTo(DataType.DOUBLE);
            for (int i = 0; i < n; i++) {
                double[] row = p.getRow(i).toDoubleVector();
                out.add(make(ids.get(from + i), row, top));
            }
        }
        return out;
    }

    /** The fields of the first data row (0: none, or unreadable; the loader then says why). */
    private static int fieldsPerRow(Path f, boolean header, String delim) {
        try (var r = Files.newBufferedReader(f)) {
            String line;
            int seen = 0;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || (header && seen++ == 0)) continue;
                return line.split(java.util.regex.Pattern.quote(delim), -1).length;
            }
            return 0;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** The columns of the training CSV (its first data row), else the highest column the source names, plus one. */
    private static int trainingColumns(DataPipeline.Source csv, boolean header, String delim) {
        int n = csv.args().has("path") ? fieldsPerRow(Path.of(csv.args().getString("path")), header, delim) : 0;
        if (n > 0) return n;
        int max = -1;
        for (String k : new String[] {"features", "label", "target"}) {
            if (csv.args().has(k)) for (int c : csv.args().getInts(k)) max = Math.max(max, c);
        }
        return max + 1;
    }

    private Prediction make(String id, double[] row, int top) {
        if (plan.task() == Plan.Task.REGRESSION) return new Prediction(id, List.of(), List.of(), row);
        double[] probs = row;
        if (plan.task() == Plan.Task.BINARY && row.length == 1) probs = new double[] {1 - row[0], row[0]};
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        double[] pr = probs;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(pr[b], pr[a]));
        List<String> cs = new ArrayList<>();
        List<Double> ps = new ArrayList<>();
        for (int k = 0; k < Math.min(Math.max(1, top), order.length); k++) {
            cs.add(order[k] < classNames.size() ? classNames.get(order[k]) : String.valueOf(order[k]));
            ps.add(probs[order[k]]);
        }
        return new Prediction(id, cs, ps, null);
    }

    public static JsonArray toJson(List<Prediction> ps) {
        JsonArray a = new JsonArray();
        for (Prediction p : ps) {
            JsonObject o = new JsonObject();
            o.addProperty("input", p.id());
            if (p.values() != null) {
                JsonArray v = new JsonArray();
                for (double x : p.values()) v.add(x);
                o.add("value", p.values().length == 1 ? v.get(0) : v);
            } else {
                o.addProperty("class", p.classes().get(0));
                o.addProperty("probability", p.probabilities().get(0));
                JsonArray t = new JsonArray();
                for (int k = 0; k < p.classes().size(); k++) {
                    JsonObject e = new JsonObject();
                    e.addProperty("class", p.classes().get(k));
                    e.addProperty("probability", p.probabilities().get(k));
                    t.add(e);
                }
                o.add("top", t);
            }
            a.add(o);
        }
        return a;
    }

    public static String line(Prediction p) {
        if (p.values() != null) {
            StringBuilder sb = new StringBuilder(p.id()).append(": ");
            for (int i = 0; i < p.values().length; i++) sb.append(i > 0 ? ", " : "").append(String.format("%.6g", p.values()[i]));
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder(p.id()).append(": ");
        for (int k = 0; k < p.classes().size(); k++) {
            sb.append(k > 0 ? ", " : "").append(p.classes().get(k)).append(String.format(" (%.4f)", p.probabilities().get(k)));
        }
        return sb.toString();
    }
}
