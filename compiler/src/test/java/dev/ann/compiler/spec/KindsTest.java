package dev.ann.compiler.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.plan.Args;
import dev.ann.plan.Kind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Registry (what the checker, completion and hover know) and the Plan's
 * closed kinds (what the backends run) name the same ops: every declared layer
 * and activation becomes a typed Kind from its declared defaults alone, and
 * every Kind is declared.
 */
class KindsTest {
    private final Registry registry = Registry.standard();

    @Test
    void everyDeclaredOpBecomesAKindFromItsDefaults() {
        Set<String> kinds = new TreeSet<>();
        for (Category c : new Category[] {Category.LAYER, Category.ACTIVATION}) {
            for (Spec s : registry.all(c)) {
                Map<String, Object> args = new LinkedHashMap<>();
                s.args().forEach(a -> args.put(a.name(), a.defaultValue() != null ? a.defaultValue() : sample(a.type())));
                Kind k = Kind.of(s.name(), new Args(args));
                assertEquals(s.name(), k.name(), "the kind of " + s.name() + " names itself");
                kinds.add(k.getClass().getSimpleName());
            }
        }
        // every record of the sealed type is reached by some declaration (concat and add by the structures)
        for (Class<?> r : Kind.class.getPermittedSubclasses()) {
            String n = r.getSimpleName();
            if (n.equals("Concat") || n.equals("Add")) {
                assertNotNull(registry.op(n.toLowerCase()).orElse(null), n + " is declared as a structure");
                continue;
            }
            assertTrue(kinds.contains(n), "no declaration makes a Kind." + n);
        }
    }

    @Test
    void everyActivationFunctionIsDeclaredWithItsArgument() {
        for (Kind.Function f : Kind.Function.values()) {
            Spec s = registry.find(Category.ACTIVATION, f.languageName()).orElse(null);
            assertNotNull(s, f + " has a declaration");
            if (f.argument() == null) assertTrue(s.args().isEmpty(), f + " takes no argument");
            else assertEquals(f.argument(), s.args().get(0).name());
        }
        assertEquals(Kind.Function.values().length, registry.all(Category.ACTIVATION).size());
    }

    /** An argument without a default (units, filters, shape) gets a value of its type. */
    private static Object sample(Type t) {
        return switch (t) {
            case INT -> 4;
            case INT_OR_PAIR -> 2;
            case SHAPE -> java.util.List.of(2, 2);
            default -> throw new IllegalStateException("no sample for " + t);
        };
    }
}
