package dev.ann.runtime.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ann.kernels.CheckpointFile;
import dev.ann.runtime.RunException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint file: data only, never code.
 *
 * <pre>
 * bytes 0..7    ASCII "ANNCKPT1"
 * bytes 8..11   header length H, unsigned 32-bit little-endian
 * next H bytes  header: UTF-8 JSON object; its "arrays" member lists
 *               {"name": ..., "shape": [...]} in storage order
 * the rest      each array's elements, float32 little-endian, row-major,
 *               one array after the other in header order, no padding
 * </pre>
 *
 * Written to a temporary file in the same folder, flushed to disk, then
 * renamed over the target: a reader sees the old file or the new one, never
 * a torn one.
 */
public final class Checkpoint {
    public static final String MAGIC = CheckpointFile.MAGIC;
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    public final JsonObject header;
    public final Map<String, float[]> arrays;
    public final Map<String, int[]> shapes;

    public Checkpoint(JsonObject header, Map<String, float[]> arrays, Map<String, int[]> shapes) {
        this.header = header;
        this.arrays = arrays;
        this.shapes = shapes;
    }

    public float[] array(String name) {
        return arrays.get(name);
    }

    public void write(Path file) {
        JsonObject h = header.deepCopy();
        JsonArray list = new JsonArray();
        long bytes = 0;
        for (var e : arrays.entrySet()) {
            JsonObject a = new JsonObject();
            a.addProperty("name", e.getKey());
            JsonArray s = new JsonArray();
            for (int d : shapes.get(e.getKey())) s.add(d);
            a.add("shape", s);
            list.add(a);
            bytes += 4L * e.getValue().length;
        }
        h.add("arrays", list);
        try {
            String text = GSON.toJson(h);
            AtomicFile.write(file, true, ch -> CheckpointFile.writeTo(ch, text, arrays.values()));
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, file + ": cannot write the checkpoint: " + e.getMessage(), e);
        }
    }

    /** The header version this ann writes and reads. */
    public static final int VERSION = 1;

    /**
     * Reads and checks a checkpoint: the magic, the header version and the
     * type of every member ann reads, and that the arrays fill the rest of
     * the file exactly (a truncated file or trailing bytes are refused).
     */
    public static Checkpoint read(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new RunException(RunException.BAD_INPUT, file + ": no such checkpoint file");
        } catch (IOException e) {
            throw new RunException(RunException.BAD_INPUT, file + ": cannot read the checkpoint: " + e.getMessage());
        }
        try (CheckpointFile.Reader in = open(file)) {
            int hl = in.headerLength();
            JsonElement parsed = JsonParser.parseString(in.header());
            if (!parsed.isJsonObject()) throw damaged(file, "the header is not a JSON object");
            JsonObject h = parsed.getAsJsonObject();
            validate(h, file);
            Map<String, int[]> shapes = new LinkedHashMap<>();
            long data = 0;
            for (var el : h.getAsJsonArray("arrays")) {
                JsonObject a = el.getAsJsonObject();
                JsonArray s = a.getAsJsonArray("shape");
                int[] shape = new int[s.size()];
                long len = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = s.get(i).getAsInt();
                    len *= shape[i];
                    if (len > size) throw damaged(file, "array " + a.get("name").getAsString() + " is larger than the file");
                }
                String name = a.get("name").getAsString();
                if (shapes.put(name, shape) != null) throw damaged(file, "array " + name + " is listed twice");
                data += 4 * len;
            }
            long expected = 12L + hl + data;
            if (expected > size) throw new EOFException();
            if (expected < size) {
                throw damaged(file, (size - expected) + " bytes follow the last array (the file is " + size + " bytes, the header accounts for "
                        + expected + ")");
            }
            Map<String, float[]> arrays = new LinkedHashMap<>();
            for (var e : shapes.entrySet()) {
                long len = 1;
                for (int d : e.getValue()) len *= d;
                arrays.put(e.getKey(), in.next(new float[(int) len]));
            }
            h.remove("arrays");
            return new Checkpoint(h, arrays, shapes);
        } catch (NoSuchFileException e) {
            throw new RunException(RunException.BAD_INPUT, file + ": no such checkpoint file");
        } catch (EOFException e) {
            throw new RunException(RunException.BAD_INPUT, file + ": the checkpoint ends early (damaged or still being copied)");
        } catch (IOException | RuntimeException e) {
            if (e instanceof RunException r) throw r;
            throw new RunException(RunException.BAD_INPUT, file + ": cannot read the checkpoint: " + e.getMessage());
        }
    }

    /** The format's reader (the magic and the header); a file that is no checkpoint is said so. */
    private static CheckpointFile.Reader open(Path file) throws IOException {
        try {
            return new CheckpointFile.Reader(file);
        } catch (IllegalArgumentException e) { // no magic, or a header length no file has
            throw new RunException(RunException.BAD_INPUT, e.getMessage()
                    + "; use a checkpoint written by 'ann train' (last.ckpt, best.ckpt, model.ckpt) or train anew");
        }
    }

    private static RunException damaged(Path file, String what) {
        return new RunException(RunException.BAD_INPUT, file + ": damaged checkpoint: " + what
                + "; use another checkpoint (last.ckpt, best.ckpt, model.ckpt) or train anew");
    }

    private enum Kind { STRING, NUMBER, BOOLEAN, OBJECT, ARRAY }

    /** What each member ann reads must be, where present; version and arrays must be present. */
    private static final Map<String, Kind> MEMBERS = Map.ofEntries(
            Map.entry("format", Kind.STRING), Map.entry("version", Kind.NUMBER), Map.entry("plan_hash", Kind.STRING),
            Map.entry("file", Kind.STRING), Map.entry("train", Kind.STRING), Map.entry("network", Kind.STRING),
            Map.entry("task", Kind.STRING), Map.entry("seed", Kind.NUMBER), Map.entry("optimizer", Kind.OBJECT),
            Map.entry("rng", Kind.OBJECT), Map.entry("epoch", Kind.NUMBER), Map.entry("batch", Kind.NUMBER),
            Map.entry("epoch_sums", Kind.OBJECT), Map.entry("best", Kind.OBJECT), Map.entry("early_stopping", Kind.OBJECT),
            Map.entry("wall_s", Kind.NUMBER), Map.entry("train_s", Kind.NUMBER), Map.entry("train_samples", Kind.NUMBER),
            Map.entry("history", Kind.ARRAY), Map.entry("run_dir", Kind.STRING), Map.entry("class_names", Kind.ARRAY),
            Map.entry("normalize", Kind.BOOLEAN), Map.entry("architecture", Kind.ARRAY), Map.entry("arrays", Kind.ARRAY),
            Map.entry("text", Kind.OBJECT));

    /** Members of the nested objects, likewise. */
    private static final Map<String, Map<String, Kind>> NESTED = Map.of(
            "optimizer", Map.of("kind", Kind.STRING, "step", Kind.NUMBER),
            "epoch_sums", Map.of("loss_sum", Kind.NUMBER, "seen", Kind.NUMBER, "correct", Kind.NUMBER, "lr", Kind.NUMBER),
            "best", Map.of("value", Kind.NUMBER, "epoch", Kind.NUMBER),
            "early_stopping", Map.of("best", Kind.NUMBER, "bad_epochs", Kind.NUMBER, "stopped", Kind.BOOLEAN));

    static void validate(JsonObject h, Path file) {
        if (!h.has("version")) throw damaged(file, "the header has no version");
        for (var m : MEMBERS.entrySet()) {
            if (h.has(m.getKey())) check(h.get(m.getKey()), m.getValue(), m.getKey(), file);
        }
        if (h.has("format") && !h.get("format").getAsString().equals("ann-checkpoint")) {
            throw damaged(file, "format is '" + h.get("format").getAsString() + "', not 'ann-checkpoint'");
        }
        double version = h.get("version").getAsDouble();
        if (version != VERSION) {
            throw new RunException(RunException.BAD_INPUT, file + ": checkpoint version " + h.get("version")
                    + ", but this ann reads version " + VERSION + "; use the ann that wrote it, or train anew");
        }
        for (var n : NESTED.entrySet()) {
            if (!h.has(n.getKey())) continue;
            JsonObject o = h.getAsJsonObject(n.getKey());
            for (var m : n.getValue().entrySet()) {
                if (o.has(m.getKey())) check(o.get(m.getKey()), m.getValue(), n.getKey() + "." + m.getKey(), file);
            }
        }
        if (!h.has("arrays")) throw damaged(file, "the header lists no arrays");
        for (String list : new String[] {"class_names", "architecture"}) {
            if (!h.has(list)) continue;
            for (JsonElement e : h.getAsJsonArray(list)) check(e, Kind.STRING, list + "[]", file);
        }
        if (h.has("history")) {
            for (JsonElement row : h.getAsJsonArray("history")) {
                check(row, Kind.OBJECT, "history[]", file);
                for (var e : row.getAsJsonObject().entrySet()) check(e.getValue(), Kind.NUMBER, "history[]." + e.getKey(), file);
            }
        }
        for (JsonElement el : h.getAsJsonArray("arrays")) {
            check(el, Kind.OBJECT, "arrays[]", file);
            JsonObject a = el.getAsJsonObject();
            if (!a.has("name") || !a.has("shape")) throw damaged(file, "an entry of 'arrays' lacks its name or shape");
            check(a.get("name"), Kind.STRING, "arrays[].name", file);
            check(a.get("shape"), Kind.ARRAY, "arrays[].shape", file);
            for (JsonElement d : a.getAsJsonArray("shape")) {
                check(d, Kind.NUMBER, "arrays[].shape[]", file);
                double v = d.getAsDouble();
                if (v < 0 || v != Math.rint(v) || v > Integer.MAX_VALUE) throw damaged(file, "array " + a.get("name").getAsString() + " has the dimension " + d);
            }
        }
    }

    private static void check(JsonElement e, Kind k, String name, Path file) {
        boolean ok = switch (k) {
            case STRING -> e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
            case NUMBER -> e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
            case BOOLEAN -> e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean();
            case OBJECT -> e.isJsonObject();
            case ARRAY -> e.isJsonArray();
        };
        if (!ok) {
            String want = switch (k) {
                case STRING -> "a string";
                case NUMBER -> "a number";
                case BOOLEAN -> "true or false";
                case OBJECT -> "an object";
                case ARRAY -> "a list";
            };
            String found = e.toString();
            throw damaged(file, "'" + name + "' must be " + want + ", found " + (found.length() > 40 ? found.substring(0, 40) + "..." : found));
        }
    }

    /** Helper for writers: names in order. */
    public static List<String> names(Map<String, ?> m) {
        return new ArrayList<>(m.keySet());
    }

}
