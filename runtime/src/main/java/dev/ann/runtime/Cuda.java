package dev.ann.runtime;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether ND4J's CUDA backend can run here, found out before ND4J starts and
 * without letting it fail: ND4J's own check prints a stack trace when the
 * driver or the CUDA runtime is missing, and a build that has only the CUDA
 * backend then has none at all. The probe loads what ND4J would load, in the
 * order it would (the CUDA runtime, the device count, cuBLAS and cuSOLVER,
 * ND4J's CUDA library), catching every {@link Throwable}, and says which part
 * is missing and how to get it.
 *
 * <p>The CUDA classes are reached by reflection: the default build does not
 * carry them ({@code -Pcuda} adds them, see docs/training.md#gpu).
 */
public final class Cuda {
    /** The CUDA version ND4J 1.0.0-M2.1's CUDA backend is built for (nd4j-cuda-11.6). */
    public static final String CUDA_VERSION = "11.6";
    /** The cuDNN version JavaCPP's CUDA 11.6 presets (1.5.7) go with. */
    public static final String CUDNN_VERSION = "8.3";
    /** How to build ann with the CUDA backend and the CUDA runtime bundled. */
    public static final String BUILD = "mvn -B -Pcuda,cuda-natives -DskipTests -pl cli -am package";

    static final String BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";
    static final String CPU_BACKEND_CLASS = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";

    /** What stands between this machine and the GPU; NONE when the backend can run. */
    public enum Missing { NONE, NOT_IN_BUILD, DRIVER, RUNTIME, DEVICE, BACKEND }

    /** A GPU the CUDA runtime sees. */
    public record Gpu(int index, String name, long memoryBytes, String computeCapability) {}

    /** A shared library the CUDA backend needs, where it was found (null: nowhere). */
    public record Lib(String file, String what, boolean required, String foundAt) {}

    /**
     * The outcome of the probe. Versions are "major.minor" strings, null when
     * not known (the library did not load).
     *
     * @param missing      what is missing, NONE when the GPU can be used
     * @param reason       one line: why the GPU cannot be used, or which GPU
     * @param help         what to do about it (empty when nothing is missing)
     * @param kernelDriver the NVIDIA kernel module's version (/proc/driver/nvidia/version)
     * @param driverCuda   the newest CUDA version the driver supports
     * @param runtimeCuda  the CUDA runtime's version
     * @param cudnn        cuDNN's version
     */
    public record Probe(Missing missing, String reason, String help, String kernelDriver, String driverCuda,
                        String runtimeCuda, String cudnn, List<Gpu> gpus, List<Lib> libs) {
        public boolean usable() {
            return missing == Missing.NONE;
        }
    }

    private static Probe probe;

    private Cuda() {}

    /** True when this build of ann carries ND4J's CUDA backend (built with -Pcuda). */
    public static boolean inBuild() {
        return present(BACKEND_CLASS);
    }

    static boolean present(String cls) {
        try {
            Class.forName(cls, false, Cuda.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The probe, run once per JVM (a library that failed to load cannot be loaded again). */
    public static synchronized Probe probe() {
        if (probe == null) probe = run();
        return probe;
    }

    private static Probe run() {
        String kernel = kernelDriver();
        List<Lib> libs = libs();
        if (!inBuild()) {
            return new Probe(Missing.NOT_IN_BUILD, "this build of ann has the CPU backend only",
                    "build ann with the CUDA backend: " + BUILD + " (docs/training.md#gpu)",
                    kernel, null, null, null, List.of(), libs);
        }
        ClassLoader cl = Cuda.class.getClassLoader();
        Class<?> cudart;
        try {
            cudart = Class.forName("org.bytedeco.cuda.global.cudart", true, cl);
        } catch (Throwable t) {
            return failed(t, "the CUDA runtime", kernel, null, null, libs);
        }
        String driverCuda = version(cudart, "cudaDriverGetVersion");
        String runtimeCuda = version(cudart, "cudaRuntimeGetVersion");
        List<Gpu> gpus = new ArrayList<>();
        try {
            int[] n = {0};
            int rc = (Integer) cudart.getMethod("cudaGetDeviceCount", int[].class).invoke(null, (Object) n);
            if (rc != 0 || n[0] <= 0) {
                String err = rc != 0 ? errorString(cudart, rc) + " (CUDA error " + rc + ")" : "no device";
                if (rc == 35) { // cudaErrorInsufficientDriver
                    return new Probe(Missing.DRIVER, "the NVIDIA driver is too old for CUDA " + CUDA_VERSION
                            + (driverCuda != null ? " (it supports CUDA " + driverCuda + ")" : ""),
                            "update the NVIDIA driver to one for CUDA " + CUDA_VERSION + " or newer, then run `ann doctor`",
                            kernel, driverCuda, runtimeCuda, null, gpus, libs);
                }
                return new Probe(Missing.DEVICE, "the CUDA runtime sees no GPU: " + err,
                        "check that `nvidia-smi` lists a GPU and that CUDA_VISIBLE_DEVICES does not hide it, then run `ann doctor`",
                        kernel, driverCuda, runtimeCuda, null, gpus, libs);
            }
            Class<?> propClass = Class.forName("org.bytedeco.cuda.cudart.cudaDeviceProp", true, cl);
            Method props = cudart.getMethod("cudaGetDeviceProperties", propClass, int.class);
            for (int i = 0; i < n[0]; i++) {
                Object p = propClass.getConstructor().newInstance();
                props.invoke(null, p, i);
                String name = ((org.bytedeco.javacpp.BytePointer) propClass.getMethod("name").invoke(p)).getString();
                long mem = (Long) propClass.getMethod("totalGlobalMem").invoke(p);
                String cc = propClass.getMethod("major").invoke(p) + "." + propClass.getMethod("minor").invoke(p);
                gpus.add(new Gpu(i, name, mem, cc));
            }
        } catch (Throwable t) {
            return failed(t, "the CUDA runtime", kernel, driverCuda, runtimeCuda, libs);
        }
        for (String lib : List.of("org.bytedeco.cuda.global.cublas", "org.bytedeco.cuda.global.cusolver")) {
            try {
                Class.forName(lib, true, cl);
            } catch (Throwable t) {
                return failed(t, "the CUDA " + CUDA_VERSION + " libraries", kernel, driverCuda, runtimeCuda, libs, gpus);
            }
        }
        String cudnn = null;
        try { // optional: the linux-x86_64 build of libnd4jcuda does not link cuDNN (the -cudnn one does)
            long v = (Long) Class.forName("org.bytedeco.cuda.global.cudnn", true, cl).getMethod("cudnnGetVersion").invoke(null);
            cudnn = v / 1000 + "." + (v % 1000) / 100 + "." + v % 100;
        } catch (Throwable t) {
            cudnn = null;
        }
        try {
            org.bytedeco.javacpp.Loader.load(Class.forName("org.nd4j.linalg.jcublas.bindings.Nd4jCuda", false, cl));
        } catch (Throwable t) {
            Probe p = failed(t, "ND4J's CUDA library", kernel, driverCuda, runtimeCuda, libs, gpus);
            return new Probe(p.missing(), p.reason(), p.help(), kernel, driverCuda, runtimeCuda, cudnn, gpus, libs);
        }
        Gpu g = gpus.get(0);
        String reason = "GPU 0, " + g.name() + " (" + gib(g.memoryBytes()) + ", CUDA " + runtimeCuda + " runtime"
                + (gpus.size() > 1 ? "; " + gpus.size() + " GPUs, ND4J uses them all" : "") + ")";
        return new Probe(Missing.NONE, reason, "", kernel, driverCuda, runtimeCuda, cudnn, gpus, libs);
    }

    private static Probe failed(Throwable t, String part, String kernel, String driverCuda, String runtimeCuda, List<Lib> libs) {
        return failed(t, part, kernel, driverCuda, runtimeCuda, libs, List.of());
    }

    private static Probe failed(Throwable t, String part, String kernel, String driverCuda, String runtimeCuda,
                                List<Lib> libs, List<Gpu> gpus) {
        Missing m = classify(messages(t));
        String lib = missingLibrary(messages(t));
        String reason = explain(m, lib, part, firstLine(messages(t)));
        return new Probe(m, reason, help(m, lib), kernel, driverCuda, runtimeCuda, null, gpus, libs);
    }

    private static final Pattern MISSING_LIB = Pattern.compile("(lib[A-Za-z0-9_+.-]+?\\.so[0-9.]*): cannot open shared object file");

    /** The shared library a load error names as missing, or null. */
    static String missingLibrary(String messages) {
        Matcher m = MISSING_LIB.matcher(messages);
        return m.find() ? m.group(1) : null;
    }

    /** What is missing, judged from the messages of a load error and its causes. */
    static Missing classify(String messages) {
        String lib = missingLibrary(messages);
        if (lib == null) return Missing.BACKEND;
        if (lib.startsWith("libcuda.so") || lib.startsWith("libnvidia")) return Missing.DRIVER;
        if (lib.startsWith("libnd4j")) return Missing.BACKEND;
        return Missing.RUNTIME;
    }

    static String explain(Missing m, String lib, String part, String message) {
        return switch (m) {
            case DRIVER -> "no NVIDIA driver (" + lib + " not found)";
            case RUNTIME -> lib != null && lib.startsWith("libcudnn")
                    ? "cuDNN " + CUDNN_VERSION + " is missing (" + lib + " not found)"
                    : "the CUDA " + CUDA_VERSION + " runtime is missing (" + lib + " not found)";
            default -> part + " does not load: " + message;
        };
    }

    static String help(Missing m, String lib) {
        return switch (m) {
            case DRIVER -> "install the NVIDIA driver (then `nvidia-smi` lists the GPU) and run `ann doctor`";
            case RUNTIME -> "build ann with the CUDA " + CUDA_VERSION + " and cuDNN " + CUDNN_VERSION + " runtime bundled ("
                    + BUILD + ", about 1.8 GB), or install them and put their lib64 folder on LD_LIBRARY_PATH; then run `ann doctor`";
            default -> "run `ann doctor` and see docs/training.md#gpu";
        };
    }

    /** The messages of an error and its causes, one per line. */
    static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        Set<Throwable> seen = new LinkedHashSet<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        String l = s.lines().findFirst().orElse("");
        return l.length() > 300 ? l.substring(0, 300) + "..." : l;
    }

    private static String version(Class<?> cudart, String method) {
        try {
            int[] v = {0};
            int rc = (Integer) cudart.getMethod(method, int[].class).invoke(null, (Object) v);
            return rc == 0 && v[0] > 0 ? cudaVersion(v[0]) : null;
        } catch (Throwable t) {
            return null;
        }
    }

    /** 11060 → 11.6 (CUDA's own encoding: 1000 × major + 10 × minor). */
    static String cudaVersion(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    private static String errorString(Class<?> cudart, int rc) {
        try {
            return ((org.bytedeco.javacpp.BytePointer) cudart.getMethod("cudaGetErrorString", int.class).invoke(null, rc)).getString();
        } catch (Throwable t) {
            return "error";
        }
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /** "550.54.15" from /proc/driver/nvidia/version, or null without the NVIDIA kernel module. */
    static String kernelDriver() {
        try {
            String l = Files.readAllLines(Path.of("/proc/driver/nvidia/version")).get(0);
            Matcher m = Pattern.compile("Kernel Module(?: for [^ ]+)?\\s+([0-9][0-9.]+)").matcher(l);
            return m.find() ? m.group(1) : l.trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The GPUs the NVIDIA kernel module lists (/proc/driver/nvidia/gpus), for when the CUDA runtime does not load. */
    public static List<String> kernelGpus() {
        List<String> l = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc/driver/nvidia/gpus"))) {
            for (Path d : s.sorted().toList()) {
                for (String line : Files.readAllLines(d.resolve("information"))) {
                    if (line.startsWith("Model:")) l.add(line.substring(6).strip() + " (bus " + d.getFileName() + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            // no NVIDIA kernel module
        }
        return l;
    }

    /** The libraries ND4J's CUDA backend loads, and where each was found. */
    static List<Lib> libs() {
        List<Lib> l = new ArrayList<>();
        l.add(lib("libcuda.so.1", "NVIDIA driver", true));
        l.add(lib("libcudart.so.11.0", "CUDA " + CUDA_VERSION + " runtime", true));
        l.add(lib("libcublas.so.11", "cuBLAS (CUDA " + CUDA_VERSION + ")", true));
        l.add(lib("libcusolver.so.11", "cuSOLVER (CUDA " + CUDA_VERSION + ")", true));
        l.add(lib("libcudnn.so.8", "cuDNN " + CUDNN_VERSION + " (optional for nd4j-cuda-" + CUDA_VERSION + ":linux-x86_64)", false));
        return l;
    }

    private static Lib lib(String file, String what, boolean required) {
        if (!file.startsWith("libcuda.so")
                && Cuda.class.getClassLoader().getResource("org/bytedeco/cuda/linux-x86_64/" + file) != null) {
            return new Lib(file, what, required, "bundled (org.bytedeco:cuda redist)");
        }
        for (String dir : searchPath()) {
            Path p = Path.of(dir, file);
            if (Files.exists(p)) return new Lib(file, what, required, p.toString());
        }
        return new Lib(file, what, required, null);
    }

    /** Where the dynamic linker looks: LD_LIBRARY_PATH, ld.so.conf, the usual folders, CUDA's. */
    static List<String> searchPath() {
        Set<String> dirs = new LinkedHashSet<>();
        for (String v : new String[] {System.getenv("LD_LIBRARY_PATH"), System.getProperty("java.library.path")}) {
            if (v != null) for (String d : v.split(":")) if (!d.isBlank()) dirs.add(d);
        }
        List<Path> confs = new ArrayList<>();
        confs.add(Path.of("/etc/ld.so.conf"));
        try (var s = Files.list(Path.of("/etc/ld.so.conf.d"))) {
            s.filter(p -> p.toString().endsWith(".conf")).sorted().forEach(confs::add);
        } catch (IOException | RuntimeException e) {
            // none
        }
        for (Path c : confs) {
            try {
                for (String line : Files.readAllLines(c)) {
                    String t = line.strip();
                    if (t.startsWith("/")) dirs.add(t);
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: skip
            }
        }
        dirs.addAll(List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
                "/usr/local/cuda-" + CUDA_VERSION + "/lib64", "/usr/local/cuda/lib64"));
        return new ArrayList<>(dirs);
    }
}
