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

    /** Where the vocabulary of a text model goes: beside the model, {@code model.onnx} to {@code model.vocab.json}. */
    public static Path vocabularyPath(Path onnx) {
        String name = onnx.getFileName().toString();
        if (name.endsWith(".onnx")) name = name.substring(0, name.length() - ".onnx".length());
        return onnx.resolveSibling(name + ".vocab.json");
    }

    /**
     * A text model's vocabulary as JSON beside the exported model (the exported graph takes token ids; this
     * turns words into them): the tokenizer the checkpoint carries (header {@code text}: tokens, lowercase,
     * length, vocabulary, and the tokens in id order from id 2) with {@code "ids": {token: id}}, id 0 padding
     * and id 1 an unknown token. Returns the file written, or null when the checkpoint has no vocabulary.
     */
    public static Path writeVocabulary(Path checkpoint, Path onnx) {
        Checkpoint c = Checkpoint.read(checkpoint);
        if (!c.header.has("text") || !c.header.get("text").isJsonObject()) return null;
        com.google.gson.JsonObject text = c.header.getAsJsonObject("text");
        com.google.gson.JsonObject v = new com.google.gson.JsonObject();
        for (String k : new String[] {"tokens", "lowercase", "length", "vocabulary"}) if (text.has(k)) v.add(k, text.get(k));
        v.addProperty("padding_id", 0);
        v.addProperty("unknown_id", 1);
        com.google.gson.JsonObject ids = new com.google.gson.JsonObject();
        if (!text.has("ids_from_2") || !text.get("ids_from_2").isJsonArray()) {
            throw new RunException(RunException.BAD_INPUT, checkpoint + ": damaged checkpoint: its vocabulary ('text') has no tokens; use another checkpoint or train anew");
        }
        int id = 2;
        for (var e : text.getAsJsonArray("ids_from_2")) ids.addProperty(e.getAsString(), id++);
        v.add("ids", ids);
        Path out = vocabularyPath(onnx);
        try {
            Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), "." + out.getFileName() + ".", ".tmp");
            Files.writeString(tmp, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(v) + "\n");
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, out + ": cannot write the vocabulary: " + e.getMessage(), e);
        }
        return out;
    }

    public static Onnx.ModelProto export(Plan plan, Checkpoint c) {
        Graph g = new Graph();
        Map<Integer, String> value = new HashMap<>();
        String x = preprocess(plan, c, g);
        value.put(0, x);
        // the padding mask ([batch, T] floats, 1 real, 0 padding) of each op's output that has one, as kernels/ pass it on
        Map<Integer, String> masks = new HashMap<>();
        for (Op op : plan.ops()) {
            if (op.id() == 0) continue;
            List<String> in = new ArrayList<>();
            for (int i : op.inputs()) in.add(value.get(i));
            Emit e = new Emit(plan, c, g, op, in, masks.get(op.inputs().get(0)));
            value.put(op.id(), op.layer().accept(e));
            String m = e.outMask();
            if (m != null) masks.put(op.id(), m);
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
        if (d.window() != null && d.window().relative()) {
            throw new RunException(RunException.BAD_INPUT, plan.file() + ": dataset " + d.dataset() + ": ann export does not yet put a `relative` "
                    + "window (each value less the window's last row, the forecast added back to it) into the ONNX graph; export a model "
                    + "trained without `relative`, or use ann predict");
        }
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
    private record Emit(Plan plan, Checkpoint c, Graph g, Op op, List<String> in, String mask) implements Kind.Visitor<String> {

        String x() { return in.get(0); }

        /**
         * The mask of this op's output, as kernels/Layer#outMask: an embedding's is ids != 0; a convolution or
         * pooling over time has a real step where its window holds one (the mask max-pooled with the same
         * window); other layers pass the input's on when they keep the time axis.
         */
        String outMask() {
            Kind k = op.layer();
            String n = op.name() + ".mask";
            if (k instanceof Kind.Embedding) {
                String pad = g.node("Equal", n + ".padding", List.of(x(), g.scalar(n + ".zero", 0f)));
                return g.node("Cast", n, List.of(g.node("Not", n + ".real", List.of(pad))), intAttr("to", Onnx.TensorProto.DataType.FLOAT_VALUE));
            }
            if (mask == null) return null;
            if (k instanceof Kind.Conv1d cv) return windowMask(n, cv.kernel(), cv.stride(), cv.dilation(), cv.same());
            if (k instanceof Kind.Pool1d p) return windowMask(n, p.size(), p.stride(), 1, p.same());
            Shape i = inShape(0), o = op.outShape();
            return i.rank() >= 1 && o.rank() >= 2 && o.dim(0) == i.dim(0) ? mask : null;
        }

        private String windowMask(String n, int kernel, int stride, int dilation, boolean same) {
            String m3 = g.node("Unsqueeze", n + ".channel", List.of(mask, g.longs(n + ".axis", 1)));
            String p = g.node("MaxPool", n + ".window", List.of(m3), ints("kernel_shape", kernel), ints("strides", stride),
                    ints("dilations", dilation), ints("pads", pads1d(kernel, stride, dilation, same)));
            return g.node("Squeeze", n, List.of(p, g.longs(n + ".axis1", 1)));
        }

        /** ONNX pads [before, after] over time, as kernels/Sequence#padBefore: the smaller half before. */
        long[] pads1d(int kernel, int stride, int dilation, boolean same) {
            if (!same) return new long[] {0, 0};
            long total = Math.max(0, (long) (op.outShape().dim(0) - 1) * stride + (long) (kernel - 1) * dilation + 1 - inShape(0).dim(0));
            return new long[] {total / 2, total - total / 2};
        }

        /** The trained values of this op's parameter (null when the checkpoint lacks it: the caller refuses). */
        float[] values(String role) {
            float[] v = c.array(op.name() + "." + role);
            if (v == null) throw cannot("the checkpoint has no array '" + op.name() + "." + role + "'; export a checkpoint written for this network");
            return v;
        }

        /** A [rows, cols] parameter transposed, for x Wᵀ as MatMul(x, constant). */
        String transposed(String role, int rows, int cols) {
            float[] v = values(role), t = new float[v.length];
            for (int r = 0; r < rows; r++) for (int k = 0; k < cols; k++) t[k * rows + r] = v[r * cols + k];
            return g.floats(op.name() + "." + role + "_t", new int[] {cols, rows}, t);
        }

        String transpose(String v, String name, long... perm) {
            return g.node("Transpose", name, List.of(v), ints("perm", perm));
        }

        /** [batch, T, F] to ONNX's channels-first [batch, F, T], and back. */
        String channelsFirst(String v) { return transpose(v, op.name() + ".ncw", 0, 2, 1); }

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
            if (op.outShape().rank() == 2) { // [T, F] -> [T, units], each step on its own
                String y = g.node("MatMul", op.name() + (k.bias() ? ".xw" : ""), List.of(x(), param("weight")));
                return k.bias() ? g.node("Add", op.name(), List.of(y, param("bias"))) : y;
            }
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
            if (s.rank() == 2 && c.array(op.name() + ".gamma") != null && c.array(op.name() + ".gamma").length == s.dim(1)) {
                // [T, F] with gamma and beta [F]: each step normalised over its features
                return g.node("LayerNormalization", op.name(), List.of(x(), param("gamma"), param("beta")),
                        intAttr("axis", -1), floatAttr("epsilon", (float) k.eps()));
            }
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

        public String concat(Kind.Concat k) {
            // channels of [c, h, w] or [c]; the feature axis of [T, F]
            return g.node("Concat", op.name(), in, intAttr("axis", inShape(0).rank() == 2 ? 2 : 1));
        }

        public String add(Kind.Add k) { return g.node("Sum", op.name(), in); }

        public String embedding(Kind.Embedding k) {
            String ids = g.node("Cast", op.name() + ".ids", List.of(x()), intAttr("to", Onnx.TensorProto.DataType.INT64_VALUE));
            return g.node("Gather", op.name(), List.of(param("weight"), ids), intAttr("axis", 0));
        }

        /**
         * ONNX LSTM / GRU, time-major: PyTorch's gate blocks reordered (LSTM i,f,g,o to ONNX's i,o,f,c; GRU r,z,n
         * to z,r,h, with linear_before_reset as PyTorch's GRU); each direction's W, R and Wb|Rb stacked; the
         * padding as sequence_lens (the real steps counted from the mask: padding is at the end).
         */
        public String recurrent(Kind.Recurrent k) {
            int u = k.units(), dirs = k.bidirectional() ? 2 : 1, gates = k.gru() ? 3 : 4;
            int t = inShape(0).dim(0), f = inShape(0).dim(1);
            float[] w = new float[dirs * gates * u * f], r = new float[dirs * gates * u * u], b = new float[dirs * 2 * gates * u];
            for (int d = 0; d < dirs; d++) {
                String sfx = d == 1 ? "_reverse" : "";
                float[] wih = values("weight_ih" + sfx), whh = values("weight_hh" + sfx), bih = values("bias_ih" + sfx), bhh = values("bias_hh" + sfx);
                gates(k.gru(), true, wih, 0, w, d * gates * u * f, u * f);
                gates(k.gru(), true, whh, 0, r, d * gates * u * u, u * u);
                gates(k.gru(), true, bih, 0, b, d * 2 * gates * u, u);
                gates(k.gru(), true, bhh, 0, b, d * 2 * gates * u + gates * u, u);
            }
            String n = op.name();
            List<String> ins = new ArrayList<>(List.of(transpose(x(), n + ".time_major", 1, 0, 2),
                    g.floats(n + ".W", new int[] {dirs, gates * u, f}, w), g.floats(n + ".R", new int[] {dirs, gates * u, u}, r),
                    g.floats(n + ".B", new int[] {dirs, 2 * gates * u}, b)));
            if (mask != null) {
                String count = g.node("ReduceSum", n + ".steps", List.of(mask, g.longs(n + ".time_axis", 1)), intAttr("keepdims", 0));
                ins.add(g.node("Cast", n + ".sequence_lens", List.of(count), intAttr("to", Onnx.TensorProto.DataType.INT32_VALUE)));
            }
            List<Onnx.AttributeProto> attrs = new ArrayList<>(List.of(intAttr("hidden_size", u),
                    stringAttr("direction", k.bidirectional() ? "bidirectional" : "forward")));
            if (k.gru()) attrs.add(intAttr("linear_before_reset", 1));
            List<String> outs = g.nodeN(k.gru() ? "GRU" : "LSTM", List.of(n + ".Y", n + ".Y_h"), ins, attrs.toArray(new Onnx.AttributeProto[0]));
            if (k.sequences()) { // Y [T, dirs, batch, u] -> [batch, T, dirs * u]
                String y = transpose(outs.get(0), n + ".batch_major", 2, 0, 1, 3);
                return g.node("Reshape", n, List.of(y, g.longs(n + ".shape", -1, t, (long) dirs * u)));
            }
            String h = transpose(outs.get(1), n + ".batch_major", 1, 0, 2); // Y_h [dirs, batch, u] -> [batch, dirs * u]
            return g.node("Reshape", n, List.of(h, g.longs(n + ".shape", -1, (long) dirs * u)));
        }

        public String conv1d(Kind.Conv1d k) {
            List<String> ins = new ArrayList<>(List.of(channelsFirst(x()), param("weight")));
            if (k.bias()) ins.add(param("bias"));
            String y = g.node("Conv", op.name() + ".ncw_out", ins, ints("kernel_shape", k.kernel()), ints("strides", k.stride()),
                    ints("dilations", k.dilation()), ints("pads", pads1d(k.kernel(), k.stride(), k.dilation(), k.same())));
            return transpose(y, op.name(), 0, 2, 1);
        }

        public String pool1d(Kind.Pool1d k) {
            long[] pads = pads1d(k.size(), k.stride(), 1, k.same());
            String y = k.max()
                    ? g.node("MaxPool", op.name() + ".ncw_out", List.of(channelsFirst(x())), ints("kernel_shape", k.size()),
                            ints("strides", k.stride()), ints("pads", pads))
                    : g.node("AveragePool", op.name() + ".ncw_out", List.of(channelsFirst(x())), ints("kernel_shape", k.size()),
                            ints("strides", k.stride()), ints("pads", pads), intAttr("count_include_pad", 0));
            return transpose(y, op.name(), 0, 2, 1);
        }

        /** [batch, T] mask as [batch, T, 1], to weigh or shift the steps of [batch, T, F]. */
        private String stepMask(String n) {
            return g.node("Unsqueeze", n + ".mask3", List.of(mask, g.longs(n + ".feature_axis", 2)));
        }

        public String globalMaxPool(Kind.GlobalMaxPool k) {
            String n = op.name();
            if (inShape(0).rank() != 2) return reshapeToOut(g.node("GlobalMaxPool", n + ".pooled", List.of(x())));
            if (mask == null) return g.node("ReduceMax", n, List.of(x()), ints("axes", 1), intAttr("keepdims", 0));
            // as the kernel: padded steps pushed far below every value, and 0 for a sample with no real step
            String pen = g.node("Mul", n + ".penalty", List.of(g.node("Sub", n + ".padding", List.of(g.scalar(n + ".one", 1f), stepMask(n))),
                    g.scalar(n + ".lowest", -Float.MAX_VALUE)));
            String max = g.node("ReduceMax", n + ".max", List.of(g.node("Add", n + ".shifted", List.of(x(), pen))), ints("axes", 1), intAttr("keepdims", 0));
            String any = g.node("ReduceMax", n + ".any", List.of(mask), ints("axes", 1), intAttr("keepdims", 1));
            return g.node("Mul", n, List.of(max, any));
        }

        public String globalAvgPool(Kind.GlobalAvgPool k) {
            String n = op.name();
            if (inShape(0).rank() != 2) return reshapeToOut(g.node("GlobalAveragePool", n + ".pooled", List.of(x())));
            if (mask == null) return g.node("ReduceMean", n, List.of(x()), ints("axes", 1), intAttr("keepdims", 0));
            // the mean over the real steps; a sample with none gives 0
            String sum = g.node("ReduceSum", n + ".sum", List.of(g.node("Mul", n + ".real", List.of(x(), stepMask(n))), g.longs(n + ".time_axis", 1)),
                    intAttr("keepdims", 0));
            String count = g.node("ReduceSum", n + ".count", List.of(mask, g.longs(n + ".time_axis1", 1)), intAttr("keepdims", 1));
            return g.node("Div", n, List.of(sum, g.node("Max", n + ".count1", List.of(count, g.scalar(n + ".one", 1f)))));
        }

        /**
         * PyTorch's nn.MultiheadAttention (self-attention, batch first): q, k, v = x in_weightᵀ + in_bias, per head
         * softmax(q kᵀ / √d + mask) v with -inf at padded keys (none in a sample without a real step) and, causal,
         * at keys after the query; the heads joined, then out_weightᵀ + out_bias.
         */
        public String attention(Kind.Attention k) {
            String n = op.name();
            int t = inShape(0).dim(0), f = inShape(0).dim(1), h = k.heads(), d = f / h;
            String qkv = g.node("Add", n + ".qkv", List.of(g.node("MatMul", n + ".qkv_w", List.of(x(), transposed("in_weight", 3 * f, f))), param("in_bias")));
            String[] parts = new String[3];
            String[] names = {"q", "k", "v"};
            for (int i = 0; i < 3; i++) {
                String p = g.node("Slice", n + "." + names[i], List.of(qkv, g.longs(n + ".start", (long) i * f), g.longs(n + ".end", (long) (i + 1) * f),
                        g.longs(n + ".axis", 2)));
                String heads = g.node("Reshape", n + "." + names[i] + "_heads", List.of(p, g.longs(n + ".head_shape", -1, t, h, d)));
                parts[i] = i == 1 ? transpose(heads, n + ".kT", 0, 2, 3, 1) : transpose(heads, n + "." + names[i] + "h", 0, 2, 1, 3);
            }
            String s = g.node("Mul", n + ".scores", List.of(g.node("MatMul", n + ".qk", List.of(parts[0], parts[1])),
                    g.scalar(n + ".scale", (float) (1 / Math.sqrt(d)))));
            if (mask != null) {
                String pad = g.node("Equal", n + ".padded", List.of(mask, g.scalar(n + ".zero", 0f)));
                String any = g.node("Greater", n + ".any", List.of(g.node("ReduceMax", n + ".anymax", List.of(mask), ints("axes", 1), intAttr("keepdims", 1)),
                        g.scalar(n + ".zero1", 0f)));
                String add = g.node("Where", n + ".key_mask", List.of(g.node("And", n + ".masked", List.of(pad, any)),
                        g.scalar(n + ".minus_inf", Float.NEGATIVE_INFINITY), g.scalar(n + ".zero2", 0f)));
                s = g.node("Add", n + ".scores_masked", List.of(s, g.node("Unsqueeze", n + ".key_mask4", List.of(add, g.longs(n + ".axes", 1, 2)))));
            }
            if (k.causal()) {
                float[] c = new float[t * t];
                for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) c[i * t + j] = Float.NEGATIVE_INFINITY;
                s = g.node("Add", n + ".scores_causal", List.of(s, g.floats(n + ".causal", new int[] {t, t}, c)));
            }
            String o = g.node("MatMul", n + ".heads_out", List.of(g.node("Softmax", n + ".weights", List.of(s), intAttr("axis", -1)), parts[2]));
            o = g.node("Reshape", n + ".joined", List.of(transpose(o, n + ".heads_t", 0, 2, 1, 3), g.longs(n + ".joined_shape", -1, t, f)));
            return g.node("Add", n, List.of(g.node("MatMul", n + ".out_w", List.of(o, transposed("out_weight", f, f))), param("out_bias")));
        }

        public String positional(Kind.Positional k) {
            if (k.learned()) return g.node("Add", op.name(), List.of(x(), param("weight")));
            Shape s = inShape(0);
            float[] pe = dev.ann.kernels.Sequence.Positional.sinusoidal(s.dim(0), s.dim(1))
                    .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
            return g.node("Add", op.name(), List.of(x(), g.floats(op.name() + ".code", s.toArray(), pe)));
        }
    }

    /**
     * ONNX's gate blocks in PyTorch's (and ann's) order: ONNX's LSTM gate k (i, o, f, c) is PyTorch's gate
     * {@code LSTM_GATES[k]} (of i, f, g, o); ONNX's GRU gate k (z, r, h) is PyTorch's {@code GRU_GATES[k]} (of r, z, n).
     * The one statement of the permutation, for export and import.
     */
    static final int[] LSTM_GATES = {0, 3, 1, 2}, GRU_GATES = {1, 0, 2};

    /**
     * Copies the gate blocks (each {@code block} values) of one direction's weight or bias from {@code src} at
     * {@code from} to {@code dst} at {@code to}, from PyTorch's order to ONNX's ({@code toOnnx}) or back.
     */
    static void gates(boolean gru, boolean toOnnx, float[] src, int from, float[] dst, int to, int block) {
        int[] order = gru ? GRU_GATES : LSTM_GATES;
        for (int k = 0; k < order.length; k++) {
            int onnx = k * block, torch = order[k] * block;
            System.arraycopy(src, from + (toOnnx ? torch : onnx), dst, to + (toOnnx ? onnx : torch), block);
        }
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
