package dev.ann.compiler.check;

import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Expr;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates expressions at compile time: literals, lists, ranges, arithmetic
 * ({@code 1/255}), consts and block parameters. Records a reference for every
 * const and parameter named. Errors are reported once; the value is then Unknown.
 */
final class Evaluator {
    private final Program p;
    private final Map<String, Val> consts = new HashMap<>();
    private final Set<String> evaluating = new LinkedHashSet<>();

    Evaluator(Program p) {
        this.p = p;
    }

    /** The value of a const declaration (evaluated once). */
    Val constValue(Program.Global<Decl.Const> g) {
        String name = g.decl().name().text();
        Val v = consts.get(name);
        if (v != null) return v;
        if (evaluating.contains(name)) {
            List<String> chain = new ArrayList<>(evaluating);
            chain = chain.subList(chain.indexOf(name), chain.size());
            p.sink.error(Codes.CONST_ERROR, g.loc(g.decl().name().range()), "const " + name + " refers to itself ("
                    + String.join(" → ", chain) + " → " + name + "); give one of them a literal value");
            return Val.UNKNOWN;
        }
        evaluating.add(name);
        try {
            v = eval(g.decl().value(), Scope.GLOBAL, g.source());
        } finally {
            evaluating.remove(name);
        }
        consts.put(name, v);
        return v;
    }

    Val eval(Expr e, Scope scope, SourceFile src) {
        if (e == null) return Val.UNKNOWN;
        if (e instanceof Expr.IntLit i) return new Val.Int(i.value());
        if (e instanceof Expr.FloatLit f) return new Val.Flt(f.value(), false);
        if (e instanceof Expr.PercentLit pc) return new Val.Flt(pc.value(), true);
        if (e instanceof Expr.StringLit s) return new Val.Str(s.value());
        if (e instanceof Expr.BoolLit b) return new Val.Bool(b.value());
        if (e instanceof Expr.ListLit l) {
            List<Val> items = new ArrayList<>();
            for (Expr x : l.items()) items.add(eval(x, scope, src));
            return new Val.ListV(items);
        }
        if (e instanceof Expr.RangeLit r) {
            Val a = eval(r.from(), scope, src);
            Val b = eval(r.to(), scope, src);
            if (a instanceof Val.Unknown || b instanceof Val.Unknown) return Val.UNKNOWN;
            if (a instanceof Val.Int x && b instanceof Val.Int y) {
                if (y.v() < x.v()) {
                    p.sink.error(Codes.CONST_ERROR, new Loc(src, r.range()), "the range " + x.v() + ".." + y.v()
                            + " is empty; write the smaller number first (" + y.v() + ".." + x.v() + ")");
                    return Val.UNKNOWN;
                }
                return new Val.RangeV(x.v(), y.v());
            }
            p.sink.error(Codes.CONST_ERROR, new Loc(src, r.range()), "a range needs two integers, as in 0..3; got "
                    + a.describe() + " and " + b.describe());
            return Val.UNKNOWN;
        }
        if (e instanceof Expr.Name n) return name(n, scope, src);
        if (e instanceof Expr.CallExpr c) return new Val.CallV(c.call());
        if (e instanceof Expr.Unary u) {
            Val v = eval(u.operand(), scope, src);
            if (v instanceof Val.Int i) return new Val.Int(-i.v());
            if (v instanceof Val.Flt f) return new Val.Flt(-f.v(), f.percent());
            if (v instanceof Val.Unknown) return v;
            p.sink.error(Codes.CONST_ERROR, new Loc(src, u.range()), "cannot negate " + v.describe() + "; '-' applies to numbers");
            return Val.UNKNOWN;
        }
        if (e instanceof Expr.Binary b) return binary(b, scope, src);
        return Val.UNKNOWN;
    }

    private Val name(Expr.Name n, Scope scope, SourceFile src) {
        String text = n.name().text();
        if (text.isEmpty()) return Val.UNKNOWN;
        Scope.Binding b = scope.get(text);
        if (b != null) {
            p.index.reference(b.key(), src.path(), n.range());
            return b.value();
        }
        Program.Global<Decl.Const> c = p.global(text, Decl.Const.class);
        if (c != null) {
            p.index.reference(c.key(), src.path(), n.range());
            return constValue(c);
        }
        Program.Global<?> other = p.global(text);
        if (other != null) p.index.reference(other.key(), src.path(), n.range());
        return new Val.NameV(text);
    }

    private Val binary(Expr.Binary b, Scope scope, SourceFile src) {
        Val l = eval(b.left(), scope, src);
        Val r = eval(b.right(), scope, src);
        if (l instanceof Val.Unknown || r instanceof Val.Unknown) return Val.UNKNOWN;
        String op = b.op();
        Loc loc = new Loc(src, b.range());
        if (l instanceof Val.Str x && r instanceof Val.Str y && op.equals("+")) return new Val.Str(x.v() + y.v());
        if (!(isNumber(l) && isNumber(r))) {
            p.sink.error(Codes.CONST_ERROR, loc, "cannot apply '" + op + "' to " + l.describe() + " and " + r.describe()
                    + "; arithmetic takes numbers (and '+' joins two strings)");
            return Val.UNKNOWN;
        }
        boolean ints = l instanceof Val.Int && r instanceof Val.Int;
        double x = num(l);
        double y = num(r);
        switch (op) {
            case "+":
                return ints ? new Val.Int(((Val.Int) l).v() + ((Val.Int) r).v()) : new Val.Flt(x + y, false);
            case "-":
                return ints ? new Val.Int(((Val.Int) l).v() - ((Val.Int) r).v()) : new Val.Flt(x - y, false);
            case "*":
                return ints ? new Val.Int(((Val.Int) l).v() * ((Val.Int) r).v()) : new Val.Flt(x * y, false);
            default:
                if (y == 0) {
                    p.sink.error(Codes.CONST_ERROR, loc, "division by zero in " + src.slice(b.range()) + "; divide by a non-zero number");
                    return Val.UNKNOWN;
                }
                if (ints && ((Val.Int) l).v() % ((Val.Int) r).v() == 0) return new Val.Int(((Val.Int) l).v() / ((Val.Int) r).v());
                return new Val.Flt(x / y, false);
        }
    }

    static boolean isNumber(Val v) {
        return v instanceof Val.Int || v instanceof Val.Flt;
    }

    static double num(Val v) {
        return v instanceof Val.Int i ? i.v() : ((Val.Flt) v).v();
    }
}
