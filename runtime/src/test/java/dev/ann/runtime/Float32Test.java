package dev.ann.runtime;

import static dev.ann.runtime.PlanBuilder.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.plan.Plan;
import dev.ann.kernels.Loss;
import dev.ann.kernels.Network;
import dev.ann.kernels.Optimizer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training runs in float32, where ND4J hands conv2d, pooling and batchnorm to
 * oneDNN; the gradient check runs in double, where it does not. This checks
 * that the float32 path computes the same numbers (to float precision).
 */
class Float32Test {
    static { Backend.init(); }

    @Test
    void oneDnnBuildIsTheOneLoaded() {
        Nd4j.create(1);
        assertTrue(Backend.oneDnnLoaded(), "loaded: " + Backend.nativeLibrary());
    }

    @Test
    void float32MatchesDoubleOnAConvNet() {
        PlanBuilder b = new PlanBuilder(1, 12, 12).conv(8, 3, 1, "same").norm("batchnorm").act("relu")
                .pool("maxpool", 2, 2, "valid").conv(8, 3, 1, "same").act("relu").pool("avgpool", 2, 2, "valid");
        Plan plan = b.flatten().dropout(0.0).dense(5).act("softmax").loss("cross_entropy", args("from_logits", false)).build();
        INDArray x = Nd4j.randn(DataType.DOUBLE, 16, 1, 12, 12);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 16, 5);
        for (int i = 0; i < 16; i++) y.putScalar(i, i % 5, 1.0);
        INDArray[] d = run(plan, DataType.DOUBLE, x, y);
        INDArray[] f = run(plan, DataType.FLOAT, x.castTo(DataType.FLOAT), y.castTo(DataType.FLOAT));
        for (int k = 0; k < 2; k++) {
            INDArray a = d[k], c = f[k].castTo(DataType.DOUBLE);
            double scale = a.norm2Number().doubleValue();
            double err = a.sub(c).norm2Number().doubleValue() / scale;
            assertTrue(err < 1e-4, (k == 0 ? "outputs" : "gradients") + " differ by " + err + " (relative)");
        }
    }

    static INDArray[] run(Plan plan, DataType dt, INDArray x, INDArray y) {
        Network net = dev.ann.runtime.nn.PlanKernels.network(plan, dt);
        net.init(11);
        INDArray out = net.forward(x, true);
        INDArray g = out.ulike();
        dev.ann.runtime.nn.PlanKernels.loss(plan, net).compute(out, y, g);
        net.backward(g);
        return new INDArray[] {out.dup(), net.grads().dup()};
    }

    @Test
    void adamUpdateIsTheTextbookOne() {
        // the textbook adds eps to the bias-corrected sqrt(v); ND4J and ann to sqrt(v) with the correction in the step size
        adamAgainstTheTextbook(DataType.DOUBLE, 1e-6);
        adamAgainstTheTextbook(DataType.FLOAT, 2e-6);
    }

    private static void adamAgainstTheTextbook(DataType dt, double tol) {
        INDArray p = Nd4j.createFromArray(0.5, -1.0, 2.0).castTo(dt);
        Optimizer opt = Optimizer.adam(p, 0.1, 0.9, 0.999, 1e-8, 0);
        double[] m = new double[3], v = new double[3], ref = {0.5, -1.0, 2.0};
        for (int t = 1; t <= 3; t++) {
            double[] g = {0.3 * t, -0.2, 1.0 / t};
            opt.apply(p, Nd4j.createFromArray(g).castTo(dt), 0.1);
            for (int i = 0; i < 3; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mh = m[i] / (1 - Math.pow(0.9, t)), vh = v[i] / (1 - Math.pow(0.999, t));
                ref[i] -= 0.1 * mh / (Math.sqrt(vh) + 1e-8);
            }
        }
        for (int i = 0; i < 3; i++) assertEquals(ref[i], p.getDouble(i), tol, dt + " parameter " + i);
    }
}
