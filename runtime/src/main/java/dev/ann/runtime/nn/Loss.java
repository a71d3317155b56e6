package dev.ann.runtime.nn;

import dev.ann.compiler.plan.Plan;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
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

    public final Kind kind;
    final double delta;
    private final Map<String, INDArray> bufs = new HashMap<>();

    public Loss(Plan plan, Net.OutputFusion fusion) {
        var c = plan.loss();
        delta = K.d(c.args(), "delta", 1.0);
        kind = switch (c.kind()) {
            case "cross_entropy" -> fusion == Net.OutputFusion.SOFTMAX || K.b(c.args(), "from_logits", false)
                    ? Kind.CE_LOGITS : Kind.CE_PROBS;
            case "binary_cross_entropy" -> fusion == Net.OutputFusion.SIGMOID || K.b(c.args(), "from_logits", false)
                    ? Kind.BCE_LOGITS : Kind.BCE_PROBS;
            case "mse" -> Kind.MSE;
            case "mae" -> Kind.MAE;
            case "huber" -> Kind.HUBER;
            default -> throw new IllegalArgumentException("the runtime does not know the loss '" + c.kind() + "'");
        };
    }

    private INDArray buf(String name, INDArray like) {
        String key = name + java.util.Arrays.toString(like.shape());
        return bufs.computeIfAbsent(key, k -> Nd4j.createUninitialized(like.dataType(), like.shape()));
    }

    /** Loss value of the batch; writes the gradient into grad when it is not null. */
    public double compute(INDArray out, INDArray y, INDArray grad) {
        long n = out.size(0);
        double m = (double) out.length();
        switch (kind) {
            case CE_LOGITS -> {
                INDArray logp = buf("logp", out), t = buf("t", out);
                Nd4j.exec(new LogSoftMax(out, logp));
                Nd4j.exec(new MulOp(y, logp, t));
                double loss = -t.sumNumber().doubleValue() / n;
                if (grad != null) {
                    Nd4j.exec(new Exp(logp, grad));
                    grad.subi(y).divi(n);
                }
                return loss;
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
