package dev.ann.runtime;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Loads ND4J the way ann wants it: on CPU the oneDNN build of nd4j-native
 * (JavaCPP platform extension {@code -onednn}), thread counts chosen for the
 * machine; in a build with the CUDA backend too ({@code -Pcuda}), the backend
 * that {@link #init(String)} chooses. Call {@code init} before the first ND4J
 * class is touched.
 *
 * <p>ND4J takes the available backend of the highest priority (CUDA 100, CPU 0,
 * from the environment variables BACKEND_PRIORITY_GPU and BACKEND_PRIORITY_CPU,
 * read once) among those its ServiceLoader finds through
 * {@code ND4JClassLoading}'s class loader. ann decides first ({@link Cuda#probe()}
 * tells whether the GPU can run) and then hides the other backend's service
 * files from that loader, so ND4J finds exactly the chosen one, whatever the
 * priorities say, and never runs its own CUDA check (which prints a stack trace
 * when the driver is missing).
 */
public final class Backend {
    private static volatile boolean done;
    private static Choice choice;

    /**
     * The backend ann chose.
     *
     * @param device "cpu" or "gpu"
     * @param why    one line: the GPU in use, or why the CPU
     */
    public record Choice(String device, String why) {}

    private Backend() {}

    /** What a start on the background thread threw, rethrown by the next {@link #init(String)}; null when none. */
    private static volatile Throwable backgroundFailure;

    /**
     * Starts ND4J on a background thread, so that loading its native libraries (about 0.45 s on the 2-core
     * machine) overlaps the compiling of the .ann file and the reading of the data; the caller's own
     * {@link #init(String)} then waits for it (it is synchronized) or finds it done. Only in a build without the
     * CUDA backend, where every request gives the CPU (gpu gets its message from the caller's own init, as
     * before), so the choice is the one the caller would make.
     */
    public static void startInBackground() {
        if (done || Cuda.inBuild()) return;
        Thread t = new Thread(() -> {
            try {
                init("auto");
            } catch (RuntimeException | LinkageError e) {
                backgroundFailure = e;
                return;
            }
            try {
                dev.ann.kernels.K.prepare(); // the products' one-time check, before the first step needs it
            } catch (RuntimeException | LinkageError e) {
                // the first product meets the same failure where it reports it
            }
            try {
                dev.ann.kernels.Blocked.warmUpWinograd(); // where the JVM has the Vector API: a convolution network's run
            } catch (RuntimeException | LinkageError e) {
                // the first convolution runs cold
            }
        }, "ann-nd4j-start");
        t.setDaemon(true);
        t.start();
    }

    /** {@link #init(String)} with auto: eval, predict and the tests. */
    public static Choice init() {
        return init("auto");
    }

