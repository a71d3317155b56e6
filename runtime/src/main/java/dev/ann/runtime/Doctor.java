package dev.ann.runtime;

import dev.ann.plan.Plan;
import dev.ann.runtime.data.Budget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What ann runs on here and why, for {@code ann doctor}: the backends in this
 * build and the one chosen, the CPU and its instruction sets, BLAS, OpenMP
 * threads (and what {@code ann train} sets for a given plan), the GPUs and the
 * CUDA/cuDNN versions found against the ones ND4J needs, the data memory
 * budget. Sections of key/value pairs, in the order printed; values are
 * strings, numbers, booleans or lists of them or of such maps.
 */
public final class Doctor {
    private Doctor() {}

    /** Instruction sets worth naming for ND4J and OpenBLAS, in the order of /proc/cpuinfo's flags. */
    static final Set<String> ISA = Set.of("sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
            "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16", "amx_tile");

    /** The report; {@code plan} (may be null) is the file whose thread choice to show. */
    public static Map<String, Object> report(Plan plan) {
        Map<String, Object> r = new LinkedHashMap<>();
        Map<String, Object> backend = new LinkedHashMap<>();
        List<String> found = new ArrayList<>();
        if (Cuda.present(Cuda.CPU_BACKEND_CLASS)) found.add("nd4j-native (CPU, " + System.getProperty("org.bytedeco.javacpp.platform.extension", "-onednn").replaceFirst("^-", "") + ")");
        if (Cuda.inBuild()) found.add("nd4j-cuda-" + Cuda.CUDA_VERSION + " (GPU)");
        backend.put("found", found);
        Backend.Choice choice = null;
        try {
            choice = Backend.init("auto");
            backend.put("chosen", choice.device());
            backend.put("why", choice.why());
            backend.put("native library", Backend.nativeLibrary());
        } catch (RuntimeException | LinkageError e) {
            backend.put("chosen", "none");
            backend.put("why", "ND4J did not start: " + Cuda.messages(e).lines().findFirst().orElse(""));
        }
        r.put("backend", backend);
        boolean cpu = choice != null && "cpu".equals(choice.device());

        Map<String, Object> c = new LinkedHashMap<>();
        String[] info = cpuInfo();
        c.put("model", info[0]);
        c.put("cores", Runtime.getRuntime().availableProcessors());
        c.put("instruction sets", info[1]);
        if (cpu) {
            try {
                var ops = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps();
                c.put("nd4j binary", level(ops.binaryLevel()));
                c.put("best nd4j binary for this cpu", level(ops.optimalLevel()));
            } catch (RuntimeException | LinkageError e) {
                c.put("nd4j binary", "unknown");
            }
        }
        r.put("cpu", c);

        Map<String, Object> blas = new LinkedHashMap<>();
        if (cpu) {
            try {
                var b = org.nd4j.linalg.factory.Nd4j.factory().blas();
                String vendor = String.valueOf(b.getBlasVendor());
                blas.put("library", "OPENBLAS".equals(vendor) ? org.bytedeco.openblas.global.openblas_nolapack.OPENBLAS_VERSION.strip() : vendor);
                blas.put("kernel", openBlasKernel(info[1]));
                blas.put("threads", b.getMaxThreads());
                blas.put("oneDNN", Backend.oneDnnLoaded());
            } catch (RuntimeException | LinkageError e) {
                blas.put("library", "unknown: " + e);
            }
        } else if (choice != null) {
            blas.put("library", "cuBLAS (CUDA " + Cuda.probe().runtimeCuda() + ")");
        }
        r.put("blas", blas);

        Map<String, Object> omp = new LinkedHashMap<>();
        omp.put("OMP_NUM_THREADS", env("OMP_NUM_THREADS"));
        omp.put("OMP_WAIT_POLICY", env("OMP_WAIT_POLICY"));
        if (choice != null) {
            var e = org.nd4j.linalg.factory.Nd4j.getEnvironment();
            omp.put("nd4j threads", e.maxMasterThreads());
        }
        Map<String, String> sets = Relaunch.added(plan != null ? Relaunch.wanted(plan) : Relaunch.wanted());
        omp.put(plan != null ? "ann train " + plan.train() + " sets" : "ann train sets", sets.isEmpty() ? "nothing (already set)" : join(sets));
        if (plan != null) {
            omp.put("why", plan.trainsInHalves()
                    ? "each batch trains as two halves at once, each on one OpenMP thread (docs/training.md, Threads)"
                    : plan.trainsBestOnOneThread()
                    ? "a small network trains fastest on one OpenMP thread (docs/training.md, Threads)"
                    : "a network this large uses every core");
        }
        r.put("openmp", omp);
        if (cpu) r.put("3x3 convolutions", convolutions(!sets.isEmpty() && !Relaunch.turnedOff()));

        Cuda.Probe p = Cuda.probe();
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("cuda backend in this build", Cuda.inBuild());
        g.put("nd4j needs", "CUDA " + Cuda.CUDA_VERSION + " runtime, cuDNN " + Cuda.CUDNN_VERSION + " (ND4J 1.0.0-M2.1)");
        g.put("nvidia kernel driver", p.kernelDriver() != null ? p.kernelDriver() : "none (/proc/driver/nvidia absent)");
        if (p.driverCuda() != null) g.put("driver supports CUDA", p.driverCuda());
        if (p.runtimeCuda() != null) g.put("CUDA runtime", p.runtimeCuda());
        if (p.cudnn() != null) g.put("cuDNN", p.cudnn());
        Map<String, Object> libs = new LinkedHashMap<>();
        for (Cuda.Lib l : p.libs()) {
            libs.put(l.file(), (l.foundAt() != null ? l.foundAt() : "not found") + " — " + l.what());
        }
        g.put("libraries", libs);
        List<Object> devices = new ArrayList<>();
        for (Cuda.Gpu d : p.gpus()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", d.index());
            m.put("name", d.name());
            m.put("memory", Cuda.gib(d.memoryBytes()));
            m.put("compute capability", d.computeCapability());
            devices.add(m);
        }
        if (devices.isEmpty()) devices.addAll(Cuda.kernelGpus());
        g.put("devices", devices);
        g.put("usable", p.usable());
        g.put(p.usable() ? "gpu" : "why not", p.reason());
        if (!p.help().isEmpty()) g.put("to use it", p.help());
        r.put("gpu", g);

        Map<String, Object> data = new LinkedHashMap<>();
        long heap = Runtime.getRuntime().maxMemory();
        data.put("memory budget", Budget.format(Budget.defaultBytes()) + " (a quarter of the " + Budget.format(heap)
                + " heap; --data-memory SIZE to change, larger data streams from disk)");
        r.put("data", data);
        return r;
    }

