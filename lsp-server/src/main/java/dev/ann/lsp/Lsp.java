package dev.ann.lsp;

import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Limits;
import dev.ann.compiler.diag.Severity;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.lsp4j.DiagnosticRelatedInformation;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;

/** Translation between the compiler's words (paths, UTF-16 offsets) and LSP's (URIs, line/character). */
public final class Lsp {
    private Lsp() {}

    public static Path path(String uri) {
        try {
            URI u = URI.create(uri);
            if ("file".equals(u.getScheme())) return Path.of(u).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            // fall through: not a file URI we can map
        }
        return Path.of(uri.replaceAll("[^A-Za-z0-9._-]", "_")).toAbsolutePath();
    }

    public static String uri(Path path) {
        return path.toAbsolutePath().normalize().toUri().toString();
    }

    public static Position position(SourceFile source, int offset) {
        return new Position(source.line(offset), source.column(offset));
    }

    public static Range range(SourceFile source, dev.ann.compiler.ast.Range r) {
        return new Range(position(source, r.start()), position(source, r.end()));
    }

    public static int offset(SourceFile source, Position p) {
        return source.offset(p.getLine(), p.getCharacter());
    }

    public static dev.ann.compiler.ast.Range range(SourceFile source, Range r) {
        return new dev.ann.compiler.ast.Range(offset(source, r.getStart()), offset(source, r.getEnd()));
    }

    public static Location location(SourceFile source, dev.ann.compiler.ast.Range r) {
        return new Location(uri(source.path()), range(source, r));
    }

    /**
     * The diagnostics of a document as published: at most {@link Limits#SHOWN_PER_FILE}
     * (errors first), and then one more at the top of the file that says how many were
     * left out, so that a file of 16,000 errors gives a bounded message.
     */
    public static List<org.eclipse.lsp4j.Diagnostic> diagnostics(Document doc, List<Diagnostic> diagnostics) {
        Limits.Shown shown = Limits.perFile(diagnostics.stream().filter(d -> d.source().path().equals(doc.path())).toList());
        List<org.eclipse.lsp4j.Diagnostic> out = new ArrayList<>();
        for (Diagnostic d : shown.shown()) out.add(diagnostic(d));
        int hidden = shown.hiddenCount();
        if (hidden > 0) {
            out.add(new org.eclipse.lsp4j.Diagnostic(new Range(new Position(0, 0), new Position(0, 0)),
                    String.format(java.util.Locale.ROOT, "%,d more problems in this file are not shown (only the first %d "
                            + "are); fix these first", hidden, Limits.SHOWN_PER_FILE), DiagnosticSeverity.Information, "ann"));
        }
        return out;
    }

    public static org.eclipse.lsp4j.Diagnostic diagnostic(Diagnostic d) {
        var out = new org.eclipse.lsp4j.Diagnostic(range(d.source(), d.range()), d.message(),
                severity(d.severity()), "ann", d.code());
        if (!d.related().isEmpty()) {
            List<DiagnosticRelatedInformation> rel = new ArrayList<>();
            for (Diagnostic.Related r : d.related()) {
                rel.add(new DiagnosticRelatedInformation(location(r.source(), r.range()), r.message()));
            }
            out.setRelatedInformation(rel);
        }
        return out;
    }

    static DiagnosticSeverity severity(Severity s) {
        return switch (s) {
            case ERROR -> DiagnosticSeverity.Error;
            case WARNING -> DiagnosticSeverity.Warning;
            case INFO -> DiagnosticSeverity.Information;
        };
    }
}
