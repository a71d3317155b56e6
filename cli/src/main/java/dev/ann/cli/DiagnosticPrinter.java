package dev.ann.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Fix;
import dev.ann.compiler.diag.Limits;
import dev.ann.compiler.diag.Severity;
import dev.ann.compiler.diag.TextEdit;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * Prints diagnostics the way gcc and rustc do, so that editors' problem
 * matchers read them:
 *
 * <pre>
 * examples/bad.ann:7:5: error[E012]: dense expects a flat input ...
 *     7 |     dense(10)
 *       |     ^^^^^^^^^
 *       = help: insert `flatten` before it
 * </pre>
 */
public final class DiagnosticPrinter {
    private final PrintWriter out;
    private final boolean color;
    private final Path base;

    /** @param base paths are shown relative to this folder when they are inside it */
    public DiagnosticPrinter(PrintWriter out, boolean color, Path base) {
        this.out = out;
        this.color = color;
        this.base = base.toAbsolutePath().normalize();
    }

    public void print(Diagnostic d) {
        SourceFile src = d.source();
        int line = d.line();
        int col = d.column();
        String sev = d.severity().label();
        out.println(bold(printable(display(src.path())) + ":" + (line + 1) + ":" + (col + 1) + ": ")
                + paint(sev + "[" + d.code() + "]", d.severity()) + bold(": " + printable(d.message())));
        String text = src.lineText(line);
        int endCol = src.line(d.range().end()) == line ? src.column(d.range().end()) : text.length();
        Snippet s = snippet(text, col, endCol);
        String num = String.valueOf(line + 1);
        String pad = " ".repeat(Math.max(4, num.length()));
        out.println(pad.substring(num.length()) + num + " | " + s.text());
        out.println(pad + " | " + " ".repeat(s.caret()) + paint("^".repeat(s.width()), d.severity()));
        for (Diagnostic.Related r : d.related()) {
            out.println(pad + " = note: " + printable(r.message()) + " (" + printable(display(r.source().path())) + ":"
                    + (r.source().line(r.range().start()) + 1) + ":" + (r.source().column(r.range().start()) + 1) + ")");
        }
        for (Fix f : d.fixes()) out.println(pad + " = help: " + printable(f.title()));
    }

    /** A source line as printed: at most {@link Limits#SOURCE_LINE_CHARS} characters, the caret at its column. */
    record Snippet(String text, int caret, int width) {}

    /**
     * Cuts a long line around the marked columns [col, endCol), with "..." where
     * text was left out, as rustc does; control characters (which could move a
     * terminal's cursor or change its colours) become '?'.
     */
    static Snippet snippet(String line, int col, int endCol) {
        int max = Limits.SOURCE_LINE_CHARS;
        col = Math.max(0, Math.min(col, line.length()));
        endCol = Math.max(col, Math.min(endCol, line.length()));
        int from = 0;
        int to = line.length();
        if (to > max) {
            from = Math.max(0, Math.min(col - max / 3, line.length() - max));
            to = Math.min(line.length(), from + max);
            if (from > 0 && Character.isLowSurrogate(line.charAt(from))) from++;
            if (to < line.length() && Character.isLowSurrogate(line.charAt(to))) to--;
        }
        String head = from > 0 ? "..." : "";
        String text = head + printable(line.substring(from, to)) + (to < line.length() ? "..." : "");
        int caret = head.length() + col - from;
        int width = Math.max(1, Math.min(endCol, to) - col);
        return new Snippet(text, caret, width);
    }

    /** Tabs become spaces and other control characters '?', one for one, so that columns stay where they were. */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char r = c == '\t' ? ' '
                    : c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                    ? '?' : c;
            if (r != c && b == null) b = new StringBuilder(s.substring(0, i));
            if (b != null) b.append(r);
        }
        return b == null ? s : b.toString();
    }

    /**
     * Prints at most {@link Limits#SHOWN_PER_FILE} diagnostics of each file
     * (errors first) and says how many more there are.
     */
    public void printAll(List<Diagnostic> diagnostics) {
        Limits.Shown shown = Limits.perFile(diagnostics);
        for (Diagnostic d : shown.shown()) {
            print(d);
            out.println();
        }
        shown.hidden().forEach((file, n) -> out.println(moreLine(file, n)));
        if (!shown.hidden().isEmpty()) out.println();
    }

    /** "... and 15,900 more in big.ann (the first 100 of each file are shown)" */
    String moreLine(Path file, int n) {
        return String.format(java.util.Locale.ROOT, "... and %,d more in %s (the first %d of each file are shown)",
                n, printable(display(file)), Limits.SHOWN_PER_FILE);
    }

    /** "2 errors, 1 warning" */
    public static String summary(List<Diagnostic> diagnostics) {
        long e = diagnostics.stream().filter(d -> d.severity() == Severity.ERROR).count();
        long w = diagnostics.stream().filter(d -> d.severity() == Severity.WARNING).count();
        return plural(e, "error") + ", " + plural(w, "warning");
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    String display(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
    }

    private String bold(String s) {
        return color ? "\u001b[1m" + s + "\u001b[0m" : s;
    }

    private String paint(String s, Severity sev) {
        if (!color) return s;
        String c = switch (sev) {
            case ERROR -> "\u001b[1;31m";
            case WARNING -> "\u001b[1;33m";
            case INFO -> "\u001b[1;36m";
        };
        return c + s + "\u001b[0m";
    }

    /**
     * Diagnostics as JSON for tools: 1-based lines and columns, fixes with their
     * edits; at most {@link Limits#SHOWN_PER_FILE} of each file (see {@link #printAll}).
     */
    public String json(List<Diagnostic> diagnostics) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(jsonArray(diagnostics));
    }

    /** The diagnostics as {@link #json} writes them, as a tree (ann train --events json sends it in its error event). */
    public JsonArray jsonArray(List<Diagnostic> diagnostics) {
        JsonArray arr = new JsonArray();
        for (Diagnostic d : Limits.perFile(diagnostics).shown()) {
            JsonObject o = new JsonObject();
            o.addProperty("file", display(d.source().path()));
            o.addProperty("line", d.line() + 1);
            o.addProperty("column", d.column() + 1);
            o.addProperty("endLine", d.source().line(d.range().end()) + 1);
            o.addProperty("endColumn", d.source().column(d.range().end()) + 1);
            o.addProperty("severity", d.severity().label());
            o.addProperty("code", d.code());
            o.addProperty("message", d.message());
            JsonArray fixes = new JsonArray();
            for (Fix f : d.fixes()) {
                JsonObject fo = new JsonObject();
                fo.addProperty("title", f.title());
                JsonArray edits = new JsonArray();
                for (TextEdit e : f.edits()) {
                    SourceFile src = e.file().equals(d.source().path()) ? d.source() : null;
                    JsonObject eo = new JsonObject();
                    eo.addProperty("file", display(e.file()));
                    Range r = e.range();
                    eo.addProperty("start", r.start());
                    eo.addProperty("end", r.end());
                    if (src != null) {
                        eo.addProperty("line", src.line(r.start()) + 1);
                        eo.addProperty("column", src.column(r.start()) + 1);
                    }
                    eo.addProperty("newText", e.newText());
                    edits.add(eo);
                }
                fo.add("edits", edits);
                fixes.add(fo);
            }
            o.add("fixes", fixes);
            arr.add(o);
        }
        return arr;
    }
}
