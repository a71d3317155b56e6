package dev.ann.compiler.ast;

/** A half-open span of UTF-16 offsets {@code [start, end)} in one source file. */
public record Range(int start, int end) {

    public static final Range NONE = new Range(0, 0);

    public boolean contains(int offset) {
        return start <= offset && offset < end;
    }

    /** Contains the offset, or touches it at the end (a cursor right after a word). */
    public boolean touches(int offset) {
        return start <= offset && offset <= end;
    }

    public Range to(Range other) {
        return new Range(Math.min(start, other.start), Math.max(end, other.end));
    }

    public int length() {
        return end - start;
    }
}
