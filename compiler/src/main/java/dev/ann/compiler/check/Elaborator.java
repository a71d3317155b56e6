package dev.ann.compiler.check;

import dev.ann.compiler.ast.Call;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Ident;
import dev.ann.compiler.ast.LayerStmt;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Fix;
import dev.ann.compiler.model.LayerInfo;
import dev.ann.plan.Args;
import dev.ann.plan.Shape;
import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.LayerSpec;
import dev.ann.compiler.spec.ShapeException;
import dev.ann.compiler.spec.Spec;
import dev.ann.compiler.spec.Structure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Expands a network into a {@link Graph} and infers every shape: blocks are
 * inlined with their arguments bound, {@code parallel} and {@code residual}
 * become concat and add ops. Reports what does not fit, where it is written.
 */
final class Elaborator {
    private static final int MAX_DEPTH = 32;

    private final Program p;
    private final Map<LayerKey, LayerInfo> log;      // null: do not record layer infos
    private final Function<String, Shape> suggestedInput;
    /** where an embedding's vocabulary comes from when it gives none */
    private Tokens tokens = Tokens.NONE;

    /**
     * The token ids a network is fed: the dataset of a train block that trains it (null when none does) and the
     * size of that dataset's id space (null when it has no tokenizer).
     */
    record Tokens(String dataset, String train, Integer vocabulary) {
        static final Tokens NONE = new Tokens(null, null, null);
    }

    private Graph g;
    private final Map<String, Integer> counters = new HashMap<>();
    private final Set<String> used = new HashSet<>();
    private final Deque<String> blocks = new ArrayDeque<>();
    private final Deque<String> prefixes = new ArrayDeque<>();
    /** depth of branch and residual bodies */
    private int nesting;

    /** The state of the data flowing between statements: the op that produced it and its shape. */
    private record Flow(int node, Shape shape) {}

    Elaborator(Program p, Map<LayerKey, LayerInfo> log, Function<String, Shape> suggestedInput) {
        this.p = p;
        this.log = log;
        this.suggestedInput = suggestedInput;
    }

    /** The dataset whose tokenizer gives embeddings their vocabulary (PlanBuilder takes the graph's args as they are). */
    Elaborator tokens(Tokens t) {
        tokens = t == null ? Tokens.NONE : t;
        return this;
    }

    /** @param override the input shape to use instead of the declared one (a profile's resize), or null */
    Graph network(Program.Global<Decl.Network> ng, Shape override) {
        Decl.Network net = ng.decl();
        g = new Graph(net.name().text());
        SourceFile src = ng.source();
        List<LayerStmt> body = net.body();
        if (body.isEmpty()) {
            p.sink.error(Codes.EMPTY_BODY, ng.loc(net.name().range()), "network " + net.name().text()
                    + " has no layers; start it with `input [...]` followed by layers");
            return g;
        }
        Flow flow;
        int start = 0;
        if (body.get(0) instanceof LayerStmt.Input in) {
            flow = input(in, src, override);
            start = 1;
        } else {
            Shape guess = suggestedInput.apply(net.name().text());
            String shapeText = guess == null ? "[...]" : guess.toString();
            int at = body.get(0).range().start();
            String indent = indentAt(src, at);
            Fix fix = guess == null ? null
                    : Sink.insert("add input " + shapeText, ng.loc(net.name().range()), at, "input " + shapeText + "\n" + indent);
            String msg = "network " + net.name().text() + " has no input; start it with `input " + shapeText
                    + "`, the shape of one sample";
            if (fix != null) p.sink.error(Codes.INPUT_MISSING, ng.loc(net.name().range()), msg, fix);
            else p.sink.error(Codes.INPUT_MISSING, ng.loc(net.name().range()), msg);
            flow = new Flow(-1, null);
        }
        flow = body(body.subList(start, body.size()), flow, Scope.GLOBAL, src, net.name().text());
        g.output = flow.shape();
        return g;
    }

