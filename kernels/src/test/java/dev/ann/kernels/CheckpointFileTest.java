package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint bytes: the layout the format documents, read back as written; a foreign or short file is refused. */
class CheckpointFileTest {
    @TempDir Path tmp;

    @Test
    void writesTheDocumentedLayoutAndReadsItBack() throws Exception {
        Path f = tmp.resolve("sub/x.ckpt");
        String header = "{\"arrays\": [{\"name\": \"a\", \"shape\": [3]}, {\"name\": \"b\", \"shape\": [2]}], \"note\": \"é\"}";
        float[] a = {1.5f, -2f, Float.MIN_VALUE}, b = {3e30f, 0f};
        CheckpointFile.write(f, header, List.of(a, b));
        byte[] bytes = Files.readAllBytes(f);
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        assertEquals("ANNCKPT1", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(hb.length, ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(12 + hb.length + 4 * 5, bytes.length);
        assertEquals(1.5f, ByteBuffer.wrap(bytes, 12 + hb.length, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        try (CheckpointFile.Reader r = new CheckpointFile.Reader(f)) {
            assertEquals(header, r.header());
            assertArrayEquals(a, r.next(new float[3]));
            assertArrayEquals(b, r.next(new float[2]));
            assertThrows(EOFException.class, () -> r.next(new float[1]));
        }
        try (var s = Files.list(f.getParent())) {
            assertEquals(List.of(f), s.toList(), "no temporary file left behind");
        }
    }

    @Test
    void refusesWhatIsNoCheckpoint() throws Exception {
        Path f = tmp.resolve("not.ckpt");
        Files.writeString(f, "hello, world");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CheckpointFile.Reader(f));
        assertTrue(e.getMessage().contains("not an ann checkpoint"), e.getMessage());
    }
}
