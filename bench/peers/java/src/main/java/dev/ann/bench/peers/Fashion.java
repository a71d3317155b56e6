package dev.ann.bench.peers;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST as ann reads it for examples/fashion_data.ann: Debian's dataset-fashion-mnist,
 * pixels scaled by 1/255, 10% of the training file held out for validation with ann's split
 * (kernels' Seeds.permutation over java.util.Random(seed + 1), the last 10% held out, the rest in order).
 */
final class Fashion {
    static final String DIR = "/usr/share/datasets/fashion-mnist/";
    final float[] x, xt;   // [n * 784], [nt * 784]
    final int[] y, yt;
    final int n, nt;

    Fashion(long seed) throws IOException {
        float[] xa = images("train-images-idx3-ubyte.gz");
        int[] ya = labels("train-labels-idx1-ubyte.gz");
        int all = ya.length, nv = (int) Math.round(all * 0.1);
        int[] perm = permutation(all, new Random(seed + 1));
        int[] keep = Arrays.copyOfRange(perm, 0, all - nv);
        Arrays.sort(keep);
        n = keep.length;
        x = new float[n * 784];
        y = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(xa, keep[i] * 784, x, i * 784, 784);
            y[i] = ya[keep[i]];
        }
        xt = images("t10k-images-idx3-ubyte.gz");
        yt = labels("t10k-labels-idx1-ubyte.gz");
        nt = yt.length;
    }

    static int[] permutation(int n, Random r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static DataInputStream open(String name) throws IOException {
        InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(DIR + name)), 1 << 16);
        return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
    }

    private static float[] images(String name) throws IOException {
        try (DataInputStream d = open(name)) {
            d.readInt();
            int count = d.readInt(), rows = d.readInt(), cols = d.readInt();
            byte[] b = new byte[count * rows * cols];
            d.readFully(b);
            float[] f = new float[b.length];
            for (int i = 0; i < b.length; i++) f[i] = (b[i] & 0xff) / 255f;
            return f;
        }
    }

    private static int[] labels(String name) throws IOException {
        try (DataInputStream d = open(name)) {
            d.readInt();
            byte[] b = new byte[d.readInt()];
            d.readFully(b);
            int[] l = new int[b.length];
            for (int i = 0; i < b.length; i++) l[i] = b[i];
            return l;
        }
    }
}
