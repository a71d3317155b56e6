package dev.ann.runtime;

import static dev.ann.runtime.PlanBuilder.args;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.plan.Plan;
import dev.ann.kernels.Loss;
import dev.ann.kernels.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Analytic gradients (the runtime's backward pass) against central finite
 * differences, in double precision: for every parameter element checked,
 * the relative error |a - n| / (|a| + |n|) is below TOL = 1e-5, or the
 * absolute error below ABS = 1e-7 (gradients here are of order 1e-3..1; a
 * gradient that is exactly zero in theory, such as a bias before batchnorm,
 * comes out of the analytic pass as round-off of order 1e-8).
 */
class GradientCheckTest {
    static final double EPS = 1e-6, TOL = 1e-5, ABS = 1e-7;
    static final int N = 4;

    static { Backend.init(); }

    @TestFactory
    List<DynamicTest> gradients() {
        List<DynamicTest> tests = new ArrayList<>();
        String[] acts = {"identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus", "swish", "softmax"};
        for (String a : acts) {
            tests.add(t("dense -> " + a + " (fused), mse", () -> new PlanBuilder(5).dense(6).act(a).dense(3).loss("mse", Map.of())));
            tests.add(t(a + " as its own layer, mse", () -> new PlanBuilder(5).dense(6).norm("layernorm").act(a).dense(3).loss("mse", Map.of())));
        }
        tests.add(t("sigmoid(beta: 2.5)", () -> new PlanBuilder(5).dense(6).act("sigmoid", args("beta", 2.5)).dense(3).loss("mse", Map.of())));
        tests.add(t("leaky_relu(alpha: 0.2)", () -> new PlanBuilder(5).dense(6).act("leaky_relu", args("alpha", 0.2)).dense(3).loss("mse", Map.of())));
        tests.add(t("step (zero gradient below it)", () -> new PlanBuilder(5).dense(6).act("step").dense(3).loss("mse", Map.of())));
        tests.add(t("dense without bias, xavier", () -> new PlanBuilder(5).dense(4, "xavier").act("tanh").dense(2).loss("mse", Map.of())));
        // losses
        tests.add(t("softmax + cross_entropy (fused)", () -> new PlanBuilder(5).dense(6).act("tanh").dense(4).act("softmax").loss("cross_entropy", args("from_logits", false))));
        tests.add(t("cross_entropy from logits", () -> new PlanBuilder(5).dense(6).act("tanh").dense(4).loss("cross_entropy", args("from_logits", true))));
        tests.add(t("cross_entropy on probabilities", () -> new PlanBuilder(5).dense(6).act("tanh").dense(4).act("sigmoid").loss("cross_entropy", args("from_logits", false))));
        tests.add(t("sigmoid + binary_cross_entropy (fused)", () -> new PlanBuilder(5).dense(6).act("tanh").dense(1).act("sigmoid").loss("binary_cross_entropy", Map.of())));
        tests.add(t("binary_cross_entropy on probabilities", () -> new PlanBuilder(5).dense(6).act("tanh").dense(2).act("sigmoid", args("beta", 0.5)).loss("binary_cross_entropy", Map.of())));
        tests.add(t("mae", () -> new PlanBuilder(5).dense(6).act("tanh").dense(3).loss("mae", Map.of())));
        tests.add(t("huber(delta: 0.3)", () -> new PlanBuilder(5).dense(6).act("tanh").dense(3).loss("huber", args("delta", 0.3))));
        // convolutional layers
        tests.add(t("conv2d valid + relu", () -> new PlanBuilder(2, 6, 6).conv(3, 3, 1, "valid").act("relu").flatten().dense(3).loss("mse", Map.of())));
        tests.add(t("conv2d same, stride 2", () -> new PlanBuilder(2, 7, 7).conv(3, 3, 2, "same").act("tanh").flatten().dense(3).loss("mse", Map.of())));
        tests.add(t("conv2d dilation 2", () -> new PlanBuilder(1, 7, 7).conv(2, 3, 1, "valid", 2).flatten().dense(2).loss("mse", Map.of())));
        tests.add(t("conv2d 1x1 + kernel 5 same", () -> new PlanBuilder(2, 6, 6).conv(3, 1, 1, "valid").act("elu").conv(2, 5, 1, "same").flatten().dense(2).loss("mse", Map.of())));
        tests.add(t("maxpool 2", () -> new PlanBuilder(1, 6, 6).conv(2, 3, 1, "same").pool("maxpool", 2, 2, "valid").flatten().dense(3).loss("mse", Map.of())));
        tests.add(t("maxpool 3 stride 1 same", () -> new PlanBuilder(1, 5, 5).conv(2, 3, 1, "same").pool("maxpool", 3, 1, "same").flatten().dense(3).loss("mse", Map.of())));
        tests.add(t("avgpool 2", () -> new PlanBuilder(1, 6, 6).conv(2, 3, 1, "same").pool("avgpool", 2, 2, "valid").flatten().dense(3).loss("mse", Map.of())));
        tests.add(t("avgpool 3 stride 2 same", () -> new PlanBuilder(1, 7, 7).conv(2, 3, 1, "same").pool("avgpool", 3, 2, "same").flatten().dense(3).loss("mse", Map.of())));
        tests.add(t("globalavgpool", () -> new PlanBuilder(2, 5, 5).conv(3, 3, 1, "same").act("swish").globalavgpool().dense(2).loss("mse", Map.of())));
        tests.add(t("reshape", () -> new PlanBuilder(12).dense(12).reshape(3, 2, 2).conv(2, 2, 1, "valid").flatten().dense(2).loss("mse", Map.of())));
        tests.add(t("batchnorm (dense, training mode)", () -> new PlanBuilder(5).dense(6).norm("batchnorm").act("relu").dense(3).loss("mse", Map.of())));
        tests.add(t("batchnorm (conv, training mode)", () -> new PlanBuilder(2, 5, 5).conv(3, 3, 1, "same").norm("batchnorm").act("relu").flatten().dense(3).loss("mse", Map.of())));
        tests.add(t("layernorm (conv, per channel)", () -> new PlanBuilder(2, 4, 4).conv(3, 3, 1, "same").norm("layernorm").act("tanh").flatten().dense(3).loss("mse", Map.of())));
        tests.add(t("dropout (training mode, fixed mask)", () -> new PlanBuilder(5).dense(8).act("tanh").dropout(0.3).dense(3).loss("mse", Map.of())));
        tests.add(t("parallel concat (inception)", () -> {
            PlanBuilder b = new PlanBuilder(2, 6, 6).conv(3, 3, 1, "same").act("relu");
            int in = b.cur();
            int b1 = b.from(in).conv(2, 1, 1, "valid").act("relu").cur();
            int b2 = b.from(in).conv(2, 1, 1, "valid").act("relu").conv(2, 3, 1, "same").act("relu").cur();
            int b3 = b.from(in).pool("maxpool", 3, 1, "same").conv(2, 1, 1, "valid").act("relu").cur();
            return b.concat(b1, b2, b3).globalavgpool().dense(3).act("softmax").loss("cross_entropy", args("from_logits", false));
        }));
        tests.add(t("residual (add)", () -> {
            PlanBuilder b = new PlanBuilder(5).dense(6).act("relu");
            int in = b.cur();
            int body = b.dense(6).act("relu").dense(6).cur();
            return b.add(in, body).dense(3).loss("mse", Map.of());
        }));
        return tests;
    }

    static DynamicTest t(String name, Supplier<PlanBuilder> b) {
        return DynamicTest.dynamicTest(name, () -> check(b.get().build(), name));
    }

    static INDArray targets(Plan plan, int n, Random r) {
        int w = (int) plan.outputShape().size();
        double[][] y = new double[n][w];
        for (int i = 0; i < n; i++) {
            switch (plan.loss().kind()) {
                case "cross_entropy" -> y[i][r.nextInt(w)] = 1;
                case "binary_cross_entropy" -> { for (int j = 0; j < w; j++) y[i][j] = r.nextInt(2); }
                default -> { for (int j = 0; j < w; j++) y[i][j] = r.nextGaussian(); }
            }
        }
        return Nd4j.createFromArray(y);
    }

    static double loss(Network net, Loss loss, INDArray x, INDArray y) {
        Nd4j.getRandom().setSeed(99);
        return loss.compute(net.forward(x, true), y, null);
    }

    static void check(Plan plan, String name) {
        Network net = dev.ann.runtime.nn.PlanKernels.network(plan, DataType.DOUBLE);
        net.init(3);
        // move biases and batchnorm/layernorm affine params off their initial constants
        Random r = new Random(5);
        INDArray p = net.params();
        for (long i = 0; i < p.length(); i++) p.putScalar(i, p.getDouble(i) + 0.1 * r.nextGaussian());
        long[] xs = new long[plan.inputShape().rank() + 1];
        xs[0] = N;
        for (int i = 0; i < plan.inputShape().rank(); i++) xs[i + 1] = plan.inputShape().dim(i);
        INDArray x = Nd4j.randn(DataType.DOUBLE, xs);
        INDArray y = targets(plan, N, r);
        Loss loss = dev.ann.runtime.nn.PlanKernels.loss(plan, net);

        Nd4j.getRandom().setSeed(99);
        INDArray out = net.forward(x, true);
        INDArray g = out.ulike();
        loss.compute(out, y, g);
        net.backward(g);
        INDArray analytic = net.grads().dup();

        int checked = 0, nonzero = 0;
        double worst = 0;
        String worstAt = "";
        long len = p.length();
        long stride = Math.max(1, len / 150);      // at most ~150 elements per network
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
            if (diff > ABS && rel > worst) { worst = rel; worstAt = "element " + i + ": analytic " + an + ", numeric " + num; }
            checked++;
            if (Math.abs(num) > 1e-6) nonzero++;
        }
        assertTrue(worst < TOL, name + ": relative error " + worst + " at " + worstAt);
        assertTrue(checked > 10, name + ": checked only " + checked);
        if (!name.startsWith("step")) assertTrue(nonzero > checked / 4, name + ": most gradients are zero (" + nonzero + "/" + checked + ")");
    }
}
