package dev.ann.kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * Which samples go where, from the dataset's seed: the split of one source
 * into training, validation and test samples, the validation samples held
 * out of the training split, and the subset a profile trains on. Each draws
 * from its own generator: {@code seed} for the split, {@code seed + 1} for
 * the hold-out, {@code seed + 2, + 3, + 4} for the subsets of the training,
 * validation and test splits.
 */
public final class Split {
    private Split() {}

    /** Indices of the samples of each part; validation and test are null when they get none. */
    public record Parts(int[] train, int[] validation, int[] test) {}

    /**
     * Splits {@code n} samples (shuffled with {@code seed}, or in their own
     * order without {@code shuffle}): the first {@code train} share trains, the
     * next {@code validation} share validates (all the rest when {@code test}
     * is 0), the rest tests. Shares are rounded to whole samples.
     */
    public static Parts of(int n, boolean shuffle, long seed, double train, double validation, double test) {
        int[] order = Seeds.order(shuffle, n, new Random(seed));
        int nt = (int) Math.round(n * train), nv = (int) Math.round(n * validation);
        if (test == 0) nv = n - nt;
        nt = Math.min(nt, n);
        nv = Math.min(nv, n - nt);
        return new Parts(Arrays.copyOfRange(order, 0, nt), nv > 0 ? Arrays.copyOfRange(order, nt, nt + nv) : null,
                nt + nv < n ? Arrays.copyOfRange(order, nt + nv, n) : null);
    }

    /** Every sample trains (a source without a split). */
    public static Parts all(int n, boolean shuffle, long seed) {
        return of(n, shuffle, seed, 1.0, 0.0, 0.0);
    }

    /**
     * Holds out a {@code fraction} of {@code n} training samples for
     * validation (the last of a permutation from {@code seed + 1}, or the last
     * samples without {@code shuffle}); both parts are kept in sample order.
     */
    public static Parts holdOut(int n, boolean shuffle, long seed, double fraction) {
        int[] order = Seeds.order(shuffle, n, new Random(seed + 1));
        int nv = (int) Math.round(n * fraction);
        return new Parts(sorted(Arrays.copyOfRange(order, 0, n - nv)), sorted(Arrays.copyOfRange(order, n - nv, n)), null);
    }

    /** Which split a subset is drawn for: each has its own generator. */
    public enum Of { TRAIN, VALIDATION, TEST }

    /** A {@code fraction} of {@code n} samples (at least one), drawn at random, kept in sample order. */
    public static int[] subset(int n, double fraction, long seed, Of split) {
        int k = Math.max(1, (int) Math.round(n * fraction));
        return sorted(Arrays.copyOf(Seeds.permutation(n, new Random(seed + 2 + split.ordinal())), k));
    }

    private static int[] sorted(int[] a) {
        int[] b = a.clone();
        Arrays.sort(b);
        return b;
    }
}
