package dev.ann.codegen;

import static dev.ann.codegen.Code.customOp;
import static dev.ann.codegen.Code.lit;
import static dev.ann.codegen.NetworkCode.num;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.MethodSpec;
import dev.ann.plan.Args;
import dev.ann.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Loss, optimiser and learning-rate schedule as Java, the same ND4J ops as
 * the runtime's {@code Loss}, {@code Optimizer} and {@code Schedule}.
 */
final class TrainingCode {
    private final Plan plan;
    private final NetworkCode.OutputFusion fusion;
    final String lossKind;
    final String optimizer;
    final double lr0;
    private final double momentum, beta1, beta2, eps, weightDecay, rho;
    private final boolean nesterov;
    final String schedule;
    private final double gamma, warmup;
    private final int every;
    final double huberDelta;
    /** loss buffers (names, without "a."), shaped like the training output */
    final List<String> lossBuffers = new ArrayList<>();

    TrainingCode(Plan plan, NetworkCode.OutputFusion fusion) {
        this.plan = plan;
        this.fusion = fusion;
        Args la = plan.loss().args();
        huberDelta = num(la, "delta", 1.0);
        boolean fromLogits = la != null && la.has("from_logits") && la.getBool("from_logits");
        lossKind = switch (plan.loss().kind()) {
            case "cross_entropy" -> fusion == NetworkCode.OutputFusion.SOFTMAX || fromLogits ? "ce_logits" : "ce_probs";
            case "binary_cross_entropy" -> fusion == NetworkCode.OutputFusion.SIGMOID || fromLogits ? "bce_logits" : "bce_probs";
            case "mse", "mae", "huber" -> plan.loss().kind();
            default -> throw new IllegalArgumentException("ann generate does not know the loss '" + plan.loss().kind() + "'");
        };
        optimizer = plan.optimizer().kind();
        Args a = plan.optimizer().args();
        lr0 = num(a, "lr", optimizer.equals("sgd") ? 0.01 : 1e-3);
        momentum = num(a, "momentum", 0);
        nesterov = a != null && a.has("nesterov") && a.getBool("nesterov");
        beta1 = num(a, "beta1", 0.9);
        beta2 = num(a, "beta2", 0.999);
        eps = num(a, "eps", num(a, "epsilon", optimizer.equals("adagrad") ? 1e-6 : 1e-8));
        weightDecay = num(a, "weight_decay", optimizer.equals("adamw") ? 0.01 : 0);
        rho = num(a, "rho", num(a, "decay", 0.9));
        switch (optimizer) {
            case "sgd", "adam", "adamw", "rmsprop", "adagrad" -> { }
            default -> throw new IllegalArgumentException("ann generate does not know the optimizer '" + optimizer + "'");
        }
        Plan.Component sc = plan.schedule();
        schedule = sc == null ? "constant" : sc.kind();
        Args sa = sc == null ? null : sc.args();
        gamma = num(sa, "gamma", schedule.equals("step") ? 0.1 : 0.95);
        every = sa != null && sa.has("every") ? sa.getInt("every") : 10;
        warmup = num(sa, "warmup", 0);
        switch (schedule) {
            case "constant", "step", "exponential", "cosine" -> { }
            default -> throw new IllegalArgumentException("ann generate does not know the schedule '" + schedule + "'");
        }
        lossBuffers.addAll(switch (lossKind) {
            case "ce_logits" -> List.of("exp", "terms");
            case "ce_probs" -> List.of("probs", "terms");
            case "bce_logits" -> List.of("terms", "scratch");
            case "bce_probs" -> List.of("probs", "terms", "scratch");
            case "mse", "mae" -> List.of("diff", "terms");
            default -> List.of("diff", "abs", "clipped");
        });
    }

    // ---- loss --------------------------------------------------------------------------------

