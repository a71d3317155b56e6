package dev.ann.runtime.data;

import dev.ann.kernels.Idx;
import dev.ann.runtime.RunException;
import java.nio.file.Path;

/**
 * IDX files (the MNIST format) for the runtime: the kernels' {@link Idx}
 * reader (header checks, gzip, the file-size bounds) with its errors as
 * {@link RunException}s.
 */
public final class IdxLoader {
    private IdxLoader() {}

    public static Idx.File read(Path file) {
        return RunException.data(() -> Idx.read(file));
    }

    /** Reads only the magic number and the dimensions (the same checks and messages as {@link #read}). */
    public static Idx.Header header(Path file) {
        return RunException.data(() -> Idx.header(file));
    }

    /** Checks that the images and labels go together; returns the sample shape [c, h, w]. */
    public static int[] checkPair(Path images, int[] imDims, Path labels, int[] lbDims) {
        return RunException.data(() -> Idx.sampleShape(images, imDims, labels, lbDims));
    }

    /** Images [n, h, w] (or [n, c, h, w]) and labels [n]. */
    public static Dataset load(Path images, Path labels) {
        Idx.Samples s = RunException.data(() -> Idx.load(images, labels));
        return new Dataset(s.n(), s.shape(), s.x(), s.labels(), null, 0, java.util.List.of());
    }
}
