package dev.ann.kernels;

import java.util.Random;

/**
 * Randomness from the one seed: every generator's state is a function of
 * numbers (seed, epoch, batch), so a run can be repeated and resumed bit for bit.
 * The training order of epoch e comes from {@code new Random(mix(seed, e))},
 * dropout masks of batch b of epoch e from ND4J's generator seeded with
 * {@code mix(seed, e, b)}.
 */
public final class Seeds {
    private Seeds() {}

    /** A seed derived from several numbers (a 64-bit hash combine with SplitMix64's multiplier). */
    public static long mix(long... v) {
        long h = 0x9E3779B97F4A7C15L;
        for (long x : v) {
            h ^= x + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }

    /**
     * The order samples are taken in: a seeded permutation, or without
     * shuffling the samples' own order (splits then take the first samples
     * for training and hold out the last for validation).
     */
    public static int[] order(boolean shuffle, int n, Random r) {
        if (shuffle) return permutation(n, r);
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        return o;
    }

    /** Fisher-Yates with java.util.Random: the same seed gives the same order everywhere. */
    public static int[] permutation(int n, Random r) {
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
}
