package dev.ann.compiler.diag;

import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;
import java.util.List;

/**
 * A problem found in a .ann file.
 *
 * @param code     stable code: {@code E0xx} for errors, {@code W0xx} for warnings (see {@link Codes})
 * @param message  what is wrong and what to do
 * @param source   the file it is in
 * @param range    where; never outside the file's text
 * @param fixes    edits that fix it, when one is obvious
 * @param related  other places that explain it (the other declaration of a duplicate name...)
 */
public record Diagnostic(
        Severity severity,
        String code,
        String message,
        SourceFile source,
        Range range,
        List<Fix> fixes,
        List<Related> related) {

    public Diagnostic {
        message = Limits.message(message);   // a name or path can be megabytes long in hostile input
        fixes = List.copyOf(fixes);
        related = List.copyOf(related);
        int len = source.text().length();
        int s = Math.max(0, Math.min(range.start(), len));
        range = new Range(s, Math.max(s, Math.min(range.end(), len)));
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** 0-based. */
    public int line() {
        return source.line(range.start());
    }

    /** 0-based. */
    public int column() {
        return source.column(range.start());
    }

    public record Related(SourceFile source, Range range, String message) {
        public Related {
            message = Limits.message(message);
        }
    }
}
