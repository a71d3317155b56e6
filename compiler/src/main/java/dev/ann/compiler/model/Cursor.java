package dev.ann.compiler.model;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.spec.Registry;
import java.util.Optional;

/**
 * Placeholder until the language-server engineer's Cursor lands: the purely
 * syntactic answers to "what may be written here" and "which call is the
 * cursor in". Replace this file wholesale.
 */
public final class Cursor {
    private Cursor() {}

    public static CompletionContext contextAt(AnnFile file, int offset) {
        return new CompletionContext(CompletionContext.Kind.NONE, "", new Range(offset, offset), null, null, null);
    }

    public static Optional<CallSite> callAt(AnnFile file, Registry registry, int offset) {
        return Optional.empty();
    }
}
