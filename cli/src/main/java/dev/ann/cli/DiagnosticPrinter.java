package dev.ann.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Fix;
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
        out.println(bold(display(src.path()) + ":" + (line + 1) + ":" + (col + 1) + ": ")
                + paint(sev + "[" + d.code() + "]", d.severity()) + bold(": " + d.message()));
        String text = src.lineText(line);
        String num = String.valueOf(line + 1);
        String pad = " ".repeat(Math.max(4, num.length()));
        out.println(pad.substring(num.length()) + num + " | " + text.replace('\t', ' '));
        int endCol = src.line(d.range().end()) == line ? src.column(d.range().end()) : text.length();
        int width = Math.max(1, endCol - col);
        out.println(pad + " | " + " ".repeat(Math.max(0, col)) + paint("^".repeat(width), d.severity()));
        for (Diagnostic.Related r : d.related()) {
            out.println(pad + " = note: " + r.message() + " (" + display(r.source().path()) + ":"
                    + (r.source().line(r.range().start()) + 1) + ":" + (r.source().column(r.range().start()) + 1) + ")");
        }
        for (Fix f : d.fixes()) out.println(pad + " = help: " + f.title());
    }

    public void printAll(List<Diagnostic> diagnostics) {
        for (Diagnostic d : diagnostics) {
            print(d);
            out.println();
        }
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

    /** Diagnostics as JSON for tools: 1-based lines and columns, fixes with their edits. */
    public String json(List<Diagnostic> diagnostics) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(jsonArray(diagnostics));
    }

    /** The diagnostics as {@link #json} writes them, as a tree (ann train --events json sends it in its error event). */
    public JsonArray jsonArray(List<Diagnostic> diagnostics) {
        JsonArray arr = new JsonArray();
        for (Diagnostic d : diagnostics) {
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
