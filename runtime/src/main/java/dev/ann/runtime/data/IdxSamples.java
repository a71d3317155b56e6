package dev.ann.runtime.data;

import dev.ann.runtime.RunException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * IDX images read from disk by index: every record has the same size, so
 * sample {@code i} is one positioned read at {@code header + i * record}. A
 * gzip-compressed file is decompressed once into a cache file in the
 * temporary folder (deleted on {@link #close} and, failing that, when the JVM
 * exits). The labels file is small and read into memory.
 */
public final class IdxSamples extends Samples {
    final Path file;
    final Path cache;
    final long dataOffset;
    final int record;
    private FileChannel ch;
    private final ThreadLocal<ByteBuffer> bufs;

    private IdxSamples(Path file, Path cache, long dataOffset, int n, int[] shape, int[] labels) {
        super(n, shape, labels, null, 0, List.of());
        this.file = file;
        this.cache = cache;
        this.dataOffset = dataOffset;
        this.record = sampleSize;
        this.bufs = ThreadLocal.withInitial(() -> ByteBuffer.allocate(record));
    }

    /** Opens images and labels (same checks and messages as {@link IdxLoader#load}). */
    public static IdxSamples open(Path images, Path labels) {
        IdxLoader.Header h = IdxLoader.header(images);
        IdxLoader.Idx lb = IdxLoader.read(labels);
        int[] shape = IdxLoader.checkPair(images, h.dims(), labels, lb.dims());
        int n = h.dims()[0];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = lb.data()[i] & 0xff;
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

    /** The image bytes (without the header) of a gzip file, in a temporary file. */
    private static Path decompress(Path images, IdxLoader.Header h, long need) {
        Path tmp;
        try {
            tmp = Files.createTempFile("ann-idx-", ".bytes");
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

    private synchronized FileChannel channel() {
        if (ch == null) {
            try {
                ch = FileChannel.open(cache != null ? cache : file, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new RunException(RunException.BAD_INPUT, file + ": cannot read: " + e.getMessage());
            }
        }
        return ch;
    }

    @Override
    public void read(int i, float[] dst, int off) {
        ByteBuffer b = bufs.get();
        b.clear();
        FileChannel c = channel();
        long p = dataOffset + (long) i * record;
        try {
            while (b.hasRemaining()) {
                if (c.read(b, p + b.position()) < 0) throw RunException.data(file.toString(), 0, 0, "the file got shorter while it was read");
            }
        } catch (IOException e) {
            throw new RunException(RunException.BAD_INPUT, file + ": cannot read: " + e.getMessage());
        }
        byte[] a = b.array();
        for (int j = 0; j < record; j++) dst[off + j] = a[j] & 0xff;
    }

    @Override
    public boolean inMemory() {
        return false;
    }

    @Override
    public synchronized void close() {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only
            }
            ch = null;
        }
        if (cache != null) deleteQuietly(cache);
    }
}
