package dev.ann.kernels;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SoftPlus;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The loss and its gradient with respect to the training output, averaged
 * over the batch (and over output values for the element-wise losses).
 * Cross-entropy after a fused softmax works on logits:
 * {@code loss = -sum(y * logsoftmax(z)) / n}, {@code grad = (softmax(z) - y) / n};
 * binary cross-entropy after a fused sigmoid likewise:
 * {@code loss = mean(max(z,0) - z*y + log(1 + e^-|z|))}, {@code grad = (sigmoid(z) - y) / (n*w)}.
 */
public final class Loss {
    public enum Kind { CE_LOGITS, CE_PROBS, BCE_LOGITS, BCE_PROBS, MSE, MAE, HUBER }

    /** The losses of the language. */
    public enum Fn { CROSS_ENTROPY, BINARY_CROSS_ENTROPY, MSE, MAE, HUBER }

    public final Kind kind;
    final double delta;
    private final Map<String, INDArray> bufs = new HashMap<>();

    /**
     * @param fn         the loss
     * @param fromLogits for the cross-entropies: the network's outputs are logits (no final softmax or sigmoid)
     * @param delta      huber's turning point (ignored by the others)
     * @param fusion     what the network left out of its training output for this loss to do on logits
     */
    public Loss(Fn fn, boolean fromLogits, double delta, Network.OutputFusion fusion) {
        this.delta = delta;
        kind = switch (fn) {
            case CROSS_ENTROPY -> fusion == Network.OutputFusion.SOFTMAX || fromLogits ? Kind.CE_LOGITS : Kind.CE_PROBS;
            case BINARY_CROSS_ENTROPY -> fusion == Network.OutputFusion.SIGMOID || fromLogits ? Kind.BCE_LOGITS : Kind.BCE_PROBS;
            case MSE -> Kind.MSE;
            case MAE -> Kind.MAE;
            case HUBER -> Kind.HUBER;
        };
    }

    private INDArray buf(String name, INDArray like) {
        String key = name + java.util.Arrays.toString(like.shape());
        return bufs.computeIfAbsent(key, k -> Nd4j.createUninitialized(like.dataType(), like.shape()));
    }

