package dev.ann.kernels;

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
public final class Activation {
    /** The activation functions. */
    public enum Fn { IDENTITY, STEP, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, GELU, SOFTPLUS, SWISH, SOFTMAX }

    public final Fn fn;
    /** step's threshold, sigmoid's beta, leaky_relu's and elu's alpha; unused by the others */
    final double p;

    public Activation(Fn fn, double p) {
        this.fn = fn;
        this.p = p;
    }

    /** Whether backward needs a scratch array of z's shape. */
    public boolean needsScratch() {
        return fn == Fn.SOFTMAX || fn == Fn.GELU;
    }

    public boolean isIdentity() {
        return fn == Fn.IDENTITY;
    }

    /** a = f(z); a may be z for in-place when the backward does not need z. */
    public void forward(INDArray z, INDArray a) {
        switch (fn) {
            case IDENTITY -> { if (a != z) a.assign(z); }
            case RELU -> Nd4j.exec(new RectifiedLinear(z, a, 0.0));
            case LEAKY_RELU -> Nd4j.exec(new LeakyReLU(z, a, p));
            case SIGMOID -> {
                if (p == 1.0) {
                    Nd4j.exec(new Sigmoid(z, a));
                } else {
                    Nd4j.exec(new ScalarMultiplication(z, null, a, p));
                    Nd4j.exec(new Sigmoid(a, a));
                }
            }
            case TANH -> Nd4j.exec(new Tanh(z, a));
            case ELU -> {
                if (p == 1.0) Nd4j.exec(new ELU(z, a));
                else K.exec("elu", new INDArray[] {z}, new INDArray[] {a}, null, new double[] {p});
            }
            case GELU -> { // exact: z * Phi(z) = 0.5 z (1 + erf(z / sqrt 2))
                Nd4j.exec(new ScalarMultiplication(z, null, a, 1 / Math.sqrt(2)));
                Nd4j.exec(new Erf(a, a));
                a.addi(1.0).muli(z).muli(0.5);
            }
            case SOFTPLUS -> Nd4j.exec(new SoftPlus(z, a));
            case SWISH -> Nd4j.exec(new Swish(z, a));
            case STEP -> Nd4j.exec(new Step(z, a, p));
            case SOFTMAX -> Nd4j.exec(new SoftMax(z, a, z.rank() - 1));
        }
    }

    /** relu over v[0, len) in place: the relu of the kernels' plain Java loops (dense layers, the global max pool). */
    static void relu(float[] v, int len) {
        for (int i = 0; i < len; i++) v[i] = Math.max(v[i], 0f);
    }

    /**
     * relu's gradient in place, given relu's output: g[i] = 0 where out[i] is not above 0 (step(z) is step(out)).
     * A product by {@link #reluStep}, which vectorises: 8 µs over [128, 256] against 35 µs for a compare per value.
     */
    static void reluGradient(float[] g, float[] out, int len) {
        for (int i = 0; i < len; i++) g[i] = g[i] * reluStep(out[i]);
    }

    /**
     * relu's step at one of its outputs r (+0 or above): 1 where r is above 0, else 0, in float arithmetic alone,
     * so that loops using it vectorise (a compare per value, or the sign bits moved between float and int, kept
     * C2 scalar: the batchnorm's backward pass ran 2.2 times faster this way, bench: OpBench flat). Two products
     * by 2^126 lift the smallest positive float above 1; min caps them at 1. g * step is g where r > 0 and a zero
     * elsewhere (-0 for a negative g, which sums and products treat as 0).
     */
    static float reluStep(float r) {
        return Math.min(r * 0x1p126f * 0x1p126f, 1f);
    }

    /** gz = ga * f'(z), given z, a = f(z) and ga; scratch has z's shape. */
    public void backward(INDArray z, INDArray a, INDArray ga, INDArray gz, INDArray scratch) {
        switch (fn) {
            case IDENTITY -> { if (gz != ga) gz.assign(ga); }
            case RELU -> { // ga * step(z): two ops, faster than ND4J's relu_bp (bench/training/ops.sh)
                Nd4j.exec(new Step(z, gz, 0.0));
                Nd4j.exec(new MulOp(gz, ga, gz));
            }
            case LEAKY_RELU -> K.exec("lrelu_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, new double[] {p});
            case SIGMOID -> {
                if (p == 1.0) {
                    K.exec("sigmoid_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, null);
                } else { // beta * a * (1 - a) * ga
                    gz.assign(a).rsubi(1.0).muli(a).muli(ga).muli(p);
                }
            }
            case TANH -> K.exec("tanh_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, null);
            case ELU -> K.exec("elu_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, new double[] {p});
            case SOFTPLUS -> K.exec("softplus_bp", new INDArray[] {z, ga}, new INDArray[] {gz}, null, null);
            case GELU -> {
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
            case SWISH -> {
                Nd4j.exec(new SwishDerivative(z, gz));
                Nd4j.exec(new MulOp(gz, ga, gz));
            }
            case STEP -> gz.assign(0);
            case SOFTMAX -> { // gz = a * (ga - sum(ga * a, last))
                long k = z.size(z.rank() - 1);
                INDArray a2 = a.reshape(-1, k), ga2 = ga.reshape(-1, k), gz2 = gz.reshape(-1, k);
                INDArray sc2 = scratch.reshape(-1, k);
                Nd4j.exec(new MulOp(ga2, a2, sc2));
                INDArray s = sc2.sum(true, 1);
                gz2.assign(ga2).subiColumnVector(s).muli(a2);
            }
        }
    }
}