    /** Checks a block body on its own, with its parameters unknown: names and arguments that are wrong whatever the use. */
    void blockAlone(Program.Global<Decl.Block> bg, Scope scope) {
        g = new Graph(bg.decl().name().text());
        blocks.push(bg.decl().name().text());
        body(bg.decl().body(), new Flow(-1, null), scope, bg.source(), bg.decl().name().text());
        blocks.pop();
    }

    private Flow input(LayerStmt.Input in, SourceFile src, Shape override) {
        LayerSpec spec = p.registry.layer("input").orElseThrow();
        Object v = p.binder.coerce(spec.args().get(0), in.shape(), Scope.GLOBAL, src, "input");
        g.inputLoc = new Loc(src, in.shape().range());
        Shape shape = override != null ? override : v instanceof List<?> l ? new Shape(ints(l)) : null;
        Map<String, Object> args = new LinkedHashMap<>();
        if (shape != null) args.put("shape", shape.dims());
        g.input = shape;
        Graph.Node n = node("input", spec, args, List.of(), null, shape, new Loc(src, in.range()),
                in.label() != null && Program.present(in.label()) ? in.label().text() : "input");
        info(n, in.range(), "input", spec, null);
        return new Flow(n.id, shape);
    }

    private Flow body(List<LayerStmt> stmts, Flow flow, Scope scope, SourceFile src, String container) {
        for (LayerStmt s : stmts) flow = stmt(s, flow, scope, src, container);
        return flow;
    }

    private Flow stmt(LayerStmt s, Flow flow, Scope scope, SourceFile src, String container) {
        if (s instanceof LayerStmt.Input in) {
            if (!blocks.isEmpty() || nesting > 0) {
                p.sink.error(Codes.INPUT_IN_BLOCK, new Loc(src, in.keyword().range()), "`input` belongs at the start of a "
                        + "network, not inside a block, branch or residual; remove it (a block takes the shape it is given)",
                        Sink.replace("remove this line", new Loc(src, in.range()), ""));
            } else {
                p.sink.error(Codes.INPUT_MISPLACED, new Loc(src, in.keyword().range()), "`input` must be the first statement "
                        + "of a network, exactly once; remove this one", Sink.replace("remove this line", new Loc(src, in.range()), ""));
            }
            return flow;
        }
        if (s instanceof LayerStmt.Chain c) return chain(c, flow, scope, src, container);
        if (s instanceof LayerStmt.Parallel par) return parallel(par, flow, scope, src, container);
        if (s instanceof LayerStmt.Residual r) return residual(r, flow, scope, src, container);
        return flow;
    }

    // ---- chains: layer -> activation -> ... ---------------------------------------------

    private Flow chain(LayerStmt.Chain c, Flow flow, Scope scope, SourceFile src, String container) {
        for (int i = 0; i < c.calls().size(); i++) {
            Call call = c.calls().get(i);
            String name = call.callee().text();
            if (name.isEmpty()) {
                flow = new Flow(flow.node(), null);
                continue;
            }
            Loc at = new Loc(src, call.callee().range());
            if (i > 0) {
                Spec act = p.registry.find(Category.ACTIVATION, name).orElse(null);
                if (act == null) {
                    List<String> acts = p.registry.all(Category.ACTIVATION).stream().map(Spec::name).toList();
                    if (p.registry.layer(name).isPresent() || p.global(name, Decl.Block.class) != null) {
                        p.sink.error(Codes.NOT_AN_ACTIVATION, at, "only an activation may follow '->'; " + name
                                + " is a " + (p.registry.layer(name).isPresent() ? "layer" : "block")
                                + ": put it on a line of its own");
                    } else {
                        unknown(at, name, acts, "activation", Codes.NOT_AN_ACTIVATION);
                    }
                    flow = new Flow(flow.node(), null);
                    continue;
                }
                flow = layer((LayerSpec) act, call, flow, null, c, scope, src, container, false);
                continue;
            }
            LayerSpec spec = p.registry.layer(name).orElse(null);
            if (spec != null && !name.equals("input")) {
                flow = layer(spec, call, flow, c.label(), c, scope, src, container, true);
                continue;
            }
            Program.Global<Decl.Block> block = p.global(name, Decl.Block.class);
            if (block != null) {
                p.index.reference(block.key(), src.path(), call.callee().range());
                flow = expand(block, call, flow, c, scope, src, container);
                continue;
            }
            Program.Global<?> other = p.global(name);
            if (other != null) {
                p.index.reference(other.key(), src.path(), call.callee().range());
                String kind = Program.kindWord(other.decl());
                p.sink.error(Codes.WRONG_KIND, at, name + " is a " + kind + ", not a layer"
                        + (other.decl() instanceof Decl.Network ? "; to reuse its layers, declare them in a block" : ""));
            } else {
                List<String> names = new ArrayList<>();
                p.registry.all(Category.LAYER).forEach(x -> names.add(x.name()));
                p.registry.all(Category.ACTIVATION).forEach(x -> names.add(x.name()));
                names.remove("input");
                names.addAll(p.namesOf(Decl.Block.class));
                unknown(at, name, names, "layer", Codes.UNKNOWN_LAYER);
            }
            flow = new Flow(flow.node(), null);
        }
        return flow;
    }

