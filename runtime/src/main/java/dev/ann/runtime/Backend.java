package dev.ann.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads ND4J the way ann wants it: on CPU the oneDNN build of nd4j-native
 * (JavaCPP platform extension {@code -onednn}), thread counts chosen for the
 * machine. Call {@link #init()} before the first ND4J class is touched.
 */
public final class Backend {
    private static volatile boolean done;

    private Backend() {}

    public static synchronized void init() {
        if (done) return;
        if (System.getProperty("org.bytedeco.javacpp.platform.extension") == null) {
            System.setProperty("org.bytedeco.javacpp.platform.extension", "-onednn");
        }
        // keep ND4J quiet about its own logging configuration
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // SLF4J (pulled in by ND4J) prints three lines about its missing binding; drop them
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
            org.nd4j.linalg.factory.Nd4j.getEnvironment();
            org.slf4j.LoggerFactory.getLogger(Backend.class);
        } finally {
            System.setErr(err);
        }
        done = true;
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

    /** True when the loaded nd4j-native library is the oneDNN build. */
    public static boolean oneDnnLoaded() {
        return nativeLibrary().contains("-onednn/");
    }

    private static String threads(int n) {
        return n == 1 ? "1 thread" : n + " threads";
    }
}
