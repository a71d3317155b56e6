package dev.ann.compiler.check;

import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;

/** A range in a particular file. */
record Loc(SourceFile source, Range range) {
    Loc at(Range r) {
        return new Loc(source, r);
    }

    int line() {
        return source.line(range.start()) + 1;
    }
}
