package dev.ann.bench.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A train block's data as ann prepared it (bench/peers/prepare/PeersData.java: ann's own tokenizer, hold-out
 * and windows): float32 samples, int32 classes or float32 targets, little-endian, and meta.json.
 */
final class Prepared {
    final int n, nt, classes, targetWidth, vocabulary;
    final long[] shape;
    final int size;
    final float[] x, xt;
    /** classes (null for regression) */
    final int[] y, yt;
    /** targets (null for classification) */
    final float[] yf, ytf;

    Prepared(Path dir) throws IOException {
        JsonNode m = new ObjectMapper().readTree(dir.resolve("meta.json").toFile());
        n = m.get("n").asInt();
        nt = m.get("test_n").asInt();
        classes = m.get("classes").asInt();
        targetWidth = m.get("target_width").asInt();
        vocabulary = m.get("vocabulary").asInt();
        shape = new long[m.get("shape").size()];
        int s = 1;
        for (int k = 0; k < shape.length; k++) s *= (int) (shape[k] = m.get("shape").get(k).asLong());
        size = s;
        x = floats(dir.resolve("train_x.f32"), n * size);
        xt = floats(dir.resolve("test_x.f32"), nt * size);
        y = classes > 0 ? ints(dir.resolve("train_y.i32"), n) : null;
        yt = classes > 0 ? ints(dir.resolve("test_y.i32"), nt) : null;
        yf = classes > 0 ? null : floats(dir.resolve("train_y.f32"), n * targetWidth);
        ytf = classes > 0 ? null : floats(dir.resolve("test_y.f32"), nt * targetWidth);
    }

    private static ByteBuffer read(Path f, int count) throws IOException {
        byte[] b = Files.readAllBytes(f);
        if (b.length != count * 4L) throw new IOException(f + ": " + b.length + " bytes, expected " + count * 4L + " (meta.json's counts)");
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static float[] floats(Path f, int count) throws IOException {
        float[] v = new float[count];
        read(f, count).asFloatBuffer().get(v);
        return v;
    }

    static int[] ints(Path f, int count) throws IOException {
        int[] v = new int[count];
        read(f, count).asIntBuffer().get(v);
        return v;
    }
}
