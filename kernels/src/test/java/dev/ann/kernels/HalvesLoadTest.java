package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two-thread rule's look at the machine ({@link Halves#otherCoreFree}) sees other processes' work. */
class HalvesLoadTest {

    @Test
    void otherProcessesKeepingTheCoresBusyMakeTheMachineBusy() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        assumeTrue(cores >= 2, "needs two cores or more");
        Halves.loadCheckedAt = 0;
        Halves.otherCoreFree(); // the figures' first read: their counters start here
        List<Process> busy = new ArrayList<>();
        try {
            for (int i = 0; i < cores; i++) busy.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            Thread.sleep(1500);
            Halves.loadCheckedAt = 0;
            // every core busy with other processes over the last 1.5 s: no core is free for a helper thread.
            // (Reading each figure twice in a row, as the rule did before, reads a microsecond's load, 0: free.)
            assertFalse(Halves.otherCoreFree(), "with " + cores + " busy loops in other processes a core counted as free");
        } finally {
            for (Process p : busy) p.destroyForcibly();
            for (Process p : busy) p.waitFor();
            Halves.loadCheckedAt = 0;
        }
    }
}
