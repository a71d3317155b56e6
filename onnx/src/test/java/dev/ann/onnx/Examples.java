package dev.ann.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.kernels.Network;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Plan;
import dev.ann.runtime.data.Dataset;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.nn.PlanKernels;
import dev.ann.runtime.train.Checkpoint;
import dev.ann.runtime.train.Model;
import dev.ann.runtime.train.Trainer;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What the ONNX tests share: the examples, training their dev profiles, raw test samples, ann's and ONNX Runtime's outputs. */
final class Examples {
    private Examples() {}

    static final Path DIR = Path.of("..", "examples").toAbsolutePath().normalize();
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    static final String NO_FASHION = "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist"
            + " (it puts the files under /usr/share/datasets/fashion-mnist)";

    static Plan plan(Path file, String train, String profile) throws Exception {
        Compilation c = Compiler.compile(file);
        return c.plan(train, profile);
    }

    /** Trains the plan into {@code out} quietly; returns the checkpoint. */
    static Path train(Plan plan, Path out) {
        Trainer.Options o = new Trainer.Options();
        o.out = out;
        o.log = new PrintStream(java.io.OutputStream.nullOutputStream());
        Trainer.train(plan, o);
        Path ckpt = out.resolve("model.ckpt");
        if (!Files.exists(ckpt)) throw new AssertionError("no checkpoint in " + out);
        return ckpt;
    }

    /**
     * The test split as the user has the samples: no resize, scale or
     * normalisation (the same files, split and subset as the plan).
     */
    static Dataset rawTest(Plan plan, int max) {
        DataPipeline d = plan.data();
        DataPipeline raw = new DataPipeline(d.dataset(), d.sources(), d.sampleShape(),
                d.labels(), d.split(), d.validation(), 1.0, "none", d.shuffle(), d.shuffleSeed(), d.subset(), null);
        try (Pipeline.Splits s = Pipeline.load(raw)) {
            Dataset t = (s.test() != null ? s.test() : s.validation()).materialize();
            int n = Math.min(max, t.n);
            return new Dataset(n, t.sampleShape, Arrays.copyOf(t.x, n * t.sampleSize), null, null, 0, t.classNames);
        }
    }

    /** What ann predict computes: the checkpoint's transform, then the network's prediction (one row per sample). */
    static float[][] ann(Plan plan, Path ckpt, Dataset raw) {
        Checkpoint c = Checkpoint.read(ckpt);
        Network net = PlanKernels.network(plan, DataType.FLOAT);
        Model.load(c, net);
        Dataset d = Model.transform(c, plan).apply(raw);
        long[] shape = new long[d.sampleShape.length + 1];
        shape[0] = d.n;
        for (int i = 0; i < d.sampleShape.length; i++) shape[i + 1] = d.sampleShape[i];
        INDArray p = net.predict(Nd4j.create(d.x, shape));
        float[][] out = new float[d.n][];
        for (int i = 0; i < d.n; i++) out[i] = p.getRow(i).dup().data().asFloat();
        return out;
    }

    /** ONNX Runtime's output for the raw samples. */
    static float[][] ort(Path model, Dataset raw) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model.toString(), so)) {
                long[] shape = new long[raw.sampleShape.length + 1];
                shape[0] = raw.n;
                for (int i = 0; i < raw.sampleShape.length; i++) shape[i + 1] = raw.sampleShape[i];
                String in = s.getInputNames().iterator().next();
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(raw.x), shape);
                     OrtSession.Result r = s.run(Map.of(in, t))) {
                    Object v = r.get(0).getValue();
                    return (float[][]) v;
                }
            }
        }
    }

    /** The model's metadata_props, as ONNX Runtime reads them. */
    static Map<String, String> metadata(Path model) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            return s.getMetadata().getCustomMetadata();
        }
    }

        /** The largest absolute difference, after mapping ann's single sigmoid output to two probabilities. */
    static double maxDiff(float[][] ann, float[][] ort) {
        if (ann.length != ort.length) throw new AssertionError(ann.length + " rows against " + ort.length);
        double m = 0;
        for (int i = 0; i < ann.length; i++) {
            float[] a = ann[i];
            if (a.length == 1 && ort[i].length == 2) a = new float[] {1 - a[0], a[0]};
            if (a.length != ort[i].length) throw new AssertionError("row " + i + ": " + a.length + " values against " + ort[i].length);
            for (int j = 0; j < a.length; j++) m = Math.max(m, Math.abs(a[j] - ort[i][j]));
        }
        return m;
    }
}
