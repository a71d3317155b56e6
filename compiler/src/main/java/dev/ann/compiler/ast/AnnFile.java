package dev.ann.compiler.ast;

import dev.ann.compiler.diag.Diagnostic;
import java.util.List;

/**
 * A parsed file: its declarations (as many as could be built) and its syntax
 * errors. Parsing never throws; a half-typed file still has declarations.
 */
public record AnnFile(SourceFile source, List<Decl> decls, List<Diagnostic> syntaxErrors) {
    public AnnFile {
        decls = List.copyOf(decls);
        syntaxErrors = List.copyOf(syntaxErrors);
    }
}
