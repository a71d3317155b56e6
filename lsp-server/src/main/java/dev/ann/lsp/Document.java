package dev.ann.lsp;

import dev.ann.compiler.ast.SourceFile;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;

/** One open editor buffer: immutable; an edit makes a new one. */
public record Document(String uri, Path path, int version, SourceFile source) {

    public static Document open(String uri, int version, String text) {
        Path p = Lsp.path(uri);
        return new Document(uri, p, version, new SourceFile(p, text));
    }

    public String text() {
        return source.text();
    }

    /** Applies incremental (or whole-text) changes in order. */
    public Document apply(int newVersion, List<TextDocumentContentChangeEvent> changes) {
        SourceFile s = source;
        for (TextDocumentContentChangeEvent c : changes) {
            String text;
            if (c.getRange() == null) {
                text = c.getText();
            } else {
                int start = Lsp.offset(s, c.getRange().getStart());
                int end = Math.max(start, Lsp.offset(s, c.getRange().getEnd()));
                text = s.text().substring(0, start) + c.getText() + s.text().substring(end);
            }
            s = new SourceFile(path, text);
        }
        return new Document(uri, path, newVersion, s);
    }
}
