package dev.ann.compiler.check;

import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.NetworkLayers;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import dev.ann.plan.SourcePos;
import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.ComponentSpec;
import dev.ann.compiler.spec.LayerSpec;
import dev.ann.compiler.spec.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Makes the Plan of a checked train block, with a profile applied. */
final class PlanBuilder implements Compilation.Planner {
    static final int DEFAULT_BATCH = 32;
    static final int DEFAULT_EPOCHS = 10;

    private final Analysis a;
    private final List<Diagnostic> diagnostics;

    PlanBuilder(Analysis a, List<Diagnostic> diagnostics) {
        this.a = a;
        this.diagnostics = diagnostics;
    }

    @Override
    public List<String> trainNames() {
        return List.copyOf(a.trainNames);
    }

    @Override
    public List<String> profileNames() {
        return List.copyOf(a.p.profiles.keySet());
    }

    @Override
    public List<String> networkNames() {
        List<String> names = new ArrayList<>();
        for (Program.Global<?> g : a.p.globals.values()) {
            if (g.decl() instanceof Decl.Network n && g.source().path().equals(a.p.root)) names.add(n.name().text());
        }
        return names;
    }

    /** Stops when there are errors: all of them, or those that stop planning when data may be missing. */
    private void failOnErrors(boolean withoutData) throws CompileException {
        List<Diagnostic> errors = diagnostics.stream()
                .filter(withoutData ? Compilation::blocksPlanning : Diagnostic::isError).toList();
        if (!errors.isEmpty()) {
            throw new CompileException(errors.size() + " error" + (errors.size() == 1 ? "" : "s") + " in "
                    + a.p.root.getFileName() + "; fix them first", errors);
        }
    }

    @Override
    public NetworkLayers network(String name) throws CompileException {
        failOnErrors(true);
        Graph g = a.graphs.get(name);
        if (g == null) {
            List<String> all = new ArrayList<>(a.graphs.keySet());
            throw new CompileException("no network named " + name + (all.isEmpty() ? "; " + a.p.root.getFileName()
                    + " declares none" : "; the networks are " + String.join(", ", all)), List.of());
        }
        if (g.input == null || g.output == null) {
            throw new CompileException("network " + name + " has no input shape: give it an `input [...]` line", List.of());
        }
        List<Op> ops = new ArrayList<>();
        List<Param> params = new ArrayList<>();
        expand(g, ops, params);
        return new NetworkLayers(name, a.p.globals.get(name).source().path().toString(), g.input, g.output, ops, params);
    }

    @Override
    public Plan plan(String train, String profile, boolean withoutData) throws CompileException {
        failOnErrors(withoutData);
        if (train == null) {
            if (!a.trainNames.isEmpty()) train = a.trainNames.get(0);
            else if (!a.p.trains.isEmpty()) train = a.p.trains.keySet().iterator().next();
            else throw new CompileException(a.p.root.getFileName() + " has no train block; add `train Net on Data { ... }`", List.of());
        }
        if (!a.p.trains.containsKey(train)) {
            throw new CompileException("no train block named " + train + "; the train blocks are "
                    + String.join(", ", a.p.trains.keySet()), List.of());
        }
        if (profile != null && !a.p.profiles.containsKey(profile)) {
            throw new CompileException("no profile named " + profile + (a.p.profiles.isEmpty() ? "; this file has none"
                    : "; the profiles are " + String.join(", ", a.p.profiles.keySet())), List.of());
        }
        TrainConfig c = a.configs.get(train + "|" + (profile == null ? "" : profile));
        if (c == null || c.graph == null || c.task == null || c.data == null) {
            throw new CompileException("train " + train + " cannot be planned: its network or dataset is incomplete", List.of());
        }
        return build(c);
    }

