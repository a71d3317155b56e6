package dev.ann.runtime.data;

import dev.ann.runtime.RunException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * IDX images read from disk by index: every record has the same size, so
 * sample {@code i} lies at {@code header + i * record}. The file is mapped
 * into memory read-only (in pieces of at most 1 GiB), so a read is a copy out
 * of the page cache, without a system call; the operating system pages it in
 * and out, and the Java heap holds none of it. A
 * gzip-compressed file is decompressed once into a cache file in the
 * temporary folder (deleted on {@link #close} and, failing that, when the JVM
 * exits). The labels file is small and read into memory.
 */
public final class IdxSamples extends Samples {
    final Path file;
    final Path cache;
    final long dataOffset;
    final int record;
    private volatile MappedByteBuffer[] maps;
    private volatile int perMap;
    private final ThreadLocal<byte[]> bufs;

    private IdxSamples(Path file, Path cache, long dataOffset, int n, int[] shape, int[] labels) {
        super(n, shape, labels, null, 0, List.of());
        this.file = file;
        this.cache = cache;
        this.dataOffset = dataOffset;
        this.record = sampleSize;
        this.bufs = ThreadLocal.withInitial(() -> new byte[record]);
    }

    /** Opens images and labels (same checks and messages as {@link IdxLoader#load}). */
    public static IdxSamples open(Path images, Path labels) {
        dev.ann.kernels.Idx.Header h = IdxLoader.header(images);
        dev.ann.kernels.Idx.File lb = IdxLoader.read(labels);
        int[] shape = IdxLoader.checkPair(images, h.dims(), labels, lb.dims());
        int n = h.dims()[0];
        int[] l = dev.ann.kernels.Idx.unsigned(lb.data());
        long need = h.dataOffset() + h.total();
        Path cache = null;
        long offset = h.dataOffset();
        if (h.gzip()) {
            cache = decompress(images, h, need);
            offset = 0;
        } else {
            long size;
            try {
                size = Files.size(images);
            } catch (IOException e) {
                throw new RunException(RunException.BAD_INPUT, images + ": cannot read: " + e.getMessage());
            }
            if (size < need) throw RunException.data(images.toString(), 0, 0, "the file ends early (truncated download?)");
        }
        return new IdxSamples(images, cache, offset, n, shape, l);
    }

    /** Cache files are named ann-idx-PID-RANDOM.bytes, PID the process that made them. */
    static final String CACHE_PREFIX = "ann-idx-";

    /**
     * Deletes the caches of processes that are gone: a killed run cannot
     * delete its own (deleteOnExit does not run after SIGKILL), and each is
     * as large as the decompressed images.
     */
    static int removeOrphanCaches() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.regex.Pattern name = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(CACHE_PREFIX) + "(\\d+)-\\d+\\.bytes");
        int n = 0;
        try (var s = Files.newDirectoryStream(dir, CACHE_PREFIX + "*.bytes")) {
            for (Path p : s) {
                var m = name.matcher(p.getFileName().toString());
                if (m.matches() && !ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
                    if (Files.deleteIfExists(p)) n++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: the temporary folder is not ours to fail on
        }
        return n;
    }

    /** The image bytes (without the header) of a gzip file, in a temporary file. */
    private static Path decompress(Path images, dev.ann.kernels.Idx.Header h, long need) {
        Path tmp;
        removeOrphanCaches();
        try {
            tmp = Files.createTempFile(CACHE_PREFIX + ProcessHandle.current().pid() + "-", ".bytes");
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, "cannot create a cache file for " + images + " in the temporary folder ("
                    + System.getProperty("java.io.tmpdir") + "): " + e.getMessage());
        }
        tmp.toFile().deleteOnExit();
        long total = h.total();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(images), 1 << 16), 1 << 16);
             OutputStream out = Files.newOutputStream(tmp)) {
            in.skipNBytes(h.dataOffset());
            byte[] b = new byte[1 << 16];
            long left = total;
            while (left > 0) {
                int r = in.read(b, 0, (int) Math.min(b.length, left));
                if (r < 0) throw RunException.data(images.toString(), 0, 0, "the file ends early (truncated download?)");
                out.write(b, 0, r);
                left -= r;
            }
        } catch (java.io.EOFException e) {
            deleteQuietly(tmp);
            throw RunException.data(images.toString(), 0, 0, "the file ends early (truncated download?)");
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new RunException(RunException.FAILURE, images + ": cannot decompress to " + tmp + ": " + e.getMessage()
                    + " (is the temporary folder full? set -Djava.io.tmpdir=... in ANN_JAVA_OPTS)");
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        return tmp;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // deleteOnExit is still registered
        }
    }

    /** The cache file of a gzip source (null for a plain file); for tests. */
    public Path cacheFile() {
        return cache;
    }

    private synchronized MappedByteBuffer[] maps() {
        if (maps == null) {
            Path f = cache != null ? cache : file;
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                perMap = Math.max(1, (1 << 30) / record);
                int k = (int) ((n + (long) perMap - 1) / perMap);
                MappedByteBuffer[] m = new MappedByteBuffer[k];
                for (int j = 0; j < k; j++) {
                    long first = (long) j * perMap, count = Math.min(perMap, n - first);
                    m[j] = ch.map(FileChannel.MapMode.READ_ONLY, dataOffset + first * record, count * record);
                }
                maps = m; // after perMap: a reader that sees maps sees perMap
            } catch (IOException e) {
                throw new RunException(RunException.BAD_INPUT, file + ": cannot read: " + e.getMessage());
            }
        }
        return maps;
    }

    @Override
    public void read(int i, float[] dst, int off) {
        MappedByteBuffer[] m = maps;
        if (m == null) m = maps();
        byte[] a = bufs.get();
        m[i / perMap].get((i % perMap) * record, a, 0, record);
        for (int j = 0; j < record; j++) dst[off + j] = a[j] & 0xff;
    }

    @Override
    public boolean inMemory() {
        return false;
    }

    @Override
    public synchronized void close() {
        maps = null; // unmapped when collected; the file may be deleted while mapped
        if (cache != null) deleteQuietly(cache);
    }
}
