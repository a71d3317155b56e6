package dev.ann.onnx;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ann.runtime.RunException;
import dev.ann.runtime.train.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import dev.ann.onnx.proto.Onnx;

/**
 * An ONNX model as a {@code .ann} network and a checkpoint ({@code ann import}).
 *
 * <p>It reads the ops the language has, in chains and in the forks that
 * {@code parallel concat}, {@code parallel add} and {@code residual} make
 * (paths from one value joined by Concat, Sum or Add): Gemm, MatMul (with an Add
 * of a bias), Conv, MaxPool, AveragePool, GlobalAveragePool,
 * BatchNormalization, LayerNormalization, the activations, Flatten, Reshape,
 * and Identity or Dropout (skipped); and text: Gather of a weight by the input's token ids (an
 * {@code embedding}), LSTM and GRU (the gates reordered to PyTorch's, as {@link OnnxExport#gates}),
 * with the shape ops around them that {@code ann export} and PyTorch write (see {@link Reader#recurrent}). The input transform that {@code ann export}
 * writes (Mul by a scale, Sub and Mul by per-feature statistics) becomes the
 * checkpoint's data transform. Each statement carries a {@code // from}
 * comment naming its node and the shape it gives. Anything else is an error
 * naming the node, its op type and what is supported.
 */
public final class OnnxImport {
    private OnnxImport() {}

    /** The op types it maps, for the error message. */
    public static final List<String> SUPPORTED = List.of("Gemm", "MatMul (+ Add)", "Conv", "MaxPool", "AveragePool",
            "GlobalAveragePool", "BatchNormalization", "LayerNormalization", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu",
            "Softplus", "Softmax", "gelu (0.5 x (1 + Erf(x / sqrt 2)))", "swish (x * Sigmoid(x))", "Flatten", "Reshape", "Identity", "Dropout",
            "Gather (embedding of the input's token ids)", "LSTM", "GRU (linear_before_reset 1)");

    /** The result: the network's source, its name, and the checkpoint of its weights (and data transform). */
    public record Result(String network, String source, Checkpoint checkpoint) {}

    private record Tensor(int[] dims, float[] floats, long[] longs) {}

    public static Result read(Path file) {
        Onnx.ModelProto m;
        try {
            m = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new RunException(RunException.BAD_INPUT, file + ": no such file");
        } catch (IOException e) {
            throw new RunException(RunException.BAD_INPUT, file + ": not an ONNX model (" + e.getMessage() + ")");
        }
        if (!m.hasGraph() || m.getGraph().getNodeCount() == 0) {
            throw new RunException(RunException.BAD_INPUT, file + ": not an ONNX model (no graph); pass a .onnx file");
        }
        return new OnnxImport.Reader(file, m).run();
    }

    private static final class Reader {
        final Path file;
        final Onnx.ModelProto model;
        final Onnx.GraphProto g;
        final Map<String, Tensor> consts = new HashMap<>();
        final Map<String, float[]> arrays = new LinkedHashMap<>();
        final Map<String, int[]> shapes = new LinkedHashMap<>();
        StringBuilder body = new StringBuilder();
        String indent = "    ";
        final Set<String> names = new HashSet<>();
        String current;      // the value the chain has reached
        int[] shape;         // its per-sample shape
        boolean layersStarted;
        float scale = 1f;
        float[] shift, mul;
        int counter;
        /** The node that writes each value. */
        final Map<String, Onnx.NodeProto> producer = new HashMap<>();
        /** Nodes that compute an LSTM's or GRU's zero initial state or its sequence lengths: not layers. */
        final Set<Onnx.NodeProto> aside = new HashSet<>();
        /** The value an embedding reads its token ids from (before a Cast), its id space and ids per sample. */
        String ids;
        int vocabulary = -1, steps;
        /** Whether an LSTM or GRU after an embedding reads every step (no sequence_lens): id 0 is no padding to it. */
        boolean unmasked;
        /** An LSTM's or GRU's outputs of every step left time-major, [T, batch, D*U], for the next one (PyTorch's stacked layers). */
        String timeMajor;

        Reader(Path file, Onnx.ModelProto model) {
            this.file = file;
            this.model = model;
            this.g = model.getGraph();
        }

        Result run() {
            for (Onnx.TensorProto t : g.getInitializerList()) consts.put(t.getName(), tensor(t));
            Onnx.ValueInfoProto in = null;
            for (Onnx.ValueInfoProto v : g.getInputList()) if (!consts.containsKey(v.getName())) { in = v; break; }
            if (in == null) throw bad("the graph has no input");
            List<Onnx.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
            if (dims.size() < 2) throw bad("input '" + in.getName() + "' has " + dims.size() + " dimensions; ann needs [batch, features...]");
            shape = new int[dims.size() - 1];
            for (int i = 1; i < dims.size(); i++) {
                if (!dims.get(i).hasDimValue()) {
                    throw bad("input '" + in.getName() + "' has a symbolic dimension " + i + " ('" + dims.get(i).getDimParam()
                            + "'); ann needs a fixed sample shape (export the model with fixed sizes but the batch)");
                }
                shape[i - 1] = (int) dims.get(i).getDimValue();
            }
            current = in.getName();
            String name = network();
            StringBuilder src = new StringBuilder();
            src.append("// from ").append(file.getFileName()).append(" (").append(model.getProducerName().isEmpty() ? "ONNX"
                    : model.getProducerName() + (model.getProducerVersion().isEmpty() ? "" : " " + model.getProducerVersion()))
                    .append(", opset ").append(opset()).append(") by ann import\n");
            String head = src.toString();
            src.setLength(0);
            src.append("network ").append(name).append(" {\n");
            src.append("    input ").append(shapeText(shape)).append("\n");
            List<Onnx.NodeProto> nodes = g.getNodeList();
            for (Onnx.NodeProto n : nodes) {
                if (n.getOpType().equals("Constant")) consts.put(n.getOutput(0), tensor(attr(n, "value").getT()));
                for (String o : n.getOutputList()) producer.put(o, n);
            }
            for (Onnx.NodeProto n : nodes) {
                boolean gru = n.getOpType().equals("GRU");
                if (!gru && !n.getOpType().equals("LSTM")) continue;
                for (int k = 4; k <= (gru ? 5 : 7); k++) if (present(n, k)) aside(n.getInput(k));
            }
            Onnx.NodeProto end = walk(nodes);
            if (end != null) throw unsupported(end, "a join of paths that did not start at one fork");
            src.append(body).append("}\n");
            StringBuilder notes = new StringBuilder(head);
            if (scale != 1f) notes.append("// the model scales its inputs by ").append(num(scale)).append(": give the dataset `scale ").append(num(scale)).append("`\n");
            if (shift != null) notes.append("// the model normalises its inputs with fitted statistics: they are in the checkpoint (data.shift, data.mul)\n");
            if (vocabulary > 0) {
                notes.append(Files.exists(OnnxExport.vocabularyPath(file))
                        ? "// token ids: the checkpoint's vocabulary is " + OnnxExport.vocabularyPath(file).getFileName() + "'s\n"
                        : "// token ids: the checkpoint's vocabulary reads ids written as numbers (ann predict --input \"5 17 3\"); 0 pads\n");
                if (unmasked) {
                    notes.append("// the model's LSTM/GRU reads every step (no sequence_lens); ann's skips id 0 (padding): the two agree on ids from 1\n");
                }
            }
            src.insert(0, notes);
            String out = g.getOutput(0).getName();
            if (!out.equals(current)) {
                throw bad("the graph's output '" + out + "' is not the end of its chain of layers ('" + current
                        + "'); ann import reads one chain from the input to the output");
            }
            return new Result(name, src.toString(), checkpoint(name));
        }

        /** The graph's name (ann export writes the network's), else the file's (torch names every graph torch_jit or main_graph). */
        String network() {
            String stem = file.getFileName().toString().replaceFirst("(?i)\\.onnx$", "");
            String graph = g.getName();
            boolean generic = graph.isEmpty() || graph.startsWith("torch_jit") || graph.equals("main_graph");
            String n = sanitize(generic ? stem : graph, "Imported");
            return Character.isUpperCase(n.charAt(0)) ? n : Character.toUpperCase(n.charAt(0)) + n.substring(1);
        }

        int opset() {
            for (Onnx.OperatorSetIdProto o : model.getOpsetImportList()) if (o.getDomain().isEmpty()) return (int) o.getVersion();
            return 0;
        }