    private void unknown(Loc at, String name, List<String> names, String what, String code) {
        String guess = Suggest.closest(name, names);
        if (guess != null) {
            p.sink.error(code, at, "unknown " + what + " '" + name + "'; did you mean '" + guess + "'?",
                    Sink.replace("change to '" + guess + "'", at, guess));
        } else {
            p.sink.error(code, at, "unknown " + what + " '" + name + "'; known " + what + "s: " + String.join(", ", names));
        }
    }

    private Flow layer(LayerSpec spec, Call call, Flow flow, Ident label, LayerStmt.Chain stmt, Scope scope,
                       SourceFile src, String container, boolean first) {
        Binder.Bound b = p.binder.bind(spec, call, scope, src);
        Map<String, Object> args = new LinkedHashMap<>(b.values());
        boolean fits = true;
        if (spec.name().equals("embedding") && flow.shape() != null && b.complete()) {
            fits = embedding(call, flow, args, b, src);
        }
        Shape out = null;
        if (flow.shape() != null && b.complete() && fits) {
            try {
                out = spec.outShape(flow.shape(), new Args(args));
            } catch (ShapeException e) {
                Range r = e.arg() != null && b.ranges().containsKey(e.arg()) ? b.ranges().get(e.arg()) : call.range();
                String msg = e.getMessage() + (label != null ? " (layer '" + label.text() + "')" : "");
                Loc loc = new Loc(src, r);
                Fix fix = fix(e, loc, call, stmt, src, first, b);
                if (fix != null) p.sink.error(Codes.SHAPE_MISMATCH, loc, msg, fix);
                else p.sink.error(Codes.SHAPE_MISMATCH, loc, msg);
            } catch (RuntimeException e) {
                p.sink.error(Codes.SHAPE_MISMATCH, new Loc(src, call.range()), spec.name() + " cannot take " + flow.shape()
                        + " with these arguments; check them");
            }
        }
        Graph.Node n = node(spec.name(), spec, args, flow.node() < 0 ? List.of() : List.of(flow.node()), flow.shape(), out,
                new Loc(src, call.range()), label(label));
        n.argRanges = b.ranges();
        if (out != null) {
            Args a = new Args(args);
            n.tensors = spec.tensors(flow.shape(), out, a);
            n.params = spec.paramCount(flow.shape(), out, a);
            n.flops = spec.flops(flow.shape(), out, a);
        }
        info(n, call.range(), spec.name(), spec, container);
        return new Flow(n.id, out);
    }

