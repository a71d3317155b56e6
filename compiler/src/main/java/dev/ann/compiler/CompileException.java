package dev.ann.compiler;

import dev.ann.compiler.diag.Diagnostic;
import java.util.List;

/** A plan was asked of a compilation that has errors, or names a train block or profile that does not exist. */
public final class CompileException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<Diagnostic> diagnostics;

    public CompileException(String message, List<Diagnostic> diagnostics) {
        super(message);
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
