package dev.ann.compiler.syntax;

import dev.ann.compiler.ast.Call;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Expr;
import dev.ann.compiler.ast.Ident;
import dev.ann.compiler.ast.LayerStmt;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.Setting;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.grammar.AnnLexer;
import dev.ann.grammar.AnnParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Parse tree to AST. The tree may be partial (error recovery); every accessor
 * here tolerates missing children, so that as much AST as possible is built.
 */
final class AstBuilder {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z_0-9]*");
    private final SourceFile source;
    private final CommonTokenStream tokens;
    private final Offsets offsets;

    AstBuilder(SourceFile source, CommonTokenStream tokens, Offsets offsets) {
        this.source = source;
        this.tokens = tokens;
        this.offsets = offsets;
    }

    List<Decl> file(AnnParser.FileContext ctx) {
        List<Decl> decls = new ArrayList<>();
        for (AnnParser.DeclContext d : ctx.decl()) {
            Decl decl = decl(d);
            if (decl != null) decls.add(decl);
        }
        return decls;
    }

    private Decl decl(AnnParser.DeclContext ctx) {
        String doc = doc(ctx);
        Range range = range(ctx);
        if (ctx.importDecl() != null) {
            var c = ctx.importDecl();
            Expr.StringLit path = c.STRING() == null || missing(c.STRING().getSymbol())
                    ? new Expr.StringLit("", endOf(c)) : string(c.STRING().getSymbol());
            return new Decl.Import(ident(c.IMPORT().getSymbol()), path, doc, range);
        }
        if (ctx.constDecl() != null) {
            var c = ctx.constDecl();
            return new Decl.Const(ident(c.ident(), c), expr(c.expr(), c), doc, range);
        }
        if (ctx.blockDecl() != null) {
            var c = ctx.blockDecl();
            List<Decl.Param> params = new ArrayList<>();
            if (c.params() != null) {
                for (var p : c.params().param()) {
                    params.add(new Decl.Param(ident(p.ident(0), p), p.ident().size() > 1 ? ident(p.ident(1), p) : null,
                            p.expr() == null ? null : expr(p.expr(), p), range(p)));
                }
            }
            return new Decl.Block(ident(c.ident(), c), params, layerBody(c.layerBody()), doc, range);
        }
        if (ctx.networkDecl() != null) {
            var c = ctx.networkDecl();
            return new Decl.Network(ident(c.ident(), c), layerBody(c.layerBody()), doc, range);
        }
        if (ctx.datasetDecl() != null) {
            var c = ctx.datasetDecl();
            return new Decl.Dataset(ident(c.ident(), c), settings(c.settingsBody()), doc, range);
        }
        if (ctx.trainDecl() != null) {
            var c = ctx.trainDecl();
            // `train Net on Data` is named after its network; `train fast = Net on Data` names it.
            Ident network = c.network == null ? missingIdent(c) : ident(c.network, c);
            Ident name = c.name == null ? network : ident(c.name, c);
            Ident dataset = c.dataset == null ? missingIdent(c) : ident(c.dataset, c);
            return new Decl.Train(name, network, dataset, settings(c.settingsBody()), doc, range);
        }
        if (ctx.profileDecl() != null) {
            var c = ctx.profileDecl();
            return new Decl.Profile(ident(c.ident(), c), settings(c.settingsBody()), doc, range);
        }
        return null;
    }

    // ---- layers -------------------------------------------------------------------

    private List<LayerStmt> layerBody(AnnParser.LayerBodyContext ctx) {
        List<LayerStmt> out = new ArrayList<>();
        if (ctx == null) return out;
        for (var s : ctx.layerStmt()) {
            LayerStmt stmt = layerStmt(s);
            if (stmt != null) out.add(stmt);
        }
        return out;
    }

    private LayerStmt layerStmt(AnnParser.LayerStmtContext ctx) {
        Ident label = ctx.ident() == null ? null : ident(ctx.ident(), ctx);
        Range range = range(ctx);
        var e = ctx.layerExpr();
        if (e instanceof AnnParser.InputLayerContext c) {
            return new LayerStmt.Input(label, ident(c.INPUT().getSymbol()), expr(c.expr(), c), range);
        }
        if (e instanceof AnnParser.ParallelLayerContext c) {
            List<LayerStmt.Branch> branches = new ArrayList<>();
            for (var b : c.branch()) {
                branches.add(new LayerStmt.Branch(ident(b.BRANCH().getSymbol()), layerBody(b.layerBody()), range(b)));
            }
            return new LayerStmt.Parallel(label, ident(c.PARALLEL().getSymbol()),
                    c.ident() == null ? null : ident(c.ident(), c), branches, range);
        }
        if (e instanceof AnnParser.ResidualLayerContext c) {
            return new LayerStmt.Residual(label, ident(c.RESIDUAL().getSymbol()), layerBody(c.layerBody()), range);
        }
        if (e instanceof AnnParser.CallLayerContext c) {
            List<Call> calls = new ArrayList<>();
            for (var call : c.call()) calls.add(call(call));
            if (calls.isEmpty()) return null;
            return new LayerStmt.Chain(label, calls, range);
        }
        return null;
    }

    private Call call(AnnParser.CallContext ctx) {
        Ident callee = ident(ctx.ident(), ctx);
        List<Call.Arg> args = args(ctx.args());
        Range parens = null;
        if (ctx.LPAREN() != null) {
            int start = offsets.range(ctx.LPAREN().getSymbol()).start();
            int end = ctx.RPAREN() != null && !missing(ctx.RPAREN().getSymbol())
                    ? offsets.range(ctx.RPAREN().getSymbol()).end() : range(ctx).end();
            parens = new Range(start, Math.max(start, end));
        }
        return new Call(callee, args, parens, range(ctx));
    }

    private List<Call.Arg> args(AnnParser.ArgsContext ctx) {
        List<Call.Arg> out = new ArrayList<>();
        if (ctx == null) return out;
        for (var a : ctx.arg()) {
            Ident name = a.ident() == null ? null : ident(a.ident(), a);
            out.add(new Call.Arg(name, expr(a.expr(), a), range(a)));
        }
        return out;
    }

    // ---- settings -----------------------------------------------------------------

    private List<Setting> settings(AnnParser.SettingsBodyContext ctx) {
        List<Setting> out = new ArrayList<>();
        if (ctx == null) return out;
        for (var s : ctx.setting()) {
            Ident name = ident(s.ident(), s);
            Range parens = null;
            if (s.LPAREN() != null) {
                int start = offsets.range(s.LPAREN().getSymbol()).start();
                int end = s.RPAREN() != null && !missing(s.RPAREN().getSymbol())
                        ? offsets.range(s.RPAREN().getSymbol()).end() : start + 1;
                parens = new Range(start, end);
            }
            Range callRange = parens == null ? name.range() : name.range().to(parens);
            Call call = new Call(name, args(s.args()), parens, callRange);
            List<Setting.Clause> clauses = new ArrayList<>();
            for (var c : s.clause()) {
                List<Expr> terms = new ArrayList<>();
                for (var t : c.term()) terms.add(expr(t.expr(), t));
                clauses.add(new Setting.Clause(terms, range(c)));
            }
            out.add(new Setting(call, clauses, range(s)));
        }
        return out;
    }

    // ---- expressions --------------------------------------------------------------

    private Expr expr(AnnParser.ExprContext ctx, ParserRuleContext parent) {
        if (ctx == null) return new Expr.Missing(endOf(parent));
        Range r = range(ctx);
        if (ctx instanceof AnnParser.NegateContext c) return new Expr.Unary("-", expr(c.expr(), c), r);
        if (ctx instanceof AnnParser.MulDivContext c) {
            return new Expr.Binary(c.op.getText(), expr(c.expr(0), c), expr(c.expr().size() > 1 ? c.expr(1) : null, c), r);
        }
        if (ctx instanceof AnnParser.AddSubContext c) {
            return new Expr.Binary(c.op.getText(), expr(c.expr(0), c), expr(c.expr().size() > 1 ? c.expr(1) : null, c), r);
        }
        if (ctx instanceof AnnParser.RangeContext c) {
            return new Expr.RangeLit(expr(c.expr(0), c), expr(c.expr().size() > 1 ? c.expr(1) : null, c), r);
        }
        if (ctx instanceof AnnParser.AtomContext c) return primary(c.primary(), c);
        return new Expr.Missing(r);
    }

    private Expr primary(AnnParser.PrimaryContext ctx, ParserRuleContext parent) {
        if (ctx == null) return new Expr.Missing(endOf(parent));
        Range r = range(ctx);
        String text = ctx.getText();
        try {
            if (ctx instanceof AnnParser.IntLitContext) {
                try {
                    return new Expr.IntLit(Long.parseLong(text), r);
                } catch (NumberFormatException tooBig) {
                    return new Expr.FloatLit(Double.parseDouble(text), text, r);
                }
            }
            if (ctx instanceof AnnParser.FloatLitContext) return new Expr.FloatLit(Double.parseDouble(text), text, r);
            if (ctx instanceof AnnParser.PercentLitContext) {
                return new Expr.PercentLit(Double.parseDouble(text.substring(0, text.length() - 1)) / 100.0, text, r);
            }
        } catch (NumberFormatException e) {
            return new Expr.Missing(r);
        }
        if (ctx instanceof AnnParser.StringLitContext c) return string(c.STRING().getSymbol());
        if (ctx instanceof AnnParser.BoolLitContext c) return new Expr.BoolLit(c.TRUE() != null, r);
        if (ctx instanceof AnnParser.ListLitContext c) {
            List<Expr> items = new ArrayList<>();
            for (var e : c.expr()) items.add(expr(e, c));
            return new Expr.ListLit(items, r);
        }
        if (ctx instanceof AnnParser.CallOrNameContext c) {
            Call call = call(c.call());
            if (!call.hasParens()) return new Expr.Name(call.callee());
            return new Expr.CallExpr(call);
        }
        if (ctx instanceof AnnParser.ParensContext c) return expr(c.expr(), c);
        return new Expr.Missing(r);
    }

    private Expr.StringLit string(Token t) {
        String raw = t.getText();
        String body = raw.length() >= 2 ? raw.substring(1, raw.length() - 1) : "";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char ch = body.charAt(i);
            if (ch == '\\' && i + 1 < body.length()) {
                char n = body.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                sb.append(ch);
            }
        }
        return new Expr.StringLit(sb.toString(), offsets.range(t));
    }

    // ---- names, ranges, docs ------------------------------------------------------

    private Ident ident(AnnParser.IdentContext ctx, ParserRuleContext parent) {
        if (ctx == null || ctx.getStart() == null || missing(ctx.getStart()) || ctx.getStart().getType() == Token.EOF) {
            return missingIdent(parent);
        }
        String text = ctx.getText();
        if (ctx.exception != null || !NAME.matcher(text).matches()) return missingIdent(parent);
        return new Ident(text, range(ctx));
    }

    private Ident ident(Token t) {
        return new Ident(t.getText(), offsets.range(t));
    }

    private Ident missingIdent(ParserRuleContext parent) {
        return new Ident("", endOf(parent));
    }

    private static boolean missing(Token t) {
        return t.getStartIndex() < 0 || t.getTokenIndex() < 0;
    }

    private Range range(ParserRuleContext ctx) {
        return offsets.range(ctx);
    }

    private Range endOf(ParserRuleContext ctx) {
        if (ctx == null) return Range.NONE;
        int end = range(ctx).end();
        return new Range(end, end);
    }

    /** The {@code ///} lines right above a declaration (blank lines and newlines between are fine). */
    private String doc(ParserRuleContext ctx) {
        Token start = ctx.getStart();
        if (start == null || start.getTokenIndex() < 0) return "";
        List<String> lines = new ArrayList<>();
        for (int i = start.getTokenIndex() - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            int type = t.getType();
            if (type == AnnLexer.NL || type == AnnLexer.WS) continue;
            if (type == AnnLexer.DOC_COMMENT) {
                String line = t.getText().substring(3);
                lines.add(0, line.startsWith(" ") ? line.substring(1) : line);
                continue;
            }
            break;
        }
        return String.join("\n", lines);
    }

    @SuppressWarnings("unused")
    private static boolean isToken(TerminalNode n) {
        return n != null && !missing(n.getSymbol());
    }
}
