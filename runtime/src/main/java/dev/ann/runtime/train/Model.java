package dev.ann.runtime.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import dev.ann.runtime.data.Pipeline;
import dev.ann.kernels.Network;
import dev.ann.kernels.Optimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Between a Net (with its optimiser and data transform) and a Checkpoint. */
public final class Model {
    private Model() {}

    static Checkpoint checkpoint(Plan plan, Network net, Optimizer opt, Trainer.State st, Pipeline.Splits data, long seed, Path runDir) {
        JsonObject h = new JsonObject();
        h.addProperty("format", "ann-checkpoint");
        h.addProperty("version", 1);
        h.addProperty("plan_hash", plan.architectureHash());
        h.addProperty("file", plan.file());
        h.addProperty("train", plan.train());
        h.addProperty("network", plan.network());
        h.addProperty("task", plan.task().name().toLowerCase(java.util.Locale.ROOT));
        h.addProperty("seed", seed);
        JsonObject oj = new JsonObject();
        oj.addProperty("kind", opt.fn.name().toLowerCase(java.util.Locale.ROOT));
        oj.addProperty("step", opt.step);
        h.add("optimizer", oj);
        JsonObject rng = new JsonObject();
        rng.addProperty("kind", "derived from (seed, epoch, batch); see docs/training.md");
        rng.addProperty("seed", seed);
        rng.addProperty("epoch", st.epoch);
        rng.addProperty("batch", st.batch);
        h.add("rng", rng);
        for (var e : st.toJson().entrySet()) h.add(e.getKey(), e.getValue());
        h.addProperty("run_dir", runDir.toAbsolutePath().toString());
        JsonArray names = new JsonArray();
        data.classNames().forEach(names::add);
        h.add("class_names", names);
        h.addProperty("normalize", data.transform().shift() != null);
        if (data.transform().tokenizer() != null) h.add("text", textJson(data.transform().tokenizer()));
        JsonArray arch = new JsonArray();
        for (Op op : plan.ops()) arch.add(Trainer.describe(op));
        h.add("architecture", arch);

        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        put(arrays, shapes, net.trainableParams(), net.params());
        put(arrays, shapes, net.stateParams(), net.state());
        float[] s1 = opt.s1.data().asFloat();
        arrays.put("optimizer.s1", s1);
        shapes.put("optimizer.s1", new int[] {s1.length});
        if (opt.s2 != null) {
            float[] s2 = opt.s2.data().asFloat();
            arrays.put("optimizer.s2", s2);
            shapes.put("optimizer.s2", new int[] {s2.length});
        }
        Pipeline.Transform t = data.transform();
        if (t.shift() != null) {
            arrays.put("data.shift", t.shift());
            shapes.put("data.shift", new int[] {t.shift().length});
            arrays.put("data.mul", t.mul());
            shapes.put("data.mul", new int[] {t.mul().length});
        }
        if (t.targetShift() != null) {
            arrays.put("data.target_shift", t.targetShift());
            shapes.put("data.target_shift", new int[] {t.targetShift().length});
            arrays.put("data.target_mul", t.targetMul());
            shapes.put("data.target_mul", new int[] {t.targetMul().length});
        }
        return new Checkpoint(h, arrays, shapes);
    }

    private static void put(Map<String, float[]> arrays, Map<String, int[]> shapes, List<Network.Param> ps, INDArray flat) {
        float[] all = flat.data().asFloat();
        int off = 0;
        for (Network.Param p : ps) {
            int len = (int) p.size();
            arrays.put(p.name(), java.util.Arrays.copyOfRange(all, off, off + len));
            int[] shape = new int[p.shape().length];
            for (int k = 0; k < shape.length; k++) shape[k] = (int) p.shape()[k];
            shapes.put(p.name(), shape);
            off += len;
        }
    }

