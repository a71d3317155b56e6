package dev.ann.compiler.check;

import dev.ann.compiler.ast.Call;
import dev.ann.compiler.ast.Expr;
import dev.ann.compiler.ast.Setting;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.spec.ArgSpec;
import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.SettingSpec;
import dev.ann.compiler.spec.Spec;
import dev.ann.compiler.spec.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the settings of a dataset, train or profile body by their
 * declarations: each value typed, ranged and turned into plain data.
 */
final class SettingsReader {

    /** A data source: {@code train csv(...)}; role is all, train, validation or test. */
    record Source(String role, String kind, Map<String, Object> args, Loc loc, Map<String, dev.ann.compiler.ast.Range> ranges) {
        /** Where an argument is written, or the whole call. */
        Loc at(String arg) {
            var r = ranges.get(arg);
            return r == null ? loc : loc.at(r);
        }
    }

    /**
     * One setting read.
     *
     * @param value plain data (see SettingSpec.Form), or null when it was wrong (reported)
     */
    record Read(SettingSpec spec, Setting setting, Object value, Loc loc, Loc valueLoc) {}

    private final Program p;

    SettingsReader(Program p) {
        this.p = p;
    }

    Map<String, Read> read(List<Setting> settings, Category category, SourceFile src, String owner) {
        Map<String, Read> out = new LinkedHashMap<>();
        for (Setting s : settings) {
            String name = s.name().text();
            if (name.isEmpty()) continue;
            Loc at = new Loc(src, s.name().range());
            SettingSpec spec = (SettingSpec) p.registry.find(category, name).orElse(null);
            Read r;
            if (spec == null && category == Category.DATASET_SETTING && p.registry.find(Category.DATA_SOURCE, name).isPresent()) {
                if (!s.clauses().isEmpty()) p.sink.error(Codes.SETTING_FORM, new Loc(src, s.clauses().get(0).range()),
                        "nothing follows a source's arguments; remove this");
                Source source = source("all", s.call(), src);
                r = new Read(null, s, source, at, new Loc(src, s.range()));
                name = "source";
            } else if (spec == null) {
                List<String> names = new ArrayList<>(p.registry.all(category).stream().map(Spec::name).toList());
                if (category == Category.DATASET_SETTING) names.addAll(p.registry.all(Category.DATA_SOURCE).stream().map(Spec::name).toList());
                String guess = Suggest.closest(name, names);
                String msg = owner + " has no setting '" + name + "'; " + (guess != null ? "did you mean '" + guess + "'? " : "")
                        + "its settings are " + String.join(", ", names);
                if (guess != null) p.sink.error(Codes.UNKNOWN_SETTING, at, msg, Sink.replace("change to '" + guess + "'", at, guess));
                else p.sink.error(Codes.UNKNOWN_SETTING, at, msg);
                continue;
            } else if (spec.form() == SettingSpec.Form.SWEEP) {
                r = sweep(spec, s, src, at);
                if (r == null) continue;
                name = "sweep " + ((Sweep) r.value()).setting();
            } else {
                r = read(spec, s, src, at);
            }
            Read prev = out.get(name);
            if (prev != null) {
                p.sink.warning(Codes.DUPLICATE_SETTING, at, name + " is set twice in " + owner + " (first at line "
                        + prev.loc().line() + "); the last one counts: remove one",
                        Sink.replace("remove the first", prev.loc().at(prev.setting().range()), ""));
            }
            out.put(name, r);
        }
        return out;
    }

    /** {@code sweep batch 32, 64}: the setting varied and each value read as that setting would be (null when wrong). */
    record Sweep(String setting, List<Read> values) {}

