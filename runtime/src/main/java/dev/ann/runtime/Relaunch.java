package dev.ann.runtime;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * OpenMP reads its settings from the environment when ND4J's native library
 * starts, so they cannot be changed from inside a running JVM. When they are
 * not set, train, eval and predict start the same command once more in a
 * child JVM with them set (see docs/training.md for the measurements behind
 * the choice) and pass its exit code on. A variable the user has set is never
 * overridden; {@code ANN_NO_RELAUNCH=1} (or {@code -Dann.noRelaunch=true}) turns this off.
 */
public final class Relaunch {
    private Relaunch() {}

    /** The settings ann wants for ND4J's OpenMP threads on CPU. */
    public static Map<String, String> wanted() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("OMP_WAIT_POLICY", "passive");
        return m;
    }

    /**
     * The settings for training this plan: {@link #wanted()}, and one thread
     * when the plan {@linkplain dev.ann.plan.Plan#trainsBestOnOneThread() trains best on one}:
     * fashion_mlp 18-22k samples/s with one thread against 14-17k with two on
     * 2 cores, fashion_cnn 250 against 320-350 (docs/training.md, "Threads").
     */
    public static Map<String, String> wanted(dev.ann.plan.Plan plan) {
        Map<String, String> m = wanted();
        if (plan.trainsBestOnOneThread()) m.put("OMP_NUM_THREADS", "1");
        return m;
    }

    /**
     * Relaunches when needed; returns the child's exit code, or null when
     * this JVM already has the settings (then the caller goes on).
     */
    public static Integer ifNeeded(List<String> args, String mainClass) {
        return ifNeeded(args, mainClass, wanted(), false);
    }

    /**
     * {@link #ifNeeded(List, String)} with the settings for training this plan; a child that runs a 2-D convolution
     * also gets the Vector API's module ({@link #vectorOptions}).
     */
    public static Integer ifNeeded(List<String> args, String mainClass, dev.ann.plan.Plan plan) {
        return ifNeeded(args, mainClass, wanted(plan), convolves(plan));
    }

    /** Whether the plan's network has a 2-D convolution (which may run as a Winograd convolution: kernels' Blocked). */
    static boolean convolves(dev.ann.plan.Plan plan) {
        return plan.ops().stream().anyMatch(op -> op.layer() instanceof dev.ann.plan.Kind.Conv2d);
    }

    /**
     * The JVM options a relaunched JVM that runs convolutions gets besides this JVM's own: the Vector API's incubator
     * module, for the 3x3 convolutions' Winograd kernel (kernels' WinogradConv: 0.63-0.89 of oneDNN's direct
     * convolution's time on fashion_cnn's layers, bench/peers/profiles/README.md), where this JDK has the module and the JVM
     * options (ANN_JAVA_OPTS) do not name it already. Such a JVM prints {@link #INCUBATOR_WARNING} as it starts;
     * the relaunch drops that line from the child's error output ({@link #passOn}).
     */
    static List<String> vectorOptions(List<String> jvmArgs) {
        String module = dev.ann.kernels.Blocked.VECTOR_MODULE;
        if (java.lang.module.ModuleFinder.ofSystem().find(module).isEmpty() || jvmArgs.stream().anyMatch(a -> a.contains(module))) {
            return List.of();
        }
        return List.of("--add-modules=" + module);
    }

    /** The line a JVM with an incubator module prints first on its error output. */
    static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: " + dev.ann.kernels.Blocked.VECTOR_MODULE;

    /**
     * Copies the child's error output to {@code out} as it comes, less its first line when that is
     * {@link #INCUBATOR_WARNING} (the JVM prints it for the module that ann itself added; nothing can turn it off).
     * A first line is looked at up to 200 bytes; anything else passes unchanged. Ends when the child's output does.
     */
    static void passOn(java.io.InputStream in, java.io.OutputStream out) throws java.io.IOException {
        byte[] warning = (INCUBATOR_WARNING + System.lineSeparator()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] head = new byte[Math.max(200, warning.length)];
        int have = 0;
        while (have < head.length) { // the first line, or 200 bytes of it
            int b = in.read();
            if (b < 0) break;
            head[have++] = (byte) b;
            if (b == '\n') break;
        }
        boolean drop = have == warning.length && java.util.Arrays.equals(head, 0, have, warning, 0, have);
        if (!drop && have > 0) {
            out.write(head, 0, have);
            out.flush();
        }
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
            out.flush();
        }
    }

    /** Set in the child's environment: this JVM is the relaunched one. */
    static final String CHILD = "ANN_RELAUNCHED";

    /** Whether this JVM is a relaunched child (it never relaunches again). */
    public static boolean isChild() {
        return System.getenv(CHILD) != null;
    }

    /** Whether the user turned the relaunch off: {@code ANN_NO_RELAUNCH} set, or {@code -Dann.noRelaunch=true}. */
    public static boolean turnedOff() {
        return System.getenv("ANN_NO_RELAUNCH") != null || Boolean.getBoolean("ann.noRelaunch");
    }

    /**
     * Whether eval and predict run this plan's network in this JVM, on one OpenMP thread
     * ({@link Backend#oneThread}), instead of relaunching: a network that
     * {@linkplain dev.ann.plan.Plan#trainsBestOnOneThread() trains best on one thread}, when the user has set
     * neither OpenMP variable. With one thread OpenMP starts no worker to spin between ops, so passive waiting,
     * the reason for the relaunch, does not matter, and the second JVM's start is saved: `ann predict` of one
     * text with reuters_corn's conv network 1.64-1.67 -> 1.10-1.12 s, `ann eval` of its 604 test stories
     * 1.86-1.96 -> 1.28-1.45 s (docs/training.md, "Threads"). A larger network relaunches as before.
     *
     * @param env the environment ({@code System.getenv()})
     */
    public static boolean infersInProcess(dev.ann.plan.Plan plan, Map<String, String> env) {
        return plan.trainsBestOnOneThread() && !env.containsKey("OMP_NUM_THREADS") && !env.containsKey("OMP_WAIT_POLICY");
    }

    /** Of the wanted settings, those the relaunch adds: the ones the user has not set ({@code ann doctor} shows them). */
    public static Map<String, String> added(Map<String, String> wanted) {
        Map<String, String> add = new LinkedHashMap<>();
        boolean userOpenMp = System.getenv("OMP_WAIT_POLICY") != null; // the user set OpenMP up: leave the thread count alone too
        for (var e : wanted.entrySet()) {
            if (System.getenv(e.getKey()) == null && !(userOpenMp && e.getKey().equals("OMP_NUM_THREADS"))) add.put(e.getKey(), e.getValue());
        }
        return add;
    }

    /** Set in the child: the parent's process id, so that the child ends when the parent is killed. */
    static final String PARENT_PID = "ANN_PARENT_PID";
    /** How often the child looks at its parent. */
    static final long WATCH_MS = 250;

    private static Integer ifNeeded(List<String> args, String mainClass, Map<String, String> wanted, boolean convolves) {
        if (isChild()) {
            watchParent(System.getenv(PARENT_PID));
            return null;
        }
        if (turnedOff()) return null;
        Map<String, String> add = added(wanted);
        if (add.isEmpty()) return null;
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        cmd.addAll(jvmArgs);
        List<String> extra = convolves ? vectorOptions(jvmArgs) : List.of();
        cmd.addAll(extra);
        String sun = System.getProperty("sun.java.command", "");
        String first = sun.split(" ", 2)[0];
        if (first.endsWith(".jar")) {
            cmd.add("-jar");
            cmd.add(first);
        } else {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(mainClass);
        }
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        if (!extra.isEmpty()) pb.redirectError(ProcessBuilder.Redirect.PIPE); // passOn drops the incubator warning
        pb.environment().putAll(add);
        pb.environment().put(CHILD, "1");
        pb.environment().put(PARENT_PID, String.valueOf(ProcessHandle.current().pid()));
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            return null; // go on in this JVM, with OpenMP's defaults
        }
        // Ctrl-C reaches the child too (same process group) and it checkpoints; a
        // signal sent to this JVM alone is passed on; either way wait for the child.
        // SIGKILL cannot be caught here: the child watches this process instead (watchParent).
        Process child = p;
        Thread errors = null;
        if (!extra.isEmpty()) {
            java.io.OutputStream err = new java.io.FileOutputStream(java.io.FileDescriptor.err);
            errors = new Thread(() -> {
                try (java.io.InputStream in = child.getErrorStream()) {
                    passOn(in, err);
                } catch (java.io.IOException ignored) {
                    // this JVM's error output is gone: nothing to tell it with
                }
            }, "ann-child-stderr");
            errors.start();
        }
        Thread copier = errors;
        Thread hook = new Thread(() -> {
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.waitFor(90, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            drained(copier);
        }, "ann-relaunch");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int rc = p.waitFor();
            drained(copier);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down
            }
            return rc;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 3;
        }
    }

    /** Waits up to 2 s for the child's error output to be passed on (the child is gone: its output ends). */
    private static void drained(Thread copier) {
        if (copier == null) return;
        try {
            copier.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * In the child: a daemon thread that ends this JVM as SIGTERM would
     * ({@code System.exit}, so a training run checkpoints first) once the
     * parent is gone, e.g. after {@code kill -9}. The child is then re-parented,
     * so a changed parent id tells it, whatever became of the old id.
     */
    static void watchParent(String parentPid) {
        if (parentPid == null) return;
        long pid;
        try {
            pid = Long.parseLong(parentPid.trim());
        } catch (NumberFormatException e) {
            return;
        }
        Thread t = new Thread(() -> {
            while (true) {
                long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
                if (now != pid) {
                    System.err.println("ann: the parent process " + pid + " is gone; stopping");
                    System.exit(143);
                }
                try {
                    Thread.sleep(WATCH_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "ann-parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