    /** The edit a shape error's hint asks for, where it can be made; null when none. */
    private Fix fix(ShapeException e, Loc loc, Call call, LayerStmt.Chain stmt, SourceFile src, boolean first, Binder.Bound b) {
        int at = stmt.range().start();
        return switch (e.hint()) {
            case NEEDS_FLATTEN -> first && !p.sink.insideBlock()
                    ? Sink.insert("insert flatten", loc, at, "flatten\n" + indentAt(src, at)) : null;
            case INSERT_BEFORE -> first && !p.sink.insideBlock()
                    ? Sink.insert("insert " + e.replacement(), loc, at, e.replacement() + "\n" + indentAt(src, at)) : null;
            case RENAME -> first && !p.sink.insideBlock()
                    ? Sink.replace("use " + e.replacement(), new Loc(src, call.callee().range()), e.replacement()) : null;
            case ARGUMENT -> e.arg() != null && b.ranges().containsKey(e.arg()) && !p.sink.insideBlock()
                    ? Sink.replace("use " + e.arg() + " " + e.replacement(), loc, e.replacement()) : null;
            case NONE -> null;
        };
    }

    /**
     * An embedding reads token ids straight from the input, and its vocabulary is the id space of the
     * dataset's tokenizer: filled in here (the one place), from the train block's dataset, when the call
     * gives none. False when it cannot take its input.
     */
    private boolean embedding(Call call, Flow flow, Map<String, Object> args, Binder.Bound b, SourceFile src) {
        Loc at = new Loc(src, call.range());
        String net = g.network;
        if (flow.node() >= 0 && !g.nodes.get(flow.node()).kind.equals("input")) {
            Graph.Node before = g.nodes.get(flow.node());
            p.sink.error(Codes.TOKEN_IDS, at, "embedding reads token ids [T] straight from the network's input, but here "
                    + "it gets the output of " + before.kind + " " + flow.shape() + " (numbers, not ids); put embedding "
                    + "first, right after `input [T]`");
            return false;
        }
        Integer vocabulary = tokens.vocabulary();
        boolean given = args.containsKey("vocabulary");
        if (tokens.dataset() != null && vocabulary == null && flow.shape().rank() == 1) {
            p.sink.error(Codes.TOKEN_IDS, at, "embedding reads token ids from a text source, but dataset " + tokens.dataset()
                    + " (train " + tokens.train() + ") gives float features " + flow.shape() + ", not ids; tokenise a text "
                    + "column in the dataset (`tokens words, vocabulary N, length L`) or remove the embedding");
            return false;
        }
        if (given && vocabulary != null && ((Number) args.get("vocabulary")).intValue() != vocabulary) {
            Loc v = new Loc(src, b.ranges().get("vocabulary"));
            p.sink.error(Codes.TOKEN_IDS, v, "embedding's vocabulary " + args.get("vocabulary") + " differs from the "
                    + vocabulary + " ids of dataset " + tokens.dataset() + "'s tokenizer (train " + tokens.train()
                    + "); write " + vocabulary + ", or leave vocabulary out: it is taken from the dataset",
                    Sink.replace("use " + vocabulary, v, String.valueOf(vocabulary)));
            return false;
        }
        if (!given && vocabulary != null) args.put("vocabulary", vocabulary);
        if (!args.containsKey("vocabulary")) {
            Object dim = args.get("dim");
            p.sink.error(Codes.MISSING_ARGUMENT, at, "embedding needs the size of its vocabulary: train network " + net
                    + " on a dataset with `tokens ..., vocabulary N` (it is taken from there), or write `embedding("
                    + dim + ", vocabulary: N)`");
            return false;
        }
        return true;
    }

    // ---- blocks -------------------------------------------------------------------------

