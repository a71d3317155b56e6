package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A picture folder: classes by sub-folder name, pictures in name order, decoded as RGB or grey at the size asked (within 1 of 255 after the bilinear draw). */
class PicturesTest {
    @TempDir Path tmp;

    static void png(Path f, int w, int h, int rgb) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        Files.createDirectories(f.getParent());
        ImageIO.write(img, "png", f.toFile());
    }

    @Test
    void classesInNameOrderAndPlainColoursDecodeExactly() throws Exception {
        Path root = tmp.resolve("pics");
        png(root.resolve("red/b.png"), 6, 4, 0xff0000);
        png(root.resolve("red/a.PNG"), 3, 3, 0xff0000);
        png(root.resolve("blue/x.png"), 5, 5, 0x0000ff);
        Files.writeString(root.resolve("blue/notes.txt"), "not a picture");
        Pictures.Listing l = Pictures.list(root);
        assertEquals(List.of("blue", "red"), l.classNames());
        assertEquals(List.of(root.resolve("blue/x.png"), root.resolve("red/a.PNG"), root.resolve("red/b.png")), l.files());
        assertArrayEquals(new int[] {0, 1, 1}, l.labels());

        float[] rgb = Pictures.read(root.resolve("red/b.png"), new int[] {3, 2, 2});
        assertArrayEquals(new float[] {255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0}, rgb, 1f); // R plane, G plane, B plane
        float[] grey = Pictures.read(root.resolve("blue/x.png"), new int[] {1, 2, 2});
        for (float v : grey) assertEquals(0.114f * 255, v, 1f);
        float[] all = Pictures.readAll(l, new int[] {1, 2, 2});
        assertEquals(12, all.length);
        assertEquals(0.299f * 255, all[4], 1f); // the second picture, red, in grey
    }

    @Test
    void emptyOrMissingFoldersAndDamagedPicturesAreRefused() throws Exception {
        BadData e = assertThrows(BadData.class, () -> Pictures.list(tmp.resolve("none")));
        assertEquals(tmp.resolve("none") + ": no such folder; images(...) takes a folder with one sub-folder of pictures per class", e.getMessage());
        Files.createDirectories(tmp.resolve("flat"));
        e = assertThrows(BadData.class, () -> Pictures.list(tmp.resolve("flat")));
        assertEquals(tmp.resolve("flat") + ": no class sub-folders; put each class's pictures in a folder named after the class", e.getMessage());
        Files.createDirectories(tmp.resolve("flat/a"));
        e = assertThrows(BadData.class, () -> Pictures.list(tmp.resolve("flat")));
        assertEquals(tmp.resolve("flat") + ": no .png or .jpg pictures in the class folders", e.getMessage());
        Path bad = Files.writeString(tmp.resolve("flat/a/bad.png"), "not really a png");
        e = assertThrows(BadData.class, () -> Pictures.read(bad, new int[] {3, 2, 2}));
        assertEquals(bad + ": not a PNG or JPEG picture (or a damaged one)", e.getMessage());
    }
}
