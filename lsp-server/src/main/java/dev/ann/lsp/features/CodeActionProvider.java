package dev.ann.lsp.features;

import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Fix;
import dev.ann.lsp.Analysis;
import dev.ann.lsp.Lsp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;

/** Each fix a diagnostic carries becomes a quick fix; the first fix of a diagnostic is the preferred one. */
public final class CodeActionProvider {
    private CodeActionProvider() {}

    public static List<CodeAction> actions(Analysis.Snapshot snap, Range range) {
        if (snap == null) return List.of();
        SourceFile src = snap.source();
        dev.ann.compiler.ast.Range r = Lsp.range(src, range);
        List<CodeAction> out = new ArrayList<>();
        for (Diagnostic d : snap.diagnostics()) {
            if (d.fixes().isEmpty()) continue;
            if (d.range().end() < r.start() || d.range().start() > r.end()) continue;
            boolean first = true;
            for (Fix fix : d.fixes()) {
                Map<String, List<TextEdit>> changes = new LinkedHashMap<>();
                for (dev.ann.compiler.diag.TextEdit e : fix.edits()) {
                    SourceFile target = e.file() == null ? src : snap.source(e.file());
                    if (target == null) continue;
                    changes.computeIfAbsent(Lsp.uri(target.path()), k -> new ArrayList<>())
                            .add(new TextEdit(Lsp.range(target, e.range()), e.newText()));
                }
                if (changes.isEmpty()) continue;
                CodeAction a = new CodeAction(fix.title());
                a.setKind(CodeActionKind.QuickFix);
                a.setDiagnostics(List.of(Lsp.diagnostic(d)));
                a.setEdit(new WorkspaceEdit(changes));
                a.setIsPreferred(first);
                first = false;
                out.add(a);
            }
        }
        return out;
    }
}
