package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** {@link Halves#shared}: each block run once, by whichever thread takes it. */
class HalvesSharedTest {
    @Test
    void everyElementIsDoneOnceWhicheverThreadTakesItsBlock() {
        int n = 10_007, block = 1_000;
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int run = 0; run < 50; run++) {
            AtomicIntegerArray done = new AtomicIntegerArray(n);
            Halves.shared(n, true, block, (from, to) -> {
                assertTrue(to - from <= block && from % block == 0, "a block from " + from + " to " + to);
                threads.add(Thread.currentThread().getName());
                long until = System.nanoTime() + 200_000; // 0.2 ms a block: time for the helper to start
                while (System.nanoTime() < until) Thread.onSpinWait();
                for (int i = from; i < to; i++) done.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, done.get(i), "element " + i + " in run " + run);
        }
        assertTrue(threads.contains("ann-kernels"), "the helper never took a block: " + threads);

        AtomicIntegerArray alone = new AtomicIntegerArray(n);
        Halves.shared(n, false, block, (from, to) -> {
            assertEquals(0, from);
            assertEquals(n, to);
            for (int i = from; i < to; i++) alone.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertEquals(1, alone.get(i));
    }
}
