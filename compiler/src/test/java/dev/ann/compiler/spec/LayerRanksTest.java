package dev.ann.compiler.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ann.plan.Args;
import dev.ann.plan.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The input ranks a layer declares (what completion offers after a shape) are exactly those its shape rule
 * accepts: flat {@code [n]} (or token ids), sequences {@code [T, F]}, pictures {@code [c, h, w]}.
 */
class LayerRanksTest {
    private static final List<Shape> SAMPLES = List.of(Shape.of(64), Shape.of(32, 64), Shape.of(4, 32, 32));

    @Test
    void declaredRanksAreTheRanksTheShapeRuleTakes() {
        Registry r = Registry.standard();
        int declared = 0;
        for (Category c : new Category[] {Category.LAYER, Category.ACTIVATION}) {
            for (Spec s : r.all(c)) {
                LayerSpec l = (LayerSpec) s;
                if (l.ranks().isEmpty()) continue;
                declared++;
                Map<String, Object> args = new LinkedHashMap<>();
                l.args().forEach(a -> args.put(a.name(), a.defaultValue() != null ? a.defaultValue() : 4));
                Set<Integer> accepted = new TreeSet<>();
                for (Shape in : SAMPLES) {
                    try {
                        l.outShape(in, new Args(args));
                        accepted.add(in.rank());
                    } catch (ShapeException e) {
                        assertFalse(e.getMessage().isBlank());
                    }
                }
                assertEquals(new TreeSet<>(l.ranks()), accepted, l.name());
            }
        }
        assertEquals(16, declared, "layers with declared ranks");
    }

    @Test
    void sequenceLayersTakeSequencesAndImageLayersPictures() {
        Registry r = Registry.standard();
        Shape seq = Shape.of(10, 8);
        Shape picture = Shape.of(1, 28, 28);
        for (String n : List.of("lstm", "gru", "conv1d", "maxpool1d", "avgpool1d", "attention", "positional")) {
            LayerSpec l = r.layer(n).orElseThrow();
            assertEquals(true, l.takes(seq), n);
            assertEquals(false, l.takes(picture), n);
        }
        for (String n : List.of("conv2d", "maxpool", "avgpool")) {
            assertEquals(false, r.layer(n).orElseThrow().takes(seq), n);
            assertEquals(true, r.layer(n).orElseThrow().takes(picture), n);
        }
        assertEquals(Set.of(1), r.layer("embedding").orElseThrow().ranks());
    }
}
