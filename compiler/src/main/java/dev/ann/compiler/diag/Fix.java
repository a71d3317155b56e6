package dev.ann.compiler.diag;

import java.util.List;

/** A fix for a diagnostic: what it does, in a few words, and the edits. */
public record Fix(String title, List<TextEdit> edits) {
    public Fix {
        title = Limits.message(title);
        edits = List.copyOf(edits);
    }
}