    @Override
    public List<dev.ann.compiler.Compilation.SweepPoint> sweep(String train, String profile) throws CompileException {
        Plan first = plan(train, profile, false); // says what is wrong with the names, as plan does
        var points = a.sweeps.get(first.train() + "|" + (profile == null ? "" : profile));
        if (points == null) return List.of();
        List<dev.ann.compiler.Compilation.SweepPoint> out = new ArrayList<>();
        for (var pt : points) {
            TrainConfig c = a.configs.get(pt.key());
            if (c == null || c.graph == null || c.task == null || c.data == null) {
                throw new CompileException("train " + first.train() + " cannot be planned under profile " + profile + " with "
                        + pt.label(), List.of());
            }
            out.add(new dev.ann.compiler.Compilation.SweepPoint(pt.label(), build(c)));
        }
        return out;
    }

    Plan build(TrainConfig c) {
        Graph g = c.graph;
        List<Op> ops = new ArrayList<>();
        List<Param> params = new ArrayList<>();
        expand(g, ops, params);
        String lastKind = g.last() == null ? "" : g.last().kind;
        Plan.Component loss = component(c.value("loss"), Category.LOSS, "mse");
        Map<String, Object> lossArgs = new LinkedHashMap<>(loss.args().values());
        if (loss.kind().equals("cross_entropy")) lossArgs.put("from_logits", !lastKind.equals("softmax"));
        if (loss.kind().equals("binary_cross_entropy")) lossArgs.put("from_logits", !lastKind.equals("sigmoid"));
        loss = new Plan.Component(loss.kind(), new Args(lossArgs));
        Plan.Component optimizer = component(c.value("optimizer"), Category.OPTIMIZER, "adam");
        Plan.Component schedule = component(c.value("schedule"), Category.SCHEDULE, "constant");
        List<String> metrics = new ArrayList<>();
        if (c.value("metrics") instanceof List<?> l) l.forEach(m -> metrics.add(String.valueOf(m)));
        else metrics.addAll(c.task == Plan.Task.REGRESSION ? List.of("loss", "mae") : List.of("loss", "accuracy"));
        long seed = c.value("seed") instanceof Number n ? n.longValue() : 0;
        Plan.Loop loop = new Plan.Loop(intOr(c.value("batch"), DEFAULT_BATCH), intOr(c.value("epochs"), DEFAULT_EPOCHS),
                earlyStopping(c), checkpoint(c), intOr(c.value("repeat"), 1),
                c.value("device") instanceof String d ? d : "auto", initFrom(c),
                c.value("cluster") instanceof String u ? u : null, initFromAt(c));
        return new Plan(Plan.FORMAT_VERSION, c.train.source().path().toString(), c.name(),
                c.network.decl().name().text(), c.profile == null ? null : c.profile.decl().name().text(), c.task,
                g.input, g.output, ops, params, loss, optimizer, schedule, metrics, data(c, seed), loop, seed,
                Plan.hashArchitecture(ops, params));
    }

    /** The graph's nodes as ops, and the parameter tensors they own. */
    private static void expand(Graph g, List<Op> ops, List<Param> params) {
        for (Graph.Node n : g.nodes) {
            List<String> names = new ArrayList<>();
            for (LayerSpec.Tensor t : n.tensors) {
                String name = n.name + "." + t.role();
                names.add(name);
                params.add(new Param(name, n.id, t.role(), t.shape(), t.init(), t.trainable()));
            }
            SourcePos pos = new SourcePos(n.loc.source().path().toString(), n.loc.line(),
                    n.loc.source().column(n.loc.range().start()) + 1);
            ops.add(new Op(n.id, n.name, n.kind, new Args(n.args), n.inputs, n.out, names, n.params, n.flops, pos));
        }
    }

    private static int intOr(Object v, int def) {
        return v instanceof Number n ? n.intValue() : def;
    }

