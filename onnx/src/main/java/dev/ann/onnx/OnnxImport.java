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
 * and Identity or Dropout (skipped). The input transform that {@code ann export}
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
            "Softplus", "Softmax", "gelu (0.5 x (1 + Erf(x / sqrt 2)))", "swish (x * Sigmoid(x))", "Flatten", "Reshape", "Identity", "Dropout");

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
            }
            Onnx.NodeProto end = walk(nodes);
            if (end != null) throw unsupported(end, "a join of paths that did not start at one fork");
            src.append(body).append("}\n");
            StringBuilder notes = new StringBuilder(head);
            if (scale != 1f) notes.append("// the model scales its inputs by ").append(num(scale)).append(": give the dataset `scale ").append(num(scale)).append("`\n");
            if (shift != null) notes.append("// the model normalises its inputs with fitted statistics: they are in the checkpoint (data.shift, data.mul)\n");
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
            return new Checkpoint(h, a, s);
        }

        /** The nodes that read a value (not counting constants). */
        List<Onnx.NodeProto> consumers(String v) {
            List<Onnx.NodeProto> out = new ArrayList<>();
            for (Onnx.NodeProto n : g.getNodeList()) {
                if (!n.getOpType().equals("Constant") && n.getInputList().contains(v)) out.add(n);
            }
            return out;
        }

        /** Whether a node joins paths: two or more of its inputs are not constants. */
        boolean isJoin(Onnx.NodeProto n) {
            int k = 0;
            for (String i : n.getInputList()) if (!i.isEmpty() && !consts.containsKey(i)) k++;
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
                    flattenFor(n, inputs);
                    String name = layerName(n, 1);
                    put(name + ".weight", new int[] {inputs, units}, w.floats());
                    boolean bias = i + 1 < nodes.size() && nodes.get(i + 1).getOpType().equals("Add")
                            && nodes.get(i + 1).getInputList().contains(n.getOutput(0));
                    shape = new int[] {units};
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
