package dev.ann.runtime.nn;

import dev.ann.compiler.plan.Args;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.ELU;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SoftPlus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SwishDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An activation function, forward {@code a = f(z)} and backward
 * {@code gz = ga * f'(z)}, each one ND4J op where ND4J has one.
 */
public final class Act {
    public static final java.util.Set<String> KINDS = java.util.Set.of(
            "identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus", "swish", "softmax");

    public final String kind;
    final double p; // threshold, beta or alpha

    public Act(String kind, Args args) {
        this.kind = kind;
        this.p = switch (kind) {
            case "step" -> K.d(args, "threshold", 0);
            case "sigmoid" -> K.d(args, "beta", 1);
            case "leaky_relu" -> K.d(args, "alpha", 0.01);
            case "elu" -> K.d(args, "alpha", 1);
            default -> 0;
        };
    }

    public static boolean isActivation(String kind) {
        return KINDS.contains(kind);
    }

    /** Whether backward needs a scratch array of z's shape. */
    public boolean needsScratch() {
        return kind.equals("softmax") || kind.equals("gelu");
    }

    public boolean isIdentity() {
        return kind.equals("identity");
    }

    /** a = f(z); a may be z for in-place when the backward does not need z. */
    public void forward(INDArray z, INDArray a) {
        switch (kind) {
            case "identity" -> { if (a != z) a.assign(z); }
            case "relu" -> Nd4j.exec(new RectifiedLinear(z, a, 0.0));
            case "leaky_relu" -> Nd4j.exec(new LeakyReLU(z, a, p));
            case "sigmoid" -> {
                if (p == 1.0) {
                    Nd4j.exec(new Sigmoid(z, a));
                } else {
                    Nd4j.exec(new ScalarMultiplication(z, null, a, p));
                    Nd4j.exec(new Sigmoid(a, a));
                }
            }
            case "tanh" -> Nd4j.exec(new Tanh(z, a));
            case "elu" -> {
                if (p == 1.0) Nd4j.exec(new ELU(z, a));
                else K.exec("elu", new INDArray[] {z}, new INDArray[] {a}, null, new double[] {p});
            }
            case "gelu" -> { // exact: z * Phi(z) = 0.5 z (1 + erf(z / sqrt 2))
                Nd4j.exec(new ScalarMultiplication(z, null, a, 1 / Math.sqrt(2)));
                Nd4j.exec(new Erf(a, a));
                a.addi(1.0).muli(z).muli(0.5);
            }
            case "softplus" -> Nd4j.exec(new SoftPlus(z, a));
            case "swish" -> Nd4j.exec(new Swish(z, a));
            case "step" -> Nd4j.exec(new Step(z, a, p));
            case "softmax" -> Nd4j.exec(new SoftMax(z, a, z.rank() - 1));
            default -> throw new IllegalArgumentException("unknown activation " + kind);
        }
    }

    /** gz = ga * f'(z), given z, a = f(z) and ga; scratch has z's shape. */
    public void backward(INDArray z, INDArray a, INDArray ga, INDArray gz, INDArray scratch) {
        switch (kind) {
            case "identity" -> { if (gz != ga) gz.assign(ga); }
            case "relu" -> { // ga * step(z): two ops, faster than ND4J's relu_bp (bench/training/ops.sh)
                Nd4j.exec(new Step(z, gz, 0.0));
                Nd4j.exec(new MulOp(gz, ga, gz));
            }
            case "leaky_relu" -> K.exec("lrelu_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, new double[] {p});
            case "sigmoid" -> {
                if (p == 1.0) {
                    K.exec("sigmoid_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, null);
                } else { // beta * a * (1 - a) * ga
                    gz.assign(a).rsubi(1.0).muli(a).muli(ga).muli(p);
                }
            }
            case "tanh" -> K.exec("tanh_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, null);
            case "elu" -> K.exec("elu_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, new double[] {p});
            case "softplus" -> K.exec("softplus_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, null);
            case "gelu" -> {
                // Phi(z) + z phi(z)
                Nd4j.exec(new MulOp(z, z, gz));
                gz.muli(-0.5);
                Nd4j.exec(new Exp(gz, gz));
                gz.muli(z).muli(1 / Math.sqrt(2 * Math.PI));
                Nd4j.exec(new ScalarMultiplication(z, null, scratch, 1 / Math.sqrt(2)));
                Nd4j.exec(new Erf(scratch, scratch));
                scratch.addi(1.0).muli(0.5);
                gz.addi(scratch).muli(ga);
            }
            case "swish" -> {
                Nd4j.exec(new SwishDerivative(z, gz));
                Nd4j.exec(new MulOp(gz, ga, gz));
            }
            case "step" -> gz.assign(0);
            case "softmax" -> { // gz = a * (ga - sum(ga * a, last))
                long k = z.size(z.rank() - 1);
                INDArray a2 = a.reshape(-1, k), ga2 = ga.reshape(-1, k), gz2 = gz.reshape(-1, k);
                INDArray sc2 = scratch.reshape(-1, k);
                Nd4j.exec(new MulOp(ga2, a2, sc2));
                INDArray s = sc2.sum(true, 1);
                gz2.assign(ga2).subiColumnVector(s).muli(a2);
            }
            default -> throw new IllegalArgumentException("unknown activation " + kind);
        }
    }
}
