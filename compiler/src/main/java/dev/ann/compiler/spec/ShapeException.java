package dev.ann.compiler.spec;

/**
 * A layer cannot take its input shape with these arguments. The message says
 * what is wrong and what to do; {@code arg} names the argument at fault (the
 * checker puts the error on it) or is null for the layer as a whole.
 */
public final class ShapeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What would fix it, when the checker can offer an edit. */
    public enum Hint { NONE, NEEDS_FLATTEN }

    private final String arg;
    private final Hint hint;

    public ShapeException(String message) {
        this(message, null, Hint.NONE);
    }

    public ShapeException(String message, String arg) {
        this(message, arg, Hint.NONE);
    }

    public ShapeException(String message, String arg, Hint hint) {
        super(message, null, false, false);
        this.arg = arg;
        this.hint = hint;
    }

    public String arg() {
        return arg;
    }

    public Hint hint() {
        return hint;
    }
}
