package dev.ann.compiler.spec;

import java.util.List;

/**
 * One argument of a layer, activation, loss, optimiser, schedule, data source
 * or setting.
 *
 * @param name         as written in named form ({@code kernel:})
 * @param type         its type
 * @param defaultValue the value when omitted (Integer, Double, Boolean, String or List), or null when required
 * @param required     must be given
 * @param min          lower bound or null; {@code minInclusive} says whether it is allowed
 * @param max          upper bound or null
 * @param choices      allowed bare names for ENUM (and INIT) arguments
 * @param doc          one line for hover and completion
 */
public record ArgSpec(
        String name,
        Type type,
        Object defaultValue,
        boolean required,
        Double min,
        boolean minInclusive,
        Double max,
        boolean maxInclusive,
        List<String> choices,
        String doc) {

    public ArgSpec {
        choices = List.copyOf(choices);
    }

    /** {@code kernel: int | [int, int] = 3} */
    public String signature() {
        String s = name + ": " + (type == Type.ENUM ? String.join(" | ", choices) : type.label());
        if (!required && defaultValue != null) s += " = " + Values.show(defaultValue);
        return s;
    }
}
