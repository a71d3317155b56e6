package dev.ann.codegen;

import static dev.ann.codegen.Code.customOp;
import static dev.ann.codegen.Code.lit;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.MethodSpec;
import dev.ann.plan.Args;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.plan.SourcePos;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The network of a Plan as straight-line ND4J code, op for op what the
 * runtime's {@code Net} and {@code Layers} do: parameters as views into one
 * flat buffer, an activation after its layer, a final softmax (sigmoid) left
 * to the cross-entropy (binary cross-entropy) loss, the same ND4J op for
 * every step and the same order of operations.
 */
final class NetworkCode {
    /** What was left out of the forward pass for the loss to do on logits. */
    enum OutputFusion { NONE, SOFTMAX, SIGMOID }

    /** An intermediate array: one per batch size, allocated once. */
    record Buffer(String name, long[] perSample, String doc) {}

    static final Set<String> ACTIVATIONS = Set.of(
            "identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus", "swish", "softmax");

    private final Plan plan;
    private final List<Op> ops;
    private final JavaNames names;
    private final SourceLines lines;
    private final int[][] consumers;
    final OutputFusion fusion;
    /** op whose output is the training output (the logits when fused) */
    final int outId;

    final List<Buffer> buffers = new ArrayList<>();
    final List<FieldSpec> fields = new ArrayList<>();
    private final Map<String, String> paramField = new HashMap<>();
    private final Map<String, String> gradField = new HashMap<>();
    /** "a.name" of each buffer by op id and role suffix */
    private final Map<String, String> bufferOf = new HashMap<>();
    long trainableCount;
    long stateCount;
    private boolean usesTraining;
    private boolean usesInputInBackward;

    NetworkCode(Plan plan, JavaNames names, SourceLines lines) {
        this.plan = plan;
        this.ops = plan.ops();
        this.names = names;
        this.lines = lines;
        int n = ops.size();
        List<List<Integer>> cons = new ArrayList<>();
        for (int i = 0; i < n; i++) cons.add(new ArrayList<>());
        for (Op op : ops) for (int in : op.inputs()) cons.get(in).add(op.id());
        consumers = new int[n][];
        for (int i = 0; i < n; i++) consumers[i] = cons.get(i).stream().mapToInt(Integer::intValue).toArray();

        Op last = ops.get(n - 1);
        String loss = plan.loss().kind();
        OutputFusion f = OutputFusion.NONE;
        if (last.inputs().size() == 1 && consumers[last.inputs().get(0)].length == 1) {
            if (loss.equals("cross_entropy") && last.kind().equals("softmax")) f = OutputFusion.SOFTMAX;
            if (loss.equals("binary_cross_entropy") && last.kind().equals("sigmoid") && num(last.args(), "beta", 1) == 1.0) {
                f = OutputFusion.SIGMOID;
            }
        }
        fusion = f;
        outId = f == OutputFusion.NONE ? n - 1 : last.inputs().get(0);

        declareParameters();
    }

    // ---- parameters --------------------------------------------------------------------------

