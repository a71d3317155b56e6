package dev.ann.lsp.features;

import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.AnnFile;
import dev.ann.lsp.Analysis;
import dev.ann.lsp.Document;
import dev.ann.lsp.Lsp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.lsp4j.WorkspaceSymbol;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/** Declarations of the open files and everything they import, matched by subsequence (`fcnn` finds FashionCNN). */
public final class WorkspaceSymbolProvider {
    private WorkspaceSymbolProvider() {}

    public static List<WorkspaceSymbol> symbols(Analysis analysis, String query) {
        String q = query == null ? "" : query.toLowerCase(Locale.ROOT);
        List<WorkspaceSymbol> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Document d : analysis.documents()) {
            Analysis.Snapshot snap = analysis.latest(d.uri());
            List<AnnFile> files = new ArrayList<>();
            if (snap != null && snap.compilation() != null) files.addAll(snap.compilation().files());
            else files.add(analysis.workspace().parse(d.path(), d.text()));
            for (AnnFile f : files) {
                for (Decl decl : f.decls()) {
                    if (decl.name() == null || decl.name().text().isEmpty()) continue;
                    String name = decl.name().text();
                    if (!matches(name.toLowerCase(Locale.ROOT), q)) continue;
                    String key = f.source().path() + "@" + decl.name().range().start();
                    if (!seen.add(key)) continue;
                    WorkspaceSymbol s = new WorkspaceSymbol(name, DocumentSymbolProvider.kind(decl),
                            Either.forLeft(Lsp.location(f.source(), decl.name().range())));
                    s.setContainerName(f.source().path().getFileName().toString());
                    out.add(s);
                }
            }
        }
        return out;
    }

    static boolean matches(String name, String query) {
        int i = 0;
        for (int j = 0; j < name.length() && i < query.length(); j++) if (name.charAt(j) == query.charAt(i)) i++;
        return i == query.length();
    }
}
