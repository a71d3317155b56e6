package dev.ann.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ann.plan.Plan;
import dev.ann.kernels.Network;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * batchnorm's forward pass against the textbook formula computed here in
 * plain Java: training mode normalises with the batch mean and biased
 * variance and moves the running statistics; evaluation mode uses the
 * running statistics. (The gradient check covers the backward pass.)
 */
class BatchNormTest {
    static { Backend.init(); }

    @Test
    void convBatchnormMatchesTheFormulaInTrainingAndEvaluation() {
        check(new PlanBuilder(3, 4, 5).norm("batchnorm"), new int[] {6, 3, 4, 5});
    }

    @Test
    void denseBatchnormMatchesTheFormulaInTrainingAndEvaluation() {
        check(new PlanBuilder(7).norm("batchnorm"), new int[] {9, 7});
    }

    private static void check(PlanBuilder b, int[] shape) {
        Plan plan = b.loss("mse", Map.of()).build();
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            double tol = dt == DataType.DOUBLE ? 1e-9 : 1e-4;
            Network net = dev.ann.runtime.nn.PlanKernels.network(plan, dt);
            net.init(3);
            int n = shape[0], c = shape[1], s = 1;
            for (int k = 2; k < shape.length; k++) s *= shape[k];
            // gamma and beta away from 1 and 0, and a running state that is not the initial one
            Map<String, INDArray> p = net.paramViews(), st = net.stateViews();
            INDArray gamma = find(p, "gamma"), beta = find(p, "beta"), rmean = find(st, "running_mean"), rvar = find(st, "running_var");
            for (int k = 0; k < c; k++) {
                gamma.putScalar(k, 0.5 + 0.25 * k);
                beta.putScalar(k, -0.3 + 0.1 * k);
                rmean.putScalar(k, 0.2 * k);
                rvar.putScalar(k, 1.5 + k);
            }
            long[] ls = new long[shape.length];
            for (int k = 0; k < ls.length; k++) ls[k] = shape[k];
            INDArray x = Nd4j.rand(DataType.DOUBLE, ls).muli(4).subi(1).castTo(dt);
            double[] xs = x.castTo(DataType.DOUBLE).data().asDouble();
            double[] rm0 = rmean.castTo(DataType.DOUBLE).toDoubleVector(), rv0 = rvar.castTo(DataType.DOUBLE).toDoubleVector();

            double[] y = net.forward(x, true).castTo(DataType.DOUBLE).data().asDouble();
            for (int ch = 0; ch < c; ch++) {
                double sum = 0, sq = 0;
                for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) sum += xs[(i * c + ch) * s + j];
                double mean = sum / (n * s);
                for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) { double d = xs[(i * c + ch) * s + j] - mean; sq += d * d; }
                double var = sq / (n * s);
                double g = 0.5 + 0.25 * ch, bt = -0.3 + 0.1 * ch;
                for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) {
                    int at = (i * c + ch) * s + j;
                    assertEquals((xs[at] - mean) / Math.sqrt(var + 1e-5) * g + bt, y[at], tol, "training output at " + at);
                }
                assertEquals(0.9 * rm0[ch] + 0.1 * mean, rmean.getDouble(ch), tol, "running mean " + ch);
                assertEquals(0.9 * rv0[ch] + 0.1 * var, rvar.getDouble(ch), tol, "running variance " + ch);
            }

            double[] rm = rmean.castTo(DataType.DOUBLE).toDoubleVector(), rv = rvar.castTo(DataType.DOUBLE).toDoubleVector();
            double[] e = net.forward(x, false).castTo(DataType.DOUBLE).data().asDouble();
            for (int i = 0; i < n; i++) for (int ch = 0; ch < c; ch++) for (int j = 0; j < s; j++) {
                int at = (i * c + ch) * s + j;
                double want = (xs[at] - rm[ch]) / Math.sqrt(rv[ch] + 1e-5) * (0.5 + 0.25 * ch) + (-0.3 + 0.1 * ch);
                assertEquals(want, e[at], tol, "evaluation output at " + at);
            }
            assertEquals(rm[0], rmean.getDouble(0), 0.0, "evaluation must not move the running mean");
        }
    }

    private static INDArray find(Map<String, INDArray> views, String role) {
        return views.entrySet().stream().filter(en -> en.getKey().endsWith(role)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + role + " in " + views.keySet())).getValue();
    }
}
