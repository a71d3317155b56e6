package dev.ann.compiler.spec;

import dev.ann.plan.Param;
import java.util.Map;

/** Turns an {@code init} argument (a name, or a map from {@code normal(std)}) into a {@link Param.Init}. */
public final class Inits {
    private Inits() {}

    public static Param.Init of(Object arg, long fanIn, long fanOut) {
        String kind = "he";
        double std = 0;
        if (arg instanceof Map<?, ?> m) {
            kind = String.valueOf(m.get("kind"));
            if (m.get("std") instanceof Number n) std = n.doubleValue();
        } else if (arg instanceof String s) {
            kind = s;
        }
        switch (kind) {
            case "he" -> std = Math.sqrt(2.0 / Math.max(1, fanIn));
            case "xavier" -> std = Math.sqrt(2.0 / Math.max(1, fanIn + fanOut));
            case "normal" -> { }
            default -> std = 0;
        }
        return new Param.Init(kind, std, fanIn, fanOut);
    }

    public static Param.Init constant(String kind, long fanIn, long fanOut) {
        return new Param.Init(kind, 0, fanIn, fanOut);
    }
}
