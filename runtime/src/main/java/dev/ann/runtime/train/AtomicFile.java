package dev.ann.runtime.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * Files written whole or not at all: the bytes go to {@code .NAME.<digits>.tmp}
 * in the same folder, then that file is renamed over NAME. A failed write
 * (a full disk) deletes its temporary file; one left by a killed process is
 * removed by {@link #removeLeftovers} when a run starts in that folder again.
 */
final class AtomicFile {
    private AtomicFile() {}

    interface Body {
        void write(FileChannel ch) throws IOException;
    }

    /** The temporary files of {@link #write}: a dot, the target's name, a dot, digits, ".tmp". */
    static final Pattern LEFTOVER = Pattern.compile("\\..+\\.\\d+\\.tmp");

    /** Writes file atomically; {@code durable}: flushed to the disk before the rename (checkpoints). */
    static void write(Path file, boolean durable, Body body) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                if (durable) ch.force(true);
            }
            readable(tmp);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write failed already; say that
            }
            throw e;
        }
    }

    /** Writes bytes atomically. */
    static void write(Path file, boolean durable, byte[] data) throws IOException {
        write(file, durable, ch -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** Deletes the temporary files an earlier, killed run left in dir; returns how many. */
    static int removeLeftovers(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        int n = 0;
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (LEFTOVER.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                    n++;
                }
            }
        } catch (IOException e) {
            // a folder we cannot list or clean is reported when we write to it
        }
        return n;
    }

    /** Temporary files are created owner-only; the final file gets the usual rw-r--r--. */
    static void readable(Path p) {
        try {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: keep the default
        }
    }
}