    private Flow expand(Program.Global<Decl.Block> bg, Call call, Flow flow, LayerStmt.Chain stmt, Scope scope,
                        SourceFile src, String container) {
        Decl.Block block = bg.decl();
        String name = block.name().text();
        Map<String, Scope.Binding> bound = bindParams(bg, call, scope, src);
        if (blocks.contains(name) || blocks.size() >= MAX_DEPTH) {
            // Reported once on the block's own body (see checkRecursion); nothing to expand.
            return new Flow(flow.node(), null);
        }
        if (bound == null) return new Flow(flow.node(), null);
        int before = g.nodes.size();
        String prefix = stmt.label() != null ? stmt.label().text() : name.toLowerCase(java.util.Locale.ROOT) + "_" + next(name);
        p.sink.enter(new Loc(src, call.range()), name);
        blocks.push(name);
        prefixes.push(prefix);
        Flow out;
        try {
            out = body(block.body(), flow, new Scope(bound), bg.source(), name);
        } finally {
            prefixes.pop();
            blocks.pop();
            p.sink.exit();
        }
        if (stmt.label() != null && Program.present(stmt.label()) && out.node() >= before && out.node() < g.nodes.size()) {
            Graph.Node last = g.nodes.get(out.node());
            used.remove(last.name);
            last.name = unique(label(stmt.label()));
        }
        if (log != null) {
            long params = 0;
            long flops = 0;
            for (int i = before; i < g.nodes.size(); i++) {
                params += g.nodes.get(i).params;
                flops += g.nodes.get(i).flops;
            }
            String infoName = stmt.label() != null ? stmt.label().text() : prefix;
            putInfo(new LayerInfo(src.path(), call.range(), name, null, infoName, flow.shape(), out.shape(), params, flops,
                    container));
        }
        return out;
    }

    /** The block's parameters bound to the call's arguments; null when they cannot be. */
    private Map<String, Scope.Binding> bindParams(Program.Global<Decl.Block> bg, Call call, Scope scope, SourceFile src) {
        Decl.Block block = bg.decl();
        String name = block.name().text();
        List<Decl.Param> params = block.params();
        Map<String, Call.Arg> given = new LinkedHashMap<>();
        boolean ok = true;
        int positional = 0;
        for (Call.Arg a : call.args()) {
            if (a.name() == null) {
                if (positional >= params.size()) {
                    p.sink.error(Codes.TOO_MANY_ARGUMENTS, new Loc(src, a.range()), "block " + name + " takes "
                            + params.size() + " argument" + (params.size() == 1 ? "" : "s") + "; remove this one");
                    ok = false;
                } else {
                    given.put(params.get(positional).name().text(), a);
                }
                positional++;
                continue;
            }
            String n = a.name().text();
            Decl.Param param = params.stream().filter(x -> x.name().text().equals(n)).findFirst().orElse(null);
            if (param == null) {
                List<String> names = params.stream().map(x -> x.name().text()).toList();
                String guess = Suggest.closest(n, names);
                Loc at = new Loc(src, a.name().range());
                if (guess != null) {
                    p.sink.error(Codes.UNKNOWN_ARGUMENT, at, "block " + name + " has no parameter '" + n + "'; did you mean '"
                            + guess + "'?", Sink.replace("change to '" + guess + "'", at, guess));
                } else {
                    p.sink.error(Codes.UNKNOWN_ARGUMENT, at, "block " + name + " has no parameter '" + n + "'; it takes "
                            + (names.isEmpty() ? "none" : String.join(", ", names)));
                }
                ok = false;
                continue;
            }
            p.index.reference(new Index.Key(dev.ann.compiler.model.SymbolKind.BLOCK_PARAM, bg.source().path(),
                    param.name().range()), src.path(), a.name().range());
            if (given.containsKey(n)) {
                p.sink.error(Codes.DUPLICATE_ARGUMENT, new Loc(src, a.range()), "'" + n + "' is given twice to block " + name
                        + "; remove one");
                ok = false;
                continue;
            }
            given.put(n, a);
        }
        Map<String, Scope.Binding> out = new LinkedHashMap<>();
        for (Decl.Param param : params) {
            String n = param.name().text();
            Index.Key key = new Index.Key(dev.ann.compiler.model.SymbolKind.BLOCK_PARAM, bg.source().path(), param.name().range());
            String type = param.type() == null ? null : param.type().text();
            Call.Arg a = given.get(n);
            Val v;
            if (a != null) {
                v = p.eval.eval(a.value(), scope, src);
                if (!(v instanceof Val.Unknown) && !BlockTypes.fits(type, v)) {
                    p.sink.error(Codes.TYPE_MISMATCH, new Loc(src, a.value().range()), "block " + name + " parameter " + n
                            + " is " + BlockTypes.describe(type) + ", not " + v.describe());
                    v = Val.UNKNOWN;
                    ok = false;
                }
                if (v instanceof Val.NameV nv) {
                    p.binder.unknownName(nv.name(), new Loc(src, a.value().range()), scope, "block " + name + " " + n);
                    v = Val.UNKNOWN;
                    ok = false;
                }
            } else if (param.defaultValue() != null) {
                // A default may name the parameters before it: `m: int = n`.
                v = p.eval.eval(param.defaultValue(), new Scope(out), bg.source());
            } else {
                String text = call.args().isEmpty() ? "..." : n + ": ...";
                p.sink.error(Codes.MISSING_ARGUMENT, new Loc(src, call.callee().range()), "block " + name + " needs " + n
                        + (type != null ? " (" + type + ")" : "") + ": write " + name + "(" + text + ")");
                v = Val.UNKNOWN;
                ok = false;
            }
            if (v instanceof Val.Flt f && "int".equals(type)) v = Val.UNKNOWN;
            if (v instanceof Val.Int i && "float".equals(type)) v = new Val.Flt(i.v(), false);
            out.put(n, new Scope.Binding(v, key, type));
        }
        return ok ? out : null;
    }