        Checkpoint checkpoint(String network) {
            JsonObject h = new JsonObject();
            h.addProperty("format", "ann-checkpoint");
            h.addProperty("version", 1);
            h.addProperty("imported_from", file.getFileName().toString());
            h.addProperty("network", network);
            JsonArray names = new JsonArray();
            for (Onnx.StringStringEntryProto e : model.getMetadataPropsList()) {
                if (e.getKey().equals(OnnxExport.META_CLASS_NAMES)) {
                    try {
                        names = JsonParser.parseString(e.getValue()).getAsJsonArray();
                    } catch (RuntimeException notJson) {
                        for (String s : e.getValue().split(",")) names.add(s.trim());
                    }
                }
            }
            h.add("class_names", names);
            h.addProperty("normalize", shift != null);
            Map<String, float[]> a = new LinkedHashMap<>(arrays);
            Map<String, int[]> s = new LinkedHashMap<>(shapes);
            if (shift != null) {
                a.put("data.shift", shift);
                s.put("data.shift", new int[] {shift.length});
                a.put("data.mul", mul);
                s.put("data.mul", new int[] {mul.length});
            }
            if (scale != 1f) h.addProperty("data_scale", scale);
            if (vocabulary > 0) h.add("text", vocabularyHeader());
            return new Checkpoint(h, a, s);
        }

        /** The nodes that read a value (not counting constants). */
        List<Onnx.NodeProto> consumers(String v) {
            List<Onnx.NodeProto> out = new ArrayList<>();
            for (Onnx.NodeProto n : g.getNodeList()) {
                if (!n.getOpType().equals("Constant") && !aside.contains(n) && n.getInputList().contains(v)) out.add(n);
            }
            return out;
        }

        /** Whether a node joins paths: two or more of its inputs are not constants. */
        boolean isJoin(Onnx.NodeProto n) {
            int k = 0;
            for (String i : n.getInputList()) if (!i.isEmpty() && !consts.containsKey(i) && !aside.contains(producer.get(i))) k++;
            return k >= 2;
        }

        /**
         * Emits the statements from the current value on, until the path reaches a
         * node that joins it with others (returned, not emitted) or its end (null).
         * A value read by several nodes is a fork: its paths become the branches of
         * a {@code parallel concat} (joined by Concat on the channel axis), a
         * {@code residual} (joined by Sum or Add with the fork itself) or a
         * {@code parallel add}.
         */
        Onnx.NodeProto walk(List<Onnx.NodeProto> nodes) {
            while (true) {
                List<Onnx.NodeProto> next = consumers(current);
                if (next.isEmpty()) return null;
                if (next.size() > 1 && activation(next)) continue;
                if (next.size() == 1) {
                    Onnx.NodeProto n = next.get(0);
                    if (isJoin(n)) return n;
                    node(nodes, nodes.indexOf(n));
                    continue;
                }
                String fork = current;
                int[] forkShape = shape;
                StringBuilder outer = body;
                String outerIndent = indent;
                Map<String, String> texts = new HashMap<>();
                Map<String, int[]> shapesAt = new HashMap<>();
                Onnx.NodeProto join = null;
                for (Onnx.NodeProto c : next) {
                    Onnx.NodeProto j;
                    if (isJoin(c)) {
                        j = c;
                        texts.put(fork, "");
                        shapesAt.put(fork, forkShape);
                    } else {
                        current = fork;
                        shape = forkShape;
                        body = new StringBuilder();
                        indent = outerIndent + "        ";
                        node(nodes, nodes.indexOf(c));
                        j = walk(nodes);
                        texts.put(current, body.toString());
                        shapesAt.put(current, shape);
                    }
                    if (j == null) throw unsupported(c, "a path from '" + fork + "' that never joins the others");
                    if (join != null && join != j) {
                        throw unsupported(j, "paths from '" + fork + "' that join at different nodes ('" + join.getName() + "')");
                    }
                    join = j;
                }
                body = outer;
                indent = outerIndent;
                List<String> ins = new ArrayList<>();
                for (String i : join.getInputList()) if (!i.isEmpty() && !consts.containsKey(i)) ins.add(i);
                if (!texts.keySet().containsAll(ins) || ins.size() != texts.size()) {
                    throw unsupported(join, "a join whose inputs are not exactly the paths from '" + fork + "'");
                }
                String op = join.getOpType();
                if (op.equals("Concat")) {
                    long axis = l(join, "axis", 1);
                    need(join, axis == 1 || axis == -forkShape.length, "Concat on axis " + axis + " (ann's parallel concat joins channels: axis 1)");
                    int channels = 0;
                    for (String i : ins) channels += shapesAt.get(i)[0];
                    body.append(indent).append("parallel concat {\n");
                    for (String i : ins) branch(texts.get(i));
                    body.append(indent).append("}\n");
                    int[] s0 = shapesAt.get(ins.get(0)).clone();
                    s0[0] = channels;
                    shape = s0;
                } else if (op.equals("Sum") || op.equals("Add")) {
                    for (String i : ins) {
                        if (!Arrays.equals(shapesAt.get(i), forkShape)) throw unsupported(join, "an Add of " + shapeText(shapesAt.get(i)) + " and " + shapeText(forkShape));
                    }
                    if (ins.size() == 2 && ins.contains(fork)) {
                        body.append(indent).append("residual {\n").append(texts.get(ins.get(ins.get(0).equals(fork) ? 1 : 0)).replaceAll("(?m)^    ", ""))
                                .append(indent).append("}\n");
                    } else {
                        body.append(indent).append("parallel add {\n");
                        for (String i : ins) branch(texts.get(i));
                        body.append(indent).append("}\n");
                    }
                    shape = forkShape;
                } else {
                    throw unsupported(join, "paths joined by " + op + " (ann joins them with Concat, Sum or Add)");
                }
                String line = indent + "// " + (op.equals("Concat") ? "parallel concat" : "the sum")
                        + " from " + (join.getName().isEmpty() ? join.getOutput(0) : join.getName()) + " (" + op + ") -> " + shapeText(shape);
                body.append(line).append('\n');
                current = join.getOutput(0);
            }
        }

        /**
         * The activations that exporters write as small graphs reading the value twice (a fork
         * that is no branch): gelu as 0.5 x (1 + erf(x / sqrt 2)) in the orders torch and ann
         * export it, swish as x * Sigmoid(x). Emits the statement and moves past the pattern; false
         * when these nodes are something else. The tanh approximation of gelu is refused: ann's gelu
         * is the exact one.
         */
        boolean activation(List<Onnx.NodeProto> next) {
            String x = current;
            for (Onnx.NodeProto n : next) {
                boolean cube = n.getOpType().equals("Pow") && n.getInput(0).equals(x) && scalar(n.getInput(1)) != null
                        && scalar(n.getInput(1)) == 3f
                        || n.getOpType().equals("Mul") && n.getInputCount() == 2 && n.getInput(0).equals(x) && n.getInput(1).equals(x);
                if (cube) {
                    throw unsupported(n, "gelu with the tanh approximation (x^3 inside a tanh); ann's gelu is the exact one, "
                            + "0.5 x (1 + erf(x / sqrt 2)): export the model with the exact gelu (torch: nn.GELU(approximate='none'))");
                }
            }
            if (next.size() != 2) return false;
            // swish: Sigmoid(x) and Mul(x, Sigmoid(x))
            for (Onnx.NodeProto sig : next) {
                if (!sig.getOpType().equals("Sigmoid")) continue;
                Onnx.NodeProto mul = next.get(next.get(0) == sig ? 1 : 0);
                if (mul.getOpType().equals("Mul") && sameInputs(mul, x, sig.getOutput(0)) && consumers(sig.getOutput(0)).size() == 1) {
                    layersStarted = true;
                    statement(mul, null, "swish");
                    advance(mul);
                    return true;
                }
            }
            // gelu: x / sqrt 2 (Div by sqrt 2 or Mul by 1 / sqrt 2) -> Erf -> Add 1, times x, times 0.5 (before or after)
            for (Onnx.NodeProto scale : next) {
                Onnx.NodeProto other = next.get(next.get(0) == scale ? 1 : 0);
                Float c = scale.getOpType().equals("Div") && scale.getInput(0).equals(x) ? scalar(scale.getInput(1))
                        : scale.getOpType().equals("Mul") ? scalar(otherInput(scale, x)) : null;
                if (c == null) continue;
                double k = scale.getOpType().equals("Div") ? 1 / c : c;
                if (Math.abs(k - 1 / Math.sqrt(2)) > 1e-6) continue;
                Onnx.NodeProto erf = only(scale.getOutput(0), "Erf");
                Onnx.NodeProto plus = erf == null ? null : only(erf.getOutput(0), "Add");
                if (plus == null || !isScalar(otherInput(plus, erf.getOutput(0)), 1f)) continue;
                Onnx.NodeProto times = only(plus.getOutput(0), "Mul");
                if (times == null) continue;
                Onnx.NodeProto last;
                if (other == times && sameInputs(times, x, plus.getOutput(0))) {
                    // x (1 + erf), then times 0.5
                    last = only(times.getOutput(0), "Mul");
                    if (last == null || !isScalar(otherInput(last, times.getOutput(0)), 0.5f)) continue;
                } else if (other.getOpType().equals("Mul") && isScalar(otherInput(other, x), 0.5f)
                        && consumers(other.getOutput(0)).size() == 1 && sameInputs(times, other.getOutput(0), plus.getOutput(0))) {
                    last = times; // 0.5 x first, then times (1 + erf)
                } else {
                    continue;
                }
                layersStarted = true;
                statement(last, null, "gelu");
                advance(last);
                return true;
            }
            return false;
        }

