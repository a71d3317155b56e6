package dev.ann.compiler.spec;

import java.util.List;
import java.util.stream.Collectors;

/** Shows plain values (Integer, Double, Boolean, String, List) the way .ann source writes them. */
public final class Values {
    private Values() {}

    public static String show(Object v) {
        if (v == null) return "none";
        if (v instanceof String s) return s;
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e6) return String.valueOf(d.longValue()) + ".0";
            return (Math.abs(d) < 1e-3 && d != 0) ? String.format(java.util.Locale.ROOT, "%.0e", d) : String.valueOf(d);
        }
        if (v instanceof List<?> l) return l.stream().map(Values::show).collect(Collectors.joining(", ", "[", "]"));
        return String.valueOf(v);
    }
}
