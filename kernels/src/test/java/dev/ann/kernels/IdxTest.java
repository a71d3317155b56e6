package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files: plain and gzip read alike; damaged headers, truncation and swapped files are refused with the file's name. */
class IdxTest {
    @TempDir Path tmp;

    static byte[] idx(int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x0800 | dims.length);
        for (int v : dims) d.writeInt(v);
        d.write(data);
        return b.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void plainAndGzipGiveTheSameSamples() throws Exception {
        byte[] pixels = {0, 1, 2, 3, (byte) 200, (byte) 255, 6, 7};
        Path im = Files.write(tmp.resolve("im.idx"), idx(new int[] {2, 2, 2}, pixels));
        Path lb = Files.write(tmp.resolve("lb.idx.gz"), gzip(idx(new int[] {2}, new byte[] {9, (byte) 130})));
        Idx.Samples s = Idx.load(im, lb);
        assertEquals(2, s.n());
        assertArrayEquals(new int[] {1, 2, 2}, s.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 200, 255, 6, 7}, s.x());
        assertArrayEquals(new int[] {9, 130}, s.labels());
        Idx.Header h = Idx.header(lb);
        assertTrue(h.gzip());
        assertEquals(8, h.dataOffset());
        assertEquals(2, h.total());
        Path gz = Files.write(tmp.resolve("im.idx.gz"), gzip(idx(new int[] {2, 2, 2}, pixels)));
        assertArrayEquals(Idx.read(im).data(), Idx.read(gz).data());
        // four dimensions: channels first
        Path rgb = Files.write(tmp.resolve("rgb.idx"), idx(new int[] {1, 3, 1, 1}, new byte[] {1, 2, 3}));
        Path one = Files.write(tmp.resolve("one.idx"), idx(new int[] {1}, new byte[] {0}));
        assertArrayEquals(new int[] {3, 1, 1}, Idx.load(rgb, one).shape());
    }

    @Test
    void badFilesAreRefusedWithTheirName() throws Exception {
        Path im = Files.write(tmp.resolve("im.idx"), idx(new int[] {2, 2, 2}, new byte[8]));
        Path lb = Files.write(tmp.resolve("lb.idx"), idx(new int[] {3}, new byte[3]));
        BadData e = assertThrows(BadData.class, () -> Idx.load(im, lb));
        assertEquals(lb + ": 3 labels for 2 images in " + im, e.getMessage());
        e = assertThrows(BadData.class, () -> Idx.load(lb, im));
        assertTrue(e.getMessage().startsWith(lb + ": expected images (3 dimensions"), e.getMessage());
        assertTrue(e.getMessage().endsWith("are images and labels swapped?"), e.getMessage());

        Path cut = Files.write(tmp.resolve("cut.idx"), Arrays.copyOf(idx(new int[] {2, 2, 2}, new byte[8]), 20));
        e = assertThrows(BadData.class, () -> Idx.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": the file ends early (truncated download?) or its header is damaged: the header claims "
                + "2 items of 2×2 bytes (24 bytes with the header), but the file holds 20 bytes"), e.getMessage());

        Path huge = Files.write(tmp.resolve("huge.idx.gz"), gzip(idx(new int[] {1_000_000, 1000, 1000}, new byte[0])));
        e = assertThrows(BadData.class, () -> Idx.header(huge));
        assertTrue(e.getMessage().contains("at most"), e.getMessage());

        Path text = Files.writeString(tmp.resolve("text.idx"), "hello, world");
        e = assertThrows(BadData.class, () -> Idx.read(text));
        assertTrue(e.getMessage().startsWith(text + ": not an IDX file (bad magic number 0x"), e.getMessage());
        Path floats = Files.write(tmp.resolve("floats.idx"), new byte[] {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0});
        e = assertThrows(BadData.class, () -> Idx.read(floats));
        assertEquals(floats + ": IDX element type 0xd is not supported (only unsigned bytes, 0x08)", e.getMessage());
        Path empty = Files.write(tmp.resolve("empty.idx"), idx(new int[] {0}, new byte[0]));
        e = assertThrows(BadData.class, () -> Idx.read(empty));
        assertEquals(empty + ": holds no items (its header says 0); give a file with samples", e.getMessage());
        e = assertThrows(BadData.class, () -> Idx.read(tmp.resolve("missing.idx")));
        assertEquals(tmp.resolve("missing.idx") + ": no such file; check the path in the dataset's idx(...)", e.getMessage());
    }
}
