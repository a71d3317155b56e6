package dev.ann.plan;

/** A position in a .ann file: path as given, 1-based line and column. */
public record SourcePos(String file, int line, int column) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
