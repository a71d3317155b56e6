package dev.ann.compiler.ast;

/** A name as written, with where it was written. */
public record Ident(String text, Range range) {
    @Override
    public String toString() {
        return text;
    }
}