    /** Refuses a checkpoint of another architecture, saying what changed. */
    public static void checkCompatible(Checkpoint c, Plan plan, Path file) {
        String hash = c.header.has("plan_hash") ? c.header.get("plan_hash").getAsString() : "";
        if (hash.equals(plan.architectureHash())) return;
        List<String> diffs = new ArrayList<>();
        Map<String, int[]> now = new LinkedHashMap<>();
        for (Param p : plan.params()) now.put(p.name(), p.shape().toArray());
        for (var e : now.entrySet()) {
            int[] was = c.shapes.get(e.getKey());
            if (was == null) diffs.add(e.getKey() + " is new");
            else if (!java.util.Arrays.equals(was, e.getValue())) {
                diffs.add(e.getKey() + " was " + java.util.Arrays.toString(was) + ", is now " + java.util.Arrays.toString(e.getValue()));
            }
        }
        for (String k : c.shapes.keySet()) {
            if (!k.startsWith("optimizer.") && !k.startsWith("data.") && !now.containsKey(k)) diffs.add(k + " is gone");
        }
        // `ann import` writes weights by name and shape, with no plan to hash: they fit when every name and shape agrees
        if (diffs.isEmpty() && !c.header.has("plan_hash") && c.header.has("imported_from")) return;
        if (diffs.isEmpty() && c.header.has("architecture")) {
            JsonArray was = c.header.getAsJsonArray("architecture");
            List<Op> ops = plan.ops();
            for (int i = 0; i < Math.max(was.size(), ops.size()); i++) {
                String a = i < was.size() ? was.get(i).getAsString() : "(none)";
                String b = i < ops.size() ? Trainer.describe(ops.get(i)) : "(none)";
                if (!a.equals(b)) diffs.add("op " + i + " was " + a + ", is now " + b);
            }
            if (diffs.isEmpty()) diffs.add("layer arguments differ");
        }
        String train = c.header.has("train") ? c.header.get("train").getAsString() : "?";
        throw new RunException(RunException.BAD_INPUT, file + ": this checkpoint is of another architecture (train block '" + train
                + "'): " + String.join("; ", diffs.subList(0, Math.min(6, diffs.size())))
                + (diffs.size() > 6 ? "; and " + (diffs.size() - 6) + " more" : "")
                + ". Use a checkpoint written for this network, or train anew without --resume.");
    }

    /** The checkpoint's arrays for these params, concatenated in order. */
    static INDArray flat(Checkpoint c, List<Network.Param> ps) {
        long total = 0;
        for (Network.Param p : ps) total += p.size();
        float[] all = new float[(int) Math.max(1, total)];
        int off = 0;
        for (Network.Param p : ps) {
            float[] a = c.array(p.name());
            if (a == null || a.length != p.size()) {
                throw new RunException(RunException.BAD_INPUT, "checkpoint has no array " + p.name() + " of " + p.size() + " values");
            }
            System.arraycopy(a, 0, all, off, a.length);
            off += a.length;
        }
        return Nd4j.createFromArray(all);
    }

    /** Loads parameters and state into the net. */
    public static void load(Checkpoint c, Network net) {
        net.params().assign(flat(c, net.trainableParams()));
        if (!net.stateParams().isEmpty()) net.state().assign(flat(c, net.stateParams()));
    }

