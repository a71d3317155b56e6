package dev.ann.bench.peers;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST as ann reads it for examples/fashion_data.ann: Debian's dataset-fashion-mnist,
 * pixels scaled by 1/255, 10% of the training file held out for validation with ann's split
 * (kernels' Split.holdOut, compiled into this project from kernels/src/main/java).
 */
final class Fashion {
    static final String DIR = "/usr/share/datasets/fashion-mnist/";
    final float[] x, xt;   // [n * 784], [nt * 784]
    final int[] y, yt;
    final int n, nt;

    Fashion(long seed) throws IOException {
        float[] xa = images("train-images-idx3-ubyte.gz");
        int[] ya = labels("train-labels-idx1-ubyte.gz");
        int[] keep = dev.ann.kernels.Split.holdOut(ya.length, true, seed, 0.1).train();
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