    /** "model name" and the instruction sets of interest from /proc/cpuinfo. */
    static String[] cpuInfo() {
        String model = System.getProperty("os.arch");
        String flags = "";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name") && model.equals(System.getProperty("os.arch"))) model = l.substring(l.indexOf(':') + 1).strip();
                if (l.startsWith("flags") && flags.isEmpty()) {
                    List<String> f = new ArrayList<>();
                    for (String x : l.substring(l.indexOf(':') + 1).strip().split("\\s+")) if (ISA.contains(x)) f.add(x);
                    flags = String.join(" ", f);
                }
            }
        } catch (IOException | RuntimeException e) {
            flags = "unknown (no /proc/cpuinfo)";
        }
        return new String[] {model, flags};
    }

    /**
     * The kernel OpenBLAS's DYNAMIC_ARCH build picks by CPUID for these
     * instruction sets (OPENBLAS_CORETYPE overrides it). JavaCPP's OpenBLAS
     * bindings do not expose openblas_get_corename, so this is the rule, not a
     * reading.
     */
    static String openBlasKernel(String isa) {
        String set = System.getenv("OPENBLAS_CORETYPE");
        if (set != null) return set + " (OPENBLAS_CORETYPE)";
        List<String> f = List.of(isa.split(" "));
        String k = f.contains("avx512f") && f.contains("avx512bw") ? "SkylakeX" : f.contains("avx2") ? "Haswell"
                : f.contains("avx") ? "Sandybridge" : f.contains("sse4_2") ? "Nehalem" : "Prescott";
        return k + " (DYNAMIC_ARCH picks it by CPUID)";
    }

    private static String level(int l) {
        return switch (l) {
            case 3 -> "AVX512";
            case 2 -> "AVX/AVX2";
            case 1 -> "generic x86";
            default -> "level " + l;
        };
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "unset" : v;
    }

    private static String join(Map<String, String> m) {
        List<String> l = new ArrayList<>();
        m.forEach((k, v) -> l.add(k + "=" + v));
        return String.join(" ", l);
    }

    /**
     * How float32 3x3 convolutions (stride 1, padding same, channels in whole blocks) run in ann train: as Winograd
     * convolutions on the Vector API in this JVM or in the one train relaunches ({@code relaunches}: it adds the
     * module, {@link Relaunch#vectorOptions}), else as oneDNN's direct convolution, and why.
     */
    static String convolutions(boolean relaunches) {
        String module = dev.ann.kernels.Blocked.VECTOR_MODULE;
        if (dev.ann.kernels.Blocked.winogradTurnedOff()) return "oneDNN's direct convolution (-Dann.winograd=false)";
        if (dev.ann.kernels.Blocked.winogradAvailable()) return "Winograd F(4x4, 3x3) on the Vector API (this JVM has " + module + ")";
        List<String> add = Relaunch.vectorOptions(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (add.isEmpty()) return "oneDNN's direct convolution: this JDK has no " + module;
        if (relaunches) return "Winograd F(4x4, 3x3) on the Vector API, in the JVM that ann train relaunches for a network with convolutions, with " + String.join(" ", add);
        return "oneDNN's direct convolution: this JVM lacks " + module + " and ann train will not relaunch (ANN_NO_RELAUNCH,"
                + " or OpenMP set up by hand); ANN_JAVA_OPTS=--add-modules=" + module + " gives the Winograd convolution";
    }
}