    private void declareParameters() {
        List<Param> trainable = plan.params().stream().filter(Param::trainable).toList();
        List<Param> state = plan.params().stream().filter(p -> !p.trainable()).toList();
        for (Param p : trainable) trainableCount += p.shape().size();
        for (Param p : state) stateCount += p.shape().size();
        ClassName nd4j = Nd4jTypes.ND4J, dt = Nd4jTypes.DATA_TYPE, arr = Nd4jTypes.INDARRAY;
        fields.add(FieldSpec.builder(arr, "params", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("Every trainable parameter, one after the other; the optimiser updates them in one op.\n")
                .initializer("$T.zeros($T.FLOAT, $L)", nd4j, dt, Math.max(1, trainableCount)).build());
        fields.add(FieldSpec.builder(arr, "grads", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("The gradient of the loss with respect to {@link #params}, laid out the same way.\n")
                .initializer("$T.zeros($T.FLOAT, $L)", nd4j, dt, Math.max(1, trainableCount)).build());
        if (!state.isEmpty()) {
            fields.add(FieldSpec.builder(arr, "state", Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("State that is not trained: batchnorm running statistics.\n")
                    .initializer("$T.zeros($T.FLOAT, $L)", nd4j, dt, stateCount).build());
        }
        long off = 0;
        for (Param p : trainable) {
            String owner = ops.get(p.op()).name();
            String field = names.field(owner, role(p.role()));
            String grad = names.field(owner, role(p.role()) + "Grad");
            paramField.put(p.name(), field);
            gradField.put(p.name(), grad);
            String shape = Code.longs(toLong(p.shape().toArray()));
            fields.add(FieldSpec.builder(arr, field, Modifier.PRIVATE, Modifier.FINAL)
                    .initializer("view(params, $L, $L)", off, shape).build());
            fields.add(FieldSpec.builder(arr, grad, Modifier.PRIVATE, Modifier.FINAL)
                    .initializer("view(grads, $L, $L)", off, shape).build());
            off += p.shape().size();
        }
        off = 0;
        for (Param p : state) {
            String owner = ops.get(p.op()).name();
            String field = names.field(owner, role(p.role()));
            paramField.put(p.name(), field);
            fields.add(FieldSpec.builder(arr, field, Modifier.PRIVATE, Modifier.FINAL)
                    .initializer("view(state, $L, $L)", off, Code.longs(toLong(p.shape().toArray()))).build());
            off += p.shape().size();
        }
    }

    private static String role(String role) {
        String c = JavaNames.lowerCamel(role);
        return Character.toUpperCase(c.charAt(0)) + c.substring(1);
    }

    boolean hasState() {
        return stateCount > 0;
    }

    /** {@code view(flat, offset, shape...)}: a parameter tensor inside a flat buffer. */
    MethodSpec viewMethod() {
        return MethodSpec.methodBuilder("view")
                .addJavadoc("The tensor of the given shape that starts at {@code offset} in a flat buffer, sharing its memory.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(Nd4jTypes.INDARRAY)
                .addParameter(Nd4jTypes.INDARRAY, "flat")
                .addParameter(long.class, "offset")
                .addParameter(long[].class, "shape")
                .varargs()
                .addStatement("long length = 1")
                .addStatement("for (long d : shape) length *= d")
                .addStatement("$T v = flat.get($T.interval(offset, offset + length))", Nd4jTypes.INDARRAY, Nd4jTypes.INDEX)
                .addStatement("return shape.length == 1 ? v : v.reshape('c', shape)")
                .build();
    }

    /** Initialises every parameter from the seed: one java.util.Random, parameters in plan order. */
    MethodSpec initialiseMethod() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("initialise")
                .addJavadoc("Draws the initial weights from one {@code java.util.Random(seed)}, parameters in .ann order.\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(long.class, "seed");
        m.addStatement("$T random = new $T(seed)", java.util.Random.class, java.util.Random.class);
        for (Param p : plan.params()) {
            Param.Init in = p.init();
            String kind = in == null ? defaultInit(p) : in.kind();
            String field = paramField.get(p.name());
            switch (kind) {
                case "he" -> m.addStatement("gaussian(random, $L, Math.sqrt(2.0 / $L))", field, Math.max(1, in.fanIn()));
                case "xavier" -> m.addStatement("gaussian(random, $L, Math.sqrt(2.0 / $L))", field,
                        Math.max(1, in.fanIn() + in.fanOut()));
                case "normal" -> {
                    if (in.std() > 0) m.addStatement("gaussian(random, $L, $L)", field, lit(in.std()));
                }
                case "ones" -> m.addStatement("$L.assign(1.0)", field);
                default -> { } // zeros: the buffers start at zero
            }
        }
        return m.build();
    }

    boolean usesGaussian() {
        for (Param p : plan.params()) {
            Param.Init in = p.init();
            String kind = in == null ? defaultInit(p) : in.kind();
            if (kind.equals("he") || kind.equals("xavier") || (kind.equals("normal") && in.std() > 0)) return true;
        }
        return false;
    }

    MethodSpec gaussianMethod() {
        return MethodSpec.methodBuilder("gaussian")
                .addJavadoc("Fills {@code target} with normal samples of standard deviation {@code std}, drawn in double precision.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(java.util.Random.class, "random")
                .addParameter(Nd4jTypes.INDARRAY, "target")
                .addParameter(double.class, "std")
                .addStatement("double[] values = new double[(int) target.length()]")
                .addStatement("for (int i = 0; i < values.length; i++) values[i] = random.nextGaussian() * std")
                .addStatement("target.assign($T.createFromArray(values).castTo($T.FLOAT).reshape(target.shape()))",
                        Nd4jTypes.ND4J, Nd4jTypes.DATA_TYPE)
                .build();
    }

    private static String defaultInit(Param p) {
        return switch (p.role()) {
            case "gamma", "running_var" -> "ones";
            case "weight" -> throw new IllegalArgumentException("parameter " + p.name() + " has no initialiser");
            default -> "zeros";
        };
    }

    // ---- forward -----------------------------------------------------------------------------

    /** Forward expressions (what each op's output is called inside forward). */
    private String[] fwd;

    MethodSpec forwardMethod() {
        fwd = new String[ops.size()];
        fwd[0] = "x";
        CodeBlock.Builder body = CodeBlock.builder();
        SourcePos shown = null;
        for (int i = 1; i <= outId; i++) {
            Op op = ops.get(i);
            if (!sameLine(op.source(), shown)) {
                body.add("// $L\n", lines.describe(op.source()));
                shown = op.source();
            }
            emitForward(op, body);
        }
        body.addStatement("return $L", fwd[outId]);
        String doc = switch (fusion) {
            case SOFTMAX -> "The forward pass over a batch; returns the logits: the final softmax is left to the loss.\n";
            case SIGMOID -> "The forward pass over a batch; returns the logits: the final sigmoid is left to the loss.\n";
            case NONE -> "The forward pass over a batch; returns the network's output.\n";
        };
        MethodSpec.Builder m = MethodSpec.methodBuilder("forward")
                .addJavadoc(doc)
                .addModifiers(Modifier.PRIVATE)
                .returns(Nd4jTypes.INDARRAY)
                .addParameter(ClassName.get("", "Activations"), "a")
                .addParameter(Nd4jTypes.INDARRAY, "x");
        if (usesTraining) m.addParameter(boolean.class, "training");
        return m.addCode(body.build()).build();
    }

    boolean forwardTakesTrainingFlag() {
        return usesTraining;
    }

    private static boolean sameLine(SourcePos a, SourcePos b) {
        return b != null && a != null && a.line() == b.line() && a.file().equals(b.file());
    }

    private String buffer(Op op, String suffix, long[] perSample, String doc) {
        String name = names.field(op.name(), suffix);
        buffers.add(new Buffer(name, perSample, doc));
        bufferOf.put(op.id() + suffix, "a." + name);
        return "a." + name;
    }

    private String bufferOf(Op op, String suffix) {
        String b = bufferOf.get(op.id() + suffix);
        if (b == null) throw new IllegalStateException("no buffer " + suffix + " for " + op.name());
        return b;
    }

    private long[] outShape(int id) {
        return toLong(ops.get(id).outShape().toArray());
    }

    private void emitForward(Op op, CodeBlock.Builder b) {
        int i = op.id();
        String in = op.inputs().isEmpty() ? null : fwd[op.inputs().get(0)];
        Args args = op.args();
        switch (op.kind()) {
            case "dense" -> {
                String x = denseInput(op, in);
                String z = buffer(op, "", outShape(i), op.name() + ": x W + b");
                Param w = param(op, "weight"), bias = paramOrNull(op, "bias");
                if (bias != null) {
                    b.add(customOp("xw_plus_b", List.of(x, paramField.get(w.name()), paramField.get(bias.name())),
                            List.of(z), null, null));
                } else {
                    b.addStatement("$T.gemm($L, $L, $L, false, false, 1.0, 0.0)", Nd4jTypes.ND4J, x, paramField.get(w.name()), z);
                }
                fwd[i] = z;
            }
            case "conv2d" -> {
                String z = buffer(op, "", outShape(i), op.name() + ": convolution");
                b.add(customOp("conv2d", List.of(in, paramField.get(param(op, "weight").name()), convBias(op, false)),
                        List.of(z), convArgs(args), null));
                fwd[i] = z;
            }
            case "maxpool", "avgpool" -> {
                // on NHWC copies: oneDNN pools NHWC with a vectorised kernel, plain NCHW with a slow one
                String xn = buffer(op, "InputNhwc", nhwc(outShape(op.inputs().get(0))), op.name() + ": its input as NHWC");
                String zn = buffer(op, "Nhwc", nhwc(outShape(i)), op.name() + ": its output as NHWC");
                String z = buffer(op, "", outShape(i), op.name());
                b.addStatement("$L.assign($L.permute(0, 2, 3, 1))", xn, in);
                b.add(customOp(poolOp(op), List.of(xn), List.of(zn), poolArgs(args), null));
                b.addStatement("$L.assign($L.permute(0, 3, 1, 2))", z, zn);
                fwd[i] = z;
            }
            case "globalavgpool" -> {
                String z = buffer(op, "", outShape(i), op.name() + ": mean over height and width");
                b.addStatement("$L.mean($L, 2, 3)", in, z);
                fwd[i] = z;
            }
            case "flatten", "reshape" -> {
                String name = names.field(op.name(), "");
                b.addStatement("$T $L = $L.reshape(a.batchSize, $L)", Nd4jTypes.INDARRAY, name, in, Code.longs(outShape(i)));
                fwd[i] = name;
            }
            case "dropout" -> {
                double rate = num(args, "rate", 0.5);
                if (rate <= 0) {
                    fwd[i] = in;
                    break;
                }
                usesTraining = true;
                String name = names.field(op.name(), "");
                String mask = buffer(op, "Mask", outShape(i), op.name() + ": 0 or 1/(1-rate) per value");
                String out = buffer(op, "", outShape(i), op.name());
                b.addStatement("$T $L = $L", Nd4jTypes.INDARRAY, name, in);
                b.beginControlFlow("if (training)");
                b.addStatement("$T.exec(new $T($L, $L))", Nd4jTypes.ND4J, Nd4jTypes.BERNOULLI, mask, lit(1.0 - rate));
                b.addStatement("$L.muli($L)", mask, lit(1.0 / (1.0 - rate)));
                b.addStatement("$T.exec(new $T($L, $L, $L))", Nd4jTypes.ND4J, Nd4jTypes.pairwise("MulOp"), in, mask, out);
                b.addStatement("$L = $L", name, out);
                b.endControlFlow();
                fwd[i] = name;
            }
            case "batchnorm" -> {
                usesTraining = true;
                usesBatchnorm = true;
                long c = ops.get(op.inputs().get(0)).outShape().dim(0);
                String out = buffer(op, "", outShape(i), op.name());
                String d = buffer(op, "Centred", outShape(op.inputs().get(0)), op.name() + ": input minus the batch mean, for backward");
                String inv = buffer(op, "InvStd", null, op.name() + ": 1 / sqrt(batch variance + eps) per channel, for backward");
                bufferShapes.put(inv, new long[] {c});
                double momentum = num(args, "momentum", 0.9), eps = num(args, "eps", 1e-5);
                String gamma = paramField.get(param(op, "gamma").name()), beta = paramField.get(param(op, "beta").name());
                String rmean = paramField.get(param(op, "running_mean").name()), rvar = paramField.get(param(op, "running_var").name());
                b.beginControlFlow("if (training)");
                b.addStatement("batchnormTrain($L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", in, gamma, beta, rmean, rvar,
                        lit(momentum), lit(eps), d, inv, out);
                b.nextControlFlow("else");
                b.addStatement("batchnormEval($L, $L, $L, $L, $L, $L, $L)", in, gamma, beta, rmean, rvar, lit(eps), out);
                b.endControlFlow();
                fwd[i] = out;
            }
            case "concat" -> {
                String out = buffer(op, "", outShape(i), op.name() + ": inputs side by side on the channel axis");
                long c = 0;
                int rank = ops.get(i).outShape().rank() + 1;
                for (int k = 0; k < op.inputs().size(); k++) {
                    long w = ops.get(op.inputs().get(k)).outShape().dim(0);
                    b.addStatement("$L.get($L).assign($L)", out, channels(rank, c, c + w), fwd[op.inputs().get(k)]);
                    c += w;
                }
                fwd[i] = out;
            }
            case "add" -> {
                String out = buffer(op, "", outShape(i), op.name() + ": the sum of its inputs");
                b.addStatement("$T.exec(new $T($L, $L, $L))", Nd4jTypes.ND4J, Nd4jTypes.pairwise("AddOp"),
                        fwd[op.inputs().get(0)], fwd[op.inputs().get(1)], out);
                for (int k = 2; k < op.inputs().size(); k++) b.addStatement("$L.addi($L)", out, fwd[op.inputs().get(k)]);
                fwd[i] = out;
            }
            default -> {
                if (!ACTIVATIONS.contains(op.kind())) throw unsupported(op, "the op kind '" + op.kind() + "'");
                if (op.kind().equals("identity")) {
                    fwd[i] = in;
                    break;
                }
                String out = buffer(op, "", outShape(i), op.name() + ": " + op.kind());
                Activation.forward(b, op.kind(), activationParam(op), in, out, op.outShape().rank());
                fwd[i] = out;
            }
        }
    }

    /** Explicit shapes of buffers that are not [batch, sample shape] (batchnorm statistics). */
    final Map<String, long[]> bufferShapes = new HashMap<>();

    private String denseInput(Op op, String in) {
        int src = op.inputs().get(0);
        if (ops.get(src).outShape().rank() == 1) return in;
        return in + ".reshape(a.batchSize, " + ops.get(src).outShape().size() + ")";
    }

    private String channels(int rank, long from, long to) {
        List<String> idx = new ArrayList<>();
        for (int k = 0; k < rank; k++) idx.add(k == 1 ? "interval(" + from + ", " + to + ")" : "all()");
        usesIndex = true;
        return Code.join(idx);
    }

    /** Whether generated code spells {@code NDArrayIndex} out by simple name (it must then be imported). */
    boolean usesIndex;

    static double activationParam(Op op) {
        return switch (op.kind()) {
            case "step" -> num(op.args(), "threshold", 0);
            case "sigmoid" -> num(op.args(), "beta", 1);
            case "leaky_relu" -> num(op.args(), "alpha", 0.01);
            case "elu" -> num(op.args(), "alpha", 1);
            default -> 0;
        };
    }

    private static String poolOp(Op op) {
        return op.kind().equals("maxpool") ? "maxpool2d" : "avgpool2d";
    }

    /** kH kW sH sW pH pW dH dW same 0 NCHW, as the runtime passes them to conv2d. */
    private static long[] convArgs(Args a) {
        int[] k = pair(a, "kernel", 3), s = pair(a, "stride", 1), d = pair(a, "dilation", 1);
        boolean same = str(a, "padding", "valid").equals("same");
        return new long[] {k[0], k[1], s[0], s[1], 0, 0, d[0], d[1], same ? 1 : 0, 0, 1};
    }

    private static long[] poolArgs(Args a) {
        int[] k = pair(a, "size", 2);
        int[] s = a.has("stride") ? pair(a, "stride", k[0]) : k;
        boolean same = str(a, "padding", "valid").equals("same");
        return new long[] {k[0], k[1], s[0], s[1], 0, 0, 1, 1, same ? 1 : 0, 0, 1};
    }

    /** [C, H, W] as [H, W, C]. */
    private static long[] nhwc(long[] chw) {
        return new long[] {chw[1], chw[2], chw[0]};
    }

    // ---- backward ----------------------------------------------------------------------------

    private String[] bwd;

    /** The output of op i during training, as backward refers to it. */
    private String trainingOutput(int i) {
        if (i == 0) {
            usesInputInBackward = true;
            return "x";
        }
        return bwd[i];
    }

    MethodSpec backwardMethod() {
        int n = ops.size();
        bwd = new String[n];
        for (int i = 1; i <= outId; i++) {
            Op op = ops.get(i);
            String in = op.inputs().isEmpty() ? null : (op.inputs().get(0) == 0 ? "x" : bwd[op.inputs().get(0)]);
            bwd[i] = switch (op.kind()) {
                case "flatten", "reshape" -> in + ".reshape(a.batchSize, " + Code.longs(outShape(i)) + ")";
                case "identity" -> in;
                case "dropout" -> num(op.args(), "rate", 0.5) <= 0 ? in : fwdBufferOf(op);
                default -> fwdBufferOf(op);
            };
        }
        String[] g = new String[n];
        int[] arrived = new int[n];
        g[outId] = "gradOut";
        CodeBlock.Builder body = CodeBlock.builder();
        SourcePos shown = null;
        for (int i = outId; i >= 1; i--) {
            if (g[i] == null) continue;
            Op op = ops.get(i);
            CodeBlock.Builder b = CodeBlock.builder();
            List<String> gi = emitBackward(op, g[i], b);
            CodeBlock code = b.build();
            if (!code.isEmpty()) {
                if (!sameLine(op.source(), shown)) body.add("// $L\n", lines.describe(op.source()));
                shown = op.source();
                body.add(code);
            }
            for (int k = 0; k < op.inputs().size(); k++) {
                int j = op.inputs().get(k);
                String gk = gi.get(k);
                if (j == 0 || gk == null) continue;
                if (consumers[j].length == 1) {
                    g[j] = gk;
                    continue;
                }
                String acc = accumulators.computeIfAbsent(j, x -> buffer(ops.get(x), "GradSum", outShape(x),
                        ops.get(x).name() + ": gradient summed over the ops it feeds"));
                if (arrived[j]++ == 0) body.addStatement("$L.assign($L)", acc, gk);
                else body.addStatement("$L.addi($L)", acc, gk);
                g[j] = acc;
            }
        }
        CodeBlock code = body.build();
        usesInputInBackward = java.util.regex.Pattern.compile("(?<![.\\w])x(?!\\w)").matcher(code.toString()).find();
        MethodSpec.Builder m = MethodSpec.methodBuilder("backward")
                .addJavadoc("Back-propagates {@code gradOut}, the gradient of the loss with respect to the output of\n"
                        + "{@link #forward}, into {@link #grads}.\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(ClassName.get("", "Activations"), "a");
        if (usesInputInBackward) m.addParameter(Nd4jTypes.INDARRAY, "x");
        return m.addParameter(Nd4jTypes.INDARRAY, "gradOut").addCode(code).build();
    }

    boolean backwardTakesInput() {
        return usesInputInBackward;
    }

    private final Map<Integer, String> accumulators = new HashMap<>();

    /** The buffer forward wrote op's training output to ("a.name"). */
    private String fwdBufferOf(Op op) {
        return bufferOf(op, "");
    }

    /** Emits op's backward; returns the gradient expression for each of its inputs (null where not computed). */
    private List<String> emitBackward(Op op, String g, CodeBlock.Builder b) {
        int i = op.id();
        int src = op.inputs().isEmpty() ? -1 : op.inputs().get(0);
        boolean needInputGrad = !(op.inputs().size() == 1 && src == 0);
        Args args = op.args();
        switch (op.kind()) {
            case "dense" -> {
                Param w = param(op, "weight"), bias = paramOrNull(op, "bias");
                String x = src == 0 ? trainingOutput(0) : bwd[src];
                if (ops.get(src).outShape().rank() != 1) x = x + ".reshape(a.batchSize, " + ops.get(src).outShape().size() + ")";
                b.addStatement("$T.gemm($L, $L, $L, true, false, 1.0, 0.0)", Nd4jTypes.ND4J, x, g, gradField.get(w.name()));
                if (bias != null) b.addStatement("$L.sum($L, 0)", g, gradField.get(bias.name()));
                if (!needInputGrad) return Arrays.asList((String) null);
                String gx = buffer(op, "InputGrad", new long[] {ops.get(src).outShape().size()}, op.name() + ": gradient of its input");
                b.addStatement("$T.gemm($L, $L, $L, false, true, 1.0, 0.0)", Nd4jTypes.ND4J, g, paramField.get(w.name()), gx);
                if (ops.get(src).outShape().rank() != 1) gx = gx + ".reshape(a.batchSize, " + Code.longs(outShape(src)) + ")";
                return List.of(gx);
            }
            case "conv2d" -> {
                String x = trainingOutput(src);
                String gx = buffer(op, "InputGrad", outShape(src), op.name() + ": gradient of its input");
                b.add(customOp("conv2d_bp", List.of(x, paramField.get(param(op, "weight").name()), convBias(op, false), g),
                        List.of(gx, gradField.get(param(op, "weight").name()), convBias(op, true)),
                        convArgs(args), null));
                return Arrays.asList(needInputGrad ? gx : null);
            }
            case "maxpool", "avgpool" -> {
                if (!needInputGrad) return Arrays.asList((String) null);
                String gn = buffer(op, "GradNhwc", nhwc(outShape(i)), op.name() + ": gradient of its output as NHWC");
                String gxn = buffer(op, "InputGradNhwc", nhwc(outShape(src)), op.name() + ": gradient of its input as NHWC");
                String gx = buffer(op, "InputGrad", outShape(src), op.name() + ": gradient of its input");
                b.addStatement("$L.assign($L.permute(0, 2, 3, 1))", gn, g);
                b.add(customOp(poolOp(op) + "_bp", List.of(bufferOf(op, "InputNhwc"), gn), List.of(gxn), poolArgs(args), null));
                b.addStatement("$L.assign($L.permute(0, 3, 1, 2))", gx, gxn);
                return List.of(gx);
            }
            case "globalavgpool" -> {
                if (!needInputGrad) return Arrays.asList((String) null);
                String gx = buffer(op, "InputGrad", outShape(src), op.name() + ": gradient of its input");
                long[] s = outShape(src);
                b.addStatement("$T.exec(new $T($L, $L, $L, 0, 1))", Nd4jTypes.ND4J, Nd4jTypes.broadcast("BroadcastCopyOp"), gx, g, gx);
                b.addStatement("$L.divi($LL)", gx, s[1] * s[2]);
                return List.of(gx);
            }
            case "flatten", "reshape" -> {
                if (!needInputGrad) return Arrays.asList((String) null);
                return List.of(g + ".reshape(a.batchSize, " + Code.longs(outShape(src)) + ")");
            }
            case "dropout" -> {
                if (num(args, "rate", 0.5) <= 0 || !needInputGrad) return Arrays.asList(needInputGrad ? g : null);
                String mask = bufferOf(op, "Mask");
                String gx = buffer(op, "Grad", outShape(i), op.name() + ": gradient of its input");
                b.addStatement("$T.exec(new $T($L, $L, $L))", Nd4jTypes.ND4J, Nd4jTypes.pairwise("MulOp"), g, mask, gx);
                return List.of(gx);
            }
            case "batchnorm" -> {
                String gx = buffer(op, "InputGrad", outShape(src), op.name() + ": gradient of its input");
                b.addStatement("batchnormBackward($L, $L, $L, $L, $L, $L, $L)", g, bufferOf(op, "Centred"), bufferOf(op, "InvStd"),
                        paramField.get(param(op, "gamma").name()), gradField.get(param(op, "gamma").name()),
                        gradField.get(param(op, "beta").name()), gx);
                return Arrays.asList(needInputGrad ? gx : null);
            }
            case "concat" -> {
                List<String> out = new ArrayList<>();
                long c = 0;
                int rank = op.outShape().rank() + 1;
                for (int k = 0; k < op.inputs().size(); k++) {
                    int j = op.inputs().get(k);
                    long w = ops.get(j).outShape().dim(0);
                    String gk = buffer(op, "Grad" + (k + 1), outShape(j), op.name() + ": gradient of input " + (k + 1));
                    b.addStatement("$L.assign($L.get($L))", gk, g, channels(rank, c, c + w));
                    out.add(gk);
                    c += w;
                }
                return out;
            }
            case "add" -> {
                List<String> out = new ArrayList<>();
                for (int k = 0; k < op.inputs().size(); k++) out.add(g);
                return out;
            }
            default -> {
                if (op.kind().equals("identity")) return List.of(g);
                if (!needInputGrad) return Arrays.asList((String) null);
                String z = trainingOutput(src);
                String gz = buffer(op, "Grad", outShape(i), op.name() + ": gradient of its input");
                String scratch = Activation.needsScratch(op.kind())
                        ? buffer(op, "Scratch", outShape(i), op.name() + ": scratch for the gradient") : null;
                Activation.backward(b, op.kind(), activationParam(op), z, bwd[i], g, gz, scratch, op.outShape().rank());
                return List.of(gz);
            }
        }
    }

    /**
     * The bias of a conv2d, or for {@code bias: false} a zero bias (and a gradient that goes nowhere): ND4J's conv2d
     * and conv2d_bp take one, as in the runtime.
     */
    private String convBias(Op op, boolean grad) {
        Param bias = paramOrNull(op, "bias");
        if (bias != null) return grad ? gradField.get(bias.name()) : paramField.get(bias.name());
        String key = op.id() + (grad ? "zeroBiasGrad" : "zeroBias");
        return zeroBiases.computeIfAbsent(key, k -> {
            String name = names.field(op.name(), grad ? "ZeroBiasGrad" : "ZeroBias");
            fields.add(FieldSpec.builder(Nd4jTypes.INDARRAY, name, Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc(grad ? "Where conv2d_bp puts the gradient of the zero bias; unused.\n"
                            : "bias: false: conv2d takes a bias, so a zero one.\n")
                    .initializer("$T.zeros($T.FLOAT, $L)", Nd4jTypes.ND4J, Nd4jTypes.DATA_TYPE, op.outShape().dim(0)).build());
            return name;
        });
    }

    private final Map<String, String> zeroBiases = new HashMap<>();

    // ---- batchnorm ---------------------------------------------------------------------------

    private boolean usesBatchnorm;

    boolean usesBatchnorm() {
        return usesBatchnorm;
    }

    /** The batchnorm helpers, op for op the runtime's {@code Layers.BatchNorm}. */
    List<MethodSpec> batchnormMethods() {
        ClassName arr = Nd4jTypes.INDARRAY, nd4j = Nd4jTypes.ND4J;
        ClassName mul = Nd4jTypes.pairwise("MulOp"), add = Nd4jTypes.pairwise("AddOp"), sub = Nd4jTypes.pairwise("SubOp");
        ClassName rsqrt = Nd4jTypes.floating("RSqrt");
        MethodSpec channelSum = MethodSpec.methodBuilder("channelSum")
                .addJavadoc("out[c] = the sum of a[n, c, ...] over the batch and the positions: the [N*C, H*W] view times ones.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(arr, "a").addParameter(long.class, "c").addParameter(arr, "out")
                .addStatement("long n = a.size(0), s = a.length() / (n * c)")
                .addStatement("$T rows = $T.createUninitialized(a.dataType(), n * c, 1)", arr, nd4j)
                .addStatement("$T.gemm(a.reshape(n * c, s), $T.ones(a.dataType(), s, 1), rows, false, false, 1.0, 0.0)", nd4j, nd4j)
                .addStatement("rows.reshape(n, c).sum(out, 0)")
                .build();
        MethodSpec train = MethodSpec.methodBuilder("batchnormTrain")
                .addJavadoc("batchnorm in training mode: out = gamma * d * inv + beta with d = x - batch mean and\n"
                        + "inv = 1 / sqrt(biased batch variance + eps); keeps d and inv for backward and moves the running statistics.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(arr, "x").addParameter(arr, "gamma").addParameter(arr, "beta")
                .addParameter(arr, "runningMean").addParameter(arr, "runningVar")
                .addParameter(double.class, "momentum").addParameter(double.class, "eps")
                .addParameter(arr, "d").addParameter(arr, "inv").addParameter(arr, "out")
                .addStatement("long n = x.size(0), c = gamma.length(), s = x.length() / (n * c)")
                .addStatement("double m = (double) n * s")
                .addStatement("$T x3 = x.reshape(n, c, s), d3 = d.reshape(n, c, s), y3 = out.reshape(n, c, s)", arr)
                .addStatement("$T mean = $T.createUninitialized(x.dataType(), c), var = mean.ulike(), scale = mean.ulike()", arr, nd4j)
                .addStatement("channelSum(x3, c, mean)")
                .addStatement("mean.divi(m)")
                .addStatement("$T.exec(new $T(x3, mean.reshape(1, c, 1), d3))", nd4j, sub)
                .addStatement("$T.exec(new $T(d3, d3, y3))", nd4j, mul)
                .addStatement("channelSum(y3, c, var)")
                .addStatement("var.divi(m)")
                .addStatement("inv.assign(var).addi(eps)")
                .addStatement("$T.exec(new $T(inv, inv))", nd4j, rsqrt)
                .addStatement("$T.exec(new $T(gamma, inv, scale))", nd4j, mul)
                .addStatement("$T.exec(new $T(d3, scale.reshape(1, c, 1), y3))", nd4j, mul)
                .addStatement("$T.exec(new $T(y3, beta.reshape(1, c, 1), y3))", nd4j, add)
                .addStatement("runningMean.muli(momentum).addi(mean.mul(1.0 - momentum))")
                .addStatement("runningVar.muli(momentum).addi(var.mul(1.0 - momentum))")
                .build();
        MethodSpec eval = MethodSpec.methodBuilder("batchnormEval")
                .addJavadoc("batchnorm in evaluation mode: out = x * scale + shift with scale = gamma / sqrt(runningVar + eps)\n"
                        + "and shift = beta - runningMean * scale.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(arr, "x").addParameter(arr, "gamma").addParameter(arr, "beta")
                .addParameter(arr, "runningMean").addParameter(arr, "runningVar")
                .addParameter(double.class, "eps").addParameter(arr, "out")
                .addStatement("long n = x.size(0), c = gamma.length(), s = x.length() / (n * c)")
                .addStatement("$T scale = $T.createUninitialized(x.dataType(), c), shift = scale.ulike()", arr, nd4j)
                .addStatement("scale.assign(runningVar).addi(eps)")
                .addStatement("$T.exec(new $T(scale, scale))", nd4j, rsqrt)
                .addStatement("scale.muli(gamma)")
                .addStatement("$T.exec(new $T(runningMean, scale, shift))", nd4j, mul)
                .addStatement("$T.exec(new $T(beta, shift, shift))", nd4j, sub)
                .addStatement("$T y3 = out.reshape(n, c, s)", arr)
                .addStatement("$T.exec(new $T(x.reshape(n, c, s), scale.reshape(1, c, 1), y3))", nd4j, mul)
                .addStatement("$T.exec(new $T(y3, shift.reshape(1, c, 1), y3))", nd4j, add)
                .build();
        MethodSpec backward = MethodSpec.methodBuilder("batchnormBackward")
                .addJavadoc("batchnorm's backward pass: betaGrad = sum g, gammaGrad = sum g * xhat and\n"
                        + "gx = gamma * inv * (g - betaGrad / m - xhat * gammaGrad / m) with xhat = d * inv,\n"
                        + "computed as gx = a * g + b * d + k with per-channel a, b and k. Overwrites d.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(arr, "g").addParameter(arr, "d").addParameter(arr, "inv").addParameter(arr, "gamma")
                .addParameter(arr, "gammaGrad").addParameter(arr, "betaGrad").addParameter(arr, "gx")
                .addStatement("long n = g.size(0), c = gamma.length(), s = g.length() / (n * c)")
                .addStatement("double m = (double) n * s")
                .addStatement("$T g3 = g.reshape(n, c, s), d3 = d.reshape(n, c, s), gx3 = gx.reshape(n, c, s)", arr)
                .addStatement("$T sgd = $T.createUninitialized(g.dataType(), c), a = sgd.ulike(), b = sgd.ulike(), k = sgd.ulike()", arr, nd4j)
                .addStatement("channelSum(g3, c, betaGrad)")
                .addStatement("$T.exec(new $T(g3, d3, gx3))", nd4j, mul)
                .addStatement("channelSum(gx3, c, sgd)")
                .addStatement("$T.exec(new $T(sgd, inv, gammaGrad))", nd4j, mul)
                .addStatement("$T.exec(new $T(gamma, inv, a))", nd4j, mul)
                .addStatement("$T.exec(new $T(a, inv, b))", nd4j, mul)
                .addStatement("b.muli(gammaGrad).muli(-1.0 / m)")
                .addStatement("$T.exec(new $T(a, betaGrad, k))", nd4j, mul)
                .addStatement("k.muli(-1.0 / m)")
                .addStatement("$T.exec(new $T(g3, a.reshape(1, c, 1), gx3))", nd4j, mul)
                .addStatement("$T.exec(new $T(d3, b.reshape(1, c, 1), d3))", nd4j, mul)
                .addStatement("$T.exec(new $T(gx3, d3, gx3))", nd4j, add)
                .addStatement("$T.exec(new $T(gx3, k.reshape(1, c, 1), gx3))", nd4j, add)
                .build();
        return List.of(channelSum, train, eval, backward);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private Param param(Op op, String role) {
        Param p = paramOrNull(op, role);
        if (p == null) throw new IllegalArgumentException(op.name() + " has no " + role + " parameter");
        return p;
    }

    private Param paramOrNull(Op op, String role) {
        for (Param p : plan.params()) if (p.op() == op.id() && p.role().equals(role)) return p;
        return null;
    }

    static IllegalArgumentException unsupported(Op op, String what) {
        return new IllegalArgumentException(op.source() + ": ann generate does not support " + what + " yet (" + op.name() + ")");
    }

    static double num(Args a, String name, double dflt) {
        return a != null && a.has(name) ? a.getDouble(name) : dflt;
    }

    static String str(Args a, String name, String dflt) {
        return a != null && a.has(name) ? String.valueOf(a.get(name)) : dflt;
    }

    static int[] pair(Args a, String name, int dflt) {
        if (a == null || !a.has(name)) return new int[] {dflt, dflt};
        List<Integer> l = a.getInts(name);
        return l.size() == 1 ? new int[] {l.get(0), l.get(0)} : new int[] {l.get(0), l.get(1)};
    }

    static long[] toLong(int[] a) {
        long[] o = new long[a.length];
        for (int i = 0; i < a.length; i++) o[i] = a[i];
        return o;
    }
}
