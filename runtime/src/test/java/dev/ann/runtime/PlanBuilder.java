package dev.ann.runtime;

import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.Registry;
import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import dev.ann.plan.SourcePos;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds Plans in tests the way the compiler does: shapes inferred, params named and initialised, args filled. */
public final class PlanBuilder {
    final List<Op> ops = new ArrayList<>();
    final List<Param> params = new ArrayList<>();
    int cur;
    Plan.Component loss = component(Category.LOSS, "mse", Map.of());
    Plan.Component optimizer = component(Category.OPTIMIZER, "adam", Map.of("lr", 1e-3));
    Plan.Component schedule = component(Category.SCHEDULE, "constant", Map.of());
    Plan.Task task = Plan.Task.REGRESSION;
    DataPipeline data;
    Plan.Loop loop = new Plan.Loop(16, 5, null, null, 1, "cpu");
    long seed = 1;
    List<String> metrics = List.of("loss");

    public PlanBuilder(int... inputShape) {
        add("input", Map.of("shape", list(inputShape)), List.of(), Shape.of(inputShape));
    }

    static List<Integer> list(int... v) {
        List<Integer> l = new ArrayList<>();
        for (int x : v) l.add(x);
        return l;
    }

    Shape shape(int id) {
        return ops.get(id).outShape();
    }

    private int add(String kind, Map<String, Object> args, List<Integer> inputs, Shape out) {
        int id = ops.size();
        String name = kind + "_" + id;
        List<String> pn = new ArrayList<>();
        for (Param p : params) if (p.op() == id) pn.add(p.name());
        ops.add(new Op(id, name, kind, new Args(withDefaults(kind, args)), inputs, out, pn, 0, 0, new SourcePos("test.ann", id + 1, 1)));
        cur = id;
        return id;
    }

    private void param(int id, String kind, String role, Shape s, String init, long fanIn, long fanOut, boolean trainable) {
        params.add(new Param(kind + "_" + id + "." + role, id, role, s, new Param.Init(init, 0.05, fanIn, fanOut), trainable));
    }

    private int addWithParams(String kind, Map<String, Object> args, List<Integer> inputs, Shape out, Runnable ps) {
        ps.run();
        return add(kind, args, inputs, out);
    }

    public PlanBuilder from(int id) { cur = id; return this; }
    public int cur() { return cur; }

    public PlanBuilder dense(int units) { return dense(units, "he"); }

    public PlanBuilder dense(int units, String init) {
        int in = cur;
        int id = ops.size();
        long fin = shape(in).size();
        addWithParams("dense", Map.of("units", units, "bias", true, "init", init), List.of(in), Shape.of(units), () -> {
            param(id, "dense", "weight", Shape.of((int) fin, units), init, fin, units, true);
            param(id, "dense", "bias", Shape.of(units), "zeros", fin, units, true);
        });
        return this;
    }

    public PlanBuilder act(String kind) { return act(kind, Map.of()); }

    public PlanBuilder act(String kind, Map<String, Object> args) {
        add(kind, args, List.of(cur), shape(cur));
        return this;
    }

    static int outDim(int in, int k, int s, int d, boolean same) {
        if (same) return (in + s - 1) / s;
        int eff = (k - 1) * d + 1;
        return (in - eff) / s + 1;
    }

    public PlanBuilder conv(int filters, int k, int stride, String padding) { return conv(filters, k, stride, padding, 1); }

    public PlanBuilder conv(int filters, int k, int stride, String padding, int dil) {
        int in = cur;
        int id = ops.size();
        Shape s = shape(in);
        boolean same = padding.equals("same");
        Shape out = Shape.of(filters, outDim(s.dim(1), k, stride, dil, same), outDim(s.dim(2), k, stride, dil, same));
        long fin = (long) s.dim(0) * k * k;
        addWithParams("conv2d", Map.of("filters", filters, "kernel", k, "stride", stride, "padding", padding, "dilation", dil),
                List.of(in), out, () -> {
                    param(id, "conv2d", "weight", Shape.of(filters, s.dim(0), k, k), "he", fin, (long) filters * k * k, true);
                    param(id, "conv2d", "bias", Shape.of(filters), "zeros", fin, filters, true);
                });
        return this;
    }

    /** A 1-D convolution over a {@code [T, F]} sequence: weight {@code [filters, F, k]}, output {@code [T', filters]}. */
    public PlanBuilder conv1d(int filters, int k, int stride, String padding) {
        int in = cur;
        int id = ops.size();
        Shape s = shape(in);
        Shape out = Shape.of(outDim(s.dim(0), k, stride, 1, padding.equals("same")), filters);
        long fin = (long) s.dim(1) * k;
        addWithParams("conv1d", Map.of("filters", filters, "kernel", k, "stride", stride, "padding", padding, "dilation", 1, "bias", true),
                List.of(in), out, () -> {
                    param(id, "conv1d", "weight", Shape.of(filters, s.dim(1), k), "he", fin, (long) filters * k, true);
                    param(id, "conv1d", "bias", Shape.of(filters), "zeros", fin, filters, true);
                });
        return this;
    }

