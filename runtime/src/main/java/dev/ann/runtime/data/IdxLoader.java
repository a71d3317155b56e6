package dev.ann.runtime.data;

import dev.ann.runtime.RunException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** IDX files (the MNIST format), gzip-compressed or plain: unsigned-byte images and labels. */
public final class IdxLoader {
    private IdxLoader() {}

    public record Idx(int[] dims, byte[] data) {}

    public static Idx read(Path file) {
        String name = file.toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            DataInputStream d = new DataInputStream(in);
            int magic = d.readInt();
            int type = (magic >> 8) & 0xff, nd = magic & 0xff;
            if ((magic >>> 16) != 0 || nd < 1 || nd > 4) {
                throw RunException.data(name, 0, 0, "not an IDX file (bad magic number 0x" + Integer.toHexString(magic)
                        + "); idx(...) takes the MNIST-format image and label files, gzip-compressed or not");
            }
            if (type != 0x08) throw RunException.data(name, 0, 0, "IDX element type 0x" + Integer.toHexString(type) + " is not supported (only unsigned bytes, 0x08)");
            int[] dims = new int[nd];
            long total = 1;
            for (int i = 0; i < nd; i++) { dims[i] = d.readInt(); total *= dims[i]; }
            if (total > Integer.MAX_VALUE - 16) throw RunException.data(name, 0, 0, "too large to load into memory");
            byte[] data = new byte[(int) total];
            d.readFully(data);
            return new Idx(dims, data);
        } catch (NoSuchFileException e) {
            throw new RunException(RunException.BAD_INPUT, name + ": no such file; check the path in the dataset's idx(...)");
        } catch (EOFException e) {
            throw RunException.data(name, 0, 0, "the file ends early (truncated download?)");
        } catch (IOException e) {
            throw new RunException(RunException.BAD_INPUT, name + ": cannot read: " + e.getMessage());
        }
    }

    /** Images [n, h, w] (or [n, c, h, w]) and labels [n]. */
    public static Dataset load(Path images, Path labels) {
        Idx im = read(images), lb = read(labels);
        if (im.dims().length < 3) throw RunException.data(images.toString(), 0, 0, "expected images (3 dimensions: count, height, width), found " + im.dims().length + " dimensions; are images and labels swapped?");
        if (lb.dims().length != 1) throw RunException.data(labels.toString(), 0, 0, "expected labels (1 dimension), found " + lb.dims().length + " dimensions; are images and labels swapped?");
        int n = im.dims()[0];
        if (lb.dims()[0] != n) throw RunException.data(labels.toString(), 0, 0, lb.dims()[0] + " labels for " + n + " images in " + images);
        int[] shape = im.dims().length == 3 ? new int[] {1, im.dims()[1], im.dims()[2]} : new int[] {im.dims()[1], im.dims()[2], im.dims()[3]};
        float[] x = new float[im.data().length];
        for (int i = 0; i < x.length; i++) x[i] = im.data()[i] & 0xff;
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = lb.data()[i] & 0xff;
        return new Dataset(n, shape, x, l, null, 0, java.util.List.of());
    }
}
