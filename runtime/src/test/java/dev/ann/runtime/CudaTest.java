package dev.ann.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CUDA probe's reading of load errors, and the loader that hides a backend from ND4J. */
class CudaTest {
    @TempDir Path tmp;

    // the messages JavaCPP 1.5.7 gives (the first is the one from issue 18, on a machine without the driver)
    static final String NO_DRIVER = "UnsatisfiedLinkError: /root/.javacpp/cache/cuda-11.6-8.3-1.5.7-linux-x86_64.jar/org/bytedeco/cuda/"
            + "linux-x86_64/libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or directory\n";
    static final String NO_RUNTIME = "UnsatisfiedLinkError: /root/.javacpp/cache/cuda-11.6-8.3-1.5.7-linux-x86_64.jar/org/bytedeco/cuda/"
            + "linux-x86_64/libjnicublas.so: libcublasLt.so.11: cannot open shared object file: No such file or directory\n";
    static final String NO_CUDNN = "UnsatisfiedLinkError: /x/libjnicudnn.so: libcudnn_ops_infer.so.8: cannot open shared object file: No such file or directory\n";

    @Test
    void aMissingDriverLibraryIsNoDriver() {
        assertEquals("libcuda.so.1", Cuda.missingLibrary(NO_DRIVER));
        assertEquals(Cuda.Missing.DRIVER, Cuda.classify(NO_DRIVER));
        assertEquals("no NVIDIA driver (libcuda.so.1 not found)", Cuda.explain(Cuda.Missing.DRIVER, "libcuda.so.1", "x", ""));
        assertTrue(Cuda.help(Cuda.Missing.DRIVER, "libcuda.so.1").contains("install the NVIDIA driver"));
    }

    @Test
    void aMissingCudaLibraryIsTheRuntimeAndSaysHowToGetIt() {
        assertEquals("libcublasLt.so.11", Cuda.missingLibrary(NO_RUNTIME));
        assertEquals(Cuda.Missing.RUNTIME, Cuda.classify(NO_RUNTIME));
        assertEquals("the CUDA 11.6 runtime is missing (libcublasLt.so.11 not found)",
                Cuda.explain(Cuda.Missing.RUNTIME, "libcublasLt.so.11", "x", ""));
        assertTrue(Cuda.help(Cuda.Missing.RUNTIME, "libcublasLt.so.11").contains("-Pcuda,cuda-natives"));
        assertEquals("cuDNN 8.3 is missing (libcudnn_ops_infer.so.8 not found)",
                Cuda.explain(Cuda.classify(NO_CUDNN), Cuda.missingLibrary(NO_CUDNN), "x", ""));
    }

    @Test
    void anyOtherErrorIsTheBackendWithItsMessage() {
        String m = "UnsatisfiedLinkError: no jnind4jcuda in java.library.path: /usr/lib\n";
        assertNull(Cuda.missingLibrary(m));
        assertEquals(Cuda.Missing.BACKEND, Cuda.classify(m));
        assertTrue(Cuda.explain(Cuda.Missing.BACKEND, null, "ND4J's CUDA library", "no jnind4jcuda in java.library.path")
                .startsWith("ND4J's CUDA library does not load: no jnind4jcuda"));
    }

    @Test
    void messagesFollowTheCauses() {
        var e = new ExceptionInInitializerError(new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file"));
        assertEquals(Cuda.Missing.DRIVER, Cuda.classify(Cuda.messages(e)));
    }

    @Test
    void cudaVersionsAreDecodedAsCudaEncodesThem() {
        assertEquals("11.6", Cuda.cudaVersion(11060));
        assertEquals("12.2", Cuda.cudaVersion(12020));
        assertEquals("11.0", Cuda.cudaVersion(11000));
    }

    @Test
    void theCpuBuildSaysHowToBuildForTheGpu() {
        assumeFalse(Cuda.inBuild(), "this is the -Pcuda build");
        Cuda.Probe p = Cuda.probe();
        assertEquals(Cuda.Missing.NOT_IN_BUILD, p.missing());
        assertFalse(p.usable());
        assertTrue(p.help().contains(Cuda.BUILD), p.help());
        assertEquals(List.of("libcuda.so.1", "libcudart.so.11.0", "libcublas.so.11", "libcusolver.so.11", "libcudnn.so.8"),
                p.libs().stream().map(Cuda.Lib::file).toList());
    }

    /** Runs in the -Pcuda build (mvn -Pcuda verify) on a machine without the NVIDIA driver. */
    @Test
    void theCudaBuildWithoutADriverFindsNoDriver() {
        assumeTrue(Cuda.inBuild(), "needs the -Pcuda build");
        assumeFalse(Files.exists(Path.of("/proc/driver/nvidia")), "this machine has the NVIDIA driver");
        Cuda.Probe p = Cuda.probe();
        assertEquals(Cuda.Missing.DRIVER, p.missing(), p.reason());
        assertEquals("no NVIDIA driver (libcuda.so.1 not found)", p.reason());
    }

    @Test
    void theHidingLoaderLeavesOneJarsServiceFilesOut() throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        for (Path d : List.of(a, b)) {
            Files.createDirectories(d.resolve("META-INF/services"));
            Files.writeString(d.resolve("META-INF/services/x.Service"), d.getFileName() + "\n");
            Files.writeString(d.resolve("other.txt"), "x");
        }
        try (URLClassLoader both = new URLClassLoader(new URL[] {a.toUri().toURL(), b.toUri().toURL()}, null)) {
            assertEquals(2, Collections.list(both.getResources("META-INF/services/x.Service")).size());
            Backend.Hiding h = new Backend.Hiding(both, b.toUri().toURL().toString());
            List<URL> kept = Collections.list(h.getResources("META-INF/services/x.Service"));
            assertEquals(1, kept.size());
            assertTrue(kept.get(0).toString().startsWith(a.toUri().toURL().toString()), kept.toString());
            assertEquals(2, Collections.list(h.getResources("other.txt")).size(), "only service files are hidden");
        }
    }
}