    /**
     * {@code init from}: the net's parameters and state (batchnorm statistics) from a checkpoint's arrays of
     * the same names and shapes, as the kernels match them; the optimiser's state and the data transform are not read.
     */
    public static void initFrom(Checkpoint c, Network net, Path file) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (var e : c.shapes.entrySet()) shapes.put(e.getKey(), java.util.Arrays.stream(e.getValue()).asLongStream().toArray());
        try {
            net.assign(c.arrays, shapes, "init from " + file);
        } catch (IllegalArgumentException e) {
            throw new RunException(RunException.BAD_INPUT, e.getMessage());
        }
    }

    static void loadOptimizer(Checkpoint c, Optimizer opt) {
        float[] s1 = c.array("optimizer.s1"), s2 = c.array("optimizer.s2");
        JsonObject oj = c.header.getAsJsonObject("optimizer");
        if (s1 == null || s1.length != opt.s1.length() || (opt.s2 != null && (s2 == null || s2.length != opt.s2.length()))
                || oj == null || !oj.has("step") || !oj.has("kind")) {
            throw new RunException(RunException.BAD_INPUT, "checkpoint has no optimiser state of the right size; resume from a checkpoint of 'ann train' or train anew");
        }
        opt.s1.assign(Nd4j.createFromArray(s1));
        if (opt.s2 != null) opt.s2.assign(Nd4j.createFromArray(s2));
        opt.step = oj.get("step").getAsLong();
        String kind = oj.get("kind").getAsString();
        String now = opt.fn.name().toLowerCase(java.util.Locale.ROOT);
        if (!kind.equals(now)) {
            throw new RunException(RunException.BAD_INPUT, "the checkpoint was trained with " + kind + ", the train block now says " + now
                    + "; resume with the same optimizer or train anew");
        }
    }

    /** The data transform stored in a checkpoint (normalisation fitted on its training split). */
    public static Pipeline.Transform transform(Checkpoint c, Plan plan) {
        var p = plan.data();
        return new Pipeline.Transform(p.resizeTo(), p.scaleFactor(), c.array("data.shift"), c.array("data.mul"), tokenizer(c, plan),
                c.array("data.target_shift"), c.array("data.target_mul"));
    }

    /** The fitted tokenizer as the checkpoint header keeps it: its settings and its tokens in id order (from id 2; the kernels' Tokenizer writes it). */
    static JsonObject textJson(dev.ann.kernels.Tokenizer t) {
        return JsonParser.parseString(t.headerJson()).getAsJsonObject();
    }

    /**
     * The tokenizer saved with a checkpoint for the plan's dataset, or null when it has none. The network's
     * shapes are checked against the checkpoint's weights elsewhere; this checks the header's id space against
     * the dataset's {@code tokens} line (the embedding's vocabulary), so that a damaged or edited header is a
     * clear error rather than ids out of the embedding's range (an IllegalArgumentException of the kernels).
     */
    public static dev.ann.kernels.Tokenizer tokenizer(Checkpoint c, Plan plan) {
        dev.ann.kernels.Tokenizer t = tokenizer(c);
        var want = plan.data().text();
        if (t == null || want == null) return t;
        if (t.vocabulary != want.vocabulary() || (!want.bag() && t.length != want.length())) {
            throw new RunException(RunException.BAD_INPUT, "the checkpoint's vocabulary says `"
                    + tokensLine(t.words ? "words" : "characters", t.vocabulary, t.length, t.lowercase) + "`, dataset "
                    + plan.data().dataset() + " says `" + tokensLine(want.tokens(), want.vocabulary(), want.length(), want.lowercase())
                    + "`: the checkpoint is damaged or of another dataset; use the checkpoint trained with this file, or train anew");
        }
        return t;
    }

    private static String tokensLine(String tokens, int vocabulary, int length, boolean lowercase) {
        return "tokens " + tokens + ", vocabulary " + vocabulary + ", length " + length + (lowercase ? ", lowercase" : "");
    }

    /** The tokenizer saved with a checkpoint, or null when it has none. */
    public static dev.ann.kernels.Tokenizer tokenizer(Checkpoint c) {
        if (!c.header.has("text")) return null;
        try {
            return dev.ann.kernels.Tokenizer.fromHeader(c.header.toString(), null);
        } catch (IllegalArgumentException e) {
            throw new RunException(RunException.BAD_INPUT, e.getMessage());
        }
    }

    /**
     * {@code init from} a checkpoint under a dataset with a tokens line: the data transform that carries the
     * checkpoint's vocabulary (the kernels' {@code Tokenizer.forInit} decides it, as in a generated trainer), with its
     * line in the training log; null when the run fits its own (no init from, no text, or a checkpoint with no
     * vocabulary: then a warning says so).
     */
    public static Pipeline.Transform initVocabulary(Plan plan, java.io.PrintStream log) {
        var t = plan.data().text();
        if (plan.loop().initFrom() == null || t == null) return null;
        Path from = Path.of(plan.loop().initFrom());
        String header;
        try (dev.ann.kernels.CheckpointFile.Reader r = new dev.ann.kernels.CheckpointFile.Reader(from)) {
            header = r.header();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new RunException(RunException.BAD_INPUT, plan.loop().initFromWhere() + ": no such checkpoint file");
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new RunException(RunException.BAD_INPUT, plan.loop().initFromWhere() + ": " + e.getMessage());
        }
        dev.ann.kernels.Tokenizer.Init init;
        try {
            init = dev.ann.kernels.Tokenizer.forInit(dev.ann.kernels.Tokenizer.fromHeader(header, from.toString()), from.toString(),
                    plan.loop().initFromWhere(), t.tokens().equals("words"), t.lowercase(), t.vocabulary(), t.length(), plan.embeddingRows());
        } catch (IllegalArgumentException e) {
            throw new RunException(RunException.BAD_INPUT, e.getMessage());
        }
        if (init.warning() != null) log.println(init.warning());
        if (init.log() != null) log.println(init.log());
        return init.tokenizer() == null ? null : new Pipeline.Transform(null, 1f, null, null, init.tokenizer(), null, null);
    }

    public static List<String> classNames(Checkpoint c) {
        List<String> l = new ArrayList<>();
        if (c.header.has("class_names")) c.header.getAsJsonArray("class_names").forEach(e -> l.add(e.getAsString()));
        return l;
    }
}
