package dev.ann.codegen;

import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.Registry;
import dev.ann.plan.Args;
import dev.ann.plan.Kind;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import dev.ann.plan.SourcePos;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans built by hand the way the compiler builds them: the examples' train
 * blocks, and networks that use every layer kind the generator knows.
 */
public final class TestPlans {
    public static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    private final List<Op> ops = new ArrayList<>();
    private final List<Param> params = new ArrayList<>();
    private final String file;
    private int cur;
    private int line = 1;

    TestPlans(String file, int... inputShape) {
        this.file = file;
        add("input", Map.of("shape", list(inputShape)), List.of(), Shape.of(inputShape));
    }

    static List<Integer> list(int... v) {
        List<Integer> l = new ArrayList<>();
        for (int x : v) l.add(x);
        return l;
    }

    static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** Subsequent ops come from this .ann line. */
    TestPlans line(int l) {
        line = l;
        return this;
    }

    Shape shape(int id) {
        return ops.get(id).outShape();
    }

    int cur() {
        return cur;
    }

    TestPlans from(int id) {
        cur = id;
        return this;
    }

    private int add(String kind, Map<String, Object> a, List<Integer> inputs, Shape out) {
        int id = ops.size();
        Category category = Kind.isActivation(kind) ? Category.ACTIVATION : Category.LAYER;
        ops.add(new Op(id, kind + "_" + id, kind, new Args(withDefaults(category, kind, a)), inputs, out, List.of(), 0, 0,
                new SourcePos(file, line, 5)));
        cur = id;
        return id;
    }

    private void param(int id, String kind, String role, Shape s, String init, long fanIn, long fanOut, boolean trainable) {
        params.add(new Param(kind + "_" + id + "." + role, id, role, s, new Param.Init(init, 0.05, fanIn, fanOut), trainable));
    }

    TestPlans dense(int units, String init) {
        int id = ops.size();
        long fin = shape(cur).size();
        param(id, "dense", "weight", Shape.of((int) fin, units), init, fin, units, true);
        param(id, "dense", "bias", Shape.of(units), "zeros", fin, units, true);
        add("dense", args("units", units, "bias", true, "init", init), List.of(cur), Shape.of(units));
        return this;
    }

    TestPlans act(String kind) {
        add(kind, Map.of(), List.of(cur), shape(cur));
        return this;
    }

    static int outDim(int in, int k, int s, boolean same) {
        return same ? (in + s - 1) / s : (in - k) / s + 1;
    }

    TestPlans conv(int filters, int k, String padding) {
        return conv(filters, k, padding, true);
    }

    TestPlans conv(int filters, int k, String padding, boolean bias) {
        int id = ops.size();
        Shape s = shape(cur);
        boolean same = padding.equals("same");
        long fin = (long) s.dim(0) * k * k;
        param(id, "conv2d", "weight", Shape.of(filters, s.dim(0), k, k), "he", fin, (long) filters * k * k, true);
        if (bias) param(id, "conv2d", "bias", Shape.of(filters), "zeros", fin, filters, true);
        add("conv2d", args("filters", filters, "kernel", k, "stride", 1, "padding", padding, "dilation", 1, "bias", bias), List.of(cur),
                Shape.of(filters, outDim(s.dim(1), k, 1, same), outDim(s.dim(2), k, 1, same)));
        return this;
    }

    TestPlans pool(String kind, int size, int stride, String padding) {
        Shape s = shape(cur);
        boolean same = padding.equals("same");
        add(kind, args("size", size, "stride", stride, "padding", padding), List.of(cur),
                Shape.of(s.dim(0), outDim(s.dim(1), size, stride, same), outDim(s.dim(2), size, stride, same)));
        return this;
    }

    TestPlans globalavgpool() {
        add("globalavgpool", Map.of(), List.of(cur), Shape.of(shape(cur).dim(0)));
        return this;
    }

    TestPlans flatten() {
        add("flatten", Map.of(), List.of(cur), Shape.of((int) shape(cur).size()));
        return this;
    }

    TestPlans dropout(double rate) {
        add("dropout", args("rate", rate), List.of(cur), shape(cur));
        return this;
    }

    TestPlans batchnorm() {
        int id = ops.size();
        int c = shape(cur).dim(0);
        param(id, "batchnorm", "gamma", Shape.of(c), "ones", 0, 0, true);
        param(id, "batchnorm", "beta", Shape.of(c), "zeros", 0, 0, true);
        param(id, "batchnorm", "running_mean", Shape.of(c), "zeros", 0, 0, false);
        param(id, "batchnorm", "running_var", Shape.of(c), "ones", 0, 0, false);
        add("batchnorm", args("momentum", 0.9, "eps", 1e-5), List.of(cur), shape(cur));
        return this;
    }

