package dev.ann.kernels;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where the time of a transformer encoder block goes, in float32 as {@code ann train} runs it: batch 32 of
 * sequences of 128 steps (lengths drawn from 32 to 128, padding at the end), a conv1d of 64 filters, sinusoidal
 * positions, attention with 4 heads + residual add, layernorm, dense 128 (relu) and 64 on each step + residual
 * add, layernorm, global max pool, dense 4. Prints the median forward and backward milliseconds of each layer
 * and of the whole step. Not a test: bench/training/sequence.sh runs it and records the results.
 */
public final class SequenceBench {
    private SequenceBench() {}

    public static void main(String[] a) {
        System.setProperty("org.bytedeco.javacpp.platform.extension", "-onednn");
        int reps = a.length > 0 ? Integer.parseInt(a[0]) : 30;
        int n = 32, t = 128, f = 16;
        Random r = new Random(1);
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) lengths[i] = 32 + r.nextInt(t - 32 + 1);
        SeqNet b = new SeqNet(DataType.FLOAT, t, f).masked(lengths).conv1d(64, 3, 1, 1, true, true).positional(false);
        int in = b.cur;
        int att = b.attention(4, false).cur;
        b.add(in, att).layerNorm();
        int mid = b.cur;
        int ff = b.denseSteps(128, true).act(Activation.Fn.RELU).denseSteps(64, true).cur;
        b.add(mid, ff).layerNorm().globalMaxPool().dense(4);
        Network net = b.build();
        INDArray x = Nd4j.rand(DataType.FLOAT, n, t, f);
        INDArray g = Nd4j.rand(DataType.FLOAT, n, 4);
        for (int i = 0; i < 5; i++) { net.forward(x, true); net.backward(g); }
        long[][] timing = net.enableTiming();
        long[][][] per = new long[net.size()][2][reps];
        long[] total = new long[reps];
        for (int k = 0; k < reps; k++) {
            for (long[] row : timing) Arrays.fill(row, 0);
            long t0 = System.nanoTime();
            net.forward(x, true);
            net.backward(g);
            total[k] = System.nanoTime() - t0;
            for (int i = 0; i < net.size(); i++) { per[i][0][k] = timing[i][0]; per[i][1][k] = timing[i][1]; }
        }
        System.out.printf("transformer block, batch %d x [%d, %d], float32, %d repetitions: median ms%n", n, t, f, reps);
        System.out.printf("  %-34s %9s %9s%n", "layer", "forward", "backward");
        for (int i = 1; i < net.size(); i++) {
            System.out.printf("  %-34s %9.2f %9.2f%n", net.layerLabel(i), median(per[i][0]), median(per[i][1]));
        }
        System.out.printf("  %-34s %19.2f%n", "whole step (forward + backward)", median(total));
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }
}
