package dev.ann.compiler.ast;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The text of one .ann file and the map from offsets to lines and columns.
 * Lines and columns are 0-based here (as in LSP); printers add one.
 */
public final class SourceFile {
    private final Path path;
    private final String text;
    private final int[] lineStarts;

    public SourceFile(Path path, String text) {
        this.path = path;
        this.text = text;
        int n = 1;
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n') n++;
        lineStarts = new int[n];
        int line = 1;
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n') lineStarts[line++] = i + 1;
    }

    public Path path() {
        return path;
    }

    public String text() {
        return text;
    }

    public int lineCount() {
        return lineStarts.length;
    }

    /** 0-based line of an offset. */
    public int line(int offset) {
        int i = Arrays.binarySearch(lineStarts, Math.max(0, Math.min(offset, text.length())));
        return i >= 0 ? i : -i - 2;
    }

    /** 0-based column (UTF-16 units) of an offset. */
    public int column(int offset) {
        int o = Math.max(0, Math.min(offset, text.length()));
        return o - lineStarts[line(o)];
    }

    /** Offset of a 0-based line and column, clamped to the text. */
    public int offset(int line, int column) {
        if (line < 0) return 0;
        if (line >= lineStarts.length) return text.length();
        int end = line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : text.length();
        return Math.min(lineStarts[line] + Math.max(0, column), end);
    }

    public int lineStart(int line) {
        return lineStarts[Math.max(0, Math.min(line, lineStarts.length - 1))];
    }

    /** The text of a 0-based line without its line break. */
    public String lineText(int line) {
        int start = lineStart(line);
        int end = line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : text.length();
        if (end > start && text.charAt(end - 1) == '\r') end--;
        return text.substring(start, Math.max(start, end));
    }

    public String slice(Range r) {
        return text.substring(Math.max(0, r.start()), Math.min(text.length(), r.end()));
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
