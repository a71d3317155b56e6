package dev.ann.kernels;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernels' plain Java loops on two cores: a range of independent work (parameters, channels, planes)
 * split in two halves, the second on one helper thread while the calling thread does the first ({@link #run}),
 * or in blocks that both threads take as each gets to them ({@link #shared}, Adam's parameters). Only when
 * a core is idle ({@link #otherCoreFree}): on a busy machine the training thread waited for the helper to be
 * scheduled (one thread took 5-7 ms an Adam step for fashion_mlp at a load average of 11-15 on 2 cores where
 * two took 9-20 ms).
 * Each half does what one thread would do on its elements, so the results are the same either way.
 */
final class Halves {
    private Halves() {}

    /** The work on elements [from, to). */
    interface Range {
        void run(int from, int to);
    }

    /** When the machine's load was last looked at (0: never, or looked at again on the next call: tests). */
    static volatile long loadCheckedAt;
    private static volatile boolean coreFree;
    /** Tests set this to run the two-halves way (true) or the one-thread way (false) whatever the machine does; null: decide. */
    static volatile Boolean forced;

    /**
     * Whether a core is idle for the helper thread: what other processes used of the machine's CPUs over
     * the last second (all of it less this JVM's share) is under half a core. (The load average, which
     * was the rule before, counts this training's own OpenMP threads too: a convolutional network that
     * kept both cores busy in ND4J's ops looked like a busy machine.) Looked at once a second.
     */
    static boolean otherCoreFree() {
        if (forced != null) return forced;
        long now = System.nanoTime();
        if (loadCheckedAt == 0 || now - loadCheckedAt > 1_000_000_000L) {
            int cores = Runtime.getRuntime().availableProcessors();
            double others = -1;
            if (OperatingSystem.BEAN instanceof com.sun.management.OperatingSystemMXBean os) {
                // each figure read once: a read covers the time since the one before, so a second read at once
                // covers microseconds and gave 0 (the rule read each twice until 2026-12-03 and so took every
                // core as free)
                double machine = os.getCpuLoad(), process = os.getProcessCpuLoad();
                if (machine >= 0 && process >= 0) others = Math.max(0, machine - process) * cores;
            }
            if (others < 0) { // no CPU figures: the load average, this training included
                others = OperatingSystem.BEAN.getSystemLoadAverage() - 1;
            }
            coreFree = cores >= 2 && others < 0.5;
            loadCheckedAt = now;
        }
        return coreFree;
    }

    /**
     * The machine's CPU figures, looked up once: {@code ManagementFactory.getOperatingSystemMXBean()} goes through
     * the platform's bean registry (streams, a map) on every call, and its first reads the container's cgroup files.
     */
    private static final class OperatingSystem {
        static final java.lang.management.OperatingSystemMXBean BEAN = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    }

    /**
     * Runs work over [0, n): on the calling thread alone unless {@code two}, else [0, split) here and
     * [split, n) on the helper thread, with split = n / 2 rounded down to a multiple of {@code align}.
     */
    static void run(int n, boolean two, int align, Range work) {
        int split = (n / 2) / align * align;
        if (!two || split == 0 || BatchHalves.busy()) { // a batch's halves keep both cores busy already
            work.run(0, n);
            return;
        }
        Task other = Helper.get().submit(() -> work.run(split, n));
        work.run(0, split);
        other.await();
    }

    /**
     * Runs work over [0, n) in blocks of {@code block} elements: on the calling thread alone unless {@code two},
     * else the calling thread and the helper both take the next block not yet taken until none is left. For work
     * whose blocks are independent of each other and of the thread that runs them (Adam's elements): the results
     * are the same whoever takes which block. A helper that starts late, because the JIT's compiler threads or other
     * processes hold the other core, takes fewer blocks or none, where {@link #run}'s caller would wait for its half.
     */
    static void shared(int n, boolean two, int block, Range work) {
        if (!two || n <= block || BatchHalves.busy()) {
            work.run(0, n);
            return;
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable take = () -> {
            for (int from; (from = next.getAndAdd(block)) < n; ) work.run(from, Math.min(n, from + block));
        };
        // 0: the helper has not started, 1: it has, 2: it must not (this thread is through the blocks). A cancelled
        // Future would not do: cancel(false) also succeeds while the task runs.
        java.util.concurrent.atomic.AtomicInteger helper = new java.util.concurrent.atomic.AtomicInteger();
        Task other = Helper.get().submit(() -> {
            if (helper.compareAndSet(0, 1)) take.run();
        });
        take.run();
        if (helper.compareAndSet(0, 2)) return; // it had not started: every block is done
        other.await(); // at most the block it took last
    }

    /**
     * How long the helper stays awake after its last task, waiting for the next one: 1 ms. A thread that sleeps
     * between tasks takes 25-45 µs to wake once its core has idled 0.3-2 ms (a park and unpark ping-pong on the
     * 2-core AMD machine, median), longer than the wait of the products it serves: fashion_mlp's first layer
     * {@code [128, 784] x [784, 256]} called every millisecond, median 0.68 ms on one thread, 0.53 on two
     * OpenMP threads (whose second sleeps between calls), 0.51 as two column halves with a sleeping helper, 0.36
     * with a waiting one. A step of a small network hands work over several times a millisecond, so the helper
     * stays awake through it; it yields its core while it waits, so that the JIT's compiler threads and other
     * processes lose little to it, and sleeps once the training pauses (validation, a checkpoint, the end).
     */
    static final long AWAKE_NS = 1_000_000L;

    /** One piece of work handed to the helper, and whether it is done. */
    static final class Task {
        private final Runnable work;
        private volatile boolean done;
        private Throwable failure;

        private Task(Runnable work) {
            this.work = work;
        }

        private void run() {
            try {
                work.run();
            } catch (Throwable e) {
                failure = e;
            } finally {
                done = true;
            }
        }

        /** Waits for the work (a block or a half: microseconds) to end; its failure as an unchecked exception. */
        void await() {
            for (int i = 1; !done; i++) {
                Thread.onSpinWait();
                if ((i & 255) == 0) Thread.yield(); // the helper may wait for this core
            }
            if (failure != null) throw new IllegalStateException("a kernel's second thread failed", failure);
        }
    }

    /**
     * The helper thread (a daemon, "ann-kernels"): runs the tasks handed to it in turn, stays awake for
     * {@link #AWAKE_NS} after each (unless a batch trains as halves, or ND4J runs on two OpenMP threads: their other
     * thread wants the core), then sleeps until the next.
     */
    private static final class Helper implements Runnable {
        private static Helper instance;
        private final ConcurrentLinkedQueue<Task> tasks = new ConcurrentLinkedQueue<>();
        private final Thread thread;
        private volatile boolean asleep;
        /** whether the last task came from a thread on which ND4J runs on one OpenMP thread */
        private volatile boolean stayAwake;

        private Helper() {
            thread = new Thread(this, "ann-kernels");
            thread.setDaemon(true);
        }

        static synchronized Helper get() {
            if (instance == null) {
                instance = new Helper();
                instance.thread.start();
            }
            return instance;
        }

        Task submit(Runnable work) {
            Task t = new Task(work);
            // awake between tasks only for a training on one OpenMP thread: where ND4J runs on two, OpenMP's second
            // thread wants the other core between the helper's tasks (the transformer's `ann train` lost about 5%)
            stayAwake = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads() == 1;
            tasks.add(t);
            if (asleep) LockSupport.unpark(thread);
            return t;
        }

        @Override public void run() {
            long lastTask = System.nanoTime();
            for (int i = 1; ; i++) {
                Task t = tasks.poll();
                if (t != null) {
                    t.run();
                    lastTask = System.nanoTime();
                } else if (stayAwake && System.nanoTime() - lastTask < AWAKE_NS && !BatchHalves.busy()) { // a batch's halves use the core
                    Thread.onSpinWait();
                    if ((i & 63) == 0) Thread.yield(); // others that want this core take it
                } else {
                    asleep = true; // then a look at the queue: a task added before this was seen is not slept over
                    if (tasks.isEmpty()) LockSupport.park(this);
                    asleep = false;
                }
            }
        }
    }

    /** An executor of one daemon thread of this name: a helper that never keeps the JVM alive. */
    static ExecutorService oneThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