    // ---- parallel and residual ----------------------------------------------------------

    private Flow parallel(LayerStmt.Parallel par, Flow flow, Scope scope, SourceFile src, String container) {
        Loc at = new Loc(src, par.keyword().range());
        String mode = par.mode() == null ? null : par.mode().text();
        if (mode == null || mode.isEmpty()) {
            p.sink.error(Codes.BAD_PARALLEL, at, "say how the branches are joined: `parallel concat` (channels side by side) "
                    + "or `parallel add`", Sink.insert("add concat", at, par.keyword().range().end(), " concat"));
            mode = "concat";
        } else if (!mode.equals("concat") && !mode.equals("add")) {
            Loc m = new Loc(src, par.mode().range());
            String guess = Suggest.closest(mode, List.of("concat", "add"));
            if (guess != null) {
                p.sink.error(Codes.BAD_PARALLEL, m, "unknown parallel mode '" + mode + "'; did you mean '" + guess + "'?",
                        Sink.replace("change to '" + guess + "'", m, guess));
            } else {
                p.sink.error(Codes.BAD_PARALLEL, m, "unknown parallel mode '" + mode + "'; write concat or add");
            }
            mode = "concat";
        }
        if (par.branches().isEmpty()) {
            p.sink.error(Codes.BAD_PARALLEL, at, "parallel needs branches: `branch { ... }` inside its braces");
            return new Flow(flow.node(), null);
        }
        int before = g.nodes.size();
        List<Flow> outs = new ArrayList<>();
        nesting++;
        try {
            for (LayerStmt.Branch b : par.branches()) outs.add(body(b.body(), flow, scope, src, container));
        } finally {
            nesting--;
        }
        Shape out = null;
        if (outs.stream().allMatch(f -> f.shape() != null)) {
            List<Shape> shapes = outs.stream().map(Flow::shape).toList();
            try {
                out = mode.equals("add") ? Structure.add(shapes) : Structure.concat(shapes);
            } catch (ShapeException e) {
                String where = par.label() != null ? "'" + par.label().text() + "'" : "at line " + (src.line(par.range().start()) + 1);
                p.sink.error(Codes.BRANCH_SHAPES, at, "parallel " + where + ": " + e.getMessage());
            }
        }
        LayerSpec spec = mode.equals("add") ? Structure.ADD : Structure.CONCAT;
        List<Integer> inputs = outs.stream().map(Flow::node).filter(i -> i >= 0).toList();
        Graph.Node n = node(spec.name(), spec, new LinkedHashMap<>(), inputs, flow.shape(), out,
                new Loc(src, par.keyword().range()), label(par.label()));
        if (out != null) n.flops = spec.flops(out, out, Args.empty());
        compound(n, before, par.range(), "parallel", container);
        return new Flow(n.id, out);
    }

