package dev.ann.compiler.diag;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of a file's problems is shown, wherever they are shown (the CLI's
 * text and JSON, the language server): hostile or broken input — a 5 MB line,
 * 16,000 errors in one file — gives bounded output.
 */
public final class Limits {
    private Limits() {}

    /** Diagnostics shown per file; the rest are counted ("and 15,900 more"). */
    public static final int SHOWN_PER_FILE = 100;
    /** Characters of a message, a note or a fix title; a longer one is cut in the middle. */
    public static final int MESSAGE_CHARS = 400;
    /** Characters of a source line the CLI prints under a diagnostic, cut around the caret (as rustc does). */
    public static final int SOURCE_LINE_CHARS = 120;
    /**
     * Bytes of a .ann file (on disk or in an editor): a larger one is refused
     * with {@link #TOO_LARGE}, not read or parsed. The examples are under 2 KB.
     * Parsing costs about 7 µs and up to 250 bytes of heap a character, and a
     * body written on one line costs more the longer it is (360 KB: 13 s), so
     * this bounds a check to a few seconds and the language server's heap to a
     * few hundred MB whatever the file holds.
     */
    public static final long SOURCE_FILE_BYTES = 256L << 10;
    /** Why a file over {@link #SOURCE_FILE_BYTES} is refused, after "cannot read FILE: ". */
    public static final String TOO_LARGE = "it is larger than " + (SOURCE_FILE_BYTES >> 10) + " KiB, the most a .ann file may be";

    /** Whether a text is over {@link #SOURCE_FILE_BYTES} in UTF-8. */
    public static boolean tooLarge(String text) {
        if (text.length() > SOURCE_FILE_BYTES) return true;
        if ((long) text.length() * 3 <= SOURCE_FILE_BYTES) return false;
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes > SOURCE_FILE_BYTES;
    }

    /** The text, cut in the middle to at most {@link #MESSAGE_CHARS} characters. */
    public static String message(String s) {
        if (s == null || s.length() <= MESSAGE_CHARS) return s;
        int keep = (MESSAGE_CHARS - 5) / 2;
        return s.substring(0, keep) + " … " + s.substring(s.length() - keep);
    }

    /** The diagnostics to show and how many were left out, per file. */
    public record Shown(List<Diagnostic> shown, Map<Path, Integer> hidden) {
        public int hiddenCount() {
            return hidden.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * At most {@link #SHOWN_PER_FILE} diagnostics of each file: errors before
     * warnings, then in the order given (the result keeps that order).
     */
    public static Shown perFile(List<Diagnostic> diagnostics) {
        Map<Path, List<Integer>> byFile = new LinkedHashMap<>();
        for (int i = 0; i < diagnostics.size(); i++) {
            byFile.computeIfAbsent(diagnostics.get(i).source().path(), k -> new ArrayList<>()).add(i);
        }
        boolean[] keep = new boolean[diagnostics.size()];
        Map<Path, Integer> hidden = new LinkedHashMap<>();
        for (Map.Entry<Path, List<Integer>> e : byFile.entrySet()) {
            List<Integer> idx = new ArrayList<>(e.getValue());
            idx.sort(Comparator.comparingInt((Integer i) -> diagnostics.get(i).severity().ordinal()));
            for (int j = 0; j < idx.size(); j++) {
                if (j < SHOWN_PER_FILE) keep[idx.get(j)] = true;
            }
            if (idx.size() > SHOWN_PER_FILE) hidden.put(e.getKey(), idx.size() - SHOWN_PER_FILE);
        }
        List<Diagnostic> shown = new ArrayList<>();
        for (int i = 0; i < diagnostics.size(); i++) if (keep[i]) shown.add(diagnostics.get(i));
        return new Shown(shown, hidden);
    }
}
