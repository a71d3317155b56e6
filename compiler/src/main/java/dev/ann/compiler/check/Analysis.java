package dev.ann.compiler.check;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Ident;
import dev.ann.compiler.ast.LayerStmt;
import dev.ann.compiler.ast.Call;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.model.LayerInfo;
import dev.ann.compiler.model.NetworkSummary;
import dev.ann.compiler.model.SymbolKind;
import dev.ann.plan.Shape;
import dev.ann.compiler.spec.Category;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The phases of checking one compilation, in order, and what they found. */
final class Analysis {
    final Program p;
    final Map<String, DatasetInfo> datasets = new LinkedHashMap<>();
    final Map<String, Graph> graphs = new LinkedHashMap<>();
    private final Map<Elaborator.LayerKey, LayerInfo> layerLog = new LinkedHashMap<>();
    private final Map<Elaborator.LayerKey, LayerInfo> blockLog = new LinkedHashMap<>();
    final Map<String, NetworkSummary> summaries = new LinkedHashMap<>();
    final Map<String, Map<String, SettingsReader.Read>> profileSettings = new LinkedHashMap<>();
    /** key: train name + "|" + profile name: the combinations of the profile's sweep lines, in order (none: no sweep) */
    final Map<String, List<SweepPoint>> sweeps = new LinkedHashMap<>();
    /** key: train name + "|" + profile name (or "") */
    final Map<String, TrainConfig> configs = new LinkedHashMap<>();
    final List<String> trainNames = new ArrayList<>();

    private final java.util.function.BooleanSupplier cancelled;

    Analysis(Program p, java.util.function.BooleanSupplier cancelled) {
        this.p = p;
        this.cancelled = cancelled;
    }

    void run() {
        data();
        model();
    }

    /** Names, consts and datasets: what networks are checked against. */
    void data() {
        declare();
        poll();
        consts();
        for (var g : globals(Decl.Dataset.class)) {
            poll();
            datasets.put(g.decl().name().text(), new DatasetChecker(p).check(g));
        }
    }

    /** Blocks, networks (their embeddings take the vocabulary of the datasets that train them), train blocks, profiles. */
    void model() {
        blocks();
        networks();
        poll();
        trains();
        poll();
        profiles();
    }

    /** Cooperative cancellation, between declarations. */
    private void poll() {
        if (cancelled.getAsBoolean()) throw new java.util.concurrent.CancellationException("a newer text came");
    }

    @SuppressWarnings("unchecked")
    private <D extends Decl> List<Program.Global<D>> globals(Class<D> type) {
        List<Program.Global<D>> out = new ArrayList<>();
        for (Program.Global<?> g : p.globals.values()) if (type.isInstance(g.decl())) out.add((Program.Global<D>) g);
        return out;
    }

    // ---- declarations -------------------------------------------------------------------

    private void declare() {
        for (AnnFile f : p.files.values()) {
            Path path = f.source().path();
            for (Decl d : f.decls()) {
                Ident name = d.name();
                if (!Program.present(name)) continue;
                SymbolKind kind = kind(d);
                Index.Key key = p.index.declare(kind, path, name, d.range(), d.doc(), null);
                Map<String, ? extends Program.Global<?>> space = d instanceof Decl.Train ? p.trains
                        : d instanceof Decl.Profile ? p.profiles : p.globals;
                Program.Global<?> prev = space.get(name.text());
                if (prev != null) {
                    Loc at = new Loc(f.source(), name.range());
                    p.sink.report(dev.ann.compiler.diag.Severity.ERROR, Codes.DUPLICATE_NAME, at,
                            (d instanceof Decl.Train ? "a train block named " : "the name ") + name.text() + " is declared twice"
                                    + " (first as a " + Program.kindWord(prev.decl()) + " at line " + prev.loc(prev.decl().name().range()).line()
                                    + (prev.file() != f ? " of " + prev.source().path().getFileName() : "") + "); rename one"
                                    + (d instanceof Decl.Train ? ": `train other_name = Net on Data { ... }`" : ""),
                            List.of(), List.of(new Diagnostic.Related(prev.source(), prev.decl().name().range(), "first declared here")));
                } else if (d instanceof Decl.Train t) {
                    p.trains.put(name.text(), new Program.Global<>(t, f, key));
                    if (path.equals(p.root)) trainNames.add(name.text());
                } else if (d instanceof Decl.Profile pr) {
                    p.profiles.put(name.text(), new Program.Global<>(pr, f, key));
                } else {
                    if (d instanceof Decl.Block && p.registry.layer(name.text()).isPresent()) {
                        p.sink.error(Codes.DUPLICATE_NAME, new Loc(f.source(), name.range()), "block " + name.text()
                                + " has the name of a built-in layer; rename it");
                    }
                    p.globals.put(name.text(), new Program.Global<>(d, f, key));
                }
                if (d instanceof Decl.Block b) params(b, f, key);
                if (d instanceof Decl.Block b) labels(b.body(), f, key, new HashMap<>());
                if (d instanceof Decl.Network n) labels(n.body(), f, key, new HashMap<>());
            }
        }
    }