    /**
     * Cross-entropy on logits [n, k] in one pass over the rows, in plain Java (in double): for the
     * small outputs of classifiers a dozen ND4J ops, each with its fixed cost, took longer than the
     * arithmetic. loss = sum over rows of (log sum_j e^(z_j - max) + max - sum_j y_j z_j) / n,
     * grad = (softmax(z) - y) / n.
     */
    private static double crossEntropyLogits(INDArray out, INDArray y, INDArray grad) {
        int n = (int) out.size(0), k = (int) out.size(1);
        double[] z = Flat.view(out).all(), t = Flat.view(y).all(), g = grad == null ? null : new double[n * k];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int r = i * k;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, z[r + j]);
            double sum = 0, yz = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(z[r + j] - max);
                yz += t[r + j] * z[r + j];
            }
            loss += Math.log(sum) + max - yz;
            if (g != null) for (int j = 0; j < k; j++) g[r + j] = (Math.exp(z[r + j] - max) / sum - t[r + j]) / n;
        }
        if (g != null) Flat.view(grad).put(0, g, g.length);
        return loss / n;
    }

    /** Loss value of the batch; writes the gradient into grad when it is not null. */
    public double compute(INDArray out, INDArray y, INDArray grad) {
        long n = out.size(0);
        double m = (double) out.length();
        switch (kind) {
            case CE_LOGITS -> {
                if (Flat.plain(out, y, grad) && out.rank() == 2) {
                    return crossEntropyLogits(out, y, grad);
                }
                // loss_i = logsumexp(z_i) - z_i[label]: log(sum(e^(z - max))) + max - sum(y z); no log of a
                // probability, so a class whose probability underflows to 0 gives no 0 * -inf = NaN
                INDArray t = buf("t", out), u = buf("u", out);
                INDArray zmax = out.max(1);
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp(out, zmax, t, 0));
                Nd4j.exec(new Exp(t, t));
                INDArray sum = t.sum(1);
                Nd4j.exec(new MulOp(y, out, u));
                double yz = u.sumNumber().doubleValue();
                double[] sv = sum.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
                double[] mv = zmax.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
                double lse = 0;
                for (int i = 0; i < sv.length; i++) lse += Math.log(sv[i]) + mv[i];
                if (grad != null) {
                    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastDivOp(t, sum, grad, 0));
                    grad.subi(y).divi(n);
                }
                return (lse - yz) / n;
            }
            case CE_PROBS -> {
                INDArray p = buf("p", out), t = buf("t", out);
                Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMax(out, null, p, 1e-12));
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Log(p, t));
                t.muli(y);
                double loss = -t.sumNumber().doubleValue() / n;
                if (grad != null) {
                    grad.assign(y).divi(p).divi(-n);
                }
                return loss;
            }
            case BCE_LOGITS -> {
                INDArray t = buf("t", out), u = buf("u", out);
                Nd4j.exec(new Abs(out, t));
                t.negi();
                Nd4j.exec(new SoftPlus(t, t));                     // log(1 + e^-|z|)
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear(out, u, 0.0));
                t.addi(u);
                Nd4j.exec(new MulOp(out, y, u));
                t.subi(u);
                double loss = t.sumNumber().doubleValue() / m;
                if (grad != null) {
                    Nd4j.exec(new Sigmoid(out, grad));
                    grad.subi(y).divi(m);
                }
                return loss;
            }
            case BCE_PROBS -> {
                INDArray p = buf("p", out), t = buf("t", out), u = buf("u", out);
                double e = 1e-7;
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMax(out, null, p, e));
                Nd4j.exec(new ScalarMin(p, null, p, 1 - e));
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Log(p, t));
                t.muli(y);
                u.assign(p).rsubi(1);
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Log(u, u));
                INDArray oneMinusY = y.rsub(1);
                u.muli(oneMinusY);
                double loss = -(t.sumNumber().doubleValue() + u.sumNumber().doubleValue()) / m;
                if (grad != null) { // (p - y) / (p (1 - p)) / m
                    u.assign(p).rsubi(1).muli(p);
                    grad.assign(p).subi(y).divi(u).divi(m);
                }
                return loss;
            }
            case MSE -> {
                INDArray d = buf("d", out), t = buf("t", out);
                Nd4j.exec(new SubOp(out, y, d));
                Nd4j.exec(new MulOp(d, d, t));
                double loss = t.sumNumber().doubleValue() / m;
                if (grad != null) {
                    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication(d, null, grad, 2.0 / m));
                }
                return loss;
            }
            case MAE -> {
                INDArray d = buf("d", out), t = buf("t", out);
                Nd4j.exec(new SubOp(out, y, d));
                Nd4j.exec(new Abs(d, t));
                double loss = t.sumNumber().doubleValue() / m;
                if (grad != null) {
                    Nd4j.exec(new Sign(d, grad));
                    grad.divi(m);
                }
                return loss;
            }
            case HUBER -> { // a = |d|, c = min(a, delta): 0.5 c^2 + delta (a - c); grad = clip(d) / m
                INDArray d = buf("d", out), a = buf("a", out), c = buf("c", out);
                Nd4j.exec(new SubOp(out, y, d));
                Nd4j.exec(new Abs(d, a));
                Nd4j.exec(new ScalarMin(a, null, c, delta));
                a.subi(c).muli(delta);
                c.muli(c).muli(0.5);
                double loss = (a.sumNumber().doubleValue() + c.sumNumber().doubleValue()) / m;
                if (grad != null) {
                    K.exec("clipbyvalue", new INDArray[] {d}, new INDArray[] {grad}, null, new double[] {-delta, delta});
                    grad.divi(m);
                }
                return loss;
            }
            default -> throw new IllegalStateException();
        }
    }
}