    /** A component with every argument resolved; the default declaration with its defaults when not given. */
    private Plan.Component component(Object value, Category category, String def) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> given) given.forEach((k, v) -> m.put(String.valueOf(k), v));
        else m.put("kind", def);
        String kind = String.valueOf(m.remove("kind"));
        // every argument the user left out takes its declared default: the one place defaults are applied
        a.p.registry.find(category, kind).ifPresent(spec -> spec.args().forEach(arg -> {
            if (!m.containsKey(arg.name()) && arg.defaultValue() != null) m.put(arg.name(), arg.defaultValue());
        }));
        return new Plan.Component(kind, new Args(m));
    }

    private String mode(String monitor) {
        return a.p.registry.metric(monitor).map(ComponentSpec::mode).orElse("min");
    }

    private Plan.EarlyStopping earlyStopping(TrainConfig c) {
        if (!(c.value("early_stopping") instanceof Map<?, ?> m)) return null;
        String monitor = String.valueOf(m.get("monitor"));
        return new Plan.EarlyStopping(monitor, ((Number) m.get("patience")).intValue(),
                ((Number) m.get("min_delta")).doubleValue(), mode(monitor));
    }

    private Plan.Checkpoint checkpoint(TrainConfig c) {
        if (!(c.value("checkpoint") instanceof Map<?, ?> m)) return null;
        Path dir = Path.of(String.valueOf(m.get("dir")));
        Path folder = c.train.source().path().getParent();
        if (!dir.isAbsolute() && folder != null) dir = folder.resolve(dir);
        String keep = m.get("keep_best") instanceof String k ? k : null;
        return new Plan.Checkpoint(dir.normalize().toString(), ((Number) m.get("every")).intValue(), keep,
                keep == null ? null : mode(keep));
    }

    /** Where {@code init from} is written; null without it. */
    private static SourcePos initFromAt(TrainConfig c) {
        SettingsReader.Read r = c.settings.get("init");
        if (r == null || !(r.value() instanceof String) || r.loc() == null) return null;
        Loc l = r.loc();
        return new SourcePos(l.source().path().toString(), l.line(), l.source().column(l.range().start()) + 1);
    }

    /** {@code init from "file"}: the checkpoint's path, resolved against the .ann file's folder; null without it. */
    private static String initFrom(TrainConfig c) {
        if (!(c.value("init") instanceof String f)) return null;
        Path file = Path.of(f);
        Path folder = c.train.source().path().getParent();
        if (!file.isAbsolute() && folder != null) file = folder.resolve(file);
        return file.normalize().toString();
    }

    private DataPipeline data(TrainConfig c, long seed) {
        DatasetInfo d = c.data;
        List<DataPipeline.Source> sources = new ArrayList<>();
        for (SettingsReader.Source s : d.sources) sources.add(new DataPipeline.Source(s.role(), s.kind(), new Args(s.args())));
        DataPipeline.Labels labels;
        if (c.task == Plan.Task.REGRESSION) {
            labels = new DataPipeline.Labels("targets", List.of(), 0, Math.max(1, d.targetWidth));
        } else {
            int n = d.numClasses > 0 ? d.numClasses : (c.task == Plan.Task.BINARY ? 2 : c.graph.output.dim(0));
            labels = new DataPipeline.Labels("classes", d.classNames, n, 0);
        }
        DataPipeline.Split split = d.split == null ? null : new DataPipeline.Split(d.split.getOrDefault("train", 0.0),
                d.split.getOrDefault("validation", 0.0), d.split.getOrDefault("test", 0.0));
        // Without the data files (planWithoutData), the samples are what the network takes: the check
        // makes the two equal whenever the files are there.
        Shape sample = c.sampleShape != null ? c.sampleShape : d.sampleShape != null ? d.sampleShape : c.graph.input;
        DataPipeline.Text text = d.tokens == null ? null : new DataPipeline.Text((String) d.tokens.get("kind"),
                (Integer) d.tokens.get("vocabulary"), (Integer) d.tokens.get("length"), Boolean.TRUE.equals(d.tokens.get("lowercase")),
                Boolean.TRUE.equals(d.tokens.get("bag")));
        DataPipeline.Window window = d.window == null ? null : new DataPipeline.Window((Integer) d.window.get("size"),
                (Integer) d.window.get("horizon"), Boolean.TRUE.equals(d.window.get("relative")));
        return new DataPipeline(d.name, sources, sample, labels, split, d.validation, d.scale, d.normalize, d.shuffle,
                d.shuffleSeed != null ? d.shuffleSeed : seed, c.subset, c.resize, text, window);
    }
}
