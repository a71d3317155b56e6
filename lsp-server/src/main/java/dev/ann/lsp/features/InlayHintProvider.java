package dev.ann.lsp.features;

import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.model.LayerInfo;
import dev.ann.compiler.model.SemanticModel;
import dev.ann.lsp.Analysis;
import dev.ann.lsp.Lsp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.lsp4j.InlayHint;
import org.eclipse.lsp4j.InlayHintKind;
import org.eclipse.lsp4j.Range;

/** The output shape at the end of each layer statement: {@code conv2d(32, kernel: 3)  [32, 26, 26]}. */
public final class InlayHintProvider {
    private InlayHintProvider() {}

    public static List<InlayHint> hints(Analysis.Snapshot snap, Range range) {
        SemanticModel model = Names.model(snap);
        if (model == null) return List.of();
        SourceFile src = snap.source();
        // one hint per line: the shape after the last layer of a `->` chain
        Map<Integer, LayerInfo> lastOnLine = new LinkedHashMap<>();
        for (LayerInfo l : model.layers(snap.document().path())) {
            if (l.outShape() == null) continue;
            int line = src.line(l.range().end());
            if (range != null && (line < range.getStart().getLine() || line > range.getEnd().getLine())) continue;
            LayerInfo prev = lastOnLine.get(line);
            if (prev == null || l.range().end() >= prev.range().end()) lastOnLine.put(line, l);
        }
        List<InlayHint> out = new ArrayList<>();
        for (LayerInfo l : lastOnLine.values()) {
            InlayHint h = new InlayHint(Lsp.position(src, l.range().end()), org.eclipse.lsp4j.jsonrpc.messages.Either.forLeft(
                    l.outShape().toString()));
            h.setKind(InlayHintKind.Type);
            h.setPaddingLeft(true);
            h.setTooltip(l.name() + ": " + HoverProvider.count(l.params()) + " parameters");
            out.add(h);
        }
        return out;
    }
}
