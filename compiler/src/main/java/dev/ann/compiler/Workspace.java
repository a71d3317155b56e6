package dev.ann.compiler;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.syntax.Parser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where source text comes from: open editor buffers first, then the disk.
 * Parsed files are cached by text, so re-checking after an edit re-parses only
 * the edited file. Thread-safe.
 */
public final class Workspace {
    private final Map<Path, String> overlays = new ConcurrentHashMap<>();
    private final Map<Path, AnnFile> parsed = new ConcurrentHashMap<>();

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

    /** Parses (or takes from the cache) the file with the given text. */
    public AnnFile parse(Path file, String text) {
        Path p = normalize(file);
        AnnFile cached = parsed.get(p);
        if (cached != null && cached.source().text().equals(text)) return cached;
        AnnFile fresh = Parser.parse(new SourceFile(p, text));
        parsed.put(p, fresh);
        return fresh;
    }

    /** Parses, resolves imports and checks the file: never throws. */
    public Compilation compile(Path file) {
        return Compilation.of(this, normalize(file));
    }

    public static Path normalize(Path file) {
        return file.toAbsolutePath().normalize();
    }
}
