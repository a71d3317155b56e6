package dev.ann.lsp.features;

import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.model.LayerInfo;
import dev.ann.compiler.model.NetworkSummary;
import dev.ann.compiler.model.SemanticModel;
import dev.ann.compiler.model.Symbol;
import dev.ann.compiler.model.SymbolKind;
import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.Registry;
import dev.ann.compiler.spec.Spec;
import dev.ann.lsp.Analysis;
import dev.ann.lsp.Lsp;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.Position;

/**
 * Hover: on a declared name its declaration and {@code ///} doc (a network's
 * summary: parameters, input and output shapes); on a layer statement its
 * output shape, parameters, FLOPs and the layer kind's documentation; on any
 * other known word (an activation, a loss, an optimiser) its documentation.
 */
public final class HoverProvider {
    private HoverProvider() {}

    public static Hover hover(Analysis.Snapshot snap, Position pos) {
        if (snap == null) return null;
        SemanticModel model = Names.model(snap);
        if (model == null) return null;
        SourceFile src = snap.source();
        Path path = snap.document().path();
        int offset = Lsp.offset(src, pos);
        Optional<Symbol> sym = model.symbolAt(path, offset);
        if (sym.isPresent()) {
            Symbol s = sym.get();
            StringBuilder md = new StringBuilder("```ann\n").append(header(s)).append("\n```");
            if (s.kind() == SymbolKind.NETWORK) model.network(s.name()).ifPresent(n -> md.append("\n\n").append(summary(n)));
            if (!s.doc().isBlank()) md.append("\n\n").append(s.doc());
            return markdown(md.toString(), wordRange(src, offset));
        }
        Optional<LayerInfo> layer = model.layerAt(path, offset);
        if (layer.isPresent() && layer.get().range().touches(offset)) {
            LayerInfo l = layer.get();
            StringBuilder md = new StringBuilder("```ann\n").append(l.spec() != null ? l.spec().signature() : l.kind())
                    .append("\n```\n\n");
            md.append("**").append(l.name()).append("**: ");
            md.append(l.inShape() == null ? "?" : l.inShape().toString()).append(" → ")
                    .append(l.outShape() == null ? "?" : l.outShape().toString());
            md.append(" · ").append(count(l.params())).append(l.params() == 1 ? " parameter" : " parameters");
            md.append(" · ").append(count(l.flops())).append(" FLOPs");
            dev.ann.plan.Shape seq = l.outShape() != null && l.outShape().rank() == 2 ? l.outShape()
                    : l.inShape() != null && l.inShape().rank() == 2 ? l.inShape() : null;
            if (seq != null) {
                md.append("\n\nsequence `[T, F]` = ").append(seq).append(": ").append(count(seq.dim(0))).append(" steps × ")
                        .append(count(seq.dim(1))).append(" features");
            }
            if (l.spec() instanceof dev.ann.compiler.spec.LayerSpec ls && !ls.shapeDoc().isBlank()) {
                md.append("\n\nShape: ").append(ls.shapeDoc());
            }
            if (l.spec() != null && !l.spec().doc().isBlank()) md.append("\n\n").append(l.spec().doc());
            return markdown(md.toString(), Lsp.range(src, l.range()));
        }
        String word = word(src.text(), offset);
        Registry registry = model.registry();
        if (word != null && registry != null) {
            for (Category c : Category.values()) {
                Optional<Spec> spec = registry.find(c, word);
                if (spec.isPresent()) {
                    String md = "```ann\n" + spec.get().signature() + "\n```\n\n*" + c.name().toLowerCase(Locale.ROOT)
                            .replace('_', ' ') + "*\n\n" + spec.get().doc();
                    return markdown(md, wordRange(src, offset));
                }
            }
        }
        return null;
    }

    static String header(Symbol s) {
        String kind = s.kind().name().toLowerCase(Locale.ROOT).replace("block_param", "parameter");
        String detail = s.detail() == null || s.detail().isBlank() ? "" : "  // " + s.detail();
        return kind + " " + s.name() + detail;
    }

    static String summary(NetworkSummary n) {
        return "**" + count(n.params()) + " parameters** · input " + (n.input() == null ? "?" : n.input())
                + " → output " + (n.output() == null ? "?" : n.output()) + " · " + n.layers() + " layers · "
                + count(n.flops()) + " FLOPs per sample";
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static Hover markdown(String md, org.eclipse.lsp4j.Range range) {
        Hover h = new Hover(new MarkupContent(MarkupKind.MARKDOWN, md));
        h.setRange(range);
        return h;
    }

    static String word(String text, int offset) {
        int s = offset, e = offset;
        while (s > 0 && isWord(text.charAt(s - 1))) s--;
        while (e < text.length() && isWord(text.charAt(e))) e++;
        return s == e ? null : text.substring(s, e);
    }

    private static org.eclipse.lsp4j.Range wordRange(SourceFile src, int offset) {
        String text = src.text();
        int s = offset, e = offset;
        while (s > 0 && isWord(text.charAt(s - 1))) s--;
        while (e < text.length() && isWord(text.charAt(e))) e++;
        return Lsp.range(src, new dev.ann.compiler.ast.Range(s, e));
    }

    private static boolean isWord(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
