package dev.ann.compiler.spec;

/** The type of an argument or setting value, as the checker and completion see it. */
public enum Type {
    INT("int"),
    FLOAT("float"),
    BOOL("bool"),
    STRING("string"),
    /** {@code [1, 28, 28]} */
    SHAPE("shape"),
    /** an int, or a pair {@code [h, w]} (kernel sizes, strides) */
    INT_OR_PAIR("int | [int, int]"),
    /** one of {@link ArgSpec#choices()} written as a bare name: {@code same}, {@code standard} */
    ENUM("enum"),
    /** an initialiser: he, xavier, zeros or normal(std) */
    INIT("init"),
    /** a fraction: {@code 10%} or {@code 0.1} */
    FRACTION("fraction"),
    /** column indices: {@code 4}, {@code 0..3} or {@code [0, 2, 5]} */
    COLUMNS("columns"),
    /** a metric name, e.g. val_loss, val_accuracy */
    METRIC("metric"),
    ANY("any");

    private final String label;

    Type(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
