package dev.ann.onnx;

import static dev.ann.onnx.Graph.floatAttr;
import static dev.ann.onnx.Graph.intAttr;
import static dev.ann.onnx.Graph.ints;
import static dev.ann.onnx.Graph.stringAttr;

import com.google.gson.Gson;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Kind;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import dev.ann.runtime.RunException;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.train.Checkpoint;
import dev.ann.runtime.train.Model;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.ann.onnx.proto.Onnx;

/**
 * A Plan and its trained checkpoint as a standard ONNX model ({@code ann export}).
 *
 * <p>The graph takes the samples as the user has them (before the dataset's
 * {@code resize}, {@code scale} and {@code normalize}, which are nodes of the
 * graph with the statistics fitted in training) with a symbolic batch
 * dimension, and gives what {@code ann predict} gives: the class
 * probabilities (a single sigmoid output becomes the two probabilities of
 * its two classes), or the regression values. Every op maps onto standard
 * ONNX ops of opset {@value #OPSET}, with the arithmetic of {@code kernels/}:
 * {@code same} padding puts the odd pixel at the end, average pooling does
 * not count padding, layernorm normalises a whole sample.
 */
public final class OnnxExport {
    private OnnxExport() {}

    /** The opset the exported graphs use, and the IR version that goes with it. */
    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;
    /** Names of the graph's input and outputs. */
    public static final String INPUT = "input", PROBABILITIES = "probabilities", VALUES = "values";
    /** metadata_props keys. */
    public static final String META_CLASS_NAMES = "class_names", META_TASK = "ann.task", META_FILE = "ann.file",
            META_TRAIN = "ann.train", META_NETWORK = "ann.network";

    /** Reads the checkpoint, refuses one of another architecture, and builds the model. */
    public static Onnx.ModelProto export(Plan plan, Path checkpoint) {
        Checkpoint c = Checkpoint.read(checkpoint);
        Model.checkCompatible(c, plan, checkpoint);
        return export(plan, c);
    }