    private static SymbolKind kind(Decl d) {
        if (d instanceof Decl.Network) return SymbolKind.NETWORK;
        if (d instanceof Decl.Block) return SymbolKind.BLOCK;
        if (d instanceof Decl.Dataset) return SymbolKind.DATASET;
        if (d instanceof Decl.Const) return SymbolKind.CONST;
        if (d instanceof Decl.Train) return SymbolKind.TRAIN;
        if (d instanceof Decl.Profile) return SymbolKind.PROFILE;
        return SymbolKind.IMPORT;
    }

    private void params(Decl.Block b, AnnFile f, Index.Key block) {
        Set<String> seen = new HashSet<>();
        Map<String, Scope.Binding> earlier = new LinkedHashMap<>();
        for (Decl.Param param : b.params()) {
            if (!Program.present(param.name())) continue;
            Index.Key k = p.index.declare(SymbolKind.BLOCK_PARAM, f.source().path(), param.name(), param.range(), "", block);
            Scope before = new Scope(earlier);
            earlier.put(param.name().text(), new Scope.Binding(Val.UNKNOWN, k, param.type() == null ? null : param.type().text()));
            p.index.detail(k, param.type() == null ? "any" : param.type().text());
            Loc at = new Loc(f.source(), param.name().range());
            if (!seen.add(param.name().text())) {
                p.sink.error(Codes.DUPLICATE_NAME, at, "block " + b.name().text() + " has two parameters named "
                        + param.name().text() + "; rename one");
            }
            String type = param.type() == null ? null : param.type().text();
            if (type != null && !type.isEmpty() && !BlockTypes.NAMES.contains(type)) {
                Loc tl = new Loc(f.source(), param.type().range());
                String guess = Suggest.closest(type, BlockTypes.NAMES);
                String msg = "unknown parameter type '" + type + "'; " + (guess != null ? "did you mean '" + guess + "'? " : "")
                        + "the types are " + String.join(", ", BlockTypes.NAMES);
                if (guess != null) p.sink.error(Codes.BAD_PARAMETER, tl, msg, Sink.replace("change to '" + guess + "'", tl, guess));
                else p.sink.error(Codes.BAD_PARAMETER, tl, msg);
            } else if (type != null && param.defaultValue() != null) {
                Val v = p.eval.eval(param.defaultValue(), before, f.source());
                if (v instanceof Val.NameV n) {
                    p.binder.unknownName(n.name(), new Loc(f.source(), param.defaultValue().range()), before,
                            "the default of " + param.name().text());
                } else if (!BlockTypes.fits(type, v)) {
                    p.sink.error(Codes.BAD_PARAMETER, new Loc(f.source(), param.defaultValue().range()), "the default of "
                            + param.name().text() + " must be " + BlockTypes.describe(type) + ", not " + v.describe());
                }
            }
        }
    }

    private void labels(List<LayerStmt> body, AnnFile f, Index.Key owner, Map<String, Ident> seen) {
        for (LayerStmt s : body) {
            Ident label = s.label();
            if (label != null && Program.present(label)) {
                Index.Key k = p.index.declare(SymbolKind.LAYER, f.source().path(), label, s.range(), "", owner);
                Ident prev = seen.putIfAbsent(label.text(), label);
                if (prev != null) {
                    p.sink.report(dev.ann.compiler.diag.Severity.ERROR, Codes.DUPLICATE_NAME, new Loc(f.source(), label.range()),
                            "two statements are named " + label.text() + " (the first at line " + (f.source().line(prev.range().start()) + 1)
                                    + "); rename one", List.of(), List.of(new Diagnostic.Related(f.source(), prev.range(), "first named here")));
                }
                p.index.detail(k, "layer");
            }
            if (s instanceof LayerStmt.Parallel par) for (LayerStmt.Branch b : par.branches()) labels(b.body(), f, owner, seen);
            if (s instanceof LayerStmt.Residual r) labels(r.body(), f, owner, seen);
        }
    }

