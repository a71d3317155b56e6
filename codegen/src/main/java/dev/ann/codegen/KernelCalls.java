package dev.ann.codegen;

import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import dev.ann.plan.Args;
import dev.ann.plan.Kind;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The network, loss, optimiser and schedule of a Plan as calls of the kernel
 * library: the same construction the runtime's {@code PlanKernels} does with
 * objects, written as Java source. No op's arithmetic is written here; every
 * argument comes resolved from the Plan (no default is applied).
 */
final class KernelCalls implements Kind.Visitor<CodeBlock> {
    private final Plan plan;
    private final SourceLines sources;

    KernelCalls(Plan plan, SourceLines sources) {
        this.plan = plan;
        this.sources = sources;
    }

    // ---- one layer per op kind -----------------------------------------------------------------

    public CodeBlock input(Kind.Input k) { return CodeBlock.of("new $T()", KernelTypes.layer("Input")); }
    public CodeBlock dense(Kind.Dense k) { return CodeBlock.of("new $T()", KernelTypes.layer("Dense")); }
    public CodeBlock conv2d(Kind.Conv2d k) {
        return CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L)", KernelTypes.layer("Conv2d"), k.kernel().h(), k.kernel().w(),
                k.stride().h(), k.stride().w(), k.dilation().h(), k.dilation().w(), k.same());
    }
    public CodeBlock pool(Kind.Pool k) {
        return CodeBlock.of("new $T($L, $L, $L, $L, $L, $L)", KernelTypes.layer("Pool"), k.max(), k.size().h(), k.size().w(),
                k.stride().h(), k.stride().w(), k.same());
    }
    public CodeBlock globalAvgPool(Kind.GlobalAvgPool k) { return CodeBlock.of("new $T()", KernelTypes.layer("GlobalAvgPool")); }
    public CodeBlock reshape(Kind.Reshape k) { return CodeBlock.of("new $T()", KernelTypes.layer("Reshape")); }
    public CodeBlock dropout(Kind.Dropout k) { return CodeBlock.of("new $T($L)", KernelTypes.layer("Dropout"), Code.lit(k.rate())); }
    public CodeBlock batchNorm(Kind.BatchNorm k) {
        return CodeBlock.of("new $T($L, $L)", KernelTypes.layer("BatchNorm"), Code.lit(k.momentum()), Code.lit(k.eps()));
    }
    public CodeBlock layerNorm(Kind.LayerNorm k) { return CodeBlock.of("new $T($L)", KernelTypes.layer("LayerNorm"), Code.lit(k.eps())); }
    public CodeBlock activation(Kind.Activation k) {
        return CodeBlock.of("new $T(new $T($T.$L, $L))", KernelTypes.layer("ActivationLayer"), KernelTypes.ACTIVATION,
                KernelTypes.ACTIVATION.nestedClass("Fn"), k.function().name(), Code.lit(k.param()));
    }
    public CodeBlock concat(Kind.Concat k) { return CodeBlock.of("new $T()", KernelTypes.layer("Concat")); }
    public CodeBlock add(Kind.Add k) { return CodeBlock.of("new $T()", KernelTypes.layer("Add")); }
    public CodeBlock embedding(Kind.Embedding k) { return CodeBlock.of("new $T()", KernelTypes.RECURRENT.nestedClass("Embedding")); }
    public CodeBlock recurrent(Kind.Recurrent k) {
        return CodeBlock.of("new $T($L, $L, $L, $L)", KernelTypes.RECURRENT.nestedClass("Rnn"), k.gru(), k.units(), k.sequences(),
                k.bidirectional());
    }
    public CodeBlock conv1d(Kind.Conv1d k) {
        return CodeBlock.of("new $T($L, $L, $L, $L)", KernelTypes.SEQUENCE.nestedClass("Conv1d"), k.kernel(), k.stride(),
                k.dilation(), k.same());
    }
    public CodeBlock pool1d(Kind.Pool1d k) {
        return CodeBlock.of("new $T($L, $L, $L, $L)", KernelTypes.SEQUENCE.nestedClass("Pool1d"), k.max(), k.size(), k.stride(),
                k.same());
    }
    public CodeBlock globalMaxPool(Kind.GlobalMaxPool k) { return CodeBlock.of("new $T()", KernelTypes.SEQUENCE.nestedClass("GlobalMaxPool")); }
    public CodeBlock attention(Kind.Attention k) {
        return CodeBlock.of("new $T($L, $L)", KernelTypes.SEQUENCE.nestedClass("Attention"), k.heads(), k.causal());
    }
    public CodeBlock positional(Kind.Positional k) {
        return CodeBlock.of("new $T($L)", KernelTypes.SEQUENCE.nestedClass("Positional"), k.learned());
    }

    // ---- the network ---------------------------------------------------------------------------

    /**
     * {@code static Network network()}: the input, one {@code net.add} per op in plan order under a comment naming
     * its .ann statement, one {@code net.param} per parameter in plan order (the layout of the flat buffers), then
     * {@code build} for the loss.
     */
    MethodSpec networkMethod() {
        JavaNames names = new JavaNames();
        names.reserve("net");
        Map<Integer, String> var = new HashMap<>();
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("$T net = new $T($T.FLOAT)", KernelTypes.NETWORK, KernelTypes.NETWORK, Nd4jTypes.DATA_TYPE);
        String lastSource = null;
        for (Op op : plan.ops()) {
            long[] shape = longs(op.outShape().toArray());
            if (op.id() == 0) {
                b.addStatement("net.input($L)", Code.longs(shape));
                var.put(0, "0");
                continue;
            }
            String where = op.source() == null ? null : sources.describe(op.source());
            if (where != null && !where.equals(lastSource)) b.add("// $L\n", where.replace("$", "$$"));
            lastSource = where;
            String v = names.field(op.name(), "");
            var.put(op.id(), v);
            StringBuilder from = new StringBuilder();
            for (int in : op.inputs()) from.append(", ").append(var.get(in));
            b.addStatement("int $L = net.add($S, $L, new long[] {$L}$L)", v, op.name(), op.layer().accept(this), Code.longs(shape), from);
        }
        for (Param p : plan.params()) {
            b.addStatement("net.param($L, $S, new long[] {$L}, $L, $L)", var.get(p.op()), p.role(), Code.longs(longs(p.shape().toArray())),
                    p.trainable(), init(p));
        }
        b.addStatement("return net.build($T.$L)", KernelTypes.LOSS.nestedClass("Fn"), enumName(plan.loss().kind()));
        return MethodSpec.methodBuilder("network")
                .addJavadoc("Network {@code $L} as kernel layers, in {@code .ann} order; its parameters are views into one flat\n"
                        + "buffer laid out in the order declared here, zero until {@code init(seed)} or a checkpoint sets them.\n",
                        plan.network())
                .addModifiers(Modifier.STATIC)
                .returns(KernelTypes.NETWORK)
                .addCode(b.build())
                .build();
    }

    private static CodeBlock init(Param p) {
        Param.Init in = p.init();
        if (in == null) throw new IllegalArgumentException("parameter " + p.name() + " has no initialiser in the plan");
        return switch (in.kind()) {
            case "he" -> CodeBlock.of("$T.he($L)", KernelTypes.INIT, in.fanIn());
            case "xavier" -> CodeBlock.of("$T.xavier($L, $L)", KernelTypes.INIT, in.fanIn(), in.fanOut());
            case "normal" -> CodeBlock.of("$T.normal($L)", KernelTypes.INIT, Code.lit(in.std()));
            case "zeros" -> CodeBlock.of("$T.zeros()", KernelTypes.INIT);
            case "ones" -> CodeBlock.of("$T.ones()", KernelTypes.INIT);
            default -> throw new IllegalArgumentException("parameter " + p.name() + ": no initialiser '" + in.kind() + "'");
        };
    }

    // ---- loss, optimiser, schedule -------------------------------------------------------------

    /** {@code new Loss(...)} for the network in variable {@code net}. */
    CodeBlock loss() {
        Args a = plan.loss().args();
        return CodeBlock.of("new $T($T.$L, $L, $L, net.fusion())", KernelTypes.LOSS, KernelTypes.LOSS.nestedClass("Fn"),
                enumName(plan.loss().kind()), a.has("from_logits") && a.getBool("from_logits"),
                Code.lit(a.has("delta") ? a.getDouble("delta") : 0));
    }

    /** The optimiser over {@code net.params()} at learning rate {@code lr} (an expression). */
    CodeBlock optimizer(String lr) {
        Plan.Component c = plan.optimizer();
        Args a = c.args();
        String kind = c.kind().toLowerCase(Locale.ROOT);
        List<String> rest = switch (kind) {
            case "sgd" -> List.of(Code.lit(a.getDouble("momentum")), String.valueOf(a.getBool("nesterov")),
                    Code.lit(a.getDouble("weight_decay")));
            case "adam", "adamw" -> List.of(Code.lit(a.getDouble("beta1")), Code.lit(a.getDouble("beta2")), Code.lit(a.getDouble("eps")),
                    Code.lit(a.getDouble("weight_decay")));
            case "rmsprop" -> List.of(Code.lit(a.getDouble("rho")), Code.lit(a.getDouble("momentum")), Code.lit(a.getDouble("eps")));
            case "adagrad" -> List.of(Code.lit(a.getDouble("eps")));
            default -> throw new IllegalArgumentException("no optimiser '" + c.kind() + "'");
        };
        return CodeBlock.of("$T.$L(net.params(), $L, $L)", KernelTypes.OPTIMIZER, kind, lr, String.join(", ", rest));
    }

    /** The optimiser's learning rate as the plan declares it (the trainer's {@code --lr} default). */
    double learningRate() {
        return plan.optimizer().args().getDouble("lr");
    }

    CodeBlock schedule() {
        Plan.Component c = plan.schedule();
        if (c == null) return CodeBlock.of("$T.constant()", KernelTypes.SCHEDULE);
        Args a = c.args();
        return switch (c.kind().toLowerCase(Locale.ROOT)) {
            case "constant" -> CodeBlock.of("$T.constant()", KernelTypes.SCHEDULE);
            case "step" -> CodeBlock.of("$T.step($L, $L)", KernelTypes.SCHEDULE, a.getInt("every"), Code.lit(a.getDouble("gamma")));
            case "exponential" -> CodeBlock.of("$T.exponential($L)", KernelTypes.SCHEDULE, Code.lit(a.getDouble("gamma")));
            case "cosine" -> CodeBlock.of("$T.cosine($L)", KernelTypes.SCHEDULE, Code.lit(a.getDouble("warmup")));
            default -> throw new IllegalArgumentException("no schedule '" + c.kind() + "'");
        };
    }

    private static String enumName(String languageName) {
        return languageName.toUpperCase(Locale.ROOT);
    }

    static long[] longs(int[] a) {
        long[] o = new long[a.length];
        for (int i = 0; i < a.length; i++) o[i] = a[i];
        return o;
    }
}