    private Flow residual(LayerStmt.Residual r, Flow flow, Scope scope, SourceFile src, String container) {
        Loc at = new Loc(src, r.keyword().range());
        if (r.body().isEmpty()) {
            p.sink.error(Codes.EMPTY_BODY, at, "residual has no layers; put the layers of its body inside the braces");
            return flow;
        }
        int before = g.nodes.size();
        nesting++;
        Flow body;
        try {
            body = body(r.body(), flow, scope, src, container);
        } finally {
            nesting--;
        }
        Shape out = null;
        if (flow.shape() != null && body.shape() != null) {
            if (flow.shape().equals(body.shape())) {
                out = flow.shape();
            } else {
                String where = r.label() != null ? "residual '" + r.label().text() + "'"
                        : "residual at line " + (src.line(r.range().start()) + 1);
                p.sink.error(Codes.RESIDUAL_SHAPE, at, where + ": its body must give back its input shape " + flow.shape()
                        + " to be added to it, but turns it into " + body.shape() + "; make the body's last layer output "
                        + flow.shape());
            }
        }
        List<Integer> inputs = new ArrayList<>();
        if (flow.node() >= 0) inputs.add(flow.node());
        if (body.node() >= 0) inputs.add(body.node());
        Graph.Node n = node("add", Structure.ADD, new LinkedHashMap<>(), inputs, flow.shape(), out,
                new Loc(src, r.keyword().range()), label(r.label()));
        if (out != null) n.flops = Structure.ADD.flops(out, out, Args.empty());
        compound(n, before, r.range(), "residual", container);
        return new Flow(n.id, out);
    }

    // ---- nodes, names, layer infos ------------------------------------------------------

    private String label(Ident label) {
        if (label == null || label.text().isEmpty()) return null;
        return prefixes.isEmpty() ? label.text() : prefixes.peek() + "/" + label.text();
    }

    private Graph.Node node(String kind, LayerSpec spec, Map<String, Object> args, List<Integer> inputs, Shape in,
                            Shape out, Loc loc, String name) {
        Graph.Node n = new Graph.Node();
        n.id = g.nodes.size();
        n.kind = kind;
        n.spec = spec;
        n.args = args;
        n.inputs = inputs;
        n.in = in;
        n.out = out;
        n.loc = loc;
        n.site = p.sink.outerSite() != null ? p.sink.outerSite() : loc;
        n.name = unique(name != null ? name : kind + "_" + next(kind));
        g.nodes.add(n);
        return n;
    }

    private int next(String kind) {
        return counters.merge(kind, 1, Integer::sum);
    }

    private String unique(String name) {
        String n = name;
        for (int i = 2; !used.add(n); i++) n = name + "_" + i;
        return n;
    }

    /** The info of a parallel or residual statement: its params and FLOPs are those of everything inside. */
    private void compound(Graph.Node end, int before, Range range, String kind, String container) {
        if (log == null) return;
        long params = 0;
        long flops = 0;
        for (int i = before; i < g.nodes.size(); i++) {
            params += g.nodes.get(i).params;
            flops += g.nodes.get(i).flops;
        }
        putInfo(new LayerInfo(end.loc.source().path(), range, kind, null, end.name, end.in, end.out, params, flops, container));
    }

    private void info(Graph.Node n, Range range, String kind, LayerSpec spec, String container) {
        if (log == null) return;
        putInfo(new LayerInfo(n.loc.source().path(), range, kind, spec, n.name, n.in, n.out, n.params, n.flops, container));
    }

    /** Where a layer statement is: one info per place. */
    record LayerKey(java.nio.file.Path file, int start, int end) {}

    private void putInfo(LayerInfo info) {
        log.putIfAbsent(new LayerKey(info.file(), info.range().start(), info.range().end()), info);
    }

    static String indentAt(SourceFile src, int offset) {
        int line = src.line(offset);
        String text = src.lineText(line);
        int i = 0;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
        return text.substring(0, i);
    }

    private static List<Integer> ints(List<?> l) {
        List<Integer> out = new ArrayList<>();
        for (Object o : l) out.add(((Number) o).intValue());
        return out;
    }
}
