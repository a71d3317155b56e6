package dev.ann.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * Child JVM of {@link LibrariesAtStartTest}: starts ND4J as ann does ({@link Backend#init(String)}), prints the
 * JavaCPP JNI libraries mapped into the process, then runs what loads native code lazily (the products' check,
 * OpenBLAS's small products, oneDNN's convolutions) and prints them again.
 */
public final class LibrariesAtStartMain {
    public static void main(String[] args) throws Exception {
        Backend.init("cpu");
        System.out.println("after init: " + jniLibraries());
        dev.ann.kernels.K.prepare();
        org.nd4j.linalg.api.ndarray.INDArray a = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 4);
        dev.ann.kernels.K.gemm(a, a, org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 3), false, true);
        if (OneDnn.get() == null) throw new IllegalStateException("oneDNN's convolutions did not start");
        System.out.println("after use: " + jniLibraries());
    }

    /** The file names of the libjni*.so libraries this process has mapped (Linux's /proc/self/maps). */
    static TreeSet<String> jniLibraries() throws Exception {
        TreeSet<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int slash = line.lastIndexOf('/');
            if (slash < 0) continue;
            String name = line.substring(slash + 1);
            if (name.startsWith("libjni") && name.contains(".so")) names.add(name);
        }
        return names;
    }
}
