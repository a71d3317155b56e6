package dev.ann.runtime.data;

import dev.ann.kernels.Pictures;
import dev.ann.runtime.RunException;
import java.nio.file.Path;

/**
 * images(folder, size: [c, h, w]) for the runtime: the kernels'
 * {@link Pictures} (listing, decoding, drawing at the size) in memory or
 * read picture by picture, with its errors as {@link RunException}s.
 */
public final class ImageLoader {
    private ImageLoader() {}

    public static boolean isImage(Path p) {
        return Pictures.isPicture(p);
    }

    public static Pictures.Listing list(Path folder) {
        return RunException.data(() -> Pictures.list(folder));
    }

    public static Dataset load(Path folder, int[] size) {
        return load(list(folder), size);
    }

    /** Decodes every picture of the listing into memory. */
    public static Dataset load(Pictures.Listing l, int[] size) {
        float[] x = RunException.data(() -> Pictures.readAll(l, size));
        return new Dataset(l.files().size(), size.clone(), x, l.labels(), null, 0, l.classNames());
    }

    /** The pictures decoded and resized one by one as they are read. */
    public static Samples onDisk(Pictures.Listing l, int[] size) {
        return new OnDisk(l, size.clone());
    }

    static final class OnDisk extends Samples {
        final Pictures.Listing listing;

        OnDisk(Pictures.Listing l, int[] size) {
            super(l.files().size(), size, l.labels(), null, 0, l.classNames());
            this.listing = l;
        }

        @Override
        public void read(int i, float[] dst, int off) {
            System.arraycopy(ImageLoader.read(listing.files().get(i), sampleShape), 0, dst, off, sampleSize);
        }

        @Override
        public boolean inMemory() {
            return false;
        }
    }

    /** One picture as [c, h, w] floats in 0..255 (c = 1 grey, 3 RGB). */
    public static float[] read(Path f, int[] size) {
        return RunException.data(() -> Pictures.read(f, size));
    }
}
