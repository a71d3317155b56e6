package dev.ann.compiler.spec;

import java.util.List;

/**
 * A loss, optimiser, schedule, metric, initialiser or data source.
 *
 * @param task for a loss, the task it fits ({@code classification}, {@code binary}, {@code regression});
 *             for a metric, the task it needs ({@code any}, {@code classification}, {@code regression}); else null
 * @param mode for a metric, {@code min} or {@code max}: which way is better; else null
 */
public record ComponentSpec(String name, Category category, List<ArgSpec> args, String doc, String task, String mode)
        implements Spec {
    public ComponentSpec {
        args = List.copyOf(args);
    }
}
