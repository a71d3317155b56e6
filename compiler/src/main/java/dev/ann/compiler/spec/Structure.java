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
            "Joins the branches of a `parallel concat` on the channel axis (the first axis of a sample): "
                    + "`[c1, h, w]` and `[c2, h, w]` give `[c1 + c2, h, w]`; flat `[n1]` and `[n2]` give `[n1 + n2]`.",
            "`[c1, h, w], [c2, h, w]...` → `[c1 + c2 + ..., h, w]`",
            (in, a) -> in, (in, out, a) -> List.of(), (in, out, a) -> 0, true);

    public static final LayerSpec ADD = new LayerSpec("add", Category.LAYER, List.of(),
            "Adds its inputs element by element: the end of a `residual` (`output = input + body(input)`) "
                    + "or a `parallel add`. The shapes must be equal.",
            "`s, s...` → `s`",
            (in, a) -> in, (in, out, a) -> List.of(), (in, out, a) -> in.size(), true);

    /** Channel concatenation; the message names each branch's shape when they disagree. */
    public static Shape concat(List<Shape> ins) throws ShapeException {
        Shape first = ins.get(0);
        int channels = 0;
        for (Shape s : ins) {
            if (s.rank() != first.rank() || !s.dims().subList(1, s.rank()).equals(first.dims().subList(1, first.rank()))) {
                throw new ShapeException("the branches of parallel concat must agree on every axis but the first "
                        + "(channels); they give " + shapes(ins) + "; make their heights and widths equal "
                        + "(e.g. `padding: same`, or the same pooling in every branch)");
            }
            channels += s.dim(0);
        }
        List<Integer> dims = new ArrayList<>(first.dims());
        dims.set(0, channels);
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