    /** Writes the model atomically (temporary file, then rename). */
    public static void write(Onnx.ModelProto model, Path out) {
        try {
            Path dir = out.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + out.getFileName() + ".", ".tmp");
            Files.write(tmp, model.toByteArray());
            try {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, out + ": cannot write the ONNX model: " + e.getMessage(), e);
        }
    }

    public static Onnx.ModelProto export(Plan plan, Checkpoint c) {
        Graph g = new Graph();
        Map<Integer, String> value = new HashMap<>();
        String x = preprocess(plan, c, g);
        value.put(0, x);
        Map<String, Param> params = new HashMap<>();
        for (Param p : plan.params()) params.put(p.name(), p);
        for (Op op : plan.ops()) {
            if (op.id() == 0) continue;
            List<String> in = new ArrayList<>();
            for (int i : op.inputs()) in.add(value.get(i));
            value.put(op.id(), op.layer().accept(new Emit(plan, c, g, op, in)));
        }
        String last = value.get(plan.ops().size() - 1);
        List<Object> outDims = new ArrayList<>();
        outDims.add("batch");
        String outName;
        if (plan.task() == Plan.Task.REGRESSION) {
            outName = g.node("Identity", VALUES, List.of(last));
            outDims.addAll(plan.outputShape().dims());
        } else if (plan.task() == Plan.Task.BINARY && plan.outputShape().size() == 1) {
            // ann predict's two probabilities: 1 - p for the first class, p for the second
            String q = g.node("Sub", "one_minus_p", List.of(g.scalar("one", 1f), last));
            outName = g.node("Concat", PROBABILITIES, List.of(q, last), intAttr("axis", 1));
            outDims.add(2);
        } else {
            outName = g.node("Identity", PROBABILITIES, List.of(last));
            outDims.addAll(plan.outputShape().dims());
        }
        g.g.addOutput(Graph.value(outName, outDims));
        g.g.setName(plan.network());
        g.g.setDocString("network " + plan.network() + " of train block " + plan.train() + " in " + plan.file());

        Onnx.ModelProto.Builder m = Onnx.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("ann")
                .setProducerVersion("0.1.0")
                .setDomain("dev.ann")
                .setModelVersion(1)
                .setDocString("exported by ann export from " + plan.file())
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g.g);
        List<String> names = Model.classNames(c);
        if (names.isEmpty()) names = plan.data().labels().classNames();
        if (plan.task() != Plan.Task.REGRESSION) meta(m, META_CLASS_NAMES, new Gson().toJson(names));
        meta(m, META_TASK, plan.task().name().toLowerCase(java.util.Locale.ROOT));
        meta(m, META_FILE, plan.file());
        meta(m, META_TRAIN, plan.train());
        meta(m, META_NETWORK, plan.network());
        return m.build();
    }

    private static void meta(Onnx.ModelProto.Builder m, String k, String v) {
        m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v));
    }

    /**
     * The graph input and the dataset's transform of {@code runtime/.../data/Pipeline}:
     * resize (bilinear, half-pixel centres, to the profile's size from any
     * picture size), then x' = (x * scale - shift) * mul.
     */
    private static String preprocess(Plan plan, Checkpoint c, Graph g) {
        DataPipeline d = plan.data();
        Shape sample = plan.inputShape();
        boolean resize = d.resize() != null && !d.resize().isEmpty() && sample.rank() == 3;
        List<Object> dims = new ArrayList<>();
        dims.add("batch");
        if (resize) {
            dims.add(sample.dim(0));
            dims.add("height");
            dims.add("width");
        } else {
            dims.addAll(sample.dims());
        }
        String x = g.fresh(INPUT);
        g.g.addInput(Graph.value(x, dims));
        if (resize) {
            String shape = g.node("Shape", "input_shape", List.of(x));
            String nc = g.node("Slice", "batch_and_channels", List.of(shape, g.longs("zero", 0), g.longs("two", 2)));
            String sizes = g.node("Concat", "resize_sizes",
                    List.of(nc, g.longs("resize_hw", d.resize().get(0), d.resize().get(1))), intAttr("axis", 0));
            x = g.node("Resize", "resized", List.of(x, "", "", sizes), stringAttr("mode", "linear"),
                    stringAttr("coordinate_transformation_mode", "half_pixel"));
        }
        Pipeline.Transform t = Model.transform(c, plan);
        if (t.scale() != 1f) x = g.node("Mul", "scaled", List.of(x, g.scalar("scale", t.scale())));
        if (t.shift() != null) {
            x = g.node("Sub", "shifted", List.of(x, g.floats("data.shift", sample.toArray(), t.shift())));
            x = g.node("Mul", "normalized", List.of(x, g.floats("data.mul", sample.toArray(), t.mul())));
        }
        return x;
    }

    /** One op's ONNX nodes; returns the name of its output. */
    private record Emit(Plan plan, Checkpoint c, Graph g, Op op, List<String> in) implements Kind.Visitor<String> {

        String x() { return in.get(0); }

        Shape inShape(int i) { return plan.ops().get(op.inputs().get(i)).outShape(); }

        /** The trained values of this op's parameter, with its name. */
        String param(String role) {
            String name = op.name() + "." + role;
            float[] v = c.array(name);
            int[] shape = c.shapes.get(name);
            if (v == null) {
                throw cannot("the checkpoint has no array '" + name + "'; export a checkpoint written for this network");
            }
            return g.floats(name, shape, v);
        }

        boolean has(String role) {
            return c.array(op.name() + "." + role) != null;
        }

        RunException cannot(String why) {
            return OnnxExport.cannot(op, why);
        }

        /** [batch, outShape...] from whatever came in. */
        String reshapeToOut(String v) {
            long[] shape = new long[op.outShape().rank() + 1];
            shape[0] = -1;
            for (int i = 0; i < op.outShape().rank(); i++) shape[i + 1] = op.outShape().dim(i);
            return g.node("Reshape", op.name(), List.of(v, g.longs(op.name() + ".shape", shape)));
        }

        public String input(Kind.Input k) { throw cannot("a second input op"); }

        public String dense(Kind.Dense k) {
            String v = x();
            if (inShape(0).rank() != 1) v = g.node("Flatten", op.name() + ".flat", List.of(v), intAttr("axis", 1));
            String w = param("weight");
            if (k.bias()) return g.node("Gemm", op.name(), List.of(v, w, param("bias")));
            return g.node("MatMul", op.name(), List.of(v, w));
        }

        public String conv2d(Kind.Conv2d k) {
            long[] pads = pads(inShape(0), op.outShape(), k.kernel(), k.stride(), k.dilation(), k.same());
            List<String> ins = new ArrayList<>(List.of(x(), param("weight")));
            if (k.bias()) ins.add(param("bias"));
            return g.node("Conv", op.name(), ins, ints("kernel_shape", k.kernel().h(), k.kernel().w()),
                    ints("strides", k.stride().h(), k.stride().w()), ints("dilations", k.dilation().h(), k.dilation().w()),
                    ints("pads", pads));
        }

        public String pool(Kind.Pool k) {
            long[] pads = pads(inShape(0), op.outShape(), k.size(), k.stride(), new Kind.Pair(1, 1), k.same());
            if (k.max()) {
                return g.node("MaxPool", op.name(), List.of(x()), ints("kernel_shape", k.size().h(), k.size().w()),
                        ints("strides", k.stride().h(), k.stride().w()), ints("pads", pads));
            }
            return g.node("AveragePool", op.name(), List.of(x()), ints("kernel_shape", k.size().h(), k.size().w()),
                    ints("strides", k.stride().h(), k.stride().w()), ints("pads", pads), intAttr("count_include_pad", 0));
        }

        public String globalAvgPool(Kind.GlobalAvgPool k) {
            String p = g.node("GlobalAveragePool", op.name() + ".pooled", List.of(x()));
            return reshapeToOut(p);
        }

        public String reshape(Kind.Reshape k) {
            if (k.flatten()) return g.node("Flatten", op.name(), List.of(x()), intAttr("axis", 1));
            return reshapeToOut(x());
        }

        public String dropout(Kind.Dropout k) { return x(); }    // the identity outside training

        public String batchNorm(Kind.BatchNorm k) {
            // per channel, the channel being dim 0 of the sample: dim 1 of ONNX's [batch, channels, ...]
            return g.node("BatchNormalization", op.name(),
                    List.of(x(), param("gamma"), param("beta"), param("running_mean"), param("running_var")),
                    floatAttr("epsilon", (float) k.eps()));
        }

        public String layerNorm(Kind.LayerNorm k) {
            // ann normalises each sample over all its values; gamma and beta are per channel (dim 0) or per value
            Shape s = inShape(0);
            return g.node("LayerNormalization", op.name(),
                    List.of(x(), expanded("gamma", s), expanded("beta", s)),
                    intAttr("axis", 1), floatAttr("epsilon", (float) k.eps()));
        }

        /** A per-channel or per-value parameter as a tensor of the whole sample shape. */
        private String expanded(String role, Shape s) {
            String name = op.name() + "." + role;
            float[] v = c.array(name);
            if (v == null) throw cannot("the checkpoint has no array '" + name + "'");
            long size = s.size();
            float[] full = new float[(int) size];
            long per = size / v.length;
            for (int i = 0; i < full.length; i++) full[i] = v[(int) (i / per)];
            return g.floats(name, s.toArray(), full);
        }

        public String activation(Kind.Activation k) {
            String v = x(), n = op.name();
            float p = (float) k.param();
            return switch (k.function()) {
                case IDENTITY -> v;
                case STEP -> g.node("Cast", n, List.of(g.node("Greater", n + ".above", List.of(v, g.scalar(n + ".threshold", p)))),
                        intAttr("to", Onnx.TensorProto.DataType.FLOAT_VALUE));
                case SIGMOID -> p == 1f ? g.node("Sigmoid", n, List.of(v))
                        : g.node("Sigmoid", n, List.of(g.node("Mul", n + ".scaled", List.of(v, g.scalar(n + ".beta", p)))));
                case TANH -> g.node("Tanh", n, List.of(v));
                case RELU -> g.node("Relu", n, List.of(v));
                case LEAKY_RELU -> g.node("LeakyRelu", n, List.of(v), floatAttr("alpha", p));
                case ELU -> g.node("Elu", n, List.of(v), floatAttr("alpha", p));
                case GELU -> { // exact, as kernels/Activation: 0.5 x (1 + erf(x / sqrt 2)); Gelu itself is opset 20
                    String e = g.node("Erf", n + ".erf", List.of(g.node("Mul", n + ".div", List.of(v, g.scalar(n + ".rsqrt2", (float) (1 / Math.sqrt(2)))))));
                    String e1 = g.node("Add", n + ".erf1", List.of(e, g.scalar(n + ".one", 1f)));
                    String xe = g.node("Mul", n + ".xerf", List.of(e1, v));
                    yield g.node("Mul", n, List.of(xe, g.scalar(n + ".half", 0.5f)));
                }
                case SOFTPLUS -> g.node("Softplus", n, List.of(v));
                case SWISH -> g.node("Mul", n, List.of(v, g.node("Sigmoid", n + ".sigmoid", List.of(v))));
                case SOFTMAX -> g.node("Softmax", n, List.of(v), intAttr("axis", -1));
            };
        }

        public String concat(Kind.Concat k) { return g.node("Concat", op.name(), in, intAttr("axis", 1)); }

        public String add(Kind.Add k) { return g.node("Sum", op.name(), in); }

        // sequence layers: not exported yet
        RunException notYet() {
            return cannot("ONNX export of `" + op.layer().name() + "` is not written yet; "
                    + "export a network of dense, conv2d, pooling, normalisation, dropout and activation layers");
        }
        public String embedding(Kind.Embedding k) { throw notYet(); }
        public String recurrent(Kind.Recurrent k) { throw notYet(); }
        public String conv1d(Kind.Conv1d k) { throw notYet(); }
        public String pool1d(Kind.Pool1d k) { throw notYet(); }
        public String globalMaxPool(Kind.GlobalMaxPool k) { throw notYet(); }
        public String attention(Kind.Attention k) { throw notYet(); }
        public String positional(Kind.Positional k) { throw notYet(); }
    }

    /**
     * ONNX pads [top, left, bottom, right] for ann's padding: {@code valid} none,
     * {@code same} the total that gives the output size, the odd one at the end
     * (as ND4J's same mode, which the kernels use).
     */
    static long[] pads(Shape in, Shape out, Kind.Pair k, Kind.Pair s, Kind.Pair d, boolean same) {
        if (!same) return new long[] {0, 0, 0, 0};
        long th = Math.max(0, (long) (out.dim(1) - 1) * s.h() + (long) (k.h() - 1) * d.h() + 1 - in.dim(1));
        long tw = Math.max(0, (long) (out.dim(2) - 1) * s.w() + (long) (k.w() - 1) * d.w() + 1 - in.dim(2));
        return new long[] {th / 2, tw / 2, th - th / 2, tw - tw / 2};
    }

    /** An op that cannot be exported: where it is in the .ann file, its name and kind, and why. */
    static RunException cannot(Op op, String why) {
        String where = op.source() != null ? op.source() + ": " : "";
        return new RunException(RunException.BAD_INPUT, where + "cannot export layer '" + op.name() + "' (" + op.kind() + ") to ONNX: " + why);
    }
}