    /**
     * Chooses the backend for cpu, gpu or auto (null: auto) and starts ND4J on it.
     * auto takes the GPU when this build has the CUDA backend and {@link Cuda#probe()}
     * finds it can run, else the CPU. gpu on a machine that cannot run it is a
     * {@link RunException} (exit 1) that says what is missing and how to get it.
     * Once ND4J has started, later calls return the first choice.
     */
    public static synchronized Choice init(String requested) {
        String r = requested == null ? "auto" : requested;
        Throwable failed = backgroundFailure;
        if (failed != null) { // the same failure the caller's own start would have met, where it meets it
            backgroundFailure = null;
            if (failed instanceof RuntimeException e) throw e;
            throw (LinkageError) failed;
        }
        if (done) {
            if ("gpu".equals(r) && !"gpu".equals(choice.device())) {
                choose(r, Cuda.inBuild()); // throws, saying what is missing, when the GPU cannot run
                throw new RunException(RunException.NO_DEVICE, "--device gpu: ND4J already runs on the CPU in this process");
            }
            return choice;
        }
        // JavaCPP reads its platform properties once, at its first load (the CUDA probe's included)
        if (System.getProperty("org.bytedeco.javacpp.platform.extension") == null) {
            System.setProperty("org.bytedeco.javacpp.platform.extension", "-onednn");
        }
        // keep ND4J quiet about its own logging configuration
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // SLF4J (pulled in by ND4J and JavaCPP) prints three lines about its missing binding; drop them
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
            private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            @Override public void write(int b) {
                line.write(b);
                if (b == '\n') {
                    String s = line.toString(java.nio.charset.StandardCharsets.UTF_8);
                    if (!s.startsWith("SLF4J:")) err.print(s);
                    line.reset();
                }
            }
        }, true));
        try {
            boolean inBuild = Cuda.inBuild();
            Choice c = choose(r, inBuild);
            if (inBuild) hideBackend("gpu".equals(c.device()) ? Cuda.CPU_BACKEND_CLASS : Cuda.BACKEND_CLASS);
            org.nd4j.linalg.factory.Nd4j.getEnvironment();
            // oneDNN's preset too, before init returns and other threads use ND4J (K.loadLibraries says why)
            if ("cpu".equals(c.device())) dev.ann.kernels.K.loadLibraries();
            org.slf4j.LoggerFactory.getLogger(Backend.class);
            choice = c;
            done = true;
            // picture networks' convolutions on oneDNN directly, in its blocked layout (OneDnn); -Dann.blocked=false
            // keeps them on ND4J's conv2d (for benchmarks that compare the two)
            if ("cpu".equals(c.device()) && !"false".equals(System.getProperty("ann.blocked"))) dev.ann.kernels.Blocked.use(OneDnn::get);
            return c;
        } finally {
            System.setErr(err);
        }
    }

    /**
     * For a plan with convolutions, when they will run on {@link OneDnn}: its library (56 MB) loaded and its layout
     * probed on a daemon thread now, while the caller reads a checkpoint and data, instead of when the network is
     * built (which then waits for it: {@link OneDnn#get} is synchronized): `ann eval` (Predictor.evaluate) calls it
     * before reading the test split.
     */
    public static void loadEngineSoon(dev.ann.plan.Plan plan) {
        if (!dev.ann.kernels.Blocked.offered()
                || plan.ops().stream().noneMatch(o -> dev.ann.kernels.Blocked.wanted(dev.ann.runtime.nn.PlanKernels.layer(o.layer())))) return;
        Thread t = new Thread(OneDnn::get, "ann-onednn-load");
        t.setDaemon(true);
        t.start();
    }

    private static Choice choose(String r, boolean inBuild) {
        switch (r) {
            case "gpu" -> {
                Cuda.Probe p = Cuda.probe();
                if (!p.usable()) {
                    throw new RunException(RunException.NO_DEVICE, "--device gpu: " + p.reason() + "; " + p.help()
                            + ". Or train on the CPU: --device cpu (or auto, which takes the GPU when there is one).");
                }
                return new Choice("gpu", p.reason());
            }
            case "cpu" -> {
                return new Choice("cpu", "--device cpu");
            }
            default -> {
                Cuda.Probe p = inBuild ? Cuda.probe() : null;
                return p != null && p.usable() ? new Choice("gpu", p.reason())
                        : new Choice("cpu", p == null ? "this build has no CUDA backend" : "no usable GPU: " + p.reason());
            }
        }
    }

    /** The choice made by {@link #init(String)}, or null before it. */
    public static synchronized Choice choice() {
        return choice;
    }

    /**
     * Hides the service files (backend, compressors) of the jar that holds
     * {@code backendClass} from the class loader ND4J's ServiceLoader reads.
     */
    private static void hideBackend(String backendClass) {
        ClassLoader parent = org.nd4j.common.config.ND4JClassLoading.getNd4jClassloader();
        if (parent == null) parent = Backend.class.getClassLoader();
        try {
            URL loc = Class.forName(backendClass, false, Backend.class.getClassLoader())
                    .getProtectionDomain().getCodeSource().getLocation();
            org.nd4j.common.config.ND4JClassLoading.setNd4jClassloader(new Hiding(parent, loc.toString()));
        } catch (ClassNotFoundException | RuntimeException e) {
            // that backend is not in this build: nothing to hide
        }
    }

    /** Delegates everything to its parent, but leaves one jar's META-INF/services files out. */
    static final class Hiding extends ClassLoader {
        static { registerAsParallelCapable(); }
        private final String hidden;

        Hiding(ClassLoader parent, String hidden) {
            super(parent);
            this.hidden = hidden;
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            Enumeration<URL> all = super.getResources(name);
            if (!name.startsWith("META-INF/services/")) return all;
            List<URL> kept = new ArrayList<>();
            while (all.hasMoreElements()) {
                URL u = all.nextElement();
                if (!u.toString().contains(hidden)) kept.add(u);
            }
            return Collections.enumeration(kept);
        }
    }

    /** The native library that was loaded, read from the process's memory map (Linux). */
    public static String nativeLibrary() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int i = l.indexOf('/');
                if (i >= 0 && l.endsWith("libnd4jcpu.so")) return l.substring(i);
                if (i >= 0 && l.contains("libnd4jcuda")) return l.substring(i);
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }

    /** One line: backend, native build, threads. */
    public static String describe() {
        String lib = nativeLibrary();
        String build = lib.contains("-onednn/") ? "linux-x86_64-onednn" : lib.contains("cuda") ? "cuda" : lib.contains("linux-x86_64/") ? "linux-x86_64" : lib;
        return "nd4j " + (lib.contains("cuda") ? "cuda" : "native") + " " + build + ", "
                + threads(org.nd4j.linalg.factory.Nd4j.getEnvironment().maxMasterThreads());
    }

    /**
     * One thread for ND4J's ops in this JVM from here on, on the CPU: ND4J's own count, its BLAS's, and OpenMP's,
     * which oneDNN's convolutions read (the first two alone leave those on every core). What
     * {@code OMP_NUM_THREADS=1} gives a relaunched JVM, for a process that does not relaunch (eval and predict of
     * a small network, {@link Relaunch#infersInProcess}; StepBench). Kernels' {@code K.gemm} and convolutions still
     * take a second thread for their largest ops, as under {@code OMP_NUM_THREADS=1}.
     */
    public static void oneThread() {
        if (!"cpu".equals(init().device())) return;
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(1);
        org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(1);
        org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
    }

    /** True when the loaded nd4j-native library is the oneDNN build. */
    public static boolean oneDnnLoaded() {
        return nativeLibrary().contains("-onednn/");
    }

    private static String threads(int n) {
        return n == 1 ? "1 thread" : n + " threads";
    }
}
