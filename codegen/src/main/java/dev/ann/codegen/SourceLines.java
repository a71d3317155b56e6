package dev.ann.codegen;

import dev.ann.plan.SourcePos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The .ann statements that generated code names in its comments, read from disk once per file. */
final class SourceLines {
    private final Map<String, List<String>> files = new HashMap<>();

    /** {@code iris.ann:20: hidden = dense(16) -> relu}: file name, line and the statement without its comment. */
    String describe(SourcePos pos) {
        String name = Path.of(pos.file()).getFileName().toString();
        String where = name + ":" + pos.line();
        List<String> lines = files.computeIfAbsent(pos.file(), SourceLines::read);
        if (pos.line() < 1 || pos.line() > lines.size()) return where;
        String text = withoutComment(lines.get(pos.line() - 1)).strip();
        return text.isEmpty() ? where : where + ": " + text;
    }

    private static List<String> read(String file) {
        try {
            return Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Drops a trailing {@code //} comment that is not inside a string. */
    static String withoutComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') return line.substring(0, i);
        }
        return line;
    }
}