        /** The node that alone reads v, when it is of this op type; else null. */
        Onnx.NodeProto only(String v, String opType) {
            List<Onnx.NodeProto> c = consumers(v);
            return c.size() == 1 && c.get(0).getOpType().equals(opType) ? c.get(0) : null;
        }

        /** Whether a two-input node reads exactly a and b, in either order. */
        static boolean sameInputs(Onnx.NodeProto n, String a, String b) {
            return n.getInputCount() == 2 && (n.getInput(0).equals(a) && n.getInput(1).equals(b) || n.getInput(0).equals(b) && n.getInput(1).equals(a));
        }

        /** The input of a two-input node that is not v (null when v is not one of them). */
        static String otherInput(Onnx.NodeProto n, String v) {
            if (n.getInputCount() != 2) return null;
            return n.getInput(0).equals(v) ? n.getInput(1) : n.getInput(1).equals(v) ? n.getInput(0) : null;
        }

        /** A constant of one value, or null. */
        Float scalar(String name) {
            Tensor t = name == null ? null : consts.get(name);
            return t == null || t.floats() == null || t.floats().length != 1 ? null : t.floats()[0];
        }

        boolean isScalar(String name, float v) {
            Float f = scalar(name);
            return f != null && Math.abs(f - v) <= 1e-6f * Math.max(1f, Math.abs(v));
        }

        /** One branch of a parallel block: its statements, or nothing for the fork itself. */
        void branch(String text) {
            if (text.isEmpty()) {
                body.append(indent).append("    branch { }\n");
                return;
            }
            body.append(indent).append("    branch {\n");
            // the statements were written at this indent + 8; a branch's body sits at indent + 8 as well
            body.append(text);
            body.append(indent).append("    }\n");
        }

