package dev.ann.runtime.train;

import dev.ann.compiler.plan.Plan;
import dev.ann.runtime.data.Dataset;
import dev.ann.runtime.nn.Loss;
import dev.ann.runtime.nn.Net;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Feeds batches into input and target buffers allocated once per batch size. */
public final class Batches {
    final Dataset d;
    final boolean oneHot, binary;
    final int yWidth;
    private final Map<Integer, INDArray[]> bufs = new HashMap<>();
    private final Map<Integer, float[][]> host = new HashMap<>();

    public Batches(Dataset d, Plan plan) {
        this.d = d;
        this.binary = plan.loss().kind().equals("binary_cross_entropy");
        this.oneHot = d.isClassification() && !binary;
        this.yWidth = (int) plan.outputShape().size();
    }

    /** Fills and returns {x, y} for the samples idx[from..from+n). */
    public INDArray[] fill(int[] idx, int from, int n) {
        INDArray[] b = bufs.computeIfAbsent(n, k -> {
            long[] xs = new long[d.sampleShape.length + 1];
            xs[0] = k;
            for (int i = 0; i < d.sampleShape.length; i++) xs[i + 1] = d.sampleShape[i];
            return new INDArray[] {Nd4j.create(DataType.FLOAT, xs), Nd4j.create(DataType.FLOAT, k, yWidth)};
        });
        float[][] h = host.computeIfAbsent(n, k -> new float[][] {new float[k * d.sampleSize], new float[k * yWidth]});
        float[] hx = h[0], hy = h[1];
        int s = d.sampleSize;
        if (oneHot) java.util.Arrays.fill(hy, 0f);
        for (int i = 0; i < n; i++) {
            int j = idx == null ? from + i : idx[from + i];
            System.arraycopy(d.x, j * s, hx, i * s, s);
            if (oneHot) hy[i * yWidth + d.labels[j]] = 1f;
            else if (binary && d.labels != null) hy[i * yWidth] = d.labels[j];
            else System.arraycopy(d.targets, j * yWidth, hy, i * yWidth, yWidth);
        }
        b[0].data().setData(hx);
        b[1].data().setData(hy);
        return b;
    }

    /** Runs the network over a whole split (evaluation mode) and measures it. */
    public static Evaluation evaluate(Net net, Loss loss, Dataset d, Plan plan, java.util.List<String> classNames) {
        Batches b = new Batches(d, plan);
        int bs = 256;
        double lossSum = 0;
        int[] pred = d.isClassification() ? new int[d.n] : null;
        float[] out = d.isClassification() ? null : new float[d.n * b.yWidth];
        for (int from = 0; from < d.n; from += bs) {
            int n = Math.min(bs, d.n - from);
            INDArray[] xy = b.fill(null, from, n);
            INDArray o = net.forward(xy[0], false);
            lossSum += loss.compute(o, xy[1], null) * n;
            if (pred != null) {
                if (b.binary) {
                    float[] v = o.data().asFloat();
                    // logits when the sigmoid is fused, probabilities otherwise
                    double thr = net.fusion() == Net.OutputFusion.SIGMOID ? 0.0 : 0.5;
                    for (int i = 0; i < n; i++) pred[from + i] = v[i * b.yWidth] > thr ? 1 : 0;
                } else {
                    int[] am = o.argMax(1).toIntVector();
                    System.arraycopy(am, 0, pred, from, n);
                }
            } else {
                float[] v = o.castTo(DataType.FLOAT).data().asFloat();
                System.arraycopy(v, 0, out, from * b.yWidth, n * b.yWidth);
            }
        }
        double l = d.n == 0 ? Double.NaN : lossSum / d.n;
        if (pred != null) return Evaluation.classification(d.n, l, classNames, d.labels, pred);
        return Evaluation.regression(d.n, l, d.targets, out);
    }
}