    TestPlans concat(int... inputs) {
        int c = 0;
        for (int i : inputs) c += shape(i).dim(0);
        List<Integer> dims = new ArrayList<>(shape(inputs[0]).dims());
        dims.set(0, c);
        add("concat", Map.of(), list(inputs), new Shape(dims));
        return this;
    }

    TestPlans add(int a, int b) {
        add("add", Map.of(), List.of(a, b), shape(a));
        return this;
    }

    Plan build(String train, String network, String loss, Map<String, Object> lossArgs, Plan.Component optimizer,
               Plan.Component schedule, Plan.Loop loop, long seed, DataPipeline data) {
        List<Op> fixed = new ArrayList<>();
        for (Op op : ops) {
            List<String> pn = new ArrayList<>();
            long count = 0;
            for (Param p : params) {
                if (p.op() == op.id()) {
                    pn.add(p.name());
                    if (p.trainable()) count += p.shape().size();
                }
            }
            fixed.add(new Op(op.id(), op.name(), op.kind(), op.args(), op.inputs(), op.outShape(), pn, count, 0, op.source()));
        }
        Plan.Task task = switch (loss) {
            case "cross_entropy" -> Plan.Task.CLASSIFICATION;
            case "binary_cross_entropy" -> Plan.Task.BINARY;
            default -> Plan.Task.REGRESSION;
        };
        return new Plan(Plan.FORMAT_VERSION, file, train, network, null, task, fixed.get(0).outShape(),
                fixed.get(fixed.size() - 1).outShape(), fixed, params, new Plan.Component(loss, new Args(withDefaults(Category.LOSS, loss, lossArgs))), optimizer,
                schedule, List.of("accuracy", "loss"), data, loop, seed, Plan.hashArchitecture(fixed, params));
    }

    static DataPipeline.Source csv(String role, Path file, List<Integer> features, String labelKey, int label) {
        return new DataPipeline.Source(role, "csv", new Args(args("path", file.toString(), "header", true,
                "features", features, labelKey, List.of(label), "delimiter", ",")));
    }

    /** An optimiser or schedule, its arguments left out taking their declared defaults, as the compiler's plan has them. */
    static Plan.Component component(String kind, Object... kv) {
        Category category = REGISTRY.find(Category.OPTIMIZER, kind).isPresent() ? Category.OPTIMIZER : Category.SCHEDULE;
        return new Plan.Component(kind, new Args(withDefaults(category, kind, args(kv))));
    }

    private static final Registry REGISTRY = Registry.standard();

    /** The arguments with the declared defaults of those left out (the compiler's PlanBuilder fills them the same way). */
    static Map<String, Object> withDefaults(Category category, String kind, Map<String, Object> given) {
        Map<String, Object> m = new LinkedHashMap<>(given);
        REGISTRY.find(category, kind).ifPresent(spec -> spec.args().forEach(a -> {
            if (!m.containsKey(a.name()) && a.defaultValue() != null) m.put(a.name(), a.defaultValue());
        }));
        return m;
    }

    /** examples/xor.ann, train block XorNet. */
    public static Plan xor() {
        Path f = EXAMPLES.resolve("xor.csv");
        DataPipeline d = new DataPipeline("Xor", List.of(csv("train", f, List.of(0, 1), "label", 2), csv("test", f, List.of(0, 1), "label", 2)),
                Shape.of(2), new DataPipeline.Labels("classes", List.of("false", "true"), 2, 0), null, 0, 1, "none", true, 1, 1, null);
        return new TestPlans(EXAMPLES.resolve("xor.ann").toString(), 2)
                .line(39).dense(4, "xavier").act("sigmoid").line(40).dense(1, "xavier").act("sigmoid")
                .build("XorNet", "XorNet", "binary_cross_entropy", Map.of(), component("adam", "lr", 0.1), component("constant"),
                        new Plan.Loop(4, 300, null, null, 1, "cpu"), 1, d);
    }

    /** examples/iris.ann. */
    public static Plan iris() {
        Path f = EXAMPLES.resolve("iris.csv");
        DataPipeline d = new DataPipeline("Iris", List.of(csv("all", f, List.of(0, 1, 2, 3), "label", 4)), Shape.of(4),
                new DataPipeline.Labels("classes", List.of(), 3, 0), new DataPipeline.Split(0.7, 0.15, 0.15), 0, 1, "standard",
                true, 1, 1, null);
        return new TestPlans(EXAMPLES.resolve("iris.ann").toString(), 4)
                .line(18).dense(16, "he").act("relu").line(19).dense(3, "xavier").act("softmax")
                .build("IrisNet", "IrisNet", "cross_entropy", args("from_logits", false), component("adam", "lr", 1e-2),
                        component("constant"), new Plan.Loop(16, 60, null, null, 1, "cpu"), 42, d);
    }

