package dev.ann.bench.peers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J twins of the sequence examples, on the data ann prepared (bench/peers/prepare/PeersData.java):
 * reuters_corn.ann's conv (EmbeddingSequenceLayer, Convolution1DLayer, GlobalPoolingLayer MAX) and BagOfWords,
 * co2.ann's lstm (LSTM in LastTimeStep), transformer.ann (a ComputationGraph: EmbeddingSequenceLayer for the
 * tokens and one for the positions 0..T-1, which is a learned position code; SelfAttentionLayer; layernorm as
 * a SameDiffLayer, since DL4J 1.0.0-M2.1 has no layernorm layer; TimeDistributed DenseLayers; ElementWiseVertex
 * residuals; GlobalPoolingLayer AVG). Same batch, Adam with ann's constant lr, betas and eps, ann's init
 * (XAVIER: variance 2 / (fan_in + fan_out); RELU: 2 / fan_in; the positions normal(0.02); zero biases, the
 * LSTM's forget-gate bias too). Padding (id 0) is a features mask, as ann ignores padded steps in the pools
 * and attention. What differs from ann: DL4J's attention projections have no biases, and its LSTM one bias
 * vector (ann's, as PyTorch's, two that add up).
 */
final class SeqTwins {
    private SeqTwins() {}

    static boolean handles(String model) {
        return List.of("conv", "bag", "lstm", "transformer").contains(model);
    }

    static NeuralNetConfiguration.Builder base(double lr) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(Adam.builder().learningRate(lr).beta1(0.9).beta2(0.999).epsilon(1e-8).build());
    }

    static MultiLayerConfiguration conv(Prepared d) {
        return base(1e-3).list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(d.vocabulary).nOut(32).inputLength((int) d.shape[0]).hasBias(false)
                        .weightInit(WeightInit.XAVIER).build())
                .layer(new Convolution1DLayer.Builder().kernelSize(5).nOut(64).convolutionMode(ConvolutionMode.Truncate)
                        .activation(Activation.RELU).weightInit(WeightInit.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).dropOut(0.5).activation(Activation.SOFTMAX)
                        .weightInit(WeightInit.RELU).build())
                .setInputType(InputType.recurrent(d.vocabulary, d.shape[0])) // an embedding's nIn is the input type's size: the vocabulary
                .build();
    }

    static MultiLayerConfiguration bag(Prepared d) {
        return base(1e-3).weightInit(WeightInit.RELU).list()
                .layer(new DenseLayer.Builder().nIn(d.shape[0]).nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(64).nOut(2).dropOut(0.5).activation(Activation.SOFTMAX).build())
                .build();
    }

    static MultiLayerConfiguration lstm(Prepared d) {
        return base(3e-3).list()
                .layer(new LastTimeStep(new LSTM.Builder().nIn(d.shape[1]).nOut(32).activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID).forgetGateBiasInit(0).weightInit(WeightInit.XAVIER)
                        .weightInitRecurrent(WeightInit.XAVIER).dataFormat(RNNFormat.NWC).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(32).nOut(d.targetWidth).activation(Activation.IDENTITY)
                        .weightInit(WeightInit.RELU).build())
                .setInputType(InputType.recurrent(d.shape[1], d.shape[0], RNNFormat.NWC))
                .build();
    }

    /** Layer normalisation over the features of [n, F, T] (eps 1e-5, gamma 1, beta 0 at first), as ann's layernorm. */
    public static final class LayerNorm extends SameDiffLayer {
        private long width;

        public LayerNorm() {}

        LayerNorm(long width) { this.width = width; }

        public long getWidth() { return width; }

        public void setWidth(long width) { this.width = width; }

        @Override public org.deeplearning4j.nn.conf.inputs.InputType getOutputType(int layerIndex, InputType in) { return in; }

        @Override public void setNIn(InputType in, boolean override) {}

        @Override public InputPreProcessor getPreProcessorForInputType(InputType in) { return null; }

        @Override public void defineParameters(SDLayerParams p) {
            p.addWeightParam("gamma", 1, width, 1);
            p.addBiasParam("beta", 1, width, 1);
        }

        @Override public void initializeParameters(Map<String, INDArray> p) {
            p.get("gamma").assign(1);
            p.get("beta").assign(0);
        }

        @Override public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
            SDVariable c = x.sub(x.mean(true, 1));
            SDVariable var = c.mul(c).mean(true, 1);
            return c.div(sd.math.sqrt(var.add(1e-5))).mul(p.get("gamma")).add(p.get("beta"));
        }
    }

    static ComputationGraphConfiguration transformer(Prepared d) {
        long t = d.shape[0];
        int f = 64;
        ComputationGraphConfiguration.GraphBuilder g = base(1e-3).graphBuilder().addInputs("ids", "positions")
                .setInputTypes(InputType.recurrent(d.vocabulary, t), InputType.recurrent(t, t)) // an embedding's nIn: the vocabulary, the positions
                .addLayer("embedding", new EmbeddingSequenceLayer.Builder().nIn(d.vocabulary).nOut(f).inputLength((int) t).hasBias(false)
                        .weightInit(WeightInit.XAVIER).build(), "ids")
                .addLayer("positional", new EmbeddingSequenceLayer.Builder().nIn(t).nOut(f).inputLength((int) t).hasBias(false)
                        .weightInit(new NormalDistribution(0, 0.02)).build(), "positions")
                .addVertex("x0", new ElementWiseVertex(ElementWiseVertex.Op.Add), "embedding", "positional");
        String x = "x0";
        for (int b = 1; b <= 2; b++) {
            String p = "b" + b + "_";
            g.addLayer(p + "attention", new SelfAttentionLayer.Builder().nIn(f).nOut(f).nHeads(4).projectInput(true)
                            .weightInit(WeightInit.XAVIER).build(), x)
                    .addLayer(p + "drop1", dropout(0.9), p + "attention")
                    .addVertex(p + "add1", new ElementWiseVertex(ElementWiseVertex.Op.Add), x, p + "drop1")
                    .addLayer(p + "ln1", new LayerNorm(f), p + "add1")
                    .addLayer(p + "ff1", new TimeDistributed(new DenseLayer.Builder().nIn(f).nOut(128).activation(Activation.RELU)
                            .weightInit(WeightInit.RELU).build(), RNNFormat.NCW), p + "ln1")
                    .addLayer(p + "ff2", new TimeDistributed(new DenseLayer.Builder().nIn(128).nOut(f).activation(Activation.IDENTITY)
                            .weightInit(WeightInit.RELU).build(), RNNFormat.NCW), p + "ff1")
                    .addLayer(p + "drop2", dropout(0.9), p + "ff2")
                    .addVertex(p + "add2", new ElementWiseVertex(ElementWiseVertex.Op.Add), p + "ln1", p + "drop2")
                    .addLayer(p + "ln2", new LayerNorm(f), p + "add2");
            x = p + "ln2";
        }
        return g.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x)
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(f).nOut(2).activation(Activation.SOFTMAX)
                        .weightInit(WeightInit.RELU).build(), "pool")
                .setOutputs("out")
                .build();
    }

    /**
     * Dropout on [n, F, T] with a mask: an identity ActivationLayer whose input is dropped (retain 0.9); DL4J's
     * DropoutLayer multiplies a rank-3 input by the [n, T] mask as a column vector and fails.
     */
    static ActivationLayer dropout(double retain) {
        return new ActivationLayer.Builder().activation(Activation.IDENTITY).dropOut(retain).build();
    }

    /** One batch: features, padding mask (token ids only), positions (the transformer), labels. */
    record Batch(INDArray x, INDArray mask, INDArray positions, INDArray y) {}

    static Batch batch(Prepared d, float[] xs, int[] ys, float[] yfs, int[] which, boolean ids, boolean positions) {
        int m = which.length, s = d.size;
        float[] xb = new float[m * s];
        float[] mb = ids ? new float[m * s] : null;
        int w = ys != null ? d.classes : d.targetWidth;
        float[] yb = new float[m * w];
        for (int i = 0; i < m; i++) {
            System.arraycopy(xs, which[i] * s, xb, i * s, s);
            if (ids) for (int k = 0; k < s; k++) mb[i * s + k] = xb[i * s + k] != 0 ? 1 : 0;
            if (ys != null) yb[i * w + ys[which[i]]] = 1;
            else System.arraycopy(yfs, which[i] * w, yb, i * w, w);
        }
        INDArray pos = null;
        if (positions) {
            float[] pb = new float[m * s];
            for (int i = 0; i < m; i++) for (int k = 0; k < s; k++) pb[i * s + k] = k;
            pos = Nd4j.create(pb, new long[] {m, s}, 'c');
        }
        return new Batch(Nd4j.create(xb, Dl4jTwins.prepend(m, d.shape), 'c'), ids ? Nd4j.create(mb, new long[] {m, s}, 'c') : null, pos,
                Nd4j.create(yb, new long[] {m, w}, 'c'));
    }

    static void main(String model, int steps, int warm, Path data) throws Exception {
        Prepared d = new Prepared(data);
        boolean ids = model.equals("conv") || model.equals("transformer"), graph = model.equals("transformer");
        int batch = 32;
        MultiLayerNetwork mln = null;
        ComputationGraph cg = null;
        switch (model) {
            case "conv" -> mln = new MultiLayerNetwork(conv(d));
            case "bag" -> mln = new MultiLayerNetwork(bag(d));
            case "lstm" -> mln = new MultiLayerNetwork(lstm(d));
            default -> cg = new ComputationGraph(transformer(d));
        }
        if (mln != null) mln.init();
        else cg.init();
        int nb = (d.n + batch - 1) / batch;
        Random r = new Random(7);
        long t0 = 0, timed = 0;
        int step = 0;
        List<Double> losses = new ArrayList<>();
        outer:
        for (int e = 0; ; e++) {
            int[] order = dev.ann.kernels.Seeds.permutation(d.n, r);
            for (int b = 0; b < nb; b++) {
                if (step == warm) { t0 = System.nanoTime(); timed = 0; }
                int from = b * batch, m = Math.min(batch, d.n - from);
                Batch bt = batch(d, d.x, d.y, d.yf, java.util.Arrays.copyOfRange(order, from, from + m), ids, graph);
                if (graph) {
                    cg.fit(new MultiDataSet(new INDArray[] {bt.x(), bt.positions()}, new INDArray[] {bt.y()},
                            new INDArray[] {bt.mask(), bt.mask()}, null));
                    losses.add(cg.score());
                } else {
                    mln.fit(new DataSet(bt.x(), bt.y(), bt.mask(), null));
                    losses.add(mln.score());
                }
                timed += m;
                if (++step == warm + steps) break outer;
            }
        }
        double train = timed / ((System.nanoTime() - t0) / 1e9);
        int[] all = new int[d.nt];
        for (int i = 0; i < all.length; i++) all[i] = i;
        Batch test = batch(d, d.xt, d.yt, d.ytf, all, ids, graph);
        INDArray out = null;
        long t1 = 0;
        for (int rep = 0; rep < 2; rep++) { // the first pass warms up; the second is timed
            t1 = System.nanoTime();
            out = graph ? cg.output(false, new INDArray[] {test.x(), test.positions()}, new INDArray[] {test.mask(), test.mask()})[0]
                    : mln.output(test.x(), false, test.mask(), null);
        }
        double infer = d.nt / ((System.nanoTime() - t1) / 1e9);
        String metric;
        if (d.classes > 0) {
            int[] am = out.argMax(1).toIntVector();
            long correct = 0;
            for (int k = 0; k < am.length; k++) if (am[k] == d.yt[k]) correct++;
            metric = String.format(java.util.Locale.ROOT, "\"test_accuracy_after_timed_steps\": %.4f", (double) correct / d.nt);
        } else {
            double se = out.squaredDistance(test.y()) / (double) out.length();
            metric = String.format(java.util.Locale.ROOT, "\"test_mse_after_timed_steps\": %.6f", se);
        }
        int k = Math.min(10, Math.max(1, losses.size() / 4));
        double first = losses.subList(0, k).stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double last = losses.subList(losses.size() - k, losses.size()).stream().mapToDouble(Double::doubleValue).average().orElse(0);
        System.out.printf(java.util.Locale.ROOT, "{\"model\": \"%s\", \"threads\": %s, \"batch\": %d, \"train_samples_per_s\": %.1f, \"timed_steps\": %d, "
                        + "\"infer_samples_per_s\": %.1f, %s, \"loss_first_steps\": %.6f, \"loss_last_steps\": %.6f, \"steps\": %d}%n",
                model, System.getenv().getOrDefault("OMP_NUM_THREADS", "\"default\""), batch, train, steps, infer, metric, first, last, losses.size());
    }
}