    private void consts() {
        for (var g : globals(Decl.Const.class)) {
            Val v = p.eval.constValue(g);
            if (v instanceof Val.NameV n) {
                p.binder.unknownName(n.name(), g.loc(g.decl().value().range()), Scope.GLOBAL, "const " + g.decl().name().text());
            } else if (v instanceof Val.CallV || v instanceof Val.RangeV) {
                p.sink.error(Codes.CONST_ERROR, g.loc(g.decl().value().range()), "a const holds an int, float, string, bool or "
                        + "shape, not a " + v.typeName());
            }
            if (!(v instanceof Val.Unknown)) p.index.detail(g.key(), v.show() + ": " + v.typeName());
        }
    }

    // ---- blocks and networks ------------------------------------------------------------

    private void blocks() {
        p.sink.standalone(true);
        try {
            recursion();
            for (var g : globals(Decl.Block.class)) {
                poll();
                Map<String, Scope.Binding> unknown = new LinkedHashMap<>();
                for (Decl.Param param : g.decl().params()) {
                    if (!Program.present(param.name())) continue;
                    unknown.put(param.name().text(), new Scope.Binding(Val.UNKNOWN, new Index.Key(SymbolKind.BLOCK_PARAM,
                            g.source().path(), param.name().range()), param.type() == null ? null : param.type().text()));
                }
                if (g.decl().body().isEmpty()) {
                    p.sink.error(Codes.EMPTY_BODY, g.loc(g.decl().name().range()), "block " + g.decl().name().text()
                            + " has no layers; put layers inside its braces");
                }
                new Elaborator(p, blockLog, n -> null).blockAlone(g, new Scope(unknown));
            }
        } finally {
            p.sink.standalone(false);
        }
    }

    /** A block that uses itself (directly or through others) is an error on the call that closes the cycle. */
    private void recursion() {
        Map<String, List<Call>> calls = new LinkedHashMap<>();
        for (var g : globals(Decl.Block.class)) {
            List<Call> out = new ArrayList<>();
            collectCalls(g.decl().body(), out);
            calls.put(g.decl().name().text(), out);
        }
        Set<String> done = new HashSet<>();
        for (String b : calls.keySet()) visit(b, calls, new ArrayList<>(), done);
    }