    /** examples/projectile.ann: regression, exponential schedule, early stopping. */
    public static Plan projectile() {
        Path f = EXAMPLES.resolve("projectile.csv");
        DataPipeline d = new DataPipeline("Throws", List.of(csv("all", f, List.of(0, 1, 2), "target", 3)), Shape.of(3),
                new DataPipeline.Labels("targets", List.of(), 0, 1), new DataPipeline.Split(0.7, 0.15, 0.15), 0, 1, "standard",
                true, 3, 1, null);
        return new TestPlans(EXAMPLES.resolve("projectile.ann").toString(), 3)
                .line(18).dense(32, "xavier").act("tanh").line(19).dense(32, "xavier").act("tanh").line(20).dense(1, "xavier")
                .build("Distance", "Distance", "mse", Map.of(), component("adam", "lr", 3e-3), component("exponential", "gamma", 0.99),
                        new Plan.Loop(32, 200, new Plan.EarlyStopping("val_loss", 30, 0, "min"), null, 1, "cpu"), 5, d);
    }

    static DataPipeline fashion(double subset, List<Integer> resize) {
        String dir = "/usr/share/datasets/fashion-mnist/";
        return new DataPipeline("Fashion", List.of(
                new DataPipeline.Source("train", "idx", new Args(args("images", dir + "train-images-idx3-ubyte.gz",
                        "labels", dir + "train-labels-idx1-ubyte.gz"))),
                new DataPipeline.Source("test", "idx", new Args(args("images", dir + "t10k-images-idx3-ubyte.gz",
                        "labels", dir + "t10k-labels-idx1-ubyte.gz")))),
                resize == null ? Shape.of(1, 28, 28) : Shape.of(1, resize.get(0), resize.get(1)),
                new DataPipeline.Labels("classes", List.of("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                        "Sneaker", "Bag", "Ankle boot"), 10, 0), null, 0.1, 1 / 255.0, "none", true, 7, subset, resize);
    }

    /** A CNN with every image layer kind: conv2d, batchnorm, pools, parallel concat, residual add, dropout. */
    public static Plan everyLayer() {
        TestPlans b = new TestPlans(EXAMPLES.resolve("inception.ann").toString(), 1, 14, 14);
        b.line(10).conv(4, 3, "same").batchnorm().act("relu").pool("maxpool", 2, 2, "valid");
        int in = b.cur();
        b.line(12).conv(2, 1, "valid", false).act("relu");
        int b1 = b.cur();
        b.from(in).line(14).conv(2, 1, "valid").act("relu").conv(2, 3, "same").act("relu");
        int b2 = b.cur();
        b.from(in).line(17).pool("avgpool", 3, 1, "same").conv(2, 1, "valid").act("relu");
        int b3 = b.cur();
        b.line(18).concat(b1, b2, b3).globalavgpool().line(30).dense(8, "he").act("relu");
        int r = b.cur();
        b.line(31).dense(8, "he").act("tanh").dense(8, "he");
        b.line(32).add(r, b.cur()).dropout(0.25).line(33).dense(10, "xavier").act("softmax");
        return b.build("InceptionNet", "InceptionNet", "cross_entropy", args("from_logits", false),
                component("adamw", "lr", 2e-3, "weight_decay", 1e-4), component("step", "every", 3, "gamma", 0.5),
                new Plan.Loop(64, 8, new Plan.EarlyStopping("val_loss", 3, 0, "min"),
                        new Plan.Checkpoint("runs/x", 1, "val_accuracy", "max"), 1, "cpu"), 11, fashion(0.05, List.of(14, 14)));
    }

    /** An MLP over images with flatten and dropout, cosine schedule with warm-up. */
    public static Plan fashionMlp() {
        TestPlans b = new TestPlans(EXAMPLES.resolve("fashion_mlp.ann").toString(), 1, 28, 28);
        b.line(10).flatten().line(11).dense(32, "he").act("relu").line(12).dropout(0.2).line(13).dense(10, "xavier").act("softmax");
        return b.build("FashionMLP", "FashionMLP", "cross_entropy", args("from_logits", false), component("sgd", "lr", 0.05, "momentum", 0.9),
                component("cosine", "warmup", 1), new Plan.Loop(128, 2, null, null, 1, "cpu"), 7, fashion(0.02, null));
    }
}