        /** Maps nodes[i] (and an Add after a MatMul); returns the index of the last node it used. */
        int node(List<Onnx.NodeProto> nodes, int i) {
            Onnx.NodeProto n = nodes.get(i);
            String op = n.getOpType();
            if (op.equals("Constant")) {
                consts.put(n.getOutput(0), tensor(attr(n, "value").getT()));
                return i;
            }
            if (op.equals("Shape")) {
                throw unsupported(n, "a shape computed at run time; export with fixed shapes (no dynamic axes but the batch)");
            }
            if (op.equals("Gather") && n.getInputCount() == 2 && n.getInput(1).equals(current)
                    || op.equals("Cast") && n.getInputCount() == 1 && n.getInput(0).equals(current) && castToIds(n) != null) {
                return embedding(n);
            }
            if (n.getInputCount() == 0 || !n.getInput(0).equals(current)) {
                if (op.equals("Shape") || op.equals("Gather") || op.equals("Unsqueeze") || op.equals("Concat")) {
                    throw unsupported(n, "a shape computed at run time; export with fixed shapes (e.g. torch.onnx.export without dynamic axes but the batch), or as one chain");
                }
                throw unsupported(n, "its input '" + (n.getInputCount() == 0 ? "" : n.getInput(0)) + "' is not the output of the layer before ('"
                        + current + "'); ann import reads chains of layers and forks whose paths join again");
            }
            // the transform ann export puts first: x * scale, (x - shift) * mul
            if (!layersStarted && op.equals("Mul") && isConst(n.getInput(1)) && constSize(n.getInput(1)) == 1 && shift == null && scale == 1f) {
                scale = consts.get(n.getInput(1)).floats()[0];
                return advance(n);
            }
            if (!layersStarted && op.equals("Sub") && isConst(n.getInput(1)) && constSize(n.getInput(1)) == size(shape)
                    && i + 1 < nodes.size() && nodes.get(i + 1).getOpType().equals("Mul")
                    && nodes.get(i + 1).getInput(0).equals(n.getOutput(0)) && isConst(nodes.get(i + 1).getInput(1))
                    && constSize(nodes.get(i + 1).getInput(1)) == size(shape)) {
                shift = consts.get(n.getInput(1)).floats();
                current = n.getOutput(0);
                mul = consts.get(nodes.get(i + 1).getInput(1)).floats();
                advance(nodes.get(i + 1));
                return i + 1;
            }
            layersStarted = true;
            switch (op) {
                case "Identity", "Dropout" -> { return advance(n); }
                case "Gemm" -> {
                    if (f(n, "alpha", 1f) != 1f || f(n, "beta", 1f) != 1f || l(n, "transA", 0) != 0) {
                        throw unsupported(n, "Gemm with alpha, beta or transA other than 1, 1, 0");
                    }
                    Tensor w = constant(n, 1);
                    boolean transB = l(n, "transB", 0) == 1;
                    int units = transB ? w.dims()[0] : w.dims()[1], inputs = transB ? w.dims()[1] : w.dims()[0];
                    flattenFor(n, inputs);
                    String name = layerName(n, 1);
                    put(name + ".weight", new int[] {inputs, units}, transB ? transpose(w.floats(), units, inputs) : w.floats());
                    boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
                    if (bias) put(name + ".bias", new int[] {units}, broadcast(constant(n, 2), units, n));
                    shape = new int[] {units};
                    statement(n, name, "dense(" + units + (bias ? "" : ", bias: false") + ")");
                    return advance(n);
                }
                case "MatMul" -> {
                    Tensor w = constant(n, 1);
                    if (w.dims().length != 2) throw unsupported(n, "MatMul with a weight of rank " + w.dims().length + " (2 expected)");
                    int inputs = w.dims()[0], units = w.dims()[1];
                    // [T, F] times [F, units]: ann's dense acts on each step
                    boolean perStep = shape.length == 2 && inputs == shape[1] && shape[0] != 1;
                    if (!perStep) flattenFor(n, inputs);
                    String name = layerName(n, 1);
                    put(name + ".weight", new int[] {inputs, units}, w.floats());
                    boolean bias = i + 1 < nodes.size() && nodes.get(i + 1).getOpType().equals("Add")
                            && nodes.get(i + 1).getInputList().contains(n.getOutput(0));
                    shape = perStep ? new int[] {shape[0], units} : new int[] {units};
                    if (bias) {
                        Onnx.NodeProto add = nodes.get(i + 1);
                        String b = add.getInput(0).equals(n.getOutput(0)) ? add.getInput(1) : add.getInput(0);
                        if (!isConst(b)) throw unsupported(add, "an Add after MatMul whose other input is not a constant bias");
                        put(name + ".bias", new int[] {units}, broadcast(consts.get(b), units, add));
                        statement(n, name, "dense(" + units + ")");
                        current = n.getOutput(0);
                        advance(add);
                        return i + 1;
                    }
                    statement(n, name, "dense(" + units + ", bias: false)");
                    return advance(n);
                }
                case "Conv" -> {
                    need(n, shape.length == 3, "Conv over a " + shapeText(shape) + " input ([channels, height, width] expected)");
                    need(n, l(n, "group", 1) == 1, "grouped convolution (group " + l(n, "group", 1) + ")");
                    Tensor w = constant(n, 1);
                    need(n, w.dims().length == 4, "a Conv weight of rank " + w.dims().length);
                    int filters = w.dims()[0], kh = w.dims()[2], kw = w.dims()[3];
                    long[] st = ls(n, "strides", 1, 1), dl = ls(n, "dilations", 1, 1);
                    int[] out = new int[3];
                    boolean same = padding(n, kh, kw, st, dl, out);
                    String name = layerName(n, 1);
                    put(name + ".weight", w.dims(), w.floats());
                    boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
                    if (bias) put(name + ".bias", new int[] {filters}, constant(n, 2).floats());
                    shape = new int[] {filters, out[1], out[2]};
                    statement(n, name, "conv2d(" + filters + ", kernel: " + pair(kh, kw) + stride(st) + dilation(dl)
                            + (same ? ", padding: same" : "") + (bias ? "" : ", bias: false") + ")");
                    return advance(n);
                }
                case "MaxPool", "AveragePool" -> {
                    need(n, shape.length == 3, op + " over a " + shapeText(shape) + " input");
                    need(n, l(n, "ceil_mode", 0) == 0, "ceil_mode 1");
                    long[] k = ls(n, "kernel_shape");
                    long[] st = ls(n, "strides", 1, 1);
                    need(n, Arrays.equals(ls(n, "dilations", 1, 1), new long[] {1, 1}), "pooling with dilations");
                    int[] out = new int[3];
                    boolean same = padding(n, (int) k[0], (int) k[1], st, new long[] {1, 1}, out);
                    if (op.equals("AveragePool") && same && l(n, "count_include_pad", 0) != 0) {
                        throw unsupported(n, "AveragePool that counts the padding (ann's avgpool does not)");
                    }
                    shape = new int[] {shape[0], out[1], out[2]};
                    boolean strideIsSize = st[0] == k[0] && st[1] == k[1];
                    statement(n, null, (op.equals("MaxPool") ? "maxpool(" : "avgpool(") + pair((int) k[0], (int) k[1])
                            + (strideIsSize ? "" : ", stride: " + pair((int) st[0], (int) st[1])) + (same ? ", padding: same" : "") + ")");
                    return advance(n);
                }
                case "GlobalAveragePool" -> {
                    need(n, shape.length == 3, "GlobalAveragePool over a " + shapeText(shape) + " input");
                    shape = new int[] {shape[0]};
                    statement(n, null, "globalavgpool");
                    // ONNX keeps [c, 1, 1]; a Flatten or Reshape to [c] next is the identity here
                    pendingSqueeze = true;
                    return advance(n);
                }
                case "Flatten" -> {
                    need(n, l(n, "axis", 1) == 1, "Flatten with axis " + l(n, "axis", 1) + " (1 expected)");
                    if (shape.length > 1) {
                        shape = new int[] {size(shape)};
                        statement(n, null, "flatten");
                    }
                    pendingSqueeze = false;
                    return advance(n);
                }
                case "Reshape" -> {
                    Tensor t = constant(n, 1);
                    long[] s = t.longs();
                    need(n, s != null && s.length >= 1, "a Reshape whose shape is not an int64 constant");
                    int[] to = new int[s.length - 1];
                    long known = 1;
                    int infer = -1;
                    for (int k = 1; k < s.length; k++) {
                        if (s[k] == -1) infer = k - 1;
                        else { to[k - 1] = (int) s[k]; known *= s[k]; }
                    }
                    if (infer >= 0) to[infer] = (int) (size(shape) / known);
                    need(n, size(to) == size(shape) && (s[0] == -1 || s[0] == 0), "Reshape to " + Arrays.toString(s)
                            + " (the batch must stay the first dimension)");
                    if (pendingSqueeze && to.length == 1) { pendingSqueeze = false; return advance(n); }
                    if (Arrays.equals(to, shape)) return advance(n);
                    shape = to;
                    statement(n, null, to.length == 1 ? "flatten" : "reshape(shape: " + shapeText(to) + ")");
                    return advance(n);
                }
                case "BatchNormalization" -> {
                    need(n, n.getOutputCount() == 1, "BatchNormalization in training mode (more than one output)");
                    String name = layerName(n, 1);
                    int c = shape[0];
                    put(name + ".gamma", new int[] {c}, constant(n, 1).floats());
                    put(name + ".beta", new int[] {c}, constant(n, 2).floats());
                    put(name + ".running_mean", new int[] {c}, constant(n, 3).floats());
                    put(name + ".running_var", new int[] {c}, constant(n, 4).floats());
                    statement(n, name, "batchnorm(momentum: " + num(f(n, "momentum", 0.9f)) + ", eps: " + num(f(n, "epsilon", 1e-5f)) + ")");
                    return advance(n);
                }
                case "LayerNormalization" -> {
                    long axis = l(n, "axis", -1);
                    need(n, axis == 1 || axis == -shape.length || shape.length == 1 && axis == -1,
                            "LayerNormalization over axis " + axis + " (ann's layernorm normalises the whole sample: axis 1)");
                    String name = layerName(n, 1);
                    int c = shape[0];
                    put(name + ".gamma", new int[] {c}, perChannel(n, constant(n, 1), c));
                    Tensor b = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? constant(n, 2) : null;
                    put(name + ".beta", new int[] {c}, b == null ? new float[c] : perChannel(n, b, c));
                    statement(n, name, "layernorm(eps: " + num(f(n, "epsilon", 1e-5f)) + ")");
                    return advance(n);
                }
                case "Transpose" -> {
                    List<Onnx.NodeProto> c = consumers(n.getOutput(0));
                    boolean view = Arrays.equals(ls(n, "perm"), new long[] {1, 0, 2}) && shape.length == 2 && c.size() == 1
                            && isRecurrent(c.get(0)) && c.get(0).getInput(0).equals(n.getOutput(0)) && l(c.get(0), "layout", 0) == 0;
                    if (!view) {
                        throw unsupported(n, "a Transpose that is not the time-major view ([T, batch, F], perm [1, 0, 2]) of a sequence"
                                + " read by an LSTM or GRU");
                    }
                    return recurrent(c.get(0));
                }
                case "LSTM", "GRU" -> {
                    need(n, l(n, "layout", 0) == 1 || current.equals(timeMajor), op + " of layout 0 reading [batch, T, F] without the Transpose to [T, batch, F]");
                    return recurrent(n);
                }
                case "Relu" -> { statement(n, null, "relu"); return advance(n); }
                case "Sigmoid" -> { statement(n, null, "sigmoid"); return advance(n); }
                case "Tanh" -> { statement(n, null, "tanh"); return advance(n); }
                case "Softplus" -> { statement(n, null, "softplus"); return advance(n); }
                case "LeakyRelu" -> { statement(n, null, "leaky_relu(alpha: " + num(f(n, "alpha", 0.01f)) + ")"); return advance(n); }
                case "Elu" -> { statement(n, null, "elu(alpha: " + num(f(n, "alpha", 1f)) + ")"); return advance(n); }
                case "Softmax" -> {
                    long axis = l(n, "axis", -1);
                    need(n, axis == -1 || axis == shape.length, "Softmax over axis " + axis + " (ann's softmax is over the last axis)");
                    statement(n, null, "softmax");
                    return advance(n);
                }
                default -> throw unsupported(n, "no ann layer computes " + op);
            }
        }

        boolean pendingSqueeze;

        boolean present(Onnx.NodeProto n, int input) {
            return n.getInputCount() > input && !n.getInput(input).isEmpty();
        }

        static boolean isRecurrent(Onnx.NodeProto n) {
            return n.getOpType().equals("LSTM") || n.getOpType().equals("GRU");
        }

        /** Ops that compute a zero state's shape or the sequence lengths; collected back from an LSTM's or GRU's input. */
        static final Set<String> SHAPE_OPS = Set.of("Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "ConstantOfShape", "Cast",
                "Slice", "Equal", "Not", "ReduceSum", "Expand");

        /** Puts the nodes that compute v aside, back to a Shape's or an Equal's input (the data they read) or another op. */
        void aside(String v) {
            Onnx.NodeProto p = producer.get(v);
            if (p == null || aside.contains(p) || !SHAPE_OPS.contains(p.getOpType())) return;
            aside.add(p);
            if (p.getOpType().equals("Shape") || p.getOpType().equals("Equal")) return;
            for (String i : p.getInputList()) if (!i.isEmpty()) aside(i);
        }

