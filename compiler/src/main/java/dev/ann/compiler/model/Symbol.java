package dev.ann.compiler.model;

import dev.ann.compiler.ast.Range;
import java.nio.file.Path;
import java.util.List;

/**
 * A declared name.
 *
 * @param name      as declared
 * @param kind      what it is
 * @param file      the file it is declared in
 * @param nameRange the range of the name in its declaration
 * @param declRange the whole declaration
 * @param doc       its {@code ///} doc comment, "" if none
 * @param detail    one line: a const's value and type, a network's parameter count, a block's signature,
 *                  {@code train} or {@code profile} for those
 * @param container the enclosing declaration's name for block params and named layers, else null
 * @param children  nested symbols (block params, named layer statements)
 */
public record Symbol(
        String name,
        SymbolKind kind,
        Path file,
        Range nameRange,
        Range declRange,
        String doc,
        String detail,
        String container,
        List<Symbol> children) {

    public Symbol {
        children = List.copyOf(children);
    }

    /** Two symbols are the same declaration when kind, file and name range agree. */
    public boolean sameDeclaration(Symbol other) {
        return other != null && kind == other.kind && file.equals(other.file) && nameRange.equals(other.nameRange);
    }
}
