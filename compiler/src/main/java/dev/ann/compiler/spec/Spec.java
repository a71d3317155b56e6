package dev.ann.compiler.spec;

import java.util.List;
import java.util.Optional;

/**
 * The one declaration of something a user can name: a layer kind, an
 * activation, a loss, an optimiser, a schedule, a metric, a data source, a
 * setting. The checker, completion, hover, signature help, the plan, the
 * runtime and the code generator all read it; nothing about it is written
 * down twice.
 */
public interface Spec {
    String name();

    Category category();

    /** Arguments, positional order first. */
    List<ArgSpec> args();

    /** Markdown: one paragraph, what it computes, in the lecture's words. */
    String doc();

    default Optional<ArgSpec> arg(String name) {
        return args().stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /** {@code conv2d(filters: int, kernel: int | [int, int] = 3, ...)} */
    default String signature() {
        StringBuilder sb = new StringBuilder(name()).append('(');
        for (int i = 0; i < args().size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(args().get(i).signature());
        }
        return sb.append(')').toString();
    }
}
