package dev.ann.bench.peers;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * DL4J (MultiLayerNetwork, the ND4J that ann uses) twins of examples/fashion_mlp.ann and
 * examples/fashion_cnn.ann: same data and split (Fashion), batch, Adam with ann's lr, betas and eps,
 * ann's cosine schedule per batch (a MapSchedule over iterations), He-normal weights
 * (WeightInit.RELU: variance 2 / fan_in) and zero biases, batchnorm decay 0.9, eps 1e-5,
 * dropout as in the file (DL4J's dropOut(p) keeps p, on the layer's input).
 *
 * <pre>java -cp ... dev.ann.bench.peers.Dl4jTwins mlp|cnn [timed steps] [warm steps]
 * java -cp ... dev.ann.bench.peers.Dl4jTwins conv|bag|lstm|transformer timed-steps warm-steps DATA-DIR</pre>
 * prints one JSON line: training samples/s over the timed steps, inference samples/s over the
 * test set (batch 1000). The sequence examples' twins are {@link SeqTwins}, on the data ann prepared.
 */
public final class Dl4jTwins {
    private Dl4jTwins() {}

    static double cosine(double lr0, double t, double warmup, int epochs) { // kernels/Schedule.java's cosine
        if (t < warmup) return lr0 * (t + 1e-3) / warmup;
        double span = Math.max(1e-9, epochs - warmup);
        return lr0 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, (t - warmup) / span)));
    }

    static Adam adam(double lr0, double warmup, int epochs, int batchesPerEpoch) {
        Map<Integer, Double> lr = new HashMap<>();
        for (int e = 0; e < epochs; e++) {
            for (int b = 0; b < batchesPerEpoch; b++) {
                lr.put(e * batchesPerEpoch + b, cosine(lr0, e + (double) b / batchesPerEpoch, warmup, epochs));
            }
        }
        return Adam.builder().learningRateSchedule(new MapSchedule(ScheduleType.ITERATION, lr))
                .beta1(0.9).beta2(0.999).epsilon(1e-8).build();
    }

    static MultiLayerConfiguration mlp(int nb) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(adam(1e-3, 0, 20, nb)).weightInit(WeightInit.RELU).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(256).nOut(128).activation(Activation.RELU).dropOut(0.8).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(128).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(784))
                .build();
    }

    static MultiLayerConfiguration cnn(int nb) {
        NeuralNetConfiguration.ListBuilder l = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(adam(2e-3, 1, 12, nb)).weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same).list();
        int[] filters = {32, 32, 0, 64, 64, 0};
        for (int f : filters) {
            if (f == 0) {
                l.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build());
                continue;
            }
            l.layer(new ConvolutionLayer.Builder(3, 3).nOut(f).activation(Activation.IDENTITY).build());
            l.layer(new BatchNormalization.Builder().decay(0.9).eps(1e-5).build());
            l.layer(new ActivationLayer.Builder().activation(Activation.RELU).build());
        }
        l.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).dropOut(0.7)
                .activation(Activation.SOFTMAX).build());
        return l.setInputType(InputType.convolutional(28, 28, 1)).build();
    }

    public static void main(String[] a) throws Exception {
        String model = a[0];
        int steps = a.length > 1 ? Integer.parseInt(a[1]) : 400;
        int warm = a.length > 2 ? Integer.parseInt(a[2]) : 30;
        if (SeqTwins.handles(model)) {
            if (a.length < 4 || !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(a[3], "meta.json"))) {
                System.err.println("Dl4jTwins " + model + ": give timed steps, warm steps and the prepared data's folder, "
                        + "one that bench/peers/prepare/PeersData.java wrote (with its meta.json)");
                System.exit(2);
            }
            SeqTwins.main(model, steps, warm, java.nio.file.Path.of(a[3]));
            return;
        }
        boolean conv = model.equals("cnn");
        int batch = conv ? 64 : 128;
        Fashion d = new Fashion(7);
        int nb = (d.n + batch - 1) / batch;
        MultiLayerNetwork net = new MultiLayerNetwork(conv ? cnn(nb) : mlp(nb));
        net.init();
        long[] perSample = conv ? new long[] {1, 28, 28} : new long[] {784};
        Random r = new Random(7);
        long t0 = 0, timed = 0;
        int step = 0;
        outer:
        for (int e = 0; ; e++) {
            int[] order = dev.ann.kernels.Seeds.permutation(d.n, r);
            for (int b = 0; b < nb; b++) {
                if (step == warm) { t0 = System.nanoTime(); timed = 0; }
                int from = b * batch, m = Math.min(batch, d.n - from);
                float[] xb = new float[m * 784], yb = new float[m * 10];
                for (int i = 0; i < m; i++) {
                    int s = order[from + i];
                    System.arraycopy(d.x, s * 784, xb, i * 784, 784);
                    yb[i * 10 + d.y[s]] = 1;
                }
                net.fit(Nd4j.create(xb, prepend(m, perSample), 'c'), Nd4j.create(yb, new long[] {m, 10}, 'c'));
                timed += m;
                if (++step == warm + steps) break outer;
            }
        }
        double train = timed / ((System.nanoTime() - t0) / 1e9);
        INDArray xt = Nd4j.create(d.xt, prepend(d.nt, perSample), 'c');
        net.output(xt.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1000)), false);
        long t1 = System.nanoTime();
        long correct = 0;
        for (int i = 0; i < d.nt; i += 1000) {
            INDArray p = net.output(xt.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1000)), false);
            int[] am = p.argMax(1).toIntVector();
            for (int k = 0; k < am.length; k++) if (am[k] == d.yt[i + k]) correct++;
        }
        double infer = d.nt / ((System.nanoTime() - t1) / 1e9);
        System.out.printf("{\"model\": \"%s\", \"threads\": %s, \"batch\": %d, \"train_samples_per_s\": %.1f, \"timed_steps\": %d, "
                        + "\"infer_samples_per_s\": %.1f, \"test_accuracy_after_timed_steps\": %.4f}%n",
                model, System.getenv().getOrDefault("OMP_NUM_THREADS", "\"default\""), batch, train, steps, infer, (double) correct / d.nt);
    }

    static long[] prepend(long n, long[] s) {
        long[] o = new long[s.length + 1];
        o[0] = n;
        System.arraycopy(s, 0, o, 1, s.length);
        return o;
    }
}
