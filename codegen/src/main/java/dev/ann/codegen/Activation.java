package dev.ann.codegen;

import static dev.ann.codegen.Code.customOp;
import static dev.ann.codegen.Code.lit;

import com.squareup.javapoet.CodeBlock;
import java.util.List;

/**
 * Activation functions as ND4J code, forward {@code a = f(z)} and backward
 * {@code gz = ga * f'(z)}: the same ND4J op for each as the runtime's {@code Act}.
 */
final class Activation {
    private Activation() {}

    static boolean needsScratch(String kind) {
        return kind.equals("softmax") || kind.equals("gelu");
    }

    /** @param p threshold (step), beta (sigmoid) or alpha (leaky_relu, elu); @param rank per-sample rank */
    static void forward(CodeBlock.Builder b, String kind, double p, String z, String a, int rank) {
        var nd4j = Nd4jTypes.ND4J;
        switch (kind) {
            case "relu" -> b.addStatement("$T.exec(new $T($L, $L, 0.0))", nd4j, Nd4jTypes.scalar("RectifiedLinear"), z, a);
            case "leaky_relu" -> b.addStatement("$T.exec(new $T($L, $L, $L))", nd4j, Nd4jTypes.scalar("LeakyReLU"), z, a, lit(p));
            case "sigmoid" -> {
                if (p == 1.0) {
                    b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("Sigmoid"), z, a);
                } else {
                    b.addStatement("$T.exec(new $T($L, null, $L, $L))", nd4j, Nd4jTypes.scalar("ScalarMultiplication"), z, a, lit(p));
                    b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("Sigmoid"), a, a);
                }
            }
            case "tanh" -> b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("Tanh"), z, a);
            case "elu" -> {
                if (p == 1.0) b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("ELU"), z, a);
                else b.add(customOp("elu", List.of(z), List.of(a), null, new double[] {p}));
            }
            case "gelu" -> {
                b.add("// exact: z * Phi(z) = 0.5 z (1 + erf(z / sqrt 2))\n");
                b.addStatement("$T.exec(new $T($L, null, $L, $L))", nd4j, Nd4jTypes.scalar("ScalarMultiplication"), z, a,
                        lit(1 / Math.sqrt(2)));
                b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("Erf"), a, a);
                b.addStatement("$L.addi(1.0).muli($L).muli(0.5)", a, z);
            }
            case "softplus" -> b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("SoftPlus"), z, a);
            case "swish" -> b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("Swish"), z, a);
            case "step" -> b.addStatement("$T.exec(new $T($L, $L, $L))", nd4j, Nd4jTypes.scalar("Step"), z, a, lit(p));
            case "softmax" -> b.addStatement("$T.exec(new $T($L, $L, $L))", nd4j, Nd4jTypes.custom("SoftMax"), z, a, rank);
            default -> throw new IllegalArgumentException("unknown activation " + kind);
        }
    }

    /** gz = ga * f'(z), given z, a = f(z) and ga; scratch has z's shape (softmax, gelu). */
    static void backward(CodeBlock.Builder b, String kind, double p, String z, String a, String ga, String gz,
                         String scratch, int rank) {
        var nd4j = Nd4jTypes.ND4J;
        switch (kind) {
            case "relu" -> {
                b.addStatement("$T.exec(new $T($L, $L, 0.0))", nd4j, Nd4jTypes.scalar("Step"), z, gz);
                b.addStatement("$T.exec(new $T($L, $L, $L))", nd4j, Nd4jTypes.pairwise("MulOp"), gz, ga, gz);
            }
            case "leaky_relu" -> b.add(customOp("lrelu_bp", List.of(z, ga), List.of(gz), null, new double[] {p}));
            case "sigmoid" -> {
                if (p == 1.0) b.add(customOp("sigmoid_bp", List.of(z, ga), List.of(gz), null, null));
                else b.addStatement("$L.assign($L).rsubi(1.0).muli($L).muli($L).muli($L)", gz, a, a, ga, lit(p));
            }
            case "tanh" -> b.add(customOp("tanh_bp", List.of(z, ga), List.of(gz), null, null));
            case "elu" -> b.add(customOp("elu_bp", List.of(z, ga), List.of(gz), null, new double[] {p}));
            case "softplus" -> b.add(customOp("softplus_bp", List.of(z, ga), List.of(gz), null, null));
            case "gelu" -> {
                b.add("// Phi(z) + z phi(z)\n");
                b.addStatement("$T.exec(new $T($L, $L, $L))", nd4j, Nd4jTypes.pairwise("MulOp"), z, z, gz);
                b.addStatement("$L.muli(-0.5)", gz);
                b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("Exp"), gz, gz);
                b.addStatement("$L.muli($L).muli($L)", gz, z, lit(1 / Math.sqrt(2 * Math.PI)));
                b.addStatement("$T.exec(new $T($L, null, $L, $L))", nd4j, Nd4jTypes.scalar("ScalarMultiplication"), z, scratch,
                        lit(1 / Math.sqrt(2)));
                b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("Erf"), scratch, scratch);
                b.addStatement("$L.addi(1.0).muli(0.5)", scratch);
                b.addStatement("$L.addi($L).muli($L)", gz, scratch, ga);
            }
            case "swish" -> {
                b.addStatement("$T.exec(new $T($L, $L))", nd4j, Nd4jTypes.strict("SwishDerivative"), z, gz);
                b.addStatement("$T.exec(new $T($L, $L, $L))", nd4j, Nd4jTypes.pairwise("MulOp"), gz, ga, gz);
            }
            case "step" -> b.addStatement("$L.assign(0)", gz);
            case "softmax" -> {
                b.add("// gz = a * (ga - sum(ga * a, last axis))\n");
                if (rank == 1) {
                    b.addStatement("$T.exec(new $T($L, $L, $L))", nd4j, Nd4jTypes.pairwise("MulOp"), ga, a, scratch);
                    b.addStatement("$L.assign($L).subiColumnVector($L.sum(true, 1)).muli($L)", gz, ga, scratch, a);
                } else {
                    throw new IllegalArgumentException("ann generate supports softmax over a vector only");
                }
            }
            default -> throw new IllegalArgumentException("unknown activation " + kind);
        }
    }
}