    MethodSpec lossMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        var nd4j = Nd4jTypes.ND4J;
        String doc;
        switch (lossKind) {
            case "ce_logits" -> {
                doc = "Cross-entropy on the logits: {@code logsumexp(z) - sum(y z)} per sample, averaged; no log of a probability,\n"
                        + "so a probability that underflows to 0 gives no NaN. Its gradient is {@code (softmax(z) - y) / n}.";
                b.addStatement("long n = out.size(0)");
                b.addStatement("$T max = out.max(1)", Nd4jTypes.INDARRAY);
                b.addStatement("$T.exec(new $T(out, max, a.lossExp, 0))", nd4j, Nd4jTypes.broadcast("BroadcastSubOp"));
                b.addStatement("$T.exec(new $T(a.lossExp, a.lossExp))", nd4j, Nd4jTypes.strict("Exp"));
                b.addStatement("$T sum = a.lossExp.sum(1)", Nd4jTypes.INDARRAY);
                b.addStatement("$T.exec(new $T(y, out, a.lossTerms))", nd4j, Nd4jTypes.pairwise("MulOp"));
                b.addStatement("double yz = a.lossTerms.sumNumber().doubleValue()");
                b.addStatement("double[] sums = sum.castTo($T.DOUBLE).toDoubleVector()", Nd4jTypes.DATA_TYPE);
                b.addStatement("double[] maxima = max.castTo($T.DOUBLE).toDoubleVector()", Nd4jTypes.DATA_TYPE);
                b.addStatement("double logSumExp = 0");
                b.addStatement("for (int i = 0; i < sums.length; i++) logSumExp += Math.log(sums[i]) + maxima[i]");
                b.beginControlFlow("if (withGradient)");
                b.addStatement("$T.exec(new $T(a.lossExp, sum, a.outputGrad, 0))", nd4j, Nd4jTypes.broadcast("BroadcastDivOp"));
                b.addStatement("a.outputGrad.subi(y).divi(n)");
                b.endControlFlow();
                b.addStatement("return (logSumExp - yz) / n");
                return lossSpec(doc, b);
            }
            case "ce_probs" -> {
                doc = "Cross-entropy on probabilities: {@code -sum(y * log(max(p, 1e-12))) / n}.";
                b.addStatement("long n = out.size(0)");
                b.addStatement("$T.getExecutioner().exec(new $T(out, null, a.lossProbs, 1e-12))", nd4j, Nd4jTypes.scalar("ScalarMax"));
                b.addStatement("$T.exec(new $T(a.lossProbs, a.lossTerms))", nd4j, Nd4jTypes.strict("Log"));
                b.addStatement("a.lossTerms.muli(y)");
                b.addStatement("double loss = -a.lossTerms.sumNumber().doubleValue() / n");
                b.beginControlFlow("if (withGradient)");
                b.addStatement("a.outputGrad.assign(y).divi(a.lossProbs).divi(-n)");
                b.endControlFlow();
            }
            case "bce_logits" -> {
                doc = "Binary cross-entropy on the logits: {@code mean(max(z, 0) - z y + log(1 + e^-|z|))}; its gradient is\n"
                        + "{@code (sigmoid(z) - y) / count}.";
                b.addStatement("double m = (double) out.length()");
                b.addStatement("$T.exec(new $T(out, a.lossTerms))", nd4j, Nd4jTypes.same("Abs"));
                b.addStatement("a.lossTerms.negi()");
                b.addStatement("$T.exec(new $T(a.lossTerms, a.lossTerms))", nd4j, Nd4jTypes.strict("SoftPlus"));
                b.addStatement("$T.exec(new $T(out, a.lossScratch, 0.0))", nd4j, Nd4jTypes.scalar("RectifiedLinear"));
                b.addStatement("a.lossTerms.addi(a.lossScratch)");
                b.addStatement("$T.exec(new $T(out, y, a.lossScratch))", nd4j, Nd4jTypes.pairwise("MulOp"));
                b.addStatement("a.lossTerms.subi(a.lossScratch)");
                b.addStatement("double loss = a.lossTerms.sumNumber().doubleValue() / m");
                b.beginControlFlow("if (withGradient)");
                b.addStatement("$T.exec(new $T(out, a.outputGrad))", nd4j, Nd4jTypes.strict("Sigmoid"));
                b.addStatement("a.outputGrad.subi(y).divi(m)");
                b.endControlFlow();
            }
            case "bce_probs" -> {
                doc = "Binary cross-entropy on probabilities clipped to [1e-7, 1 - 1e-7].";
                b.addStatement("double m = (double) out.length()");
                b.addStatement("double e = 1e-7");
                b.addStatement("$T.exec(new $T(out, null, a.lossProbs, e))", nd4j, Nd4jTypes.scalar("ScalarMax"));
                b.addStatement("$T.exec(new $T(a.lossProbs, null, a.lossProbs, 1 - e))", nd4j, Nd4jTypes.scalar("ScalarMin"));
                b.addStatement("$T.exec(new $T(a.lossProbs, a.lossTerms))", nd4j, Nd4jTypes.strict("Log"));
                b.addStatement("a.lossTerms.muli(y)");
                b.addStatement("a.lossScratch.assign(a.lossProbs).rsubi(1)");
                b.addStatement("$T.exec(new $T(a.lossScratch, a.lossScratch))", nd4j, Nd4jTypes.strict("Log"));
                b.addStatement("a.lossScratch.muli(y.rsub(1))");
                b.addStatement("double loss = -(a.lossTerms.sumNumber().doubleValue() + a.lossScratch.sumNumber().doubleValue()) / m");
                b.beginControlFlow("if (withGradient)");
                b.add("// (p - y) / (p (1 - p)) / m\n");
                b.addStatement("a.lossScratch.assign(a.lossProbs).rsubi(1).muli(a.lossProbs)");
                b.addStatement("a.outputGrad.assign(a.lossProbs).subi(y).divi(a.lossScratch).divi(m)");
                b.endControlFlow();
            }
            case "mse" -> {
                doc = "Mean squared error over all output values.";
                b.addStatement("double m = (double) out.length()");
                b.addStatement("$T.exec(new $T(out, y, a.lossDiff))", nd4j, Nd4jTypes.pairwise("SubOp"));
                b.addStatement("$T.exec(new $T(a.lossDiff, a.lossDiff, a.lossTerms))", nd4j, Nd4jTypes.pairwise("MulOp"));
                b.addStatement("double loss = a.lossTerms.sumNumber().doubleValue() / m");
                b.beginControlFlow("if (withGradient)");
                b.addStatement("$T.exec(new $T(a.lossDiff, null, a.outputGrad, 2.0 / m))", nd4j, Nd4jTypes.scalar("ScalarMultiplication"));
                b.endControlFlow();
            }
            case "mae" -> {
                doc = "Mean absolute error over all output values.";
                b.addStatement("double m = (double) out.length()");
                b.addStatement("$T.exec(new $T(out, y, a.lossDiff))", nd4j, Nd4jTypes.pairwise("SubOp"));
                b.addStatement("$T.exec(new $T(a.lossDiff, a.lossTerms))", nd4j, Nd4jTypes.same("Abs"));
                b.addStatement("double loss = a.lossTerms.sumNumber().doubleValue() / m");
                b.beginControlFlow("if (withGradient)");
                b.addStatement("$T.exec(new $T(a.lossDiff, a.outputGrad))", nd4j, Nd4jTypes.same("Sign"));
                b.addStatement("a.outputGrad.divi(m)");
                b.endControlFlow();
            }
            default -> {
                doc = "Huber loss with delta " + lit(huberDelta) + ": {@code 0.5 c^2 + delta (|d| - c)} with {@code c = min(|d|, delta)}.";
                b.addStatement("double m = (double) out.length()");
                b.addStatement("$T.exec(new $T(out, y, a.lossDiff))", nd4j, Nd4jTypes.pairwise("SubOp"));
                b.addStatement("$T.exec(new $T(a.lossDiff, a.lossAbs))", nd4j, Nd4jTypes.same("Abs"));
                b.addStatement("$T.exec(new $T(a.lossAbs, null, a.lossClipped, $L))", nd4j, Nd4jTypes.scalar("ScalarMin"), lit(huberDelta));
                b.addStatement("a.lossAbs.subi(a.lossClipped).muli($L)", lit(huberDelta));
                b.addStatement("a.lossClipped.muli(a.lossClipped).muli(0.5)");
                b.addStatement("double loss = (a.lossAbs.sumNumber().doubleValue() + a.lossClipped.sumNumber().doubleValue()) / m");
                b.beginControlFlow("if (withGradient)");
                b.add(customOp("clipbyvalue", List.of("a.lossDiff"), List.of("a.outputGrad"), null, new double[] {-huberDelta, huberDelta}));
                b.addStatement("a.outputGrad.divi(m)");
                b.endControlFlow();
            }
        }
        b.addStatement("return loss");
        return lossSpec(doc, b);
    }

    private static MethodSpec lossSpec(String doc, CodeBlock.Builder b) {
        return MethodSpec.methodBuilder("loss")
                .addJavadoc(doc + "\nWrites the gradient with respect to {@code out} into {@code a.outputGrad} when asked.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(double.class)
                .addParameter(ClassName.get("", "Activations"), "a")
                .addParameter(Nd4jTypes.INDARRAY, "out")
                .addParameter(Nd4jTypes.INDARRAY, "y")
                .addParameter(boolean.class, "withGradient")
                .addCode(b.build())
                .build();
    }

    // ---- optimiser ---------------------------------------------------------------------------

    /** Field names of the optimiser's state: checkpoint arrays optimizer.s1 and optimizer.s2. */
    String state1() {
        return switch (optimizer) {
            case "sgd" -> "velocity";
            case "adam", "adamw" -> "firstMoment";
            default -> "squares";
        };
    }

    String state2() {
        return optimizer.startsWith("adam") ? "secondMoment" : null;
    }

    List<FieldSpec> optimizerFields(long count) {
        List<FieldSpec> f = new ArrayList<>();
        ClassName nd4j = Nd4jTypes.ND4J, dt = Nd4jTypes.DATA_TYPE, arr = Nd4jTypes.INDARRAY;
        long n = Math.max(1, count);
        String doc1 = switch (optimizer) {
            case "sgd" -> "Momentum: v = momentum v - lr g.";
            case "adam", "adamw" -> "Adam's first moment, m.";
            case "rmsprop" -> "Running average of squared gradients.";
            default -> "Sum of squared gradients.";
        };
        f.add(FieldSpec.builder(arr, state1(), Modifier.PRIVATE, Modifier.FINAL).addJavadoc(doc1 + "\n")
                .initializer("$T.zeros($T.FLOAT, $L)", nd4j, dt, n).build());
        if (state2() != null) {
            f.add(FieldSpec.builder(arr, state2(), Modifier.PRIVATE, Modifier.FINAL).addJavadoc("Adam's second moment, v.\n")
                    .initializer("$T.zeros($T.FLOAT, $L)", nd4j, dt, n).build());
        }
        if (!optimizer.equals("sgd") && !optimizer.startsWith("adam")) {
            f.add(FieldSpec.builder(arr, "update", Modifier.PRIVATE, Modifier.FINAL).addJavadoc("The step the updater computes.\n")
                    .initializer("$T.zeros($T.FLOAT, $L)", nd4j, dt, n).build());
        }
        f.add(FieldSpec.builder(long.class, "step", Modifier.PRIVATE).addJavadoc("Updates done so far.\n").build());
        return f;
    }

    MethodSpec updateMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        var nd4j = Nd4jTypes.ND4J;
        String doc;
        switch (optimizer) {
            case "sgd" -> {
                if (momentum == 0) {
                    doc = "Stochastic gradient descent: {@code params -= lr * grads}.";
                    b.addStatement("$T.getBlasWrapper().level1().axpy(params.length(), -lr, grads, params)", nd4j);
                } else {
                    doc = "Stochastic gradient descent with momentum " + lit(momentum) + (nesterov ? " (Nesterov)" : "")
                            + ": {@code v = momentum v - lr g}.";
                    b.addStatement("velocity.muli($L)", lit(momentum));
                    b.addStatement("$T.getBlasWrapper().level1().axpy(params.length(), -lr, grads, velocity)", nd4j);
                    if (nesterov) {
                        b.addStatement("$T.getBlasWrapper().level1().axpy(params.length(), $L, velocity, params)", nd4j, lit(momentum));
                        b.addStatement("$T.getBlasWrapper().level1().axpy(params.length(), -lr, grads, params)", nd4j);
                    } else {
                        b.addStatement("params.addi(velocity)");
                    }
                }
            }
            case "adam", "adamw" -> {
                doc = (optimizer.equals("adamw") ? "AdamW" : "Adam") + " on the flat buffers, with bias-corrected moments"
                        + (weightDecay != 0 ? ", after the decoupled weight decay {@code params *= 1 - lr * " + lit(weightDecay) + "}" : "") + ".";
                if (weightDecay != 0) b.addStatement("params.muli(1.0 - lr * $L)", lit(weightDecay));
                b.addStatement("double t = step + 1");
                b.addStatement("adam(params, grads, firstMoment, secondMoment,$Wlr * Math.sqrt(1 - Math.pow($L, t)) / (1 - Math.pow($L, t)), $L, $L, $L)",
                        lit(beta2), lit(beta1), lit(beta1), lit(beta2), lit(eps));
            }
            case "rmsprop" -> {
                doc = "RMSProp: {@code s = rho s + (1 - rho) g^2; params -= lr g / (sqrt(s) + eps)}.";
                b.addStatement("$T.exec(new $T(grads, squares, update, squares, lr, $L, $L))", nd4j, Nd4jTypes.updater("RmsPropUpdater"),
                        lit(rho), lit(eps));
                b.addStatement("params.subi(update)");
            }
            default -> {
                doc = "AdaGrad: {@code s += g^2; params -= lr g / (sqrt(s) + eps)}.";
                b.addStatement("$T.exec(new $T(grads, squares, update, squares, lr, $L))", nd4j, Nd4jTypes.updater("AdaGradUpdater"), lit(eps));
                b.addStatement("params.subi(update)");
            }
        }
        b.addStatement("step++");
        return MethodSpec.methodBuilder("update")
                .addJavadoc(doc + "\nOne op on the flat buffers, whatever the number of layers.\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(double.class, "lr")
                .addCode(b.build())
                .build();
    }

    boolean usesAdam() {
        return optimizer.startsWith("adam");
    }

    /** Adam's step as one loop over the flat buffers' memory, as the runtime's {@code Optimizer.adam} (float32). */
    MethodSpec adamMethod() {
        ClassName arr = Nd4jTypes.INDARRAY, fb = ClassName.get(java.nio.FloatBuffer.class);
        return MethodSpec.methodBuilder("adam")
                .addJavadoc("One Adam step, element by element: m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,\n"
                        + "p -= stepSize m / (sqrt(v) + eps), where stepSize carries the bias correction.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(arr, "p").addParameter(arr, "g").addParameter(arr, "m").addParameter(arr, "v")
                .addParameter(double.class, "stepSize").addParameter(double.class, "beta1")
                .addParameter(double.class, "beta2").addParameter(double.class, "eps")
                .addStatement("int n = (int) p.length()")
                .addStatement("$T pb = p.data().asNioFloat(), gb = g.data().asNioFloat(), mb = m.data().asNioFloat(), vb = v.data().asNioFloat()", fb)
                .addStatement("float b1 = (float) beta1, b2 = (float) beta2, c1 = 1 - b1, c2 = 1 - b2, lr = (float) stepSize, e = (float) eps")
                .beginControlFlow("for (int i = 0; i < n; i++)")
                .addStatement("float gi = gb.get(i)")
                .addStatement("float mi = b1 * mb.get(i) + c1 * gi")
                .addStatement("float vi = b2 * vb.get(i) + c2 * gi * gi")
                .addStatement("mb.put(i, mi)")
                .addStatement("vb.put(i, vi)")
                .addStatement("pb.put(i, pb.get(i) - lr * mi / ((float) Math.sqrt(vi) + e))")
                .endControlFlow()
                .build();
    }

    // ---- schedule ----------------------------------------------------------------------------

    boolean hasSchedule() {
        return !schedule.equals("constant");
    }

    /** learningRate(lr0, epoch, fraction, epochs). */
    MethodSpec scheduleMethod() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("learningRate")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(double.class)
                .addParameter(double.class, "lr0")
                .addParameter(int.class, "epoch")
                .addParameter(double.class, "fraction")
                .addParameter(int.class, "epochs");
        switch (schedule) {
            case "step" -> m.addJavadoc("Step schedule: the rate times $L every $L epochs.\n", lit(gamma), every)
                    .addStatement("return lr0 * Math.pow($L, Math.floor((double) epoch / $L))", lit(gamma), every);
            case "exponential" -> m.addJavadoc("Exponential schedule: the rate times $L every epoch.\n", lit(gamma))
                    .addStatement("return lr0 * Math.pow($L, epoch)", lit(gamma));
            default -> {
                m.addJavadoc("Cosine schedule" + (warmup > 0 ? " after a linear warm-up of $L epochs" : "")
                        + ": from lr0 down to 0 at the last epoch.\n", lit(warmup));
                m.addStatement("double t = epoch + fraction");
                if (warmup > 0) m.addStatement("if (t < $L) return lr0 * (t + 1e-3) / $L", lit(warmup), lit(warmup));
                m.addStatement("double span = Math.max(1e-9, epochs - $L)", lit(warmup));
                m.addStatement("return lr0 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, (t - $L) / span)))", lit(warmup));
            }
        }
        return m.build();
    }
}
