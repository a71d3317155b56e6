package dev.ann.compiler.check;

import dev.ann.compiler.ast.Call;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Expr;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Fix;
import dev.ann.compiler.spec.ArgSpec;
import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.Spec;
import dev.ann.compiler.spec.Type;
import dev.ann.compiler.spec.Values;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Binds a call's arguments to a declaration's: positional first, then named;
 * checks each value's type and range; fills in defaults. Values come out as
 * plain data (Integer, Double, Boolean, String, List, Map) ready for a Plan.
 */
final class Binder {
    private final Program p;

    Binder(Program p) {
        this.p = p;
    }

    /**
     * @param values   every argument with a value, defaults filled in
     * @param ranges   where each given argument's value is written
     * @param complete no argument is missing, wrong or unknown: the values can be used for shapes
     */
    record Bound(Map<String, Object> values, Map<String, Range> ranges, boolean complete) {}

    Bound bind(Spec spec, Call call, Scope scope, SourceFile src) {
        return bind(spec.name(), spec.args(), call, scope, src);
    }

    Bound bind(String owner, List<ArgSpec> specs, Call call, Scope scope, SourceFile src) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Range> ranges = new HashMap<>();
        Map<String, Call.Arg> given = new LinkedHashMap<>();
        boolean complete = true;
        int positional = 0;
        for (Call.Arg a : call.args()) {
            if (a.name() == null) {
                if (positional >= specs.size()) {
                    p.sink.error(Codes.TOO_MANY_ARGUMENTS, new Loc(src, a.range()), owner + " takes " + count(specs)
                            + (specs.isEmpty() ? "" : " (" + names(specs) + ")") + "; remove this one",
                            Sink.replace("remove the extra argument", new Loc(src, extent(call, a)), ""));
                } else {
                    given.put(specs.get(positional).name(), a);
                }
                positional++;
                continue;
            }
            String name = a.name().text();
            ArgSpec spec = find(specs, name);
            if (spec == null) {
                List<String> known = specs.stream().map(ArgSpec::name).toList();
                String guess = Suggest.closest(name, known);
                Loc at = new Loc(src, a.name().range());
                if (guess != null) {
                    p.sink.error(Codes.UNKNOWN_ARGUMENT, at, owner + " has no argument '" + name + "'; did you mean '" + guess + "'?",
                            Sink.replace("change to '" + guess + "'", at, guess));
                } else {
                    p.sink.error(Codes.UNKNOWN_ARGUMENT, at, owner + " has no argument '" + name + "'; "
                            + (known.isEmpty() ? "it takes none" : "it takes " + String.join(", ", known)));
                }
                // The other arguments are still good: shapes go on being inferred.
                continue;
            }
            if (given.containsKey(name)) {
                p.sink.error(Codes.DUPLICATE_ARGUMENT, new Loc(src, a.range()), "'" + name + "' is given twice to " + owner
                        + "; remove one", Sink.replace("remove this one", new Loc(src, extent(call, a)), ""));
                continue;
            }
            given.put(name, a);
        }
        for (ArgSpec spec : specs) {
            Call.Arg a = given.get(spec.name());
            if (a != null) {
                ranges.put(spec.name(), a.value().range());
                Object v = coerce(spec, a.value(), scope, src, owner);
                if (v == null) complete = false;
                else values.put(spec.name(), v);
            } else if (spec.required()) {
                missing(owner, spec, call, src);
                complete = false;
            } else if (spec.defaultValue() != null) {
                values.put(spec.name(), spec.defaultValue());
            }
        }
        // A pooling window's stride is its size unless given.
        for (ArgSpec spec : specs) {
            if (spec.name().equals("stride") && !values.containsKey("stride") && values.containsKey("size")) {
                values.put("stride", values.get("size"));
            }
        }
        return new Bound(values, ranges, complete);
    }

    private void missing(String owner, ArgSpec spec, Call call, SourceFile src) {
        String example = example(spec);
        Fix fix;
        boolean first = call.args().isEmpty();
        String text = first ? example : spec.name() + ": " + example;
        if (call.hasParens()) {
            int at = first ? call.parens().start() + 1 : call.parens().end() - 1;
            fix = Sink.insert("add " + spec.name(), new Loc(src, call.range()), at, first ? text : ", " + text);
        } else {
            fix = Sink.insert("add " + spec.name(), new Loc(src, call.range()), call.callee().range().end(), "(" + text + ")");
        }
        p.sink.error(Codes.MISSING_ARGUMENT, new Loc(src, call.callee().range()), owner + " needs " + spec.name()
                + " (" + spec.doc() + "): write " + owner + "(" + text + ")", fix);
    }

    private static String example(ArgSpec spec) {
        return switch (spec.type()) {
            case INT -> String.valueOf((int) Math.max(1, spec.min() == null ? 1 : spec.min()));
            case FLOAT -> "0.1";
            case BOOL -> "true";
            case STRING -> "\"\"";
            case SHAPE -> "[1]";
            case INT_OR_PAIR -> "3";
            case ENUM -> spec.choices().isEmpty() ? "x" : spec.choices().get(0);
            case COLUMNS -> "0";
            case FRACTION -> "10%";
            case METRIC -> "val_loss";
            default -> "he";
        };
    }

    /** The argument and the comma before or after it, so that removing it leaves a valid call. */
    private static Range extent(Call call, Call.Arg a) {
        int i = call.args().indexOf(a);
        if (i > 0) return new Range(call.args().get(i - 1).range().end(), a.range().end());
        if (call.args().size() > 1) return new Range(a.range().start(), call.args().get(1).range().start());
        return a.range();
    }

    private static ArgSpec find(List<ArgSpec> specs, String name) {
        for (ArgSpec a : specs) if (a.name().equals(name)) return a;
        return null;
    }

    private static String count(List<ArgSpec> specs) {
        return specs.isEmpty() ? "no arguments" : specs.size() == 1 ? "one argument" : specs.size() + " arguments";
    }

    private static String names(List<ArgSpec> specs) {
        return String.join(", ", specs.stream().map(ArgSpec::name).toList());
    }

    // ---- values -----------------------------------------------------------------------

    /** The value of an argument or setting as plain data, or null when it is wrong (reported) or unknown. */
    Object coerce(ArgSpec spec, Expr e, Scope scope, SourceFile src, String owner) {
        return coerceAs(spec, e, scope, src, owner + " " + spec.name());
    }

    /** As {@link #coerce}, with the words that name the value in messages ({@code epochs}, {@code split train}). */
    Object coerceAs(ArgSpec spec, Expr e, Scope scope, SourceFile src, String what) {
        Loc loc = new Loc(src, e.range());
        if (e instanceof Expr.Missing) return null;
        // Bare names of enum-like values are taken as written, before consts.
        if (spec.type() == Type.ENUM && e instanceof Expr.Name n && spec.choices().contains(n.name().text())) {
            return n.name().text();
        }
        if (spec.type() == Type.METRIC && e instanceof Expr.Name n && p.registry.metric(n.name().text()).isPresent()) {
            return n.name().text();
        }
        if (spec.type() == Type.INIT) return init(e, scope, src, what);
        Val v = p.eval.eval(e, scope, src);
        if (v instanceof Val.Unknown) return null;
        if (v instanceof Val.NameV n && !(spec.type() == Type.ENUM || spec.type() == Type.METRIC)) {
            unknownName(n.name(), loc, scope, what);
            return null;
        }
        Object out = convert(spec, v, loc, what, scope);
        if (out == null) return null;
        return inRange(spec, out, loc, what) ? out : null;
    }

    void unknownName(String name, Loc loc, Scope scope, String what) {
        Program.Global<?> g = p.global(name);
        if (g != null) {
            p.sink.error(Codes.WRONG_KIND, loc, "'" + name + "' is a " + Program.kindWord(g.decl()) + ", not a value for " + what);
            return;
        }
        List<String> candidates = new ArrayList<>(scope.names());
        candidates.addAll(p.namesOf(Decl.Const.class));
        String guess = Suggest.closest(name, candidates);
        if (guess != null) {
            p.sink.error(Codes.UNKNOWN_NAME, loc, "unknown name '" + name + "'; did you mean '" + guess + "'?",
                    Sink.replace("change to '" + guess + "'", loc, guess));
        } else {
            p.sink.error(Codes.UNKNOWN_NAME, loc, "unknown name '" + name + "'; declare it with `const " + name
                    + " = ...` or write the value");
        }
    }

    private Object convert(ArgSpec spec, Val v, Loc loc, String what, Scope scope) {
        switch (spec.type()) {
            case INT:
                if (v instanceof Val.Int i && Math.abs(i.v()) <= Integer.MAX_VALUE) return (int) i.v();
                if (v instanceof Val.Int i) return tooLarge(i, loc, what);
                return mismatch(v, loc, what, "an integer");
            case FLOAT:
                if (v instanceof Val.Int i) return (double) i.v();
                if (v instanceof Val.Flt f) return f.v();
                return mismatch(v, loc, what, "a number");
            case FRACTION:
                if (v instanceof Val.Flt f && (f.percent() || (f.v() >= 0 && f.v() <= 1))) return f.v();
                if (v instanceof Val.Int i && (i.v() == 0 || i.v() == 1)) return (double) i.v();
                if (Evaluator.isNumber(v)) {
                    String pct = Values.show(Evaluator.num(v)).replaceAll("\\.0$", "") + "%";
                    p.sink.error(Codes.OUT_OF_RANGE, loc, what + " is a fraction between 0 and 1; got " + v.show()
                            + ". Write a percentage (" + pct + ") or a fraction", Sink.replace("write " + pct, loc, pct));
                    return null;
                }
                return mismatch(v, loc, what, "a fraction such as 10% or 0.1");
            case BOOL:
                if (v instanceof Val.Bool b) return b.v();
                return mismatch(v, loc, what, "true or false");
            case STRING:
                if (v instanceof Val.Str s) return s.v();
                return mismatch(v, loc, what, "a string in double quotes");
            case SHAPE:
                if (v instanceof Val.ListV l && l.items().stream().anyMatch(x -> x instanceof Val.Int i && Math.abs(i.v()) > Integer.MAX_VALUE)) {
                    return tooLarge((Val.Int) l.items().stream().filter(x -> x instanceof Val.Int i && Math.abs(i.v()) > Integer.MAX_VALUE)
                            .findFirst().orElseThrow(), loc, what);
                }
                if (v instanceof Val.ListV l && !l.items().isEmpty() && l.items().stream().allMatch(x -> x instanceof Val.Int)) {
                    List<Integer> dims = new ArrayList<>();
                    for (Val x : l.items()) dims.add((int) ((Val.Int) x).v());
                    return dims;
                }
                if (v instanceof Val.ListV l && l.items().stream().anyMatch(x -> x instanceof Val.Unknown)) return null;
                if (v instanceof Val.Int i) {
                    p.sink.error(Codes.TYPE_MISMATCH, loc, what + " is a shape: write [" + i.v() + "]",
                            Sink.replace("write [" + i.v() + "]", loc, "[" + i.v() + "]"));
                    return null;
                }
                return mismatch(v, loc, what, "a shape such as [1, 28, 28]");
            case INT_OR_PAIR:
                if (v instanceof Val.Int i && Math.abs(i.v()) > Integer.MAX_VALUE) return tooLarge(i, loc, what);
                if (v instanceof Val.ListV l && l.items().stream().anyMatch(x -> x instanceof Val.Int i && Math.abs(i.v()) > Integer.MAX_VALUE)) {
                    return mismatch(v, loc, what, "integers below " + Integer.MAX_VALUE);
                }
                if (v instanceof Val.Int i) return (int) i.v();
                if (v instanceof Val.ListV l && l.items().size() == 2 && l.items().stream().allMatch(x -> x instanceof Val.Int)) {
                    return List.of((int) ((Val.Int) l.items().get(0)).v(), (int) ((Val.Int) l.items().get(1)).v());
                }
                return mismatch(v, loc, what, "an integer or a pair [height, width]");
            case COLUMNS:
                if (v instanceof Val.Int i && (i.v() < 0 || i.v() > 1_000_000)) return mismatch(v, loc, what, "a column number from 0");
                if (v instanceof Val.RangeV r && r.from() < 0) return mismatch(v, loc, what, "column numbers from 0");
                if (v instanceof Val.ListV l && l.items().stream().anyMatch(x -> x instanceof Val.Int i && (i.v() < 0 || i.v() > 1_000_000))) {
                    return mismatch(v, loc, what, "column numbers from 0");
                }
                if (v instanceof Val.Int i) return List.of((int) i.v());
                if (v instanceof Val.RangeV r) {
                    if (r.to() - r.from() > 100_000) return mismatch(v, loc, what, "a smaller column range");
                    List<Integer> cols = new ArrayList<>();
                    for (long c = r.from(); c <= r.to(); c++) cols.add((int) c);
                    return cols;
                }
                if (v instanceof Val.ListV l && !l.items().isEmpty() && l.items().stream().allMatch(x -> x instanceof Val.Int)) {
                    List<Integer> cols = new ArrayList<>();
                    for (Val x : l.items()) cols.add((int) ((Val.Int) x).v());
                    return cols;
                }
                return mismatch(v, loc, what, "column numbers: 4, 0..3 or [0, 2, 5]");
            case ENUM:
                if (v instanceof Val.Str s && spec.choices().contains(s.v())) return s.v();
                if (v instanceof Val.NameV n) {
                    String guess = Suggest.closest(n.name(), spec.choices());
                    String msg = "unknown " + what + " '" + n.name() + "'; " + (guess != null ? "did you mean '" + guess + "'? " : "")
                            + "expected " + String.join(", ", spec.choices());
                    if (guess != null) p.sink.error(Codes.UNKNOWN_VALUE, loc, msg, Sink.replace("change to '" + guess + "'", loc, guess));
                    else p.sink.error(Codes.UNKNOWN_VALUE, loc, msg);
                    return null;
                }
                return mismatch(v, loc, what, "one of " + String.join(", ", spec.choices()));
            case METRIC:
                if (v instanceof Val.NameV n) {
                    String guess = Suggest.closest(n.name(), p.registry.monitors());
                    String msg = "unknown metric '" + n.name() + "'; " + (guess != null ? "did you mean '" + guess + "'? " : "")
                            + "expected one of " + String.join(", ", p.registry.monitors());
                    if (guess != null) p.sink.error(Codes.UNKNOWN_VALUE, loc, msg, Sink.replace("change to '" + guess + "'", loc, guess));
                    else p.sink.error(Codes.UNKNOWN_VALUE, loc, msg);
                    return null;
                }
                return mismatch(v, loc, what, "a metric name such as val_loss");
            default:
                return plain(v);
        }
    }

    private Object tooLarge(Val.Int i, Loc loc, String what) {
        p.sink.error(Codes.OUT_OF_RANGE, loc, what + " must be at most " + Integer.MAX_VALUE + "; got " + i.v());
        return null;
    }

    private Object mismatch(Val v, Loc loc, String what, String expected) {
        p.sink.error(Codes.TYPE_MISMATCH, loc, what + " takes " + expected + ", not " + v.describe());
        return null;
    }

    /** Checks min/max; for lists, each element. */
    private boolean inRange(ArgSpec spec, Object v, Loc loc, String what) {
        if (spec.min() == null && spec.max() == null) return true;
        if (v instanceof List<?> l) {
            for (Object o : l) if (!inRange(spec, o, loc, what)) return false;
            return true;
        }
        if (!(v instanceof Number n)) return true;
        double x = n.doubleValue();
        boolean ok = (spec.min() == null || (spec.minInclusive() ? x >= spec.min() : x > spec.min()))
                && (spec.max() == null || (spec.maxInclusive() ? x <= spec.max() : x < spec.max()));
        if (ok) return true;
        p.sink.error(Codes.OUT_OF_RANGE, loc, what + " must be " + bounds(spec) + "; got " + Values.show(v));
        return false;
    }

    static String bounds(ArgSpec spec) {
        boolean integral = spec.type() == Type.INT || spec.type() == Type.INT_OR_PAIR || spec.type() == Type.SHAPE;
        if (spec.min() != null && spec.max() != null) {
            return "in " + (spec.minInclusive() ? "[" : "(") + num(spec.min(), integral) + ", " + num(spec.max(), integral)
                    + (spec.maxInclusive() ? "]" : ")");
        }
        if (spec.min() != null) {
            if (integral && spec.min() == 1 && spec.minInclusive()) return "at least 1";
            return (spec.minInclusive() ? "at least " : "greater than ") + num(spec.min(), integral);
        }
        return (spec.maxInclusive() ? "at most " : "less than ") + num(spec.max(), integral);
    }

    private static String num(double d, boolean integral) {
        if (integral || d == Math.rint(d)) return String.valueOf((long) d);
        return String.valueOf(d);
    }

    /** {@code he}, {@code normal(0.01)}: a name for argument-less initialisers, else a map with kind and arguments. */
    private Object init(Expr e, Scope scope, SourceFile src, String what) {
        Call call = null;
        String name = null;
        if (e instanceof Expr.Name n) name = n.name().text();
        else if (e instanceof Expr.CallExpr c) {
            call = c.call();
            name = call.callee().text();
        } else {
            Val v = p.eval.eval(e, scope, src);
            if (v instanceof Val.Str s) name = s.v();
            else {
                if (!(v instanceof Val.Unknown)) mismatch(v, new Loc(src, e.range()), what, "an initialiser: he, xavier, normal(std) or zeros");
                return null;
            }
        }
        Object r = component(Category.INITIALIZER, name, call, e.range(), scope, src, what);
        if (r instanceof Map<?, ?> m && m.size() == 1) return m.get("kind");
        return r;
    }

    /**
     * A named declaration of a category, bare or called: {@code adam(lr: 1e-3)}. Returns a map with
     * {@code kind} and every argument, or null.
     */
    Map<String, Object> component(Category category, String name, Call call, Range at, Scope scope, SourceFile src,
                                  String what) {
        Bound b = componentBound(category, name, call, at, scope, src, what);
        return b == null ? null : b.values();
    }

    /** As {@link #component}, with where each argument is written. */
    Bound componentBound(Category category, String name, Call call, Range at, Scope scope, SourceFile src, String what) {
        Spec spec = p.registry.find(category, name).orElse(null);
        Loc loc = new Loc(src, call != null ? call.callee().range() : at);
        if (spec == null) {
            List<String> known = p.registry.all(category).stream().map(Spec::name).toList();
            String guess = Suggest.closest(name, known);
            String msg = "unknown " + what + " '" + name + "'; " + (guess != null ? "did you mean '" + guess + "'? " : "")
                    + "expected one of " + String.join(", ", known);
            if (guess != null) p.sink.error(Codes.UNKNOWN_VALUE, loc, msg, Sink.replace("change to '" + guess + "'", loc, guess));
            else p.sink.error(Codes.UNKNOWN_VALUE, loc, msg);
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", spec.name());
        Map<String, Range> ranges = new HashMap<>();
        if (call != null) {
            Bound b = bind(spec, call, scope, src);
            if (!b.complete()) return null;
            out.putAll(b.values());
            ranges.putAll(b.ranges());
        } else {
            for (var a : spec.args()) {
                if (a.required()) {
                    p.sink.error(Codes.MISSING_ARGUMENT, loc, name + " needs " + a.name() + ": write " + name + "("
                            + a.name() + ": ...)");
                    return null;
                }
                if (a.defaultValue() != null) out.put(a.name(), a.defaultValue());
            }
        }
        return new Bound(out, ranges, true);
    }

    /** A value as plain data, for settings of type ANY. */
    static Object plain(Val v) {
        if (v instanceof Val.Int i) return i.v() == (int) i.v() ? (Object) (int) i.v() : (Object) i.v();
        if (v instanceof Val.Flt f) return f.v();
        if (v instanceof Val.Str s) return s.v();
        if (v instanceof Val.Bool b) return b.v();
        if (v instanceof Val.NameV n) return n.name();
        if (v instanceof Val.ListV l) {
            List<Object> out = new ArrayList<>();
            for (Val x : l.items()) out.add(plain(x));
            return out;
        }
        return v.show().toLowerCase(Locale.ROOT);
    }
}
