package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which samples go where, and the normalisation fitted on the training samples. */
class SplitNormalizeTest {
    @Test
    void splitTakesTheSharesOfTheSeededOrder() {
        int[] order = Seeds.permutation(10, new Random(42));
        Split.Parts p = Split.of(10, true, 42, 0.7, 0.2, 0.1);
        assertArrayEquals(Arrays.copyOfRange(order, 0, 7), p.train());
        assertArrayEquals(Arrays.copyOfRange(order, 7, 9), p.validation());
        assertArrayEquals(Arrays.copyOfRange(order, 9, 10), p.test());
        // test 0: the rest validates; shuffle false: file order
        Split.Parts q = Split.of(10, false, 42, 0.75, 0.0, 0.0);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, q.train());
        assertArrayEquals(new int[] {8, 9}, q.validation());
        assertNull(q.test());
        Split.Parts all = Split.all(4, false, 1);
        assertArrayEquals(new int[] {0, 1, 2, 3}, all.train());
        assertNull(all.validation());
        assertNull(all.test());
    }

    @Test
    void holdOutAndSubsetsAreSortedAndDrawnFromTheirOwnSeeds() {
        Split.Parts h = Split.holdOut(10, true, 5, 0.3);
        int[] order = Seeds.permutation(10, new Random(6));
        int[] want = Arrays.copyOfRange(order, 7, 10);
        Arrays.sort(want);
        assertArrayEquals(want, h.validation());
        assertEquals(7, h.train().length);
        assertTrue(IntStream.of(h.train()).noneMatch(i -> IntStream.of(h.validation()).anyMatch(j -> j == i)));
        assertArrayEquals(new int[] {7, 8, 9}, Split.holdOut(10, false, 5, 0.3).validation());

        int[] s = Split.subset(10, 0.25, 5, Split.Of.VALIDATION);
        int[] w = Arrays.copyOf(Seeds.permutation(10, new Random(5 + 3)), 3);
        Arrays.sort(w);
        assertArrayEquals(w, s);
        assertEquals(1, Split.subset(3, 0.01, 5, Split.Of.TRAIN).length);
    }

    @Test
    void standardAndMinmaxFitOnTheGivenSamplesAndApplyPerFeature() {
        // 3 samples of 2 features; the second feature does not vary
        float[] x = {1, 5, 2, 5, 3, 5};
        Normalize.Stats st = Normalize.fit("standard", x, 3, 2);
        assertArrayEquals(new float[] {2, 5}, st.shift());
        assertArrayEquals(new float[] {(float) (1 / Math.sqrt(2.0 / 3)), 1}, st.mul(), 1e-6f);
        Normalize.Stats mm = Normalize.fit("minmax", x, 3, 2);
        assertArrayEquals(new float[] {1, 5}, mm.shift());
        assertArrayEquals(new float[] {0.5f, 1}, mm.mul());

        float[] y = x.clone();
        Normalize.applyAll(y, 3, 2, 1f, mm.shift(), mm.mul());
        assertArrayEquals(new float[] {0, 0, 0.5f, 0, 1, 0}, y);
        float[] z = {10, 20};
        Normalize.apply(z, 0, 2, 0.1f, null, null);
        assertArrayEquals(new float[] {1, 2}, z);
        // the fit of samples added one by one is the fit of the whole array, bit for bit
        Normalize.Fit f = new Normalize.Fit(2);
        for (int i = 0; i < 3; i++) f.add(x, 2 * i);
        assertArrayEquals(st.mul(), f.stats("standard").mul());
        assertTrue(Normalize.fits("minmax") && !Normalize.fits("none") && !Normalize.fits(null));
    }
}
