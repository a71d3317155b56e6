package dev.ann.compiler.spec;

import static dev.ann.compiler.spec.ArgSpecs.arg;

import dev.ann.plan.Kind.Function;
import java.util.List;

/**
 * Activation functions: the documentation, arguments and shape rule of each
 * function the Plan names ({@link Function}, the one list of their names). Each is a layer of its own (usable as a statement or
 * after {@code ->}), with no parameters and an unchanged shape.
 */
final class Activations {
    private Activations() {}

    static List<LayerSpec> all() {
        return List.of(
                act(Function.IDENTITY, List.of(), 0, "`f(z) = z`: passes the weighted input through unchanged."),
                new LayerSpec(Function.STEP.languageName(), Category.ACTIVATION,
                        List.of(arg(Function.STEP.argument(), Type.FLOAT).def(0.0).doc("output 1 above this value, else 0")),
                        "The lecture's threshold neuron: `f(z) = 1` if `z > threshold`, else `0`. Its gradient is zero "
                                + "everywhere it exists, so nothing before it can be trained by gradient descent: "
                                + "use `sigmoid`, its smooth approximation, on a trained path.",
                        "unchanged", (in, a) -> in, (in, out, a) -> List.of(), (in, out, a) -> in.size(), false),
                act(Function.SIGMOID, List.of(arg(Function.SIGMOID.argument(), Type.FLOAT).def(1.0).above(0).doc("steepness; large beta approaches the step")),
                        4, "The logistic function `f(z) = 1/(1+e^(-beta·z))`, a smooth approximation of the threshold "
                                + "function with outputs in (0, 1)."),
                act(Function.TANH, List.of(), 4, "`f(z) = tanh(z)`, outputs in (-1, 1): a logistic function rescaled to be centred on 0."),
                act(Function.RELU, List.of(), 1, "Rectified linear unit `f(z) = max(z, 0)`. Not differentiable at 0 "
                        + "(the gradient there is taken as 0); cheap, and the usual choice for hidden layers."),
                act(Function.LEAKY_RELU, List.of(arg(Function.LEAKY_RELU.argument(), Type.FLOAT).def(0.01).min(0).below(1).doc("slope for negative inputs")),
                        2, "`f(z) = z` for `z > 0`, else `alpha·z`: a ReLU that keeps a small gradient for negative inputs."),
                act(Function.ELU, List.of(arg(Function.ELU.argument(), Type.FLOAT).def(1.0).above(0).doc("value approached for very negative inputs is -alpha")),
                        4, "Exponential linear unit: `f(z) = z` for `z > 0`, else `alpha·(e^z - 1)`."),
                act(Function.GELU, List.of(), 8, "Gaussian error linear unit `f(z) = z·Φ(z)` (exact, with the error function), smooth ReLU-like."),
                act(Function.SOFTPLUS, List.of(), 4, "`f(z) = ln(1 + e^z)`, a smooth ReLU."),
                act(Function.SWISH, List.of(), 5, "`f(z) = z·sigmoid(z)` (also called SiLU)."),
                new LayerSpec(Function.SOFTMAX.languageName(), Category.ACTIVATION, List.of(),
                        "Turns a vector of scores into probabilities: `f(z)_i = e^(z_i) / Σ_j e^(z_j)`. Put it last in a "
                                + "classifier; with `cross_entropy` the two are computed fused and stable.",
                        "`[n]` → `[n]`",
                        (in, a) -> {
                            if (in.rank() == 2) {
                                throw new ShapeException("softmax needs a flat [classes] input but gets the sequence " + in
                                        + " (a vector per step); pool over time with `globalavgpool` before the last dense "
                                        + "layer, or end the recurrent layer with `sequences: false`");
                            }
                            if (in.rank() != 1) {
                                throw new ShapeException("softmax needs a flat [classes] input but gets " + in
                                        + "; add `flatten` and a `dense` layer before it", null, ShapeException.Hint.NEEDS_FLATTEN);
                            }
                            return in;
                        },
                        (in, out, a) -> List.of(), (in, out, a) -> 3 * in.size(), true).takes(1));
    }

    private static LayerSpec act(Function f, List<ArgSpec> args, int flopsPerValue, String doc) {
        return new LayerSpec(f.languageName(), Category.ACTIVATION, args, doc, "unchanged", (in, a) -> in, (in, out, a) -> List.of(),
                (in, out, a) -> flopsPerValue * in.size(), true);
    }
}
