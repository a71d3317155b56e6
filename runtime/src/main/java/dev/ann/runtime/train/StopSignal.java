package dev.ann.runtime.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT), SIGTERM and {@code System.exit} from the parent watch
 * ({@link dev.ann.runtime.Relaunch}): a shutdown hook sets a flag that the
 * training loop reads before every batch, then holds the JVM open until the
 * loop says {@link #done()} (checkpoint, metrics, plot and report written),
 * at most {@link #GRACE_S} seconds.
 */
final class StopSignal implements AutoCloseable {
    static final int GRACE_S = 60;

    /** Set by any stop hook once the JVM has begun to shut down (a signal or {@code System.exit}). */
    private static volatile boolean shutdownStarted;

    private volatile boolean requested;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    private StopSignal(boolean install) {
        if (!install) {
            hook = null;
            return;
        }
        hook = new Thread(() -> {
            shutdownStarted = true;
            requested = true;
            try {
                done.await(GRACE_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ann-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Installs the hook when {@code handle}; otherwise a signal that never fires. */
    static StopSignal install(boolean handle) {
        return new StopSignal(handle);
    }

    /** True once a signal (or {@code System.exit}) started the JVM's shutdown while a run was watching for it. */
    static boolean shutdownStarted() {
        return shutdownStarted;
    }

    boolean requested() {
        return requested;
    }

    /** The run has written what it had: the JVM may end. */
    void done() {
        done.countDown();
    }

    @Override
    public void close() {
        done();
        if (hook != null && !requested) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
    }
}
