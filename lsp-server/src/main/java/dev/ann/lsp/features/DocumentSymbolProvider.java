package dev.ann.lsp.features;

import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.LayerStmt;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.model.SemanticModel;
import dev.ann.compiler.model.Symbol;
import dev.ann.lsp.Analysis;
import dev.ann.lsp.Lsp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.SymbolKind;

/** The outline: declarations with their block parameters and named layer statements, from the AST. */
public final class DocumentSymbolProvider {
    private DocumentSymbolProvider() {}

    public static List<DocumentSymbol> symbols(Analysis.Snapshot snap) {
        SourceFile src = snap.source();
        Map<String, String> details = new HashMap<>();
        SemanticModel model = Names.model(snap);
        if (model != null) {
            try {
                for (Symbol s : model.symbols(snap.document().path())) details.put(s.name() + "@" + s.nameRange().start(), s.detail());
            } catch (RuntimeException e) {
                // details are a bonus; the outline comes from the syntax tree
            }
        }
        List<DocumentSymbol> out = new ArrayList<>();
        for (Decl d : snap.parsed().decls()) {
            if (d.name() == null || d.name().text().isEmpty()) continue;
            String detail = details.getOrDefault(d.name().text() + "@" + d.name().range().start(), kindWord(d));
            DocumentSymbol s = new DocumentSymbol(d.name().text(), kind(d), Lsp.range(src, d.range()),
                    Lsp.range(src, d.name().range()), detail);
            List<DocumentSymbol> children = new ArrayList<>();
            if (d instanceof Decl.Block b) {
                for (Decl.Param p : b.params()) {
                    if (p.name().text().isEmpty()) continue;
                    children.add(new DocumentSymbol(p.name().text(), SymbolKind.TypeParameter, Lsp.range(src, p.range()),
                            Lsp.range(src, p.name().range()), p.type() == null ? "" : p.type().text()));
                }
                layers(src, b.body(), children);
            }
            if (d instanceof Decl.Network n) layers(src, n.body(), children);
            s.setChildren(children);
            out.add(s);
        }
        return out;
    }

    private static void layers(SourceFile src, List<LayerStmt> body, List<DocumentSymbol> out) {
        for (LayerStmt st : body) {
            if (st.label() != null && !st.label().text().isEmpty()) {
                String what = st instanceof LayerStmt.Chain c ? c.calls().get(0).callee().text()
                        : st instanceof LayerStmt.Input ? "input"
                        : st instanceof LayerStmt.Parallel ? "parallel" : "residual";
                out.add(new DocumentSymbol(st.label().text(), SymbolKind.Field, Lsp.range(src, st.range()),
                        Lsp.range(src, st.label().range()), what));
            }
            if (st instanceof LayerStmt.Residual r) layers(src, r.body(), out);
            if (st instanceof LayerStmt.Parallel p) for (LayerStmt.Branch b : p.branches()) layers(src, b.body(), out);
        }
    }

    static SymbolKind kind(Decl d) {
        if (d instanceof Decl.Network) return SymbolKind.Class;
        if (d instanceof Decl.Block) return SymbolKind.Function;
        if (d instanceof Decl.Dataset) return SymbolKind.Struct;
        if (d instanceof Decl.Const) return SymbolKind.Constant;
        if (d instanceof Decl.Profile) return SymbolKind.Namespace;
        if (d instanceof Decl.Train) return SymbolKind.Event;
        return SymbolKind.File;
    }

    static String kindWord(Decl d) {
        if (d instanceof Decl.Network) return "network";
        if (d instanceof Decl.Block) return "block";
        if (d instanceof Decl.Dataset) return "dataset";
        if (d instanceof Decl.Const) return "const";
        if (d instanceof Decl.Profile) return "profile";
        if (d instanceof Decl.Train t) return "train " + t.network().text() + " on " + t.dataset().text();
        return "import";
    }
}
