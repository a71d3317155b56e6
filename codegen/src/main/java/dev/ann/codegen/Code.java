package dev.ann.codegen;

import java.util.List;
import java.util.stream.Collectors;

/** Small pieces of generated code shared by the emitters. */
final class Code {
    private Code() {}

    /** A double as a Java literal that reads back as the same double. */
    static String lit(double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException("not a finite number: " + v);
        return Double.toString(v);
    }

    static String longs(long... v) {
        StringBuilder sb = new StringBuilder();
        for (long x : v) sb.append(sb.length() == 0 ? "" : ", ").append(x);
        return sb.toString();
    }

    static String join(List<String> parts) {
        return parts.stream().collect(Collectors.joining(", "));
    }
}
