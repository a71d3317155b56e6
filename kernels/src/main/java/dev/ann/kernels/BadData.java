package dev.ann.kernels;

/**
 * Bad input data at a place in a file: the message reads
 * {@code file:line:column: what is wrong; what to do}. Line and column are
 * 1-based, 0 when unknown (then they are left out of the message).
 */
public class BadData extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public final String file;
    public final int line, column;
    /** the message without the place */
    public final String detail;

    public BadData(String file, int line, int column, String detail) {
        super(place(file, line, column) + ": " + detail);
        this.file = file;
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    /** {@code file}, {@code file:line} or {@code file:line:column}. */
    public static String place(String file, int line, int column) {
        return file + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "");
    }
}
