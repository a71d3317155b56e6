package dev.ann.runtime.data;

import dev.ann.runtime.RunException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** images(folder, size: [c, h, w]): PNG and JPEG files, one sub-folder per class (sorted by name), resized. */
public final class ImageLoader {
    private ImageLoader() {}

    static { System.setProperty("java.awt.headless", "true"); }

    public static boolean isImage(Path p) {
        String s = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return s.endsWith(".png") || s.endsWith(".jpg") || s.endsWith(".jpeg");
    }

    /** The pictures of a folder with one sub-folder per class: files in order, their class, the class names. */
    public record Listing(Path folder, List<Path> files, int[] labels, List<String> classNames) {}

    public static Listing list(Path folder) {
        if (!Files.isDirectory(folder)) throw new RunException(RunException.BAD_INPUT, folder + ": no such folder; images(...) takes a folder with one sub-folder of pictures per class");
        List<Path> classes;
        try (Stream<Path> s = Files.list(folder)) {
            classes = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new RunException(RunException.BAD_INPUT, folder + ": cannot list: " + e.getMessage());
        }
        if (classes.isEmpty()) throw RunException.data(folder.toString(), 0, 0, "no class sub-folders; put each class's pictures in a folder named after the class");
        List<Path> all = new ArrayList<>();
        List<Integer> ls = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            names.add(classes.get(c).getFileName().toString());
            List<Path> files;
            try (Stream<Path> s = Files.list(classes.get(c))) {
                files = s.filter(ImageLoader::isImage).sorted().toList();
            } catch (IOException e) {
                throw new RunException(RunException.BAD_INPUT, classes.get(c) + ": cannot list: " + e.getMessage());
            }
            for (Path f : files) {
                all.add(f);
                ls.add(c);
            }
        }
        if (all.isEmpty()) throw RunException.data(folder.toString(), 0, 0, "no .png or .jpg pictures in the class folders");
        return new Listing(folder, List.copyOf(all), ls.stream().mapToInt(Integer::intValue).toArray(), names);
    }

    public static Dataset load(Path folder, int[] size) {
        return load(list(folder), size);
    }

    /** Decodes every picture of the listing into memory. */
    public static Dataset load(Listing l, int[] size) {
        int per = size[0] * size[1] * size[2];
        float[] x = new float[l.files().size() * per];
        for (int i = 0; i < l.files().size(); i++) System.arraycopy(read(l.files().get(i), size), 0, x, i * per, per);
        return new Dataset(l.files().size(), size.clone(), x, l.labels(), null, 0, l.classNames());
    }

    /** The pictures decoded and resized one by one as they are read. */
    public static Samples onDisk(Listing l, int[] size) {
        return new OnDisk(l, size.clone());
    }

    static final class OnDisk extends Samples {
        final Listing listing;

        OnDisk(Listing l, int[] size) {
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
        BufferedImage img;
        try {
            img = ImageIO.read(f.toFile());
        } catch (IOException e) {
            throw RunException.data(f.toString(), 0, 0, "cannot read the picture: " + e.getMessage());
        }
        if (img == null) throw RunException.data(f.toString(), 0, 0, "not a PNG or JPEG picture (or a damaged one)");
        int c = size[0], h = size[1], w = size[2];
        BufferedImage r = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = r.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        float[] out = new float[c * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = r.getRGB(x, y);
                int rr = (rgb >> 16) & 0xff, gg = (rgb >> 8) & 0xff, bb = rgb & 0xff;
                if (c == 1) out[y * w + x] = 0.299f * rr + 0.587f * gg + 0.114f * bb;
                else {
                    out[y * w + x] = rr;
                    out[h * w + y * w + x] = gg;
                    out[2 * h * w + y * w + x] = bb;
                }
            }
        }
        return out;
    }
}
