package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The layers over time ({@link Sequence}, and {@link Layers} on {@code [T, F]} samples): analytic gradients of
 * every parameter against central differences, in double precision, as the runtime's GradientCheckTest does for
 * the other layers: relative error |a - n| / (|a| + |n|) below 1e-5 or absolute error below 1e-7. Networks are
 * built on the kernels directly; a padding mask comes from {@link SeqNet.Masked}, a test layer that stands for an
 * embedding.
 */
class SequenceGradientTest {
    static final double EPS = 1e-6, TOL = 1e-5, ABS = 1e-7;
    static final int N = 3;

    @TestFactory
    List<DynamicTest> gradients() {
        List<DynamicTest> tests = new ArrayList<>();
        // conv1d and pool1d
        tests.add(t("conv1d valid, kernel 3, bias", () -> new SeqNet(7, 3).conv1d(4, 3, 1, 1, false, true).act(Activation.Fn.TANH).flatten().dense(2)));
        tests.add(t("conv1d same, stride 2", () -> new SeqNet(7, 3).conv1d(4, 3, 2, 1, true, true).flatten().dense(2)));
        tests.add(t("conv1d same, kernel 4 (uneven padding)", () -> new SeqNet(6, 2).conv1d(3, 4, 1, 1, true, true).flatten().dense(2)));
        tests.add(t("conv1d dilation 2, no bias", () -> new SeqNet(8, 2).conv1d(3, 3, 1, 2, false, false).flatten().dense(2)));
        tests.add(t("maxpool1d 2", () -> new SeqNet(8, 2).conv1d(3, 3, 1, 1, true, true).pool1d(true, 2, 2, false).flatten().dense(2)));
        tests.add(t("maxpool1d 3 stride 1 same", () -> new SeqNet(7, 2).conv1d(3, 3, 1, 1, true, true).pool1d(true, 3, 1, true).flatten().dense(2)));
        tests.add(t("avgpool1d 2", () -> new SeqNet(8, 2).conv1d(3, 3, 1, 1, true, true).pool1d(false, 2, 2, false).flatten().dense(2)));
        tests.add(t("avgpool1d 3 stride 2 same", () -> new SeqNet(7, 2).conv1d(3, 3, 1, 1, true, true).pool1d(false, 3, 2, true).flatten().dense(2)));
        // global pools
        tests.add(t("globalmaxpool over time", () -> new SeqNet(6, 3).denseSteps(4, true).globalMaxPool().dense(2)));
        tests.add(t("globalmaxpool over time, masked (lengths 6, 3, 1)", () -> new SeqNet(6, 3).masked(6, 3, 1).denseSteps(4, true).globalMaxPool().dense(2)));
        tests.add(t("globalmaxpool over time, an all-padding sample", () -> new SeqNet(5, 3).masked(5, 0, 2).denseSteps(4, true).globalMaxPool().dense(2)));
        tests.add(t("globalmaxpool over planes", () -> new SeqNet(2, 5, 5).conv2d(3, 3).globalMaxPool().dense(2)));
        tests.add(t("globalavgpool over time", () -> new SeqNet(6, 3).denseSteps(4, true).globalAvgPool().dense(2)));
        tests.add(t("globalavgpool over time, masked (lengths 6, 2, 0)", () -> new SeqNet(6, 3).masked(6, 2, 0).denseSteps(4, true).globalAvgPool().dense(2)));
        // attention
        tests.add(t("attention, 1 head", () -> new SeqNet(5, 4).denseSteps(4, true).attention(1, false).flatten().dense(2)));
        tests.add(t("attention, 2 heads", () -> new SeqNet(5, 4).denseSteps(6, true).attention(2, false).flatten().dense(2)));
        tests.add(t("attention, causal", () -> new SeqNet(5, 4).denseSteps(4, true).attention(2, true).flatten().dense(2)));
        tests.add(t("attention, padded keys masked (lengths 5, 3, 1)", () -> new SeqNet(5, 4).masked(5, 3, 1).denseSteps(4, true).attention(2, false).globalAvgPool().dense(2)));
        tests.add(t("attention, causal and masked", () -> new SeqNet(6, 4).masked(4, 6, 2).denseSteps(4, true).attention(2, true).globalMaxPool().dense(2)));
        tests.add(t("attention, an all-padding sample", () -> new SeqNet(4, 4).masked(4, 0, 3).denseSteps(4, true).attention(2, false).flatten().dense(2)));
        // positional
        tests.add(t("positional, learned", () -> new SeqNet(5, 4).denseSteps(4, true).positional(true).attention(2, false).flatten().dense(2)));
        tests.add(t("positional, sinusoidal", () -> new SeqNet(5, 4).denseSteps(4, true).positional(false).act(Activation.Fn.TANH).flatten().dense(2)));
        // existing layers on [T, F]
        tests.add(t("dense on [T, F], fused tanh", () -> new SeqNet(5, 3).denseSteps(4, true).act(Activation.Fn.TANH).denseSteps(2, true)));
        tests.add(t("dense on [T, F], no bias, fused gelu", () -> new SeqNet(5, 3).denseSteps(4, false).act(Activation.Fn.GELU).denseSteps(2, true)));
        tests.add(t("dense on [T, F], softmax over features", () -> new SeqNet(4, 3).denseSteps(5, true).act(Activation.Fn.SOFTMAX).denseSteps(2, true)));
        tests.add(t("layernorm on [T, F]", () -> new SeqNet(5, 3).denseSteps(4, true).layerNorm().act(Activation.Fn.TANH).flatten().dense(2)));
        tests.add(t("concat on [T, F]", () -> {
            SeqNet b = new SeqNet(5, 3).denseSteps(4, true);
            int in = b.cur;
            int b1 = b.from(in).denseSteps(2, true).act(Activation.Fn.TANH).cur;
            int b2 = b.from(in).conv1d(3, 3, 1, 1, true, true).cur;
            return b.concat(b1, b2).flatten().dense(2);
        }));
        tests.add(t("transformer encoder block, masked", () -> {
            SeqNet b = new SeqNet(6, 3).masked(6, 4, 2).denseSteps(4, true).positional(false);
            int in = b.cur;
            int att = b.attention(2, false).cur;
            b.add(in, att).layerNorm();
            int mid = b.cur;
            int ff = b.denseSteps(8, true).act(Activation.Fn.RELU).denseSteps(4, true).cur;
            return b.add(mid, ff).layerNorm().globalAvgPool().dense(2);
        }));
        tests.add(t("causal transformer block, learned positions", () -> {
            SeqNet b = new SeqNet(5, 4).masked(5, 5, 3).positional(true);
            int in = b.cur;
            int att = b.attention(2, true).cur;
            return b.add(in, att).layerNorm().denseSteps(3, true).act(Activation.Fn.TANH).globalMaxPool().dense(2);
        }));
        return tests;
    }

