package dev.ann.compiler.spec;

import dev.ann.plan.Args;
import dev.ann.plan.Param;
import dev.ann.plan.Shape;
import java.util.List;

/**
 * The one declaration of a layer kind or an activation: arguments, doc, shape
 * rule, parameter tensors and FLOPs. The checker infers shapes with it, the
 * plan takes op kinds, parameter names and shapes from it, completion and
 * hover show it, the runtime dispatches on its name.
 */
public final class LayerSpec implements Spec {

    /** Input shape and resolved arguments to output shape. */
    @FunctionalInterface
    public interface ShapeRule {
        Shape apply(Shape in, Args args) throws ShapeException;
    }

    /** The parameter tensors a layer owns, given its input and output shapes. */
    @FunctionalInterface
    public interface TensorRule {
        List<Tensor> tensors(Shape in, Shape out, Args args);
    }

    @FunctionalInterface
    public interface FlopRule {
        long flops(Shape in, Shape out, Args args);
    }

    /**
     * A parameter tensor: role ({@code weight}, {@code bias}, ...), shape, whether the
     * optimiser updates it, and its initialiser.
     */
    public record Tensor(String role, Shape shape, boolean trainable, Param.Init init) {}

    private final String name;
    private final Category category;
    private final List<ArgSpec> args;
    private final String doc;
    private final String shapeDoc;
    private final ShapeRule shapeRule;
    private final TensorRule tensorRule;
    private final FlopRule flopRule;
    private final boolean differentiable;
    /** the input ranks the layer takes (1 flat or ids, 2 sequence, 3 picture); empty: any */
    private java.util.Set<Integer> ranks = java.util.Set.of();

    LayerSpec(String name, Category category, List<ArgSpec> args, String doc, String shapeDoc, ShapeRule shapeRule,
              TensorRule tensorRule, FlopRule flopRule, boolean differentiable) {
        this.name = name;
        this.category = category;
        this.args = List.copyOf(args);
        this.doc = doc;
        this.shapeDoc = shapeDoc;
        this.shapeRule = shapeRule;
        this.tensorRule = tensorRule;
        this.flopRule = flopRule;
        this.differentiable = differentiable;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Category category() {
        return category;
    }

    @Override
    public List<ArgSpec> args() {
        return args;
    }

    @Override
    public String doc() {
        return doc;
    }

    /** The shape rule in words, for the reference and hover: {@code [c, h, w] → [filters, h', w']}. */
    public String shapeDoc() {
        return shapeDoc;
    }

    /** Declares the input ranks this layer takes: 1 ({@code [n]}, or token ids {@code [T]}), 2 ({@code [T, F]}), 3 ({@code [c, h, w]}). */
    LayerSpec takes(Integer... ranks) {
        this.ranks = java.util.Set.of(ranks);
        return this;
    }

    /**
     * Whether the layer takes an input of this shape's rank (what completion offers after a shape);
     * the shape rule gives the message when it does not.
     */
    public boolean takes(Shape in) {
        return ranks.isEmpty() || ranks.contains(in.rank());
    }

    /** The input ranks declared with {@link #takes(Integer...)}; empty: any. */
    public java.util.Set<Integer> ranks() {
        return ranks;
    }

    /** False for {@code step}: its gradient is zero almost everywhere. */
    public boolean differentiable() {
        return differentiable;
    }

    public Shape outShape(Shape in, Args args) throws ShapeException {
        return shapeRule.apply(in, args);
    }

    public List<Tensor> tensors(Shape in, Shape out, Args args) {
        return tensorRule.tensors(in, out, args);
    }

    /** Number of trainable scalars. */
    public long paramCount(Shape in, Shape out, Args args) {
        long n = 0;
        for (Tensor t : tensors(in, out, args)) if (t.trainable()) n += t.shape().size();
        return n;
    }

    /** Forward FLOPs per sample (a multiply-add counts 2). */
    public long flops(Shape in, Shape out, Args args) {
        return flopRule.flops(in, out, args);
    }

    @Override
    public String toString() {
        return signature();
    }
}
