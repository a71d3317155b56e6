package dev.ann.compiler.syntax;

import dev.ann.compiler.ast.Call;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Expr;
import dev.ann.compiler.ast.Ident;
import dev.ann.compiler.ast.LayerStmt;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.Setting;
import java.util.ArrayList;
import java.util.List;

/** Moves a declaration's AST by a number of UTF-16 offsets: every range in it, nothing else. */
final class Relocate {
    private final int by;

    private Relocate(int by) {
        this.by = by;
    }

    static Decl decl(Decl d, int by) {
        return by == 0 ? d : new Relocate(by).decl(d);
    }

    private Range r(Range x) {
        return x == null ? null : new Range(x.start() + by, x.end() + by);
    }

    private Ident id(Ident x) {
        return x == null ? null : new Ident(x.text(), r(x.range()));
    }

    private Decl decl(Decl d) {
        if (d instanceof Decl.Import i) return new Decl.Import(id(i.keyword()), (Expr.StringLit) expr(i.path()), i.doc(), r(i.range()));
        if (d instanceof Decl.Const c) return new Decl.Const(id(c.name()), expr(c.value()), c.doc(), r(c.range()));
        if (d instanceof Decl.Block b) {
            List<Decl.Param> params = new ArrayList<>(b.params().size());
            for (Decl.Param p : b.params()) {
                params.add(new Decl.Param(id(p.name()), id(p.type()), expr(p.defaultValue()), r(p.range())));
            }
            return new Decl.Block(id(b.name()), params, stmts(b.body()), b.doc(), r(b.range()));
        }
        if (d instanceof Decl.Network n) return new Decl.Network(id(n.name()), stmts(n.body()), n.doc(), r(n.range()));
        if (d instanceof Decl.Dataset s) return new Decl.Dataset(id(s.name()), settings(s.settings()), s.doc(), r(s.range()));
        if (d instanceof Decl.Train t) {
            return new Decl.Train(id(t.name()), id(t.network()), id(t.dataset()), settings(t.settings()), t.doc(), r(t.range()));
        }
        if (d instanceof Decl.Profile p) return new Decl.Profile(id(p.name()), settings(p.settings()), p.doc(), r(p.range()));
        throw new IllegalArgumentException("unknown declaration " + d.getClass());
    }

    private List<LayerStmt> stmts(List<LayerStmt> body) {
        List<LayerStmt> out = new ArrayList<>(body.size());
        for (LayerStmt s : body) out.add(stmt(s));
        return out;
    }

    private LayerStmt stmt(LayerStmt s) {
        if (s instanceof LayerStmt.Input i) return new LayerStmt.Input(id(i.label()), id(i.keyword()), expr(i.shape()), r(i.range()));
        if (s instanceof LayerStmt.Chain c) {
            List<Call> calls = new ArrayList<>(c.calls().size());
            for (Call call : c.calls()) calls.add(call(call));
            return new LayerStmt.Chain(id(c.label()), calls, r(c.range()));
        }
        if (s instanceof LayerStmt.Parallel p) {
            List<LayerStmt.Branch> branches = new ArrayList<>(p.branches().size());
            for (LayerStmt.Branch b : p.branches()) branches.add(new LayerStmt.Branch(id(b.keyword()), stmts(b.body()), r(b.range())));
            return new LayerStmt.Parallel(id(p.label()), id(p.keyword()), id(p.mode()), branches, r(p.range()));
        }
        if (s instanceof LayerStmt.Residual res) {
            return new LayerStmt.Residual(id(res.label()), id(res.keyword()), stmts(res.body()), r(res.range()));
        }
        throw new IllegalArgumentException("unknown statement " + s.getClass());
    }

    private Call call(Call c) {
        if (c == null) return null;
        List<Call.Arg> args = new ArrayList<>(c.args().size());
        for (Call.Arg a : c.args()) args.add(new Call.Arg(id(a.name()), expr(a.value()), r(a.range())));
        return new Call(id(c.callee()), args, r(c.parens()), r(c.range()));
    }

    private List<Setting> settings(List<Setting> settings) {
        List<Setting> out = new ArrayList<>(settings.size());
        for (Setting s : settings) {
            List<Setting.Clause> clauses = new ArrayList<>(s.clauses().size());
            for (Setting.Clause c : s.clauses()) clauses.add(new Setting.Clause(exprs(c.terms()), r(c.range())));
            out.add(new Setting(call(s.call()), clauses, r(s.range())));
        }
        return out;
    }

    private List<Expr> exprs(List<Expr> xs) {
        List<Expr> out = new ArrayList<>(xs.size());
        for (Expr x : xs) out.add(expr(x));
        return out;
    }

    private Expr expr(Expr e) {
        if (e == null) return null;
        if (e instanceof Expr.IntLit x) return new Expr.IntLit(x.value(), r(x.range()));
        if (e instanceof Expr.FloatLit x) return new Expr.FloatLit(x.value(), x.text(), r(x.range()));
        if (e instanceof Expr.PercentLit x) return new Expr.PercentLit(x.value(), x.text(), r(x.range()));
        if (e instanceof Expr.StringLit x) return new Expr.StringLit(x.value(), r(x.range()));
        if (e instanceof Expr.BoolLit x) return new Expr.BoolLit(x.value(), r(x.range()));
        if (e instanceof Expr.ListLit x) return new Expr.ListLit(exprs(x.items()), r(x.range()));
        if (e instanceof Expr.RangeLit x) return new Expr.RangeLit(expr(x.from()), expr(x.to()), r(x.range()));
        if (e instanceof Expr.Name x) return new Expr.Name(id(x.name()));
        if (e instanceof Expr.CallExpr x) return new Expr.CallExpr(call(x.call()));
        if (e instanceof Expr.Unary x) return new Expr.Unary(x.op(), expr(x.operand()), r(x.range()));
        if (e instanceof Expr.Binary x) return new Expr.Binary(x.op(), expr(x.left()), expr(x.right()), r(x.range()));
        if (e instanceof Expr.Missing x) return new Expr.Missing(r(x.range()));
        throw new IllegalArgumentException("unknown expression " + e.getClass());
    }
}
