package dev.ann.runtime.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ann.runtime.RunException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
    public static final String MAGIC = "ANNCKPT1";
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
        byte[] hb = GSON.toJson(h).getBytes(StandardCharsets.UTF_8);
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(12 + hb.length).order(ByteOrder.LITTLE_ENDIAN);
                head.put(MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(hb.length).put(hb).flip();
                while (head.hasRemaining()) ch.write(head);
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (float[] a : arrays.values()) {
                    for (float v : a) {
                        if (!buf.hasRemaining()) { buf.flip(); while (buf.hasRemaining()) ch.write(buf); buf.clear(); }
                        buf.putFloat(v);
                    }
                }
                buf.flip();
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, file + ": cannot write the checkpoint: " + e.getMessage(), e);
        }
    }

    public static Checkpoint read(Path file) {
        try (InputStream raw = Files.newInputStream(file)) {
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16));
            byte[] magic = in.readNBytes(8);
            if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new RunException(RunException.BAD_INPUT, file + ": not an ann checkpoint (it does not start with " + MAGIC
                        + "); pass a .ckpt file written by 'ann train'");
            }
            byte[] lenb = new byte[4];
            in.readFully(lenb);
            int hl = ByteBuffer.wrap(lenb).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (hl <= 0 || hl > (64 << 20)) throw new RunException(RunException.BAD_INPUT, file + ": damaged checkpoint (header length " + hl + ")");
            byte[] hb = new byte[hl];
            in.readFully(hb);
            JsonObject h = JsonParser.parseString(new String(hb, StandardCharsets.UTF_8)).getAsJsonObject();
            Map<String, float[]> arrays = new LinkedHashMap<>();
            Map<String, int[]> shapes = new LinkedHashMap<>();
            byte[] chunk = new byte[1 << 16];
            for (var el : h.getAsJsonArray("arrays")) {
                JsonObject a = el.getAsJsonObject();
                JsonArray s = a.getAsJsonArray("shape");
                int[] shape = new int[s.size()];
                long len = 1;
                for (int i = 0; i < shape.length; i++) { shape[i] = s.get(i).getAsInt(); len *= shape[i]; }
                float[] v = new float[(int) len];
                int done = 0;
                while (done < v.length) {
                    int k = Math.min(chunk.length / 4, v.length - done);
                    in.readFully(chunk, 0, k * 4);
                    ByteBuffer.wrap(chunk, 0, k * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v, done, k);
                    done += k;
                }
                arrays.put(a.get("name").getAsString(), v);
                shapes.put(a.get("name").getAsString(), shape);
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

    /** Helper for writers: names in order. */
    public static List<String> names(Map<String, ?> m) {
        return new ArrayList<>(m.keySet());
    }

}
