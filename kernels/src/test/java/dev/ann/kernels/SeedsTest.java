package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeedsTest {
    /** Seeds: the permutation is one (every index once), reproducible from the seed; without shuffling, the identity. */
    @Test
    void seedsGiveReproduciblePermutations() {
        int[] p = Seeds.permutation(50, new Random(3)), q = Seeds.permutation(50, new Random(3));
        assertArrayEquals(p, q);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        assertTrue(!Arrays.equals(p, Seeds.permutation(50, new Random(4))));
        assertArrayEquals(new int[] {0, 1, 2, 3}, Seeds.order(false, 4, new Random(1)));
        assertEquals(Seeds.mix(7, 1), Seeds.mix(7, 1));
        assertTrue(Seeds.mix(7, 1) != Seeds.mix(7, 2) && Seeds.mix(7, 1) != Seeds.mix(1, 7));
    }
}