    private void visit(String block, Map<String, List<Call>> calls, List<String> path, Set<String> done) {
        if (done.contains(block)) return;
        path.add(block);
        Program.Global<Decl.Block> g = p.global(block, Decl.Block.class);
        for (Call c : calls.getOrDefault(block, List.of())) {
            String callee = c.callee().text();
            if (!calls.containsKey(callee)) continue;
            if (path.contains(callee)) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(callee), path.size()));
                cycle.add(callee);
                p.sink.error(Codes.BLOCK_RECURSION, g.loc(c.callee().range()), "block " + callee + " uses itself ("
                        + String.join(" → ", cycle) + "); a network must be finite: remove this use");
            } else {
                visit(callee, calls, path, done);
            }
        }
        path.remove(path.size() - 1);
        done.add(block);
    }

    private static void collectCalls(List<LayerStmt> body, List<Call> out) {
        for (LayerStmt s : body) {
            if (s instanceof LayerStmt.Chain c && !c.calls().isEmpty()) out.add(c.calls().get(0));
            if (s instanceof LayerStmt.Parallel par) for (LayerStmt.Branch b : par.branches()) collectCalls(b.body(), out);
            if (s instanceof LayerStmt.Residual r) collectCalls(r.body(), out);
        }
    }

    private void networks() {
        for (var g : globals(Decl.Network.class)) {
            poll();
            Graph graph = new Elaborator(p, layerLog, this::suggestedInput).tokens(tokens(g.decl().name().text(), null))
                    .network(g, null);
            String name = g.decl().name().text();
            graphs.put(name, graph);
            summaries.put(name, new NetworkSummary(name, graph.input, graph.output, graph.params(), graph.flops(),
                    graph.nodes.size()));
        }
    }

    /** The sample shape of a dataset that a train block feeds this network, if any. */
    Shape suggestedInput(String network) {
        for (var t : p.trains.values()) {
            if (t.decl().network().text().equals(network)) {
                DatasetInfo d = datasets.get(t.decl().dataset().text());
                if (d != null && d.sampleShape != null) return d.sampleShape;
            }
        }
        return null;
    }

    /**
     * The token ids that a train block feeds this network: from the given train block, else from the first
     * train block that trains it (the one hover and inlay hints show); {@link Elaborator.Tokens#NONE} when none does.
     */
    Elaborator.Tokens tokens(String network, Program.Global<Decl.Train> train) {
        List<Program.Global<Decl.Train>> trains = train != null ? List.of(train) : new ArrayList<>(p.trains.values());
        for (var t : trains) {
            if (!t.decl().network().text().equals(network)) continue;
            DatasetInfo d = datasets.get(t.decl().dataset().text());
            if (d != null) return new Elaborator.Tokens(d.name, t.decl().name().text(), d.vocabulary());
        }
        return Elaborator.Tokens.NONE;
    }

    /** Whether a graph holds an embedding, whose parameters depend on the dataset it is trained on. */
    private static boolean embeds(Graph g) {
        return g != null && g.nodes.stream().anyMatch(n -> n.kind.equals("embedding"));
    }

    // ---- train blocks and profiles ------------------------------------------------------

    private void trains() {
        TrainChecker checker = new TrainChecker(p, datasets, graphs);
        for (var g : p.trains.values()) {
            TrainConfig c = new TrainConfig(g, null);
            c.settings.putAll(new SettingsReader(p).read(g.decl().settings(), Category.TRAIN_SETTING, g.source(),
                    "train " + g.decl().name().text()));
            checker.resolve(c);
            trainedGraph(c, g);
            checker.check(c);
            configs.put(g.decl().name().text() + "|", c);
        }
    }

    /**
     * The network as this train block trains it: the network's graph, or, when it holds an embedding and
     * this block's dataset is another than the one the graph was made with, the graph made again with this
     * dataset's vocabulary (its errors are those of the network's own graph, not repeated).
     */
    private void trainedGraph(TrainConfig c, Program.Global<Decl.Train> t) {
        if (c.network == null) return;
        String name = c.network.decl().name().text();
        Graph base = graphs.get(name);
        if (!embeds(base)) return;
        Elaborator.Tokens own = tokens(name, t);
        if (java.util.Objects.equals(own.dataset(), tokens(name, null).dataset())) return;   // the graph's own dataset
        Sink saved = p.sink;
        p.sink = saved.fresh();
        try {
            c.graph = new Elaborator(p, null, n -> null).tokens(own).network(c.network, null);
        } finally {
            Sink fresh = p.sink;
            p.sink = saved;
            for (Diagnostic d : fresh.all()) if (d.code().equals(Codes.TOKEN_IDS) || d.code().equals(Codes.MISSING_ARGUMENT)) saved.add(d);
        }
    }

    private void profiles() {
        for (var pg : p.profiles.values()) {
            profileSettings.put(pg.decl().name().text(), new SettingsReader(p).read(pg.decl().settings(),
                    Category.PROFILE_SETTING, pg.source(), "profile " + pg.decl().name().text()));
        }
        Set<String> baseKeys = new HashSet<>();
        for (Diagnostic d : p.sink.all()) baseKeys.add(key(d));
        for (var pg : p.profiles.values()) {
            String profile = pg.decl().name().text();
            Map<String, SettingsReader.Read> over = new LinkedHashMap<>(profileSettings.get(profile));
            List<SettingsReader.Sweep> lines = new ArrayList<>();
            over.entrySet().removeIf(e -> {
                if (!e.getKey().startsWith("sweep ")) return false;
                lines.add((SettingsReader.Sweep) e.getValue().value());
                return true;
            });
            long combinations = 1;
            for (var l : lines) combinations = Math.min(Long.MAX_VALUE / 1024, combinations * Math.max(1, l.values().size()));
            if (combinations > dev.ann.compiler.spec.Registry.MAX_SWEEP) {
                p.sink.error(Codes.BAD_SWEEP, pg.loc(pg.decl().name().range()), "profile " + profile + " sweeps " + combinations
                        + " combinations; at most " + dev.ann.compiler.spec.Registry.MAX_SWEEP + ": give fewer values or fewer sweep lines");
                lines.clear();
                lines.add(new SettingsReader.Sweep("", List.of()));
            }
            for (var tg : p.trains.values()) {
                profileConfig(tg, pg, over, tg.decl().name().text() + "|" + profile, baseKeys);
                if (lines.isEmpty() || lines.stream().anyMatch(l -> l.values().isEmpty())) continue;
                // the grid: every combination of the sweep lines' values, the first line varying slowest
                List<SweepPoint> points = new ArrayList<>();
                int n = lines.stream().mapToInt(l -> l.values().size()).reduce(1, (a, b) -> a * b);
                for (int i = 0; i < n; i++) {
                    Map<String, SettingsReader.Read> at = new LinkedHashMap<>(over);
                    List<String> label = new ArrayList<>();
                    int rest = i;
                    for (int l = lines.size() - 1; l >= 0; l--) {
                        var line = lines.get(l);
                        SettingsReader.Read v = line.values().get(rest % line.values().size());
                        rest /= line.values().size();
                        at.put(line.setting(), v);
                        var r = v.setting().clauses().get(0).range();
                        label.add(0, line.setting() + " " + v.loc().source().text().substring(r.start(), r.end()));
                    }
                    String key = tg.decl().name().text() + "|" + profile + "|" + i;
                    profileConfig(tg, pg, at, key, baseKeys);
                    points.add(new SweepPoint(String.join(", ", label), key));
                }
                sweeps.put(tg.decl().name().text() + "|" + profile, points);
            }
        }
    }

    /** One combination of a profile's sweep lines: its label ({@code batch 64, optimizer adam(lr: 3e-3)}) and its config's key. */
    record SweepPoint(String label, String key) {}

    /** Checks train tg under profile pg's settings {@code over}; its config goes in {@code configs} under key. */
    private void profileConfig(Program.Global<Decl.Train> tg, Program.Global<Decl.Profile> pg, Map<String, SettingsReader.Read> over,
                               String key, Set<String> baseKeys) {
        String profile = pg.decl().name().text();
        TrainConfig base = configs.get(tg.decl().name().text() + "|");
        TrainConfig c = new TrainConfig(tg, pg);
        c.settings.putAll(base.settings);
        c.network = base.network;
        c.data = base.data;
        SettingsReader.Read resize = null;
        for (var e : over.entrySet()) {
            switch (e.getKey()) {
                case "resize" -> resize = e.getValue();
                case "subset" -> {
                    if (e.getValue().value() instanceof Double f) c.subset = f;
                }
                default -> c.settings.put(e.getKey(), e.getValue());
            }
        }
        configs.put(key, c);
        if (c.network == null) return;
        Sink saved = p.sink;
        Sink fresh = saved.fresh();
        p.sink = fresh;
        Graph graph;
        try {
            graph = resize(c, resize, pg);
            c.graph = graph;
            new TrainChecker(p, datasets, graphs).check(c);
        } finally {
            p.sink = saved;
        }
        String what = "profile " + profile + (resize != null && c.resize != null ? " (resize " + c.resize + ")" : "");
        Loc at = resize != null ? resize.loc().at(resize.setting().range()) : pg.loc(pg.decl().name().range());
        Set<String> said = new HashSet<>();
        for (Diagnostic d : saved.all()) {
            said.add(key(d));
            said.add(d.code() + "|" + d.message());
        }
        for (Diagnostic d : fresh.all()) {
            if (d.source().path().equals(pg.source().path()) && pg.decl().range().contains(d.range().start())) {
                if (said.add(key(d))) saved.add(d);
            } else if (d.isError() && !baseKeys.contains(key(d))) {
                String message = what + " breaks train " + tg.decl().name().text() + ": "
                        + d.message() + " (line " + (d.line() + 1) + " of " + d.source().path().getFileName() + ")";
                if (said.add(Codes.PROFILE_BREAKS + "|" + message)) {
                    saved.error(Codes.PROFILE_BREAKS, at, message);
                }
            }
        }
    }

    private static String key(Diagnostic d) {
        return d.source().path() + "|" + d.range() + "|" + d.code() + "|" + d.message();
    }

    /** The network under a profile's resize: elaborated again with the new input shape. */
    private Graph resize(TrainConfig c, SettingsReader.Read resize, Program.Global<Decl.Profile> pg) {
        TrainConfig plain = configs.get(c.name() + "|");
        Graph base = plain != null && plain.graph != null ? plain.graph : graphs.get(c.network.decl().name().text());
        if (resize == null || !(resize.value() instanceof List<?> l)) return base;
        Loc at = resize.valueLoc();
        if (l.size() != 2) {
            p.sink.error(Codes.BAD_RESIZE, at, "resize takes [height, width], e.g. `resize [14, 14]`; got " + l);
            return base;
        }
        Shape sample = c.data == null ? null : c.data.sampleShape;
        if (sample != null && sample.rank() != 3) {
            p.sink.error(Codes.BAD_RESIZE, at, "resize applies to pictures, but dataset " + c.data.name + " (train "
                    + c.name() + ") has samples of " + sample + "; remove resize from profile " + pg.decl().name().text());
            return base;
        }
        if (base == null || base.input == null || base.input.rank() != 3) {
            if (base != null && base.input != null) {
                p.sink.error(Codes.BAD_RESIZE, at, "resize applies to pictures, but network " + base.network + " takes "
                        + base.input + "; remove resize from profile " + pg.decl().name().text());
            }
            return base;
        }
        c.resize = List.of(((Number) l.get(0)).intValue(), ((Number) l.get(1)).intValue());
        Shape in = Shape.of(base.input.dim(0), c.resize.get(0), c.resize.get(1));
        return new Elaborator(p, null, n -> null).tokens(tokens(c.network.decl().name().text(), c.train)).network(c.network, in);
    }

    // ---- outline details ----------------------------------------------------------------

    /** Outline details of the index; after {@link #run}, when the semantic model is made. */
    void details() {
        for (Program.Global<?> g : p.globals.values()) {
            Decl d = g.decl();
            if (d instanceof Decl.Network n) {
                NetworkSummary s = summaries.get(n.name().text());
                if (s != null) {
                    p.index.detail(g.key(), (s.input() == null ? "?" : s.input().toString()) + " → "
                            + (s.output() == null ? "?" : s.output().toString()) + ", "
                            + String.format(Locale.ROOT, "%,d", s.params()) + " params");
                }
            } else if (d instanceof Decl.Block b) {
                StringBuilder sb = new StringBuilder("(");
                for (Decl.Param param : b.params()) {
                    if (sb.length() > 1) sb.append(", ");
                    sb.append(param.name().text());
                    if (param.type() != null) sb.append(": ").append(param.type().text());
                    if (param.defaultValue() != null) sb.append(" = ").append(g.source().slice(param.defaultValue().range()));
                }
                p.index.detail(g.key(), sb.append(")").toString());
            } else if (d instanceof Decl.Dataset ds) {
                DatasetInfo info = datasets.get(ds.name().text());
                if (info != null) {
                    String labels = "classes".equals(info.labelKind) ? (info.numClasses > 0 ? info.numClasses + " classes" : "classes")
                            : "targets".equals(info.labelKind) ? info.targetWidth + " target" + (info.targetWidth == 1 ? "" : "s") : "";
                    p.index.detail(g.key(), (info.sampleShape == null ? "?" : info.sampleShape.toString())
                            + (labels.isEmpty() ? "" : ", " + labels));
                }
            }
        }
        for (var t : p.trains.values()) p.index.detail(t.key(), "train");
        for (var pr : p.profiles.values()) p.index.detail(pr.key(), "profile");
        // Named layers: their kind and output shape. One pass over the index, then
        // a lookup per layer (a nested loop here was quadratic on large files).
        record Where(java.nio.file.Path file, dev.ann.compiler.ast.Range range) {}
        Map<Where, List<Index.Entry>> namedLayers = new java.util.HashMap<>();
        for (Index.Entry e : p.index.entries()) {
            if (e.key.kind() == SymbolKind.LAYER) {
                namedLayers.computeIfAbsent(new Where(e.key.file(), e.declRange), k -> new java.util.ArrayList<>()).add(e);
            }
        }
        for (LayerInfo info : layers().values()) {
            for (Index.Entry e : namedLayers.getOrDefault(new Where(info.file(), info.range()), List.of())) {
                p.index.detail(e.key, info.kind() + (info.outShape() == null ? "" : " " + info.outShape()));
            }
        }
    }

    /** Layer infos: from networks, and from block bodies for blocks never used. */
    Map<Elaborator.LayerKey, LayerInfo> layers() {
        Map<Elaborator.LayerKey, LayerInfo> all = new LinkedHashMap<>(blockLog);
        all.putAll(layerLog);
        return all;
    }

    Map<String, NetworkSummary> summaries() {
        return summaries;
    }
}
