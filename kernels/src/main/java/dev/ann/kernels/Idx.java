package dev.ann.kernels;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * IDX files (the MNIST format), gzip-compressed or plain: a magic number,
 * the dimensions, then unsigned bytes. The header is checked against the
 * file's size before anything is allocated; every failure is a
 * {@link BadData} naming the file.
 */
public final class Idx {
    private Idx() {}

    /** The dimensions of a file and where its data starts (in the decompressed stream when gzip). */
    public record Header(int[] dims, long dataOffset, boolean gzip) {
        public long total() {
            long t = 1;
            for (int d : dims) t *= d;
            return t;
        }
    }

    /** A whole file: its dimensions and its bytes. */
    public record File(int[] dims, byte[] data) {}

    /** Images as floats 0..255 ([n] samples of [c, h, w]) and their class indices. */
    public record Samples(int n, int[] shape, float[] x, int[] labels) {}

    /** Largest ratio of deflate: a gzip file of n bytes decompresses to at most about 1032 n. */
    public static final long MAX_GZIP_RATIO = 1032;

    /** Reads a whole file. */
    public static File read(Path file) {
        return withStream(file, 1 << 16, (name, d, gz) -> {
            int[] dims = dims(name, d);
            long total = fits(file, dims, gz);
            if (total > Integer.MAX_VALUE - 16) throw new BadData(name, 0, 0, "too large to load into memory");
            byte[] data = new byte[(int) total];
            d.readFully(data);
            return new File(dims, data);
        });
    }

    /** Reads only the magic number and the dimensions (the same checks and messages as {@link #read}). */
    public static Header header(Path file) {
        return withStream(file, 1 << 12, (name, d, gz) -> {
            int[] dims = dims(name, d);
            fits(file, dims, gz);
            return new Header(dims, 4L + 4L * dims.length, gz);
        });
    }

    /** Reads an image file and its label file and checks that they go together. */
    public static Samples load(Path images, Path labels) {
        File im = read(images), lb = read(labels);
        int[] shape = sampleShape(images, im.dims(), labels, lb.dims());
        int n = im.dims()[0];
        return new Samples(n, shape, floats(im.data()), unsigned(lb.data()));
    }

    /** Unsigned bytes as floats 0..255. */
    public static float[] floats(byte[] b) {
        float[] x = new float[b.length];
        for (int i = 0; i < x.length; i++) x[i] = b[i] & 0xff;
        return x;
    }

    /** Unsigned bytes as ints 0..255. */
    public static int[] unsigned(byte[] b) {
        int[] l = new int[b.length];
        for (int i = 0; i < l.length; i++) l[i] = b[i] & 0xff;
        return l;
    }

    /** Checks that the images and labels go together; returns the sample shape [c, h, w]. */
    public static int[] sampleShape(Path images, int[] imDims, Path labels, int[] lbDims) {
        if (imDims.length < 3) {
            throw new BadData(images.toString(), 0, 0, "expected images (3 dimensions: count, height, width), found " + imDims.length
                    + " dimensions; are images and labels swapped?");
        }
        if (lbDims.length != 1) {
            throw new BadData(labels.toString(), 0, 0, "expected labels (1 dimension), found " + lbDims.length
                    + " dimensions; are images and labels swapped?");
        }
        int n = imDims[0];
        if (lbDims[0] != n) throw new BadData(labels.toString(), 0, 0, lbDims[0] + " labels for " + n + " images in " + images);
        return imDims.length == 3 ? new int[] {1, imDims[1], imDims[2]} : new int[] {imDims[1], imDims[2], imDims[3]};
    }

    private interface Reader<T> {
        T read(String name, DataInputStream in, boolean gzip) throws IOException;
    }

    /** Opens a file, plain or gzip (told by its first two bytes), for {@code reader}; I/O failures become BadData. */
    private static <T> T withStream(Path file, int buffer, Reader<T> reader) {
        String name = file.toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), buffer)) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            boolean gz = b0 == 0x1f && b1 == 0x8b;
            InputStream in = gz ? new BufferedInputStream(new GZIPInputStream(raw, buffer), buffer) : raw;
            return reader.read(name, new DataInputStream(in), gz);
        } catch (NoSuchFileException e) {
            throw new BadData(name, 0, 0, "no such file; check the path in the dataset's idx(...)");
        } catch (EOFException e) {
            throw new BadData(name, 0, 0, "the file ends early (truncated download?)");
        } catch (IOException e) {
            throw new BadData(name, 0, 0, "cannot read: " + e.getMessage());
        }
    }

    private static int[] dims(String name, DataInputStream d) throws IOException {
        int magic = d.readInt();
        int type = (magic >> 8) & 0xff, nd = magic & 0xff;
        if ((magic >>> 16) != 0 || nd < 1 || nd > 4) {
            throw new BadData(name, 0, 0, "not an IDX file (bad magic number 0x" + Integer.toHexString(magic)
                    + "); idx(...) takes the MNIST-format image and label files, gzip-compressed or not");
        }
        if (type != 0x08) throw new BadData(name, 0, 0, "IDX element type 0x" + Integer.toHexString(type) + " is not supported (only unsigned bytes, 0x08)");
        int[] dims = new int[nd];
        for (int i = 0; i < nd; i++) dims[i] = d.readInt();
        if (dims[0] == 0) throw new BadData(name, 0, 0, "holds no items (its header says 0); give a file with samples");
        for (int i = 0; i < nd; i++) {
            if (dims[i] <= 0) {
                throw new BadData(name, 0, 0, "its header claims " + Integer.toUnsignedString(dims[i]) + (i == 0 ? " items" : " as dimension " + (i + 1))
                        + ", which no file can hold (damaged header?)");
            }
        }
        return dims;
    }

    /**
     * Checks the header's count against the file's size; returns the number
     * of data bytes. For gzip, the size is bounded by deflate's largest ratio
     * and, below 4 GiB, by the size the gzip trailer records.
     */
    private static long fits(Path file, int[] dims, boolean gz) throws IOException {
        long total = 1;
        for (int v : dims) total = total > Long.MAX_VALUE / 2 / v ? Long.MAX_VALUE / 2 : total * v;
        long need = 4L + 4L * dims.length + total;
        long size = Files.size(file);
        long have = size;
        if (gz) {
            have = size > Long.MAX_VALUE / MAX_GZIP_RATIO ? Long.MAX_VALUE : size * MAX_GZIP_RATIO;
            if (need < (1L << 32) && size >= 18) {
                try (FileChannel ch = FileChannel.open(file)) {
                    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                    ch.read(b, size - 4);
                    have = Math.min(have, Integer.toUnsignedLong(b.flip().getInt()));
                }
            }
        }
        if (need > have) {
            throw new BadData(file.toString(), 0, 0, "the file ends early (truncated download?) or its header is damaged: the header claims "
                    + describe(dims) + " (" + need + " bytes with the header), but the file holds "
                    + (gz ? "at most " + have + " bytes uncompressed" : have + " bytes"));
        }
        return total;
    }

    private static String describe(int[] dims) {
        StringBuilder sb = new StringBuilder(dims[0] + (dims.length == 1 ? " labels" : " items"));
        for (int i = 1; i < dims.length; i++) sb.append(i == 1 ? " of " : "×").append(dims[i]);
        if (dims.length > 1) sb.append(" bytes");
        return sb.toString();
    }
}
