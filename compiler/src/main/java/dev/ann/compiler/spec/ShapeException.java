package dev.ann.compiler.spec;

/**
 * A layer cannot take its input shape with these arguments. The message says
 * what is wrong and what to do; {@code arg} names the argument at fault (the
 * checker puts the error on it) or is null for the layer as a whole.
 */
public final class ShapeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What would fix it, when the checker can offer an edit. */
    public enum Hint {
        NONE,
        /** insert {@code flatten} before the layer */
        NEEDS_FLATTEN,
        /** write the layer kind {@link #replacement()} instead ({@code conv1d} for {@code conv2d} on a sequence) */
        RENAME,
        /** insert the statement {@link #replacement()} before the layer ({@code reshape([28, 28])}) */
        INSERT_BEFORE,
        /** give the argument {@link #arg()} the value {@link #replacement()} */
        ARGUMENT;

        /** {@code RENAME} to a layer kind: the message says it, the fix writes it. */
        public static Fixed use(String kind) {
            return new Fixed(RENAME, kind);
        }
    }

    /** A hint with its text. */
    public record Fixed(Hint hint, String replacement) {}

    private final String arg;
    private final Hint hint;
    private final String replacement;

    public ShapeException(String message) {
        this(message, null, Hint.NONE);
    }

    public ShapeException(String message, String arg) {
        this(message, arg, Hint.NONE);
    }

    public ShapeException(String message, String arg, Hint hint) {
        this(message, arg, new Fixed(hint, null));
    }

    public ShapeException(String message, String arg, Fixed fix) {
        super(message, null, false, false);
        this.arg = arg;
        this.hint = fix.hint();
        this.replacement = fix.replacement();
    }

    /** The text of the fix: a layer kind, a statement or an argument value; null for NONE and NEEDS_FLATTEN. */
    public String replacement() {
        return replacement;
    }

    public String arg() {
        return arg;
    }

    public Hint hint() {
        return hint;
    }
}