        /** A Cast to integers whose only reader is a Gather of a constant table by them (ann export's embedding); else null. */
        Onnx.NodeProto castToIds(Onnx.NodeProto cast) {
            long to = l(cast, "to", 0);
            if (to != Onnx.TensorProto.DataType.INT64_VALUE && to != Onnx.TensorProto.DataType.INT32_VALUE) return null;
            List<Onnx.NodeProto> c = consumers(cast.getOutput(0));
            if (c.size() != 1 || !c.get(0).getOpType().equals("Gather") || c.get(0).getInputCount() != 2) return null;
            return c.get(0).getInput(1).equals(cast.getOutput(0)) && isConst(c.get(0).getInput(0)) ? c.get(0) : null;
        }

        /** Gather(weight, ids) on the input's token ids [T] (after a Cast to integers, or not): {@code embedding}. */
        int embedding(Onnx.NodeProto n) {
            String from = current;
            Onnx.NodeProto gather = n.getOpType().equals("Cast") ? castToIds(n) : n;
            if (layersStarted || scale != 1f || shift != null || shape.length != 1) {
                throw unsupported(gather, "a Gather of a table by " + (layersStarted ? "the output of other layers" : "a " + shapeText(shape)
                        + " input") + "; ann's embedding reads the token ids [T] of the input, before any layer");
            }
            need(gather, l(gather, "axis", 0) == 0, "Gather on axis " + l(gather, "axis", 0) + " (an embedding gathers rows: axis 0)");
            Tensor w = constant(gather, 0);
            need(gather, w.floats() != null && w.dims().length == 2, "a Gather of a table that is not a 2-D float weight");
            layersStarted = true;
            String name = layerName(gather, 0);
            put(name + ".weight", w.dims(), w.floats());
            ids = from;
            vocabulary = w.dims()[0];
            steps = shape[0];
            shape = new int[] {shape[0], w.dims()[1]};
            statement(gather, name, "embedding(" + w.dims()[1] + ", vocabulary: " + vocabulary + ")");
            return advance(gather);
        }

        /**
         * An ONNX LSTM or GRU as ann's {@code lstm} / {@code gru}: W, R and B (Wb, Rb) per direction, gate blocks put back in
         * PyTorch's order ({@link OnnxExport#gates}); a forward or bidirectional layer of the default activations, without
         * clip, input_forget or peepholes; a GRU with linear_before_reset 1 (PyTorch's, ann's). Its initial states, when
         * given, must be zeros (a constant, or ConstantOfShape of a shape computed at run time, as PyTorch writes them), and
         * its sequence_lens, when given, the count of the embedding's non-zero ids (as ann export writes it: padding at
         * the end). What reads its outputs ({@link #recurrentEnd}) decides {@code sequences}.
         */
        int recurrent(Onnx.NodeProto n) {
            boolean gru = n.getOpType().equals("GRU");
            String kind = gru ? "gru" : "lstm";
            need(n, shape.length == 2, n.getOpType() + " over a " + shapeText(shape) + " input ([T, F] expected)");
            int t = shape[0], f = shape[1], gates = gru ? 3 : 4;
            String direction = s(n, "direction", "forward");
            need(n, direction.equals("forward") || direction.equals("bidirectional"), "direction " + direction + " (ann's layers run forward or bidirectional)");
            int dirs = direction.equals("bidirectional") ? 2 : 1;
            Onnx.AttributeProto acts = attr(n, "activations");
            if (acts != null) {
                List<String> want = new ArrayList<>();
                for (int d = 0; d < dirs; d++) want.addAll(gru ? List.of("Sigmoid", "Tanh") : List.of("Sigmoid", "Tanh", "Tanh"));
                List<String> got = acts.getStringsList().stream().map(b -> b.toStringUtf8()).toList();
                need(n, got.equals(want), "activations " + got + " (ann's are " + want + ")");
            }
            need(n, attr(n, "clip") == null, "a clip of the cell");
            need(n, l(n, "input_forget", 0) == 0, "input_forget 1 (coupled input and forget gates)");
            if (gru) {
                need(n, l(n, "linear_before_reset", 0) == 1, "GRU with linear_before_reset 0 (ann's gru is PyTorch's: the reset gate"
                        + " multiplies the recurrent product with its bias, linear_before_reset 1)");
            }
            Tensor w = constant(n, 1), r = constant(n, 2);
            need(n, w.floats() != null && r.floats() != null, "weights W and R that are not floats");
            need(n, r.dims().length == 3 && r.dims()[0] == dirs && r.dims()[1] % gates == 0, "a recurrence weight R of shape " + Arrays.toString(r.dims()));
            int u = r.dims()[1] / gates;
            need(n, l(n, "hidden_size", u) == u && r.dims()[2] == u, "hidden_size " + l(n, "hidden_size", u) + " with R of shape " + Arrays.toString(r.dims()));
            need(n, Arrays.equals(w.dims(), new int[] {dirs, gates * u, f}), "an input weight W of shape " + Arrays.toString(w.dims())
                    + " for a [" + t + ", " + f + "] input ([" + dirs + ", " + gates * u + ", " + f + "] expected)");
            Tensor b = present(n, 3) ? constant(n, 3) : null;
            need(n, b == null || b.floats() != null && Arrays.equals(b.dims(), new int[] {dirs, 2 * gates * u}),
                    "a bias B of shape " + (b == null ? "" : Arrays.toString(b.dims())) + " (floats [" + dirs + ", " + 2 * gates * u + "] expected)");
            boolean lengths = present(n, 4);
            if (lengths && !countsIds(n.getInput(4))) {
                throw unsupported(n, "sequence_lens that is not the count of the embedding's non-zero token ids (ann's layers skip id 0,"
                        + " padding at the end of each text; export without sequence_lens, or with that count)");
            }
            if (!lengths && ids != null) unmasked = true;
            for (int k = 5; k <= (gru ? 5 : 6); k++) {
                if (present(n, k) && !zeros(n.getInput(k))) {
                    throw unsupported(n, "an initial " + (k == 5 ? "hidden" : "cell") + " state that is not zero (ann's " + kind
                            + " starts each sequence from zeros; export without initial_h and initial_c)");
                }
            }
            need(n, gru || !present(n, 7) || zeros(n.getInput(7)), "peephole weights P");
            String name = recurrentName(n, kind);
            for (int d = 0; d < dirs; d++) {
                String sfx = d == 1 ? "_reverse" : "";
                float[] wih = new float[gates * u * f], whh = new float[gates * u * u], bih = new float[gates * u], bhh = new float[gates * u];
                OnnxExport.gates(gru, false, w.floats(), d * gates * u * f, wih, 0, u * f);
                OnnxExport.gates(gru, false, r.floats(), d * gates * u * u, whh, 0, u * u);
                if (b != null) {
                    OnnxExport.gates(gru, false, b.floats(), d * 2 * gates * u, bih, 0, u);
                    OnnxExport.gates(gru, false, b.floats(), d * 2 * gates * u + gates * u, bhh, 0, u);
                }
                put(name + ".weight_ih" + sfx, new int[] {gates * u, f}, wih);
                put(name + ".weight_hh" + sfx, new int[] {gates * u, u}, whh);
                put(name + ".bias_ih" + sfx, new int[] {gates * u}, bih);
                put(name + ".bias_hh" + sfx, new int[] {gates * u}, bhh);
            }
            String end = recurrentEnd(n, t, dirs, u, lengths);
            boolean sequences = !end.startsWith("L:");
            timeMajor = end.startsWith("M:") ? end.substring(2) : null;
            end = end.substring(2);
            shape = sequences ? new int[] {t, dirs * u} : new int[] {dirs * u};
            statement(n, name, kind + "(" + u + (sequences ? ", sequences: true" : "") + (dirs == 2 ? ", bidirectional: true" : "") + ")");
            current = end;
            return g.getNodeList().indexOf(n);
        }

        /** The layer's name: its weights' prefix (ann export's "lstm.W"), else PyTorch's scope ("/lstm/LSTM"), else the op's. */
        String recurrentName(Onnx.NodeProto n, String kind) {
            String w = n.getInput(1);
            String base = w.contains(".") ? w.substring(0, w.lastIndexOf('.'))
                    : n.getName().matches("/.+/[^/]+") ? n.getName().substring(1, n.getName().lastIndexOf('/')) : kind;
            String s = sanitize(base, kind).toLowerCase(Locale.ROOT);
            if (!Character.isLetter(s.charAt(0))) s = kind + "_" + s;
            String name = s;
            for (int k = 2; !names.add(name) || RESERVED.contains(name); k++) name = s + "_" + k;
            return name;
        }