    /**
     * A sweep line: its first term names a profile setting, then come two or more values separated by commas,
     * each checked exactly as {@code setting value} would be. Null (reported) when it names no setting it can vary.
     */
    private Read sweep(SettingSpec spec, Setting s, SourceFile src, Loc at) {
        String how = "write `sweep batch 32, 64` or `sweep optimizer adam(lr: 1e-3), adam(lr: 3e-3)`";
        if (s.call().hasParens()) {
            p.sink.error(Codes.SETTING_FORM, new Loc(src, s.call().parens()), "sweep takes no parentheses: " + how);
            return null;
        }
        List<Setting.Clause> cs = s.clauses();
        if (cs.isEmpty() || cs.get(0).terms().isEmpty() || !(cs.get(0).terms().get(0) instanceof Expr.Name target)) {
            p.sink.error(Codes.BAD_SWEEP, cs.isEmpty() ? at : new Loc(src, cs.get(0).range()),
                    "sweep needs the name of a setting, then its values: " + how);
            return null;
        }
        String name = target.name().text();
        Loc tl = new Loc(src, target.range());
        var why = p.registry.whyNotSwept(name);
        SettingSpec ts = (SettingSpec) p.registry.find(Category.PROFILE_SETTING, name).orElse(null);
        List<String> names = p.registry.sweepable().stream().map(SettingSpec::name).toList();
        if (why.isPresent() && ts != null) {
            p.sink.error(Codes.BAD_SWEEP, tl, name + " cannot be swept: " + why.get());
            return null;
        }
        if (ts == null) {
            String guess = Suggest.closest(name, names);
            String msg = "sweep: no setting '" + name + "'; " + (guess != null ? "did you mean '" + guess + "'? " : "")
                    + "a sweep can vary " + String.join(", ", names);
            if (guess != null) p.sink.error(Codes.BAD_SWEEP, tl, msg, Sink.replace("change to '" + guess + "'", tl, guess));
            else p.sink.error(Codes.BAD_SWEEP, tl, msg);
            return null;
        }
        // the values: the rest of the first clause, then one clause each
        List<Setting.Clause> values = new ArrayList<>();
        Setting.Clause first = cs.get(0);
        if (first.terms().size() > 1) {
            List<Expr> rest = first.terms().subList(1, first.terms().size());
            values.add(new Setting.Clause(rest, rest.get(0).range().to(rest.get(rest.size() - 1).range())));
        }
        values.addAll(cs.subList(1, cs.size()));
        if (values.size() < 2) {
            p.sink.error(Codes.BAD_SWEEP, new Loc(src, s.range()), "sweep " + name + " needs at least two values, separated by"
                    + " commas (one value is a plain setting: write `" + name + " ...` instead)");
            return null;
        }
        List<Read> reads = new ArrayList<>();
        boolean ok = true;
        for (Setting.Clause v : values) {
            Setting one = new Setting(new dev.ann.compiler.ast.Call(target.name(), List.of(), null, target.range()), List.of(v),
                    target.range().to(v.range()));
            Read r = read(ts, one, src, new Loc(src, v.range()));
            if (r.value() == null) ok = false;
            reads.add(r);
        }
        return new Read(spec, s, ok ? new Sweep(name, reads) : new Sweep(name, List.of()), at,
                new Loc(src, values.get(0).range().to(values.get(values.size() - 1).range())));
    }

    private Read read(SettingSpec spec, Setting s, SourceFile src, Loc at) {
        String name = spec.name();
        List<Setting.Clause> clauses = s.clauses();
        Loc valueLoc = clauses.isEmpty() ? at : new Loc(src, clauses.get(0).range().to(clauses.get(clauses.size() - 1).range()));
        if (s.call().hasParens() && spec.form() != SettingSpec.Form.ARGS && spec.form() != SettingSpec.Form.FLAG) {
            p.sink.error(Codes.SETTING_FORM, new Loc(src, s.call().parens()), name + " takes no parentheses: write `"
                    + name + " " + example(spec) + "`");
            return new Read(spec, s, null, at, valueLoc);
        }
        Object value = switch (spec.form()) {
            case VALUE -> {
                Expr e = single(spec, s, src, at);
                yield e == null ? null : p.binder.coerceAs(spec.value(), e, Scope.GLOBAL, src, name);
            }
            case COMPONENT -> component(spec, s, src, at);
            case LIST -> list(spec, s, src, at);
            case SOURCE -> {
                Expr e = single(spec, s, src, at);
                yield e == null ? null : sourceExpr(name, e, src);
            }
            case SOURCE_OR_FRACTION -> {
                Expr e = single(spec, s, src, at);
                if (e == null) yield null;
                yield e instanceof Expr.CallExpr ? sourceExpr(name, e, src) : p.binder.coerceAs(spec.value(), e, Scope.GLOBAL, src, name);
            }
            case SPLIT -> split(spec, s, src, at);
            case CHECKPOINT -> checkpoint(spec, s, src, at);
            case FROM -> from(spec, s, src, at);
            case ARGS -> args(spec, s, src);
            case FLAG -> flag(spec, s, src);
            case SWEEP -> null; // read by sweep()
        };
        if (value instanceof String address && name.equals("cluster")) {
            var problem = p.registry.clusterProblem(address);
            if (problem.isPresent()) {
                p.sink.error(Codes.SETTING_FORM, valueLoc, problem.get());
                value = null;
            }
        }
        return new Read(spec, s, value, at, valueLoc);
    }

