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
    final Network net;
    final Checkpoint ckpt;
    final List<String> classNames;

    public Predictor(Plan plan, Path checkpoint) {
        Backend.init();
        this.plan = plan;
        this.ckpt = Checkpoint.read(checkpoint);
        Model.checkCompatible(ckpt, plan, checkpoint);
        this.net = dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT);
        Model.load(ckpt, net);
        List<String> names = Model.classNames(ckpt);
        this.classNames = names.isEmpty() ? plan.data().labels().classNames() : names;
    }

    /** The plan's test split (or validation when there is none). */
    public Evaluation evaluate(String[] splitOut) {
        return evaluate(splitOut, null);
    }

    /** The same, with a memory budget for the data (see {@link Trainer.Options#dataMemory}). */
    public Evaluation evaluate(String[] splitOut, Long dataMemory) {
        // the checkpoint's fitted normalisation, not one fitted anew as the file now says (a changed normalize
        // would otherwise feed the model data scaled unlike its training data, and score it wrongly)
        try (Pipeline.Splits s = Pipeline.load(plan.data(), dataMemory, Model.transform(ckpt, plan))) {
            Samples d = s.test() != null ? s.test() : s.validation();
            if (splitOut != null) splitOut[0] = s.test() != null ? "test" : "validation";
            if (d == null) throw new RunException(RunException.BAD_INPUT, "dataset " + plan.data().dataset() + " has no test or validation split to evaluate on; add a test source or a split");
            return Batches.evaluate(net, dev.ann.runtime.nn.PlanKernels.loss(plan, net), d, plan, classNames);
        }
    }

    /** One input sample's prediction. */
    public record Prediction(String id, List<String> classes, List<Double> probabilities, double[] values) {}

    public List<Prediction> predict(Path input, int top) {
        if (!Files.exists(input)) throw new RunException(RunException.BAD_INPUT, input + ": no such file or folder");
        if (!Files.isDirectory(input) && !Files.isRegularFile(input)) {
            throw new RunException(RunException.BAD_INPUT, input + ": not a regular file (a device or pipe?); pass a CSV file, a picture or a folder of pictures");
        }
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
        List<Prediction> out = new ArrayList<>();
        int bs = 256;
        for (int from = 0; from < d.n; from += bs) {
            int n = Math.min(bs, d.n - from);
            long[] xs = new long[d.sampleShape.length + 1];
            xs[0] = n;
            for (int i = 0; i < d.sampleShape.length; i++) xs[i + 1] = d.sampleShape[i];
            INDArray x = Nd4j.create(java.util.Arrays.copyOfRange(d.x, from * d.sampleSize, (from + n) * d.sampleSize), xs);
            INDArray p = net.predict(x).castTo(DataType.DOUBLE);
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