        /** Whether v is zeros: a constant, or ConstantOfShape of zero (its shape whatever it is), or a part of such. */
        boolean zeros(String v) {
            Tensor c = consts.get(v);
            if (c != null) {
                if (c.floats() == null) return false;
                for (float x : c.floats()) if (x != 0f) return false;
                return true;
            }
            Onnx.NodeProto p = producer.get(v);
            // a part of zeros (PyTorch slices each layer's state of num_layers > 1 out of one ConstantOfShape)
            if (p != null && Set.of("Slice", "Gather", "Squeeze", "Unsqueeze", "Reshape", "Expand", "Cast", "Identity").contains(p.getOpType())
                    && p.getInputCount() > 0) {
                return zeros(p.getInput(0));
            }
            if (p == null || !p.getOpType().equals("ConstantOfShape")) return false;
            Onnx.AttributeProto value = attr(p, "value");
            if (value == null) return true;
            Tensor t = tensor(value.getT());
            if (t.floats() != null) { for (float x : t.floats()) if (x != 0f) return false; return true; }
            if (t.longs() != null) { for (long x : t.longs()) if (x != 0) return false; return true; }
            return false;
        }

        /** Whether v is the count of the embedding's non-zero ids per sample: ReduceSum over time of Not(Equal(ids, 0)), Casts between. */
        boolean countsIds(String v) {
            Onnx.NodeProto p = skipCasts(producer.get(v));
            if (p == null || !p.getOpType().equals("ReduceSum") || l(p, "keepdims", 1) != 0) return false;
            long[] axes = p.getInputCount() > 1 ? (consts.containsKey(p.getInput(1)) ? consts.get(p.getInput(1)).longs() : null) : ls(p, "axes");
            if (axes == null || !Arrays.equals(axes, new long[] {1})) return false;
            p = skipCasts(producer.get(p.getInput(0)));
            if (p == null || !p.getOpType().equals("Not")) return false;
            p = producer.get(p.getInput(0));
            return ids != null && p != null && p.getOpType().equals("Equal") && isScalar(otherInput(p, ids), 0f);
        }

        Onnx.NodeProto skipCasts(Onnx.NodeProto p) {
            while (p != null && p.getOpType().equals("Cast")) p = producer.get(p.getInput(0));
            return p;
        }

        /**
         * The axes of an LSTM's or GRU's output on its way to ann's shapes: T (steps), D (directions), B (batch), U (units),
         * W (D and U as one axis: each direction's units in turn); dir: the one direction a Gather took, or -1.
         */
        private record Axes(String axes, int dir) {}

        /**
         * Follows the nodes that read the layer's outputs (Y [T, D, batch, U], Y_h [D, batch, U], batch first with layout 1)
         * while they only move axes: Squeeze of D when it is 1, Transpose, Reshape that joins D and U, Gather of one direction
         * or of the last step, Concat of the directions, Identity. It ends where a value has ann's shape, [batch, T, D*U]
         * ({@code sequences: true}) or [batch, D*U] (the last step), and another node reads it. Returns that value, with
         * "T:" or "L:" before it.
         */
        String recurrentEnd(Onnx.NodeProto rnn, int t, int dirs, int u, boolean lengths) {
            Map<String, Axes> tracked = new LinkedHashMap<>();
            boolean batchMajor = l(rnn, "layout", 0) == 1;
            if (rnn.getOutputCount() > 0 && !rnn.getOutput(0).isEmpty()) tracked.put(rnn.getOutput(0), new Axes(batchMajor ? "BTDU" : "TDBU", -1));
            if (rnn.getOutputCount() > 1 && !rnn.getOutput(1).isEmpty()) tracked.put(rnn.getOutput(1), new Axes(batchMajor ? "BDU" : "DBU", -1));
            if (rnn.getOutputCount() > 2 && !rnn.getOutput(2).isEmpty() && !consumers(rnn.getOutput(2)).isEmpty()) {
                throw unsupported(consumers(rnn.getOutput(2)).get(0), "it reads the cell state Y_c of '" + rnn.getName()
                        + "' (ann's lstm gives the hidden state h: its outputs Y or Y_h)");
            }
            Set<Onnx.NodeProto> inside = new HashSet<>();
            List<Onnx.NodeProto> nodes = g.getNodeList();
            for (int i = nodes.indexOf(rnn) + 1; i < nodes.size(); i++) {
                Onnx.NodeProto m = nodes.get(i);
                if (aside.contains(m) || m.getOpType().equals("Constant") || m.getInputList().stream().noneMatch(tracked::containsKey)) continue;
                Axes a = follow(m, tracked, t, dirs, u, lengths);
                if (a != null) {
                    tracked.put(m.getOutput(0), a);
                    inside.add(m);
                    continue;
                }
                for (String in : m.getInputList()) {
                    Axes l = tracked.get(in);
                    if (l != null && !done(l, dirs) && !nextTimeMajor(m, in, l, dirs)) {
                        throw unsupported(m, "it reads the outputs of " + rnn.getOpType() + " '" + rnn.getName() + "' laid out as "
                                + axesText(l) + "; ann's layer gives [batch, T, directions * units] (sequences: true) or [batch, directions * units]"
                                + " (the last step: Y_h, or Y at step -1 of a forward layer)"
                                + (m.getOpType().equals("Concat") ? "; PyTorch's num_layers > 1 joins the layers' h_n so: make each layer an nn.LSTM"
                                        + " or nn.GRU of its own" : ""));
                    }
                }
            }
            Set<String> outputs = new HashSet<>();
            for (Onnx.ValueInfoProto o : g.getOutputList()) outputs.add(o.getName());
            // moves of axes that lead nowhere but to a zero state's shape (PyTorch's batch-first view of stacked layers): set aside
            for (boolean more = true; more; ) {
                more = false;
                for (Onnx.NodeProto m : inside) {
                    if (!aside.contains(m) && !outputs.contains(m.getOutput(0)) && consumers(m.getOutput(0)).isEmpty()) more = aside.add(m);
                }
            }
            String end = null;
            for (var e : tracked.entrySet()) {
                List<Onnx.NodeProto> readers = consumers(e.getKey());
                if (!outputs.contains(e.getKey()) && readers.stream().allMatch(inside::contains)) continue;
                if (!outputs.contains(e.getKey()) && readers.stream().allMatch(c -> inside.contains(c) || nextTimeMajor(c, e.getKey(), e.getValue(), dirs))
                        && !done(e.getValue(), dirs)) {
                    if (end != null) throw unsupported(rnn, "its outputs are read in two forms ('" + end + "' and '" + e.getKey() + "'); ann's layer gives one");
                    end = e.getKey();
                    continue;
                }
                if (!done(e.getValue(), dirs)) {
                    throw unsupported(rnn, "the graph's output is its output laid out as " + axesText(e.getValue())
                            + ", not [batch, T, directions * units] or [batch, directions * units]");
                }
                if (end != null) throw unsupported(rnn, "its outputs are read in two forms ('" + end + "' and '" + e.getKey() + "'); ann's layer gives one");
                end = e.getKey();
            }
            if (end == null) throw unsupported(rnn, "nothing reads its outputs");
            Axes a = tracked.get(end);
            return (!a.axes().contains("T") ? "L:" : a.axes().startsWith("T") ? "M:" : "T:") + end;
        }

        /** Whether m is an LSTM or GRU of layout 0 that reads v, every step [T, batch, D*U], as its input (PyTorch's next layer). */
        static boolean nextTimeMajor(Onnx.NodeProto m, String v, Axes a, int dirs) {
            return isRecurrent(m) && m.getInput(0).equals(v) && l(m, "layout", 0) == 0 && (a.dir() == -1 || dirs == 1)
                    && (a.axes().equals("TBW") || dirs == 1 && a.axes().equals("TBU"));
        }

        static boolean done(Axes a, int dirs) {
            return (a.dir() == -1 || dirs == 1) && (a.axes().equals("BTW") || a.axes().equals("BW") || dirs == 1 && (a.axes().equals("BTU") || a.axes().equals("BU")));
        }

        static String axesText(Axes a) {
            StringBuilder b = new StringBuilder("[");
            for (char c : a.axes().toCharArray()) {
                b.append(b.length() > 1 ? ", " : "").append(switch (c) {
                    case 'T' -> "T";
                    case 'D' -> "directions";
                    case 'B' -> "batch";
                    case 'U' -> "units";
                    default -> "directions * units";
                });
            }
            return b.append("]").append(a.dir() >= 0 ? " of direction " + a.dir() : "").toString();
        }

