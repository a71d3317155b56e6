package dev.ann.compiler.spec;

import dev.ann.plan.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The ops that the structural forms add to a plan: {@code concat} ends a
 * {@code parallel concat}, {@code add} ends a {@code residual} (or a
 * {@code parallel add}). They take several inputs, so their shape rules take a list.
 */
public final class Structure {
    private Structure() {}

    public static final LayerSpec CONCAT = new LayerSpec("concat", Category.LAYER, List.of(),
            "Joins the branches of a `parallel concat` on the channel axis (the first axis of a picture): "
                    + "`[c1, h, w]` and `[c2, h, w]` give `[c1 + c2, h, w]`; flat `[n1]` and `[n2]` give `[n1 + n2]`; "
                    + "sequences join on the feature axis: `[T, f1]` and `[T, f2]` give `[T, f1 + f2]`.",
            "`[c1, h, w], [c2, h, w]...` → `[c1 + c2 + ..., h, w]`; `[T, f1], [T, f2]...` → `[T, f1 + f2 + ...]`",
            (in, a) -> in, (in, out, a) -> List.of(), (in, out, a) -> 0, true);

    public static final LayerSpec ADD = new LayerSpec("add", Category.LAYER, List.of(),
            "Adds its inputs element by element: the end of a `residual` (`output = input + body(input)`) "
                    + "or a `parallel add`. The shapes must be equal.",
            "`s, s...` → `s`",
            (in, a) -> in, (in, out, a) -> List.of(), (in, out, a) -> in.size(), true);

    /** Channel concatenation (feature concatenation for sequences); the message names each branch's shape when they disagree. */
    public static Shape concat(List<Shape> ins) throws ShapeException {
        Shape first = ins.get(0);
        int axis = first.rank() == 2 ? 1 : 0;   // [T, F]: features; [c, h, w] and [n]: the first axis
        int joined = 0;
        for (Shape s : ins) {
            boolean fits = s.rank() == first.rank();
            for (int i = 0; fits && i < s.rank(); i++) fits = i == axis || s.dim(i) == first.dim(i);
            if (!fits) {
                throw new ShapeException(axis == 1
                        ? "the branches of parallel concat join sequences on the feature axis and must agree on the "
                                + "steps; they give " + shapes(ins) + "; give every branch the same number of steps "
                                + "(e.g. `padding: same` in conv1d, the same pooling in every branch)"
                        : "the branches of parallel concat must agree on every axis but the first "
                                + "(channels); they give " + shapes(ins) + "; make their heights and widths equal "
                                + "(e.g. `padding: same`, or the same pooling in every branch)");
            }
            joined += s.dim(axis);
        }
        List<Integer> dims = new ArrayList<>(first.dims());
        dims.set(axis, joined);
        return new Shape(dims);
    }

    public static Shape add(List<Shape> ins) throws ShapeException {
        for (Shape s : ins) {
            if (!s.equals(ins.get(0))) {
                throw new ShapeException("parallel add needs branches of equal shape; they give " + shapes(ins));
            }
        }
        return ins.get(0);
    }

    static String shapes(List<Shape> ins) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ins.size(); i++) {
            if (i > 0) sb.append(i == ins.size() - 1 ? " and " : ", ");
            sb.append(ins.get(i));
        }
        return sb.toString();
    }
}
