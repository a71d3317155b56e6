package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Halves}' helper thread: its failures reach the caller, and it sleeps once it has been idle a while. */
class HalvesHelperTest {
    /** The helper asks ND4J's native ops for the caller's OpenMP threads: ND4J's backend loads first, as in any training. */
    @org.junit.jupiter.api.BeforeAll
    static void loadNd4j() {
        org.nd4j.linalg.factory.Nd4j.getExecutioner();
    }

    @Test
    void aFailureOfTheHelpersHalfReachesTheCaller() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Halves.run(100, true, 1, (from, to) -> {
            if (from > 0) throw new ArithmeticException("the second half failed");
        }));
        assertEquals("the second half failed", e.getCause().getMessage());
        // and the helper serves the next call
        int[] done = new int[100];
        Halves.run(100, true, 1, (from, to) -> { for (int i = from; i < to; i++) done[i]++; });
        for (int i = 0; i < done.length; i++) assertEquals(1, done[i], "element " + i);
    }

    @Test
    void theHelperSleepsOnceIdleLongerThanItStaysAwake() throws InterruptedException {
        // from a thread on one OpenMP thread, the case in which the helper stays awake after a task at all
        var ops = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps();
        int threads = ops.ompGetMaxThreads();
        ops.setOmpNumThreads(1);
        try {
            Halves.run(100, true, 1, (from, to) -> {});
        } finally {
            ops.setOmpNumThreads(threads);
        }
        Thread helper = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("ann-kernels")).findFirst()
                .orElseThrow(() -> new AssertionError("no helper thread"));
        Thread.State state = null;
        for (int i = 0; i < 100 && state != Thread.State.WAITING; i++) { // 1 ms awake, then parked: well within 1 s
            Thread.sleep(10);
            state = helper.getState();
        }
        assertEquals(Thread.State.WAITING, state, "the helper still spins " + Halves.AWAKE_NS / 1e6 + " ms after its last task and more");
        assertTrue(helper.isDaemon(), "the helper never keeps the JVM alive");
    }
}