        /** The axes after m, which reads a tracked value; null when m is no such move of axes. */
        Axes follow(Onnx.NodeProto m, Map<String, Axes> tracked, int t, int dirs, int u, boolean lengths) {
            Axes in = tracked.get(m.getInput(0));
            if (in == null) return null;
            String a = in.axes();
            java.util.function.IntUnaryOperator size = c -> switch (c) {
                case 'T' -> t;
                case 'D' -> dirs;
                case 'U' -> u;
                case 'W' -> dirs * u;
                default -> -1; // the batch
            };
            switch (m.getOpType()) {
                case "Identity", "Dropout" -> { return in; }
                case "Squeeze" -> {
                    long[] axes = m.getInputCount() > 1 ? (consts.containsKey(m.getInput(1)) ? consts.get(m.getInput(1)).longs() : null) : ls(m, "axes");
                    if (axes == null || axes.length == 0) return null;
                    StringBuilder b = new StringBuilder(a);
                    long[] sorted = Arrays.stream(axes).map(k -> k < 0 ? k + a.length() : k).sorted().toArray();
                    for (int k = sorted.length - 1; k >= 0; k--) {
                        if (sorted[k] < 0 || sorted[k] >= a.length() || size.applyAsInt(a.charAt((int) sorted[k])) != 1) return null;
                        b.deleteCharAt((int) sorted[k]);
                    }
                    return new Axes(b.toString(), in.dir());
                }
                case "Transpose" -> {
                    long[] perm = ls(m, "perm");
                    if (perm == null || perm.length != a.length()) return null;
                    // ann's shape reached, then the time-major view for the next LSTM or GRU: that one's, not this one's
                    List<Onnx.NodeProto> next = consumers(m.getOutput(0));
                    if (done(in, dirs) && !next.isEmpty() && next.stream().allMatch(c -> isRecurrent(c) && c.getInput(0).equals(m.getOutput(0)))) return null;
                    StringBuilder b = new StringBuilder();
                    for (long p : perm) b.append(a.charAt((int) p));
                    return new Axes(b.toString(), in.dir());
                }
                case "Reshape" -> {
                    Tensor st = m.getInputCount() > 1 ? consts.get(m.getInput(1)) : null;
                    if (st == null || st.longs() == null) return null;
                    long[] sh = st.longs();
                    List<String> candidates = new ArrayList<>(List.of(a));
                    int d = a.indexOf('D');
                    if (d >= 0 && d + 1 < a.length() && a.charAt(d + 1) == 'U' && in.dir() == -1) candidates.add(a.substring(0, d) + "W" + a.substring(d + 2));
                    if (d >= 0 && dirs == 1) candidates.add(a.substring(0, d) + a.substring(d + 1));
                    for (String c : candidates) {
                        if (c.length() != sh.length) continue;
                        boolean ok = true;
                        int infer = 0;
                        for (int k = 0; k < sh.length && ok; k++) {
                            if (sh[k] == 0) ok = k < a.length() && a.charAt(k) == c.charAt(k);
                            else if (sh[k] == -1) infer++;
                            else ok = size.applyAsInt(c.charAt(k)) == sh[k];
                        }
                        if (ok && infer <= 1) return new Axes(c, in.dir());
                    }
                    return null;
                }
                case "Gather" -> {
                    Tensor ix = m.getInputCount() == 2 ? consts.get(m.getInput(1)) : null;
                    if (ix == null || ix.longs() == null || ix.longs().length != 1 || ix.dims().length != 0) return null;
                    int axis = (int) l(m, "axis", 0);
                    if (axis < 0) axis += a.length();
                    if (axis < 0 || axis >= a.length()) return null;
                    long k = ix.longs()[0];
                    String rest = a.substring(0, axis) + a.substring(axis + 1);
                    if (a.charAt(axis) == 'T') {
                        if (k != -1 && k != t - 1) {
                            throw unsupported(m, "step " + k + " of the outputs of '" + m.getInput(0) + "' (ann's lstm and gru give the last step or every step)");
                        }
                        if (dirs == 2) {
                            throw unsupported(m, "the last step of a bidirectional layer's outputs Y, where the backward direction has read one step;"
                                    + " ann's bidirectional layer ends with each direction's final state (Y_h): in PyTorch take"
                                    + " torch.cat((h_n[0], h_n[1]), 1) of the layer's h_n, or all steps");
                        }
                        if (lengths) {
                            throw unsupported(m, "the last step of the outputs Y with sequence_lens (0 where a text is padded);"
                                    + " ann's layer ends with the state after the last real step: Y_h");
                        }
                        return new Axes(rest, in.dir());
                    }
                    if (a.charAt(axis) == 'D') return new Axes(rest, (int) (k < 0 ? k + dirs : k));
                    return null;
                }
                case "Concat" -> {
                    int axis = (int) l(m, "axis", 0);
                    if (axis < 0) axis += a.length();
                    if (axis < 0 || axis >= a.length() || a.charAt(axis) != 'U' || m.getInputCount() != dirs || dirs == 1) return null;
                    for (int k = 0; k < dirs; k++) {
                        Axes x = tracked.get(m.getInput(k));
                        if (x == null || !x.axes().equals(a) || x.dir() != k) return null;
                    }
                    return new Axes(a.substring(0, axis) + "W" + a.substring(axis + 1), -1);
                }
                default -> { return null; }
            }
        }

        /**
         * The tokenizer header of an imported text model's checkpoint: the vocabulary {@code ann export} wrote beside the
         * model ({@code model.vocab.json}) when it is there, else one that reads the ids written as numbers ("17" is id 17,
         * for ids 2 .. vocabulary - 1; "1" or any other word is id 1, the unknown; a shorter text is padded with 0).
         */
        JsonObject vocabularyHeader() {
            Path beside = OnnxExport.vocabularyPath(file);
            List<String> tokens = new ArrayList<>();
            boolean words = true, lowercase = false;
            if (Files.exists(beside)) {
                try {
                    JsonObject v = JsonParser.parseString(Files.readString(beside)).getAsJsonObject();
                    int vocab = v.get("vocabulary").getAsInt(), length = v.get("length").getAsInt();
                    if (vocab != vocabulary || length != steps) {
                        throw bad(beside + " says vocabulary " + vocab + ", length " + length + " but the model's embedding has " + vocabulary
                                + " ids and reads " + steps + "; it belongs to another model: remove it or put the right one beside the model");
                    }
                    String[] byId = new String[vocabulary];
                    for (var e : v.getAsJsonObject("ids").entrySet()) {
                        int id = e.getValue().getAsInt();
                        if (id < 2 || id >= vocabulary || byId[id] != null) throw bad(beside + ": id " + id + " of '" + e.getKey() + "' is not in 2.." + (vocabulary - 1) + " or taken twice");
                        byId[id] = e.getKey();
                    }
                    int n = v.getAsJsonObject("ids").size();
                    for (int id = 2; id < 2 + n; id++) {
                        if (byId[id] == null) throw bad(beside + ": no token has id " + id + " (ids are 2.." + (n + 1) + ")");
                        tokens.add(byId[id]);
                    }
                    words = v.get("tokens").getAsString().equals("words");
                    lowercase = v.get("lowercase").getAsBoolean();
                } catch (IOException | RuntimeException e) {
                    if (e instanceof RunException r) throw r;
                    throw bad(beside + ": not a vocabulary that ann export wrote (" + e.getMessage() + "); remove it or put the right one beside the model");
                }
            } else {
                for (int id = 2; id < vocabulary; id++) tokens.add(String.valueOf(id));
            }
            try { // the header as ann train writes it: the kernels' Tokenizer
                return JsonParser.parseString(new dev.ann.kernels.Tokenizer(words, lowercase, vocabulary, steps, tokens).headerJson()).getAsJsonObject();
            } catch (IllegalArgumentException e) {
                throw bad("the model's text input cannot take a vocabulary: " + e.getMessage());
            }
        }

        /** The chain has reached this node's output; returns the node's index. */
        int advance(Onnx.NodeProto n) {
            current = n.getOutput(0);
            return g.getNodeList().indexOf(n);
        }

        void statement(Onnx.NodeProto n, String name, String text) {
            String line = indent + (name != null ? name + " = " : "") + text;
            body.append(String.format(Locale.ROOT, "%-47s // from %s (%s) -> %s%n", line,
                    n.getName().isEmpty() ? n.getOutput(0) : n.getName(), n.getOpType(), shapeText(shape)));
        }

