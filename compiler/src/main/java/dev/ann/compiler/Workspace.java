package dev.ann.compiler;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.syntax.IncrementalParser;
import java.io.IOException;
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
        Path p = normalize(file);
        String open = overlays.get(p);
        if (open != null) return Optional.of(open);
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
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
