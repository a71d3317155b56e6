package dev.ann.compiler;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.syntax.IncrementalParser;
import dev.ann.compiler.diag.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where source text comes from: open editor buffers first, then the disk.
 * The last parse of each file is kept, so re-checking after an edit re-parses
 * only the edited file, and of it only the top-level declarations the edit
 * touched ({@link IncrementalParser}). Thread-safe.
 */
public final class Workspace {
    private final Map<Path, String> overlays = new ConcurrentHashMap<>();
    private final Map<Path, IncrementalParser.State> parsed = new ConcurrentHashMap<>();

    /** An editor holds this file open with this text. */
    public void open(Path file, String text) {
        overlays.put(normalize(file), text);
    }

    public void close(Path file) {
        overlays.remove(normalize(file));
    }

    public boolean isOpen(Path file) {
        return overlays.containsKey(normalize(file));
    }

    /** The file's text, or empty if it is neither open nor readable. */
    public Optional<String> read(Path file) {
        return Optional.ofNullable(load(file).text());
    }

    /** A file's text, or (text null) why it cannot be read, in words that follow "cannot read FILE: ". */
    public record Text(String text, String problem) {
        static Text problem(String why) {
            return new Text(null, why);
        }
    }

    /** The open buffer's text, else the disk's ({@link #readDisk}). */
    public Text load(Path file) {
        Path p = normalize(file);
        String open = overlays.get(p);
        if (open == null) return readDisk(p);
        return Limits.tooLarge(open) ? Text.problem(Limits.TOO_LARGE) : new Text(open, null);
    }

    /**
     * Reads a source file from disk, boundedly: only a regular file (never a
     * folder, device, pipe or socket: /dev/zero would never end, a FIFO would
     * block), of at most {@link Limits#SOURCE_FILE_BYTES}, in UTF-8. Never
     * throws; the problem never quotes the file's content.
     */
    public static Text readDisk(Path file) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Text.problem("no such file");
        } catch (AccessDeniedException e) {
            return Text.problem("permission denied");
        } catch (FileSystemException e) {
            // the system's words ("File name too long"), found by the fuzz run
            return Text.problem(e.getReason() != null ? e.getReason().toLowerCase(java.util.Locale.ROOT) : "cannot read it");
        } catch (IOException | RuntimeException e) {
            return Text.problem("cannot read it (" + e.getClass().getSimpleName() + ")");
        }
        if (a.isDirectory()) return Text.problem("it is a folder, not a file");
        if (!a.isRegularFile()) return Text.problem("it is not a regular file (a device, pipe or socket)");
        String limit = Limits.TOO_LARGE;
        if (a.size() > Limits.SOURCE_FILE_BYTES) return Text.problem(limit);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // files under /proc say size 0 and have content: read no more than the limit whatever the size said
            bytes = in.readNBytes((int) Limits.SOURCE_FILE_BYTES + 1);
        } catch (AccessDeniedException e) {
            return Text.problem("permission denied");
        } catch (IOException | RuntimeException e) {
            return Text.problem("cannot read it (" + e.getClass().getSimpleName() + ")");
        }
        if (bytes.length > Limits.SOURCE_FILE_BYTES) return Text.problem(limit);
        try {
            return new Text(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString(), null);
        } catch (CharacterCodingException e) {
            return Text.problem("it is not UTF-8 text");
        }
    }

    /**
     * Parses the file with the given text: the cached parse if the text is the
     * same, else an update of the cached parse (exactly what a parse of the
     * whole text gives).
     */
    public AnnFile parse(Path file, String text) {
        Path p = normalize(file);
        IncrementalParser.State cached = parsed.get(p);
        if (cached != null && cached.file().source().text().equals(text)) return cached.file();
        IncrementalParser.State fresh = IncrementalParser.update(cached, new SourceFile(p, text));
        parsed.put(p, fresh);
        return fresh.file();
    }


    public static Path normalize(Path file) {
        return file.toAbsolutePath().normalize();
    }
}
