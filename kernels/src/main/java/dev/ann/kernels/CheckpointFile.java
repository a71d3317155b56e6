package dev.ann.kernels;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a checkpoint file: data only, never code.
 *
 * <pre>
 * bytes 0..7    ASCII "ANNCKPT1"
 * bytes 8..11   header length H, unsigned 32-bit little-endian
 * next H bytes  header: UTF-8 JSON object; its "arrays" member lists
 *               {"name": ..., "shape": [...]} in storage order
 * the rest      each array's elements, float32 little-endian, row-major,
 *               one array after the other in header order, no padding
 * </pre>
 *
 * Written to a temporary file in the same folder, flushed to disk, then
 * renamed over the target: a reader sees the old file or the new one, never
 * a torn one. What the header says is the caller's business.
 */
public final class CheckpointFile {
    public static final String MAGIC = "ANNCKPT1";
    /** The largest header a reader accepts. */
    public static final int MAX_HEADER = 64 << 20;

    private CheckpointFile() {}

    /** Writes the header (a JSON object listing the arrays) and the arrays, atomically; a failed write leaves no temporary file. */
    public static void write(Path file, String header, Iterable<float[]> arrays) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(ch, header, arrays);
                ch.force(true);
            }
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The bytes of a checkpoint (magic, header length, header, arrays) onto a channel. */
    public static void writeTo(WritableByteChannel ch, String header, Iterable<float[]> arrays) throws IOException {
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer head = ByteBuffer.allocate(12 + hb.length).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(hb.length).put(hb).flip();
        while (head.hasRemaining()) ch.write(head);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] a : arrays) {
            for (float v : a) {
                if (!buf.hasRemaining()) { buf.flip(); while (buf.hasRemaining()) ch.write(buf); buf.clear(); }
                buf.putFloat(v);
            }
        }
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** An open checkpoint: its header, then its arrays read one after the other. */
    public static final class Reader implements AutoCloseable {
        private final DataInputStream in;
        private final String header;
        private final int headerLength;
        private final byte[] chunk = new byte[1 << 16];

        /** Opens a file and reads its header; IllegalArgumentException when it is no checkpoint. */
        public Reader(Path file) throws IOException {
            InputStream raw = Files.newInputStream(file);
            in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
            try {
                byte[] magic = in.readNBytes(8);
                if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
                    throw new IllegalArgumentException(file + ": not an ann checkpoint (it does not start with " + MAGIC + ")");
                }
                byte[] lenb = new byte[4];
                in.readFully(lenb);
                int hl = ByteBuffer.wrap(lenb).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (hl <= 0 || hl > MAX_HEADER) throw new IllegalArgumentException(file + ": damaged checkpoint (header length " + hl + ")");
                byte[] hb = new byte[hl];
                in.readFully(hb);
                header = new String(hb, StandardCharsets.UTF_8);
                headerLength = hl;
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        /** The header's length in bytes, as the file says it. */
        public int headerLength() {
            return headerLength;
        }

        /** The JSON header. */
        public String header() {
            return header;
        }

        /** Reads the next array's {@code into.length} values. */
        public float[] next(float[] into) throws IOException {
            int done = 0;
            while (done < into.length) {
                int k = Math.min(chunk.length / 4, into.length - done);
                in.readFully(chunk, 0, k * 4);
                ByteBuffer.wrap(chunk, 0, k * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(into, done, k);
                done += k;
            }
            return into;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