    private static String example(SettingSpec spec) {
        return switch (spec.form()) {
            case COMPONENT -> spec.valueCategory() == Category.LOSS ? "mse" : spec.valueCategory() == Category.OPTIMIZER
                    ? "adam(lr: 1e-3)" : "constant";
            case LIST -> spec.value().type() == Type.METRIC ? "accuracy, loss" : "\"a\", \"b\"";
            case SOURCE, SOURCE_OR_FRACTION -> "csv(\"data.csv\", features: 0..3, label: 4)";
            case SPLIT -> "train 80%, test 20%";
            case CHECKPOINT -> "\"runs/x\" every 1";
            case FROM -> SettingSpec.FROM + " \"runs/x/checkpoints/best.ckpt\"";
            default -> spec.value() == null ? "..." : spec.value().type() == Type.ENUM
                    ? spec.value().choices().get(0) : spec.value().type() == Type.SHAPE ? "[14, 14]" : "1";
        };
    }

    /** The one value of a setting, or null (reported) when there is none or more than one. */
    private Expr single(SettingSpec spec, Setting s, SourceFile src, Loc at) {
        List<Setting.Clause> cs = s.clauses();
        if (cs.isEmpty() || cs.get(0).terms().isEmpty()) {
            p.sink.error(Codes.SETTING_FORM, at, spec.name() + " needs a value: write `" + spec.name() + " " + example(spec) + "`");
            return null;
        }
        if (cs.size() > 1 || cs.get(0).terms().size() > 1) {
            Loc extra = new Loc(src, cs.size() > 1 ? cs.get(1).range().to(cs.get(cs.size() - 1).range())
                    : cs.get(0).terms().get(1).range().to(cs.get(0).range()));
            p.sink.error(Codes.SETTING_FORM, extra, spec.name() + " takes one value; remove this", Sink.replace("remove", extra, ""));
            return null;
        }
        Expr e = cs.get(0).terms().get(0);
        return e instanceof Expr.Missing ? null : e;
    }

    private Object component(SettingSpec spec, Setting s, SourceFile src, Loc at) {
        Expr e = single(spec, s, src, at);
        if (e == null) return null;
        String what = spec.valueCategory().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        if (e instanceof Expr.Name n) {
            return p.binder.component(spec.valueCategory(), n.name().text(), null, n.range(), Scope.GLOBAL, src, what);
        }
        if (e instanceof Expr.CallExpr c) {
            return p.binder.component(spec.valueCategory(), c.call().callee().text(), c.call(), c.range(), Scope.GLOBAL, src, what);
        }
        Val v = p.eval.eval(e, Scope.GLOBAL, src);
        if (!(v instanceof Val.Unknown)) {
            p.sink.error(Codes.TYPE_MISMATCH, new Loc(src, e.range()), spec.name() + " takes the name of a " + what
                    + ", such as `" + spec.name() + " " + example(spec) + "`, not " + v.describe());
        }
        return null;
    }

    private Object list(SettingSpec spec, Setting s, SourceFile src, Loc at) {
        List<Object> out = new ArrayList<>();
        boolean ok = true;
        if (s.clauses().isEmpty()) {
            p.sink.error(Codes.SETTING_FORM, at, spec.name() + " needs values: write `" + spec.name() + " " + example(spec) + "`");
            return null;
        }
        // classes 10: a count instead of names
        if (spec.name().equals("classes") && s.clauses().size() == 1 && s.clauses().get(0).terms().size() == 1) {
            Expr e = s.clauses().get(0).terms().get(0);
            Val v = p.eval.eval(e, Scope.GLOBAL, src);
            if (v instanceof Val.Int i) {
                if (i.v() < 2 || i.v() > 1_000_000) {
                    p.sink.error(Codes.OUT_OF_RANGE, new Loc(src, e.range()), "classes must be at least 2; got " + i.v());
                    return null;
                }
                return (int) i.v();
            }
        }
        for (Setting.Clause c : s.clauses()) {
            if (c.terms().size() != 1) {
                p.sink.error(Codes.SETTING_FORM, new Loc(src, c.range()), spec.name() + " takes values separated by commas; "
                        + "put a comma between these");
                ok = false;
                continue;
            }
            Object v = p.binder.coerceAs(spec.value(), c.terms().get(0), Scope.GLOBAL, src, spec.name());
            if (v == null) ok = false;
            else out.add(v);
        }
        return ok ? out : null;
    }