    public PlanBuilder pool(String kind, int size, int stride, String padding) {
        Shape s = shape(cur);
        boolean same = padding.equals("same");
        add(kind, Map.of("size", size, "stride", stride, "padding", padding), List.of(cur),
                Shape.of(s.dim(0), outDim(s.dim(1), size, stride, 1, same), outDim(s.dim(2), size, stride, 1, same)));
        return this;
    }

    public PlanBuilder globalavgpool() {
        add("globalavgpool", Map.of(), List.of(cur), Shape.of(shape(cur).dim(0)));
        return this;
    }

    public PlanBuilder flatten() {
        add("flatten", Map.of(), List.of(cur), Shape.of((int) shape(cur).size()));
        return this;
    }

    public PlanBuilder reshape(int... to) {
        add("reshape", Map.of("shape", list(to)), List.of(cur), Shape.of(to));
        return this;
    }

    public PlanBuilder dropout(double rate) {
        add("dropout", Map.of("rate", rate), List.of(cur), shape(cur));
        return this;
    }

    public PlanBuilder norm(String kind) {
        int in = cur;
        int id = ops.size();
        int c = shape(in).dim(0);
        addWithParams(kind, Map.of("momentum", 0.9, "eps", 1e-5), List.of(in), shape(in), () -> {
            param(id, kind, "gamma", Shape.of(c), "ones", 0, 0, true);
            param(id, kind, "beta", Shape.of(c), "zeros", 0, 0, true);
            if (kind.equals("batchnorm")) {
                param(id, kind, "running_mean", Shape.of(c), "zeros", 0, 0, false);
                param(id, kind, "running_var", Shape.of(c), "ones", 0, 0, false);
            }
        });
        return this;
    }

    public PlanBuilder concat(int... inputs) {
        Shape s = shape(inputs[0]);
        int c = 0;
        for (int i : inputs) c += shape(i).dim(0);
        List<Integer> dims = new ArrayList<>(s.dims());
        dims.set(0, c);
        add("concat", Map.of(), list(inputs), new Shape(dims));
        return this;
    }

    public PlanBuilder add(int a, int b) {
        add("add", Map.of(), List.of(a, b), shape(a));
        return this;
    }

    public PlanBuilder loss(String kind, Map<String, Object> args) {
        loss = component(Category.LOSS, kind, args);
        task = switch (kind) {
            case "cross_entropy" -> Plan.Task.CLASSIFICATION;
            case "binary_cross_entropy" -> Plan.Task.BINARY;
            default -> Plan.Task.REGRESSION;
        };
        return this;
    }

    public PlanBuilder optimizer(String kind, Map<String, Object> args) { optimizer = component(Category.OPTIMIZER, kind, args); return this; }
    public PlanBuilder schedule(String kind, Map<String, Object> args) { schedule = component(Category.SCHEDULE, kind, args); return this; }

    private static final Registry REGISTRY = Registry.standard();

    /** The arguments with the declared defaults of those left out, as the compiler's plan has them. */
    static Map<String, Object> withDefaults(Category category, String kind, Map<String, Object> given) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(given);
        REGISTRY.find(category, kind).ifPresent(spec -> spec.args().forEach(a -> {
            if (!m.containsKey(a.name()) && a.defaultValue() != null) m.put(a.name(), a.defaultValue());
        }));
        return m;
    }

    private static Map<String, Object> withDefaults(String kind, Map<String, Object> given) {
        return withDefaults(dev.ann.plan.Kind.isActivation(kind) ? Category.ACTIVATION : Category.LAYER, kind, given);
    }

    private static Plan.Component component(Category category, String kind, Map<String, Object> args) {
        return new Plan.Component(kind, new Args(withDefaults(category, kind, args)));
    }
    public PlanBuilder data(DataPipeline d) { data = d; return this; }
    public PlanBuilder loop(Plan.Loop l) { loop = l; return this; }
    public PlanBuilder seed(long s) { seed = s; return this; }
    public PlanBuilder metrics(String... m) { metrics = List.of(m); return this; }

    public Plan build() {
        // ops were created before their params were known: attach param names now
        List<Op> fixed = new ArrayList<>();
        for (Op op : ops) {
            List<String> pn = new ArrayList<>();
            long count = 0;
            for (Param p : params) if (p.op() == op.id()) { pn.add(p.name()); if (p.trainable()) count += p.shape().size(); }
            fixed.add(new Op(op.id(), op.name(), op.kind(), op.args(), op.inputs(), op.outShape(), pn, count, 0, op.source()));
        }
        return new Plan(Plan.FORMAT_VERSION, "test.ann", "t", "Net", null, task, fixed.get(0).outShape(),
                fixed.get(fixed.size() - 1).outShape(), fixed, params, loss, optimizer, schedule, metrics, data, loop, seed,
                Plan.hashArchitecture(fixed, params));
    }

    public static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
