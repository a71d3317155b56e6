package dev.ann.kernels;

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

/**
 * A folder of pictures with one sub-folder per class (classes in name order,
 * pictures in name order within each): PNG and JPEG files, decoded into
 * [c, h, w] floats 0..255 (c = 1: grey, c = 3: RGB) at the requested size.
 */
public final class Pictures {
    private Pictures() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** The pictures of a folder: the files in order, the class of each, the class names. */
    public record Listing(Path folder, List<Path> files, int[] labels, List<String> classNames) {}

    /** Whether a file name ends in .png, .jpg or .jpeg (any case). */
    public static boolean isPicture(Path p) {
        String s = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return s.endsWith(".png") || s.endsWith(".jpg") || s.endsWith(".jpeg");
    }

    /** Lists the class sub-folders and their pictures. */
    public static Listing list(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new BadData(folder.toString(), 0, 0, "no such folder; images(...) takes a folder with one sub-folder of pictures per class");
        }
        List<Path> classes = sortedEntries(folder, true);
        if (classes.isEmpty()) throw new BadData(folder.toString(), 0, 0, "no class sub-folders; put each class's pictures in a folder named after the class");
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            names.add(classes.get(c).getFileName().toString());
            for (Path f : sortedEntries(classes.get(c), false)) {
                files.add(f);
                labels.add(c);
            }
        }
        if (files.isEmpty()) throw new BadData(folder.toString(), 0, 0, "no .png or .jpg pictures in the class folders");
        return new Listing(folder, List.copyOf(files), labels.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(names));
    }

    private static List<Path> sortedEntries(Path dir, boolean folders) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(folders ? Files::isDirectory : Pictures::isPicture).sorted().toList();
        } catch (IOException e) {
            throw new BadData(dir.toString(), 0, 0, "cannot list: " + e.getMessage());
        }
    }

    /** Every picture of a listing, one after the other, each [c, h, w] with {@code size = [c, h, w]}. */
    public static float[] readAll(Listing l, int[] size) {
        int per = size[0] * size[1] * size[2];
        float[] x = new float[l.files().size() * per];
        for (int i = 0; i < l.files().size(); i++) System.arraycopy(read(l.files().get(i), size), 0, x, i * per, per);
        return x;
    }

    /**
     * One picture drawn at [h, w] with bilinear interpolation, as [c, h, w]
     * floats 0..255: c = 1 is the grey value 0.299 R + 0.587 G + 0.114 B, c = 3 is R, G, B.
     */
    public static float[] read(Path f, int[] size) {
        BufferedImage img;
        try {
            img = ImageIO.read(f.toFile());
        } catch (IOException e) {
            throw new BadData(f.toString(), 0, 0, "cannot read the picture: " + e.getMessage());
        }
        if (img == null) throw new BadData(f.toString(), 0, 0, "not a PNG or JPEG picture (or a damaged one)");
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
                int red = (rgb >> 16) & 0xff, green = (rgb >> 8) & 0xff, blue = rgb & 0xff;
                if (c == 1) {
                    out[y * w + x] = 0.299f * red + 0.587f * green + 0.114f * blue;
                } else {
                    out[y * w + x] = red;
                    out[h * w + y * w + x] = green;
                    out[2 * h * w + y * w + x] = blue;
                }
            }
        }
        return out;
    }
}