    static DynamicTest t(String name, Supplier<SeqNet> b) {
        return DynamicTest.dynamicTest(name, () -> check(b.get(), name));
    }

    static double loss(Network net, Loss loss, INDArray x, INDArray y) {
        return loss.compute(net.forward(x, true), y, null);
    }

    static void check(SeqNet b, String name) {
        Network net = b.net.build(Loss.Fn.MSE);
        net.init(3);
        Random r = new Random(5);
        INDArray p = net.params();
        for (long i = 0; i < p.length(); i++) p.putScalar(i, p.getDouble(i) + 0.1 * r.nextGaussian());
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.randn(DataType.DOUBLE, K.prepend(N, b.inShape));
        INDArray out0 = net.forward(x, true);
        INDArray y = Nd4j.randn(DataType.DOUBLE, out0.shape());
        Loss loss = new Loss(Loss.Fn.MSE, false, 0, net.fusion());
        INDArray out = net.forward(x, true);
        INDArray g = out.ulike();
        loss.compute(out, y, g);
        net.backward(g);
        INDArray analytic = net.grads().dup();

        int checked = 0, nonzero = 0;
        double worst = 0;
        String worstAt = "";
        long len = p.length();
        long stride = Math.max(1, len / 150);     // at most ~150 elements per network, as the runtime's GradientCheckTest
        for (long i = 0; i < len; i += stride) {
            double v = p.getDouble(i);
            p.putScalar(i, v + EPS);
            double lp = loss(net, loss, x, y);
            p.putScalar(i, v - EPS);
            double lm = loss(net, loss, x, y);
            p.putScalar(i, v);
            double num = (lp - lm) / (2 * EPS);
            double an = analytic.getDouble(i);
            double diff = Math.abs(an - num);
            double rel = diff / Math.max(Math.abs(an) + Math.abs(num), 1e-300);
            if (Double.isNaN(an) || Double.isNaN(num)) { worst = Double.NaN; worstAt = "element " + i + ": NaN"; break; }
            if (diff > ABS && rel > worst) { worst = rel; worstAt = "element " + i + " (" + paramAt(net, i) + "): analytic " + an + ", numeric " + num; }
            checked++;
            if (Math.abs(num) > 1e-6) nonzero++;
        }
        assertTrue(worst < TOL, name + ": relative error " + worst + " at " + worstAt);
        assertTrue(checked > 10, name + ": checked only " + checked);
        assertTrue(nonzero > checked / 4, name + ": most gradients are zero (" + nonzero + "/" + checked + ")");
    }

    static String paramAt(Network net, long i) {
        long off = 0;
        for (Network.Param q : net.trainableParams()) {
            if (i < off + q.size()) return q.name() + "[" + (i - off) + "]";
            off += q.size();
        }
        return "?";
    }
}
