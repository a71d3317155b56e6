package dev.ann.lsp;

import dev.ann.compiler.ast.SourceFile;
import java.nio.file.Path;
import org.eclipse.lsp4j.Position;

/** Fixture text with the cursor marked {@code <|>} (as in Langium's test helpers). */
record Fixture(String text, int offset, Position position) {
    static Fixture of(String marked) {
        int i = marked.indexOf("<|>");
        String text = i < 0 ? marked : marked.substring(0, i) + marked.substring(i + 3);
        int offset = Math.max(0, i);
        SourceFile s = new SourceFile(Path.of("fixture.ann"), text);
        return new Fixture(text, offset, new Position(s.line(offset), s.column(offset)));
    }
}