        void flattenFor(Onnx.NodeProto n, int inputs) {
            if (inputs != size(shape)) {
                throw unsupported(n, "its weight takes " + inputs + " inputs but the layer before gives " + shapeText(shape));
            }
            if (shape.length > 1) {
                statement(n, null, "flatten");
                shape = new int[] {size(shape)};
            }
            pendingSqueeze = false;
        }

        /** Whether the pads are ann's same (else valid: no padding); out gets [c, h', w']. */
        boolean padding(Onnx.NodeProto n, int kh, int kw, long[] st, long[] dl, int[] out) {
            String auto = s(n, "auto_pad", "NOTSET");
            int h = shape[1], w = shape[2];
            if (auto.equals("SAME_UPPER")) {
                out[1] = (int) ((h + st[0] - 1) / st[0]);
                out[2] = (int) ((w + st[1] - 1) / st[1]);
                return true;
            }
            need(n, auto.equals("NOTSET") || auto.equals("VALID"), "auto_pad " + auto + " (ann's same puts the odd pixel at the end: SAME_UPPER)");
            long[] p = ls(n, "pads", 0, 0, 0, 0);
            boolean none = Arrays.stream(p).allMatch(v -> v == 0);
            if (none) {
                out[1] = (int) ((h - (dl[0] * (kh - 1) + 1)) / st[0] + 1);
                out[2] = (int) ((w - (dl[1] * (kw - 1) + 1)) / st[1] + 1);
                return false;
            }
            int oh = (int) ((h + st[0] - 1) / st[0]), ow = (int) ((w + st[1] - 1) / st[1]);
            long[] same = OnnxExport.pads(dev.ann.plan.Shape.of(shape), dev.ann.plan.Shape.of(0, oh, ow),
                    new dev.ann.plan.Kind.Pair(kh, kw), new dev.ann.plan.Kind.Pair((int) st[0], (int) st[1]),
                    new dev.ann.plan.Kind.Pair((int) dl[0], (int) dl[1]), true);
            if (!Arrays.equals(p, same)) {
                throw unsupported(n, "pads " + Arrays.toString(p) + ": ann has valid (no padding) and same (" + Arrays.toString(same)
                        + " here); pad the input explicitly, or export with padding that gives ceil(size / stride)");
            }
            out[1] = oh;
            out[2] = ow;
            return true;
        }

        float[] perChannel(Onnx.NodeProto n, Tensor t, int c) {
            float[] v = t.floats();
            if (v.length == c) return v;
            need(n, v.length == size(shape), "a scale of " + v.length + " values for a " + shapeText(shape) + " input");
            int per = v.length / c;
            float[] out = new float[c];
            for (int k = 0; k < c; k++) {
                out[k] = v[k * per];
                for (int j = 0; j < per; j++) {
                    if (v[k * per + j] != out[k]) {
                        throw unsupported(n, "a scale or bias that varies within a channel (ann's layernorm has one per channel)");
                    }
                }
            }
            return out;
        }

        float[] broadcast(Tensor t, int units, Onnx.NodeProto n) {
            if (t.floats().length == units) return t.floats();
            if (t.floats().length == 1) { float[] o = new float[units]; Arrays.fill(o, t.floats()[0]); return o; }
            throw unsupported(n, "a bias of " + t.floats().length + " values for " + units + " units");
        }

        String layerName(Onnx.NodeProto n, int weightInput) {
            String w = n.getInput(weightInput);
            String base = w.contains(".") ? w.substring(0, w.lastIndexOf('.')) : n.getName();
            String s = sanitize(base, n.getOpType().toLowerCase(Locale.ROOT));
            if (!Character.isLetter(s.charAt(0))) s = "l" + s;
            s = s.toLowerCase(Locale.ROOT);
            String name = s;
            for (int k = 2; !names.add(name) || RESERVED.contains(name); k++) name = s + "_" + k;
            return name;
        }

        void put(String name, int[] dims, float[] v) {
            if (size(dims) != v.length) throw bad(name + ": " + v.length + " values for shape " + Arrays.toString(dims));
            arrays.put(name, v);
            shapes.put(name, dims);
        }

        boolean isConst(String name) { return consts.containsKey(name); }

        int constSize(String name) { return consts.get(name).floats() == null ? -1 : consts.get(name).floats().length; }

        Tensor constant(Onnx.NodeProto n, int input) {
            if (n.getInputCount() <= input || !consts.containsKey(n.getInput(input))) {
                throw unsupported(n, "input " + input + " is not a constant (ann import takes the weights from initializers)");
            }
            return consts.get(n.getInput(input));
        }

        void need(Onnx.NodeProto n, boolean ok, String what) {
            if (!ok) throw unsupported(n, what + " has no ann equivalent");
        }

        RunException unsupported(Onnx.NodeProto n, String why) {
            return new RunException(RunException.BAD_INPUT, file + ": node '" + (n.getName().isEmpty() ? n.getOutput(0) : n.getName())
                    + "' (" + n.getOpType() + "): " + why + ". ann import maps chains of: " + String.join(", ", SUPPORTED));
        }

        RunException bad(String why) {
            return new RunException(RunException.BAD_INPUT, file + ": " + why);
        }
    }

    /** Words a generated layer name must not be. */
    static final Set<String> RESERVED = Set.of("input", "network", "dataset", "train", "profile", "block", "import",
            "residual", "parallel", "branch", "test", "validation");

    static Onnx.AttributeProto attr(Onnx.NodeProto n, String name) {
        for (Onnx.AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    static long l(Onnx.NodeProto n, String name, long def) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? def : a.getI();
    }

    static float f(Onnx.NodeProto n, String name, float def) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? def : a.getF();
    }

    static String s(Onnx.NodeProto n, String name, String def) {
        Onnx.AttributeProto a = attr(n, name);
        return a == null ? def : a.getS().toStringUtf8();
    }

    static long[] ls(Onnx.NodeProto n, String name, long... def) {
        Onnx.AttributeProto a = attr(n, name);
        if (a == null) return def;
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    static Tensor tensor(Onnx.TensorProto t) {
        int[] dims = t.getDimsList().stream().mapToInt(Long::intValue).toArray();
        int n = size(dims);
        ByteBuffer raw = t.getRawData().isEmpty() ? null : t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        switch (t.getDataType()) {
            case Onnx.TensorProto.DataType.FLOAT_VALUE -> {
                float[] v = new float[n];
                if (raw != null) raw.asFloatBuffer().get(v);
                else for (int i = 0; i < n; i++) v[i] = t.getFloatData(i);
                return new Tensor(dims, v, null);
            }
            case Onnx.TensorProto.DataType.DOUBLE_VALUE -> { // constants some exporters write in double
                float[] v = new float[n];
                if (raw != null) for (int i = 0; i < n; i++) v[i] = (float) raw.getDouble(8 * i);
                else for (int i = 0; i < n; i++) v[i] = (float) t.getDoubleData(i);
                return new Tensor(dims, v, null);
            }
            case Onnx.TensorProto.DataType.INT64_VALUE -> {
                long[] v = new long[n];
                if (raw != null) raw.asLongBuffer().get(v);
                else for (int i = 0; i < n; i++) v[i] = t.getInt64Data(i);
                return new Tensor(dims, null, v);
            }
            default -> { return new Tensor(dims, null, null); }
        }
    }

    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }

    static int size(int[] s) {
        int n = 1;
        for (int d : s) n *= d;
        return n;
    }

    static String shapeText(int[] s) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) b.append(i > 0 ? ", " : "").append(s[i]);
        return b.append("]").toString();
    }

    static String pair(int h, int w) { return h == w ? String.valueOf(h) : "[" + h + ", " + w + "]"; }

    static String stride(long[] s) { return s[0] == 1 && s[1] == 1 ? "" : ", stride: " + pair((int) s[0], (int) s[1]); }

    static String dilation(long[] d) { return d[0] == 1 && d[1] == 1 ? "" : ", dilation: " + pair((int) d[0], (int) d[1]); }

    /** A float as the shortest text that reads back to it. */
    static String num(float v) {
        String s = new java.math.BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
        return s.contains(".") ? s : s + ".0";
    }

    static String sanitize(String s, String fallback) {
        String t = s == null ? "" : s.replaceAll("[^A-Za-z0-9_]", "_").replaceAll("_+", "_").replaceAll("^_|_$", "");
        if (t.isEmpty()) t = fallback;
        if (!Character.isLetter(t.charAt(0))) t = fallback + "_" + t;
        return t;
    }
}