    private Source sourceExpr(String role, Expr e, SourceFile src) {
        if (!(e instanceof Expr.CallExpr c)) {
            Val v = p.eval.eval(e, Scope.GLOBAL, src);
            if (!(v instanceof Val.Unknown)) {
                p.sink.error(Codes.TYPE_MISMATCH, new Loc(src, e.range()), role + " takes a data source: csv(...), idx(...) or "
                        + "images(...), not " + v.describe());
            }
            return null;
        }
        return source(role, c.call(), src);
    }

    Source source(String role, Call call, SourceFile src) {
        var b = p.binder.componentBound(Category.DATA_SOURCE, call.callee().text(), call, call.range(), Scope.GLOBAL, src,
                "data source");
        if (b == null) return null;
        Map<String, Object> a = new LinkedHashMap<>(b.values());
        String kind = (String) a.remove("kind");
        return new Source(role, kind, a, new Loc(src, call.range()), b.ranges());
    }

    /** {@code split train 70%, validation 15%, test 15%} as role → fraction. */
    private Object split(SettingSpec spec, Setting s, SourceFile src, Loc at) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (s.clauses().isEmpty()) {
            p.sink.error(Codes.SETTING_FORM, at, "split needs fractions: write `split " + example(spec) + "`");
            return null;
        }
        boolean ok = true;
        for (Setting.Clause c : s.clauses()) {
            Loc cl = new Loc(src, c.range());
            if (c.terms().size() != 2 || !(c.terms().get(0) instanceof Expr.Name role)) {
                p.sink.error(Codes.SETTING_FORM, cl, "each part of a split is a role and a fraction, as in `train 70%`");
                ok = false;
                continue;
            }
            String r = role.name().text();
            if (!List.of("train", "validation", "test").contains(r)) {
                Loc rl = new Loc(src, role.range());
                String guess = Suggest.closest(r, List.of("train", "validation", "test"));
                p.sink.error(Codes.UNKNOWN_VALUE, rl, "unknown split part '" + r + "'; " + (guess != null ? "did you mean '"
                        + guess + "'? " : "") + "the parts are train, validation and test");
                ok = false;
                continue;
            }
            Object f = p.binder.coerceAs(spec.value(), c.terms().get(1), Scope.GLOBAL, src, "split " + r);
            if (f == null) {
                ok = false;
                continue;
            }
            if (out.containsKey(r)) {
                p.sink.error(Codes.BAD_SPLIT, cl, r + " appears twice in the split; give each part once");
                ok = false;
                continue;
            }
            out.put(r, (Double) f);
        }
        if (!ok) return null;
        double sum = out.values().stream().mapToDouble(Double::doubleValue).sum();
        if (Math.abs(sum - 1) > 1e-6) {
            p.sink.error(Codes.BAD_SPLIT, new Loc(src, s.range()), "the split fractions add up to "
                    + Math.round(sum * 1000) / 10.0 + "%, not 100%; adjust them");
            return null;
        }
        if (!out.containsKey("train")) {
            p.sink.error(Codes.BAD_SPLIT, new Loc(src, s.range()), "the split gives no samples to train; add `train` with a fraction");
            return null;
        }
        return out;
    }

    /** {@code checkpoint "dir" every 1, keep best(val_accuracy)} as a map: dir, every, keep_best. */
    private Object checkpoint(SettingSpec spec, Setting s, SourceFile src, Loc at) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("every", 1);
        boolean ok = true;
        List<Expr> terms = new ArrayList<>();
        for (Setting.Clause c : s.clauses()) terms.addAll(c.terms());
        int i = 0;
        if (i < terms.size() && !(terms.get(i) instanceof Expr.Name)) {
            Object dir = p.binder.coerceAs(spec.value(), terms.get(i), Scope.GLOBAL, src, "checkpoint folder");
            if (dir == null) ok = false;
            else out.put("dir", dir);
            i++;
        } else {
            p.sink.error(Codes.SETTING_FORM, at, "checkpoint needs a folder: write `checkpoint \"runs/name\" every 1`");
            return null;
        }
        while (i < terms.size()) {
            Expr t = terms.get(i);
            String word = t instanceof Expr.Name n ? n.name().text() : "";
            if (word.equals("every") && i + 1 < terms.size()) {
                Object n = p.binder.coerceAs(ArgSpecsBridge.EVERY, terms.get(i + 1), Scope.GLOBAL, src, "checkpoint every");
                if (n == null) ok = false;
                else out.put("every", n);
                i += 2;
            } else if (word.equals("keep") && i + 1 < terms.size() && terms.get(i + 1) instanceof Expr.CallExpr c
                    && c.call().callee().text().equals("best") && c.call().args().size() == 1) {
                Object m = p.binder.coerceAs(ArgSpecsBridge.MONITOR, c.call().args().get(0).value(), Scope.GLOBAL, src, "keep best");
                if (m == null) ok = false;
                else out.put("keep_best", m);
                i += 2;
            } else {
                p.sink.error(Codes.SETTING_FORM, new Loc(src, t.range()), "checkpoint takes `every N` and `keep best(metric)` "
                        + "after its folder, e.g. `checkpoint \"runs/x\" every 1, keep best(val_accuracy)`");
                return null;
            }
        }
        return ok ? out : null;
    }

    /**
     * {@code init from "file.ckpt"}: the path as written (the PlanBuilder resolves it against the
     * .ann file's folder); a file that is not there is a warning, since an earlier run may make it.
     */
    private Object from(SettingSpec spec, Setting s, SourceFile src, Loc at) {
        List<Expr> terms = new ArrayList<>();
        for (Setting.Clause c : s.clauses()) terms.addAll(c.terms());
        if (s.clauses().size() != 1 || terms.size() != 2 || !(terms.get(0) instanceof Expr.Name w)
                || !w.name().text().equals(SettingSpec.FROM)) {
            p.sink.error(Codes.SETTING_FORM, s.clauses().isEmpty() ? at : new Loc(src, s.clauses().get(0).range()
                    .to(s.clauses().get(s.clauses().size() - 1).range())), spec.name() + " takes `" + SettingSpec.FROM
                    + "` and a checkpoint file: write `" + spec.name() + " " + example(spec) + "`");
            return null;
        }
        Object file = p.binder.coerceAs(spec.value(), terms.get(1), Scope.GLOBAL, src, spec.name() + " " + SettingSpec.FROM);
        if (!(file instanceof String f)) return null;
        java.nio.file.Path path = java.nio.file.Path.of(f);
        java.nio.file.Path folder = src.path().toAbsolutePath().getParent();
        if (!path.isAbsolute() && folder != null) path = folder.resolve(path).normalize();
        if (!java.nio.file.Files.isRegularFile(path)) {
            p.sink.warning(Codes.INIT_MISSING, new Loc(src, terms.get(1).range()), "no checkpoint file " + path
                    + (java.nio.file.Files.exists(path) ? " (it is not a regular file)" : "")
                    + " yet; training stops unless a run writes it first (the path starts at the folder of the .ann file)");
        }
        return f;
    }

    private Object args(SettingSpec spec, Setting s, SourceFile src) {
        if (!s.clauses().isEmpty()) {
            p.sink.error(Codes.SETTING_FORM, new Loc(src, s.clauses().get(0).range()), spec.name()
                    + " takes its values in parentheses: " + spec.signature());
            return null;
        }
        Binder.Bound b = p.binder.bind(spec, s.call(), Scope.GLOBAL, src);
        return b.complete() ? b.values() : null;
    }

    private Object flag(SettingSpec spec, Setting s, SourceFile src) {
        Binder.Bound b = p.binder.bind(spec, s.call(), Scope.GLOBAL, src);
        Map<String, Object> out = new LinkedHashMap<>(b.values());
        Object enabled = spec.value().defaultValue();
        if (!s.clauses().isEmpty()) {
            List<Expr> terms = s.clauses().get(0).terms();
            if (s.clauses().size() > 1 || terms.size() != 1) {
                p.sink.error(Codes.SETTING_FORM, new Loc(src, s.clauses().get(0).range()), spec.name() + " takes true or false");
                return null;
            }
            enabled = p.binder.coerceAs(spec.value(), terms.get(0), Scope.GLOBAL, src, spec.name());
            if (enabled == null) return null;
        }
        out.put(spec.value().name(), enabled);
        return b.complete() ? out : null;
    }

    /** Argument declarations used inside setting forms. */
    static final class ArgSpecsBridge {
        static final ArgSpec EVERY = new ArgSpec("every", Type.INT, 1, false, 1.0, true, null, true, List.of(),
                "write a checkpoint every N epochs");
        static final ArgSpec MONITOR = new ArgSpec("metric", Type.METRIC, null, true, null, true, null, true, List.of(),
                "the metric whose best value is kept");
    }
}
