package dev.ann.lsp.features;

import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.model.Reference;
import dev.ann.compiler.model.SemanticModel;
import dev.ann.compiler.model.Symbol;
import dev.ann.lsp.Analysis;
import dev.ann.lsp.Lsp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PrepareRenameResult;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/** Go to definition, find references, rename: across the files a document imports. */
public final class NavigationProvider {
    private NavigationProvider() {}

    private static Optional<Symbol> symbol(Analysis.Snapshot snap, Position pos) {
        SemanticModel model = Names.model(snap);
        if (model == null) return Optional.empty();
        return model.symbolAt(snap.document().path(), Lsp.offset(snap.source(), pos));
    }

    public static List<Location> definition(Analysis.Snapshot snap, Position pos) {
        return symbol(snap, pos).map(s -> {
            SourceFile src = source(snap, s.file());
            return src == null ? List.<Location>of() : List.of(Lsp.location(src, s.nameRange()));
        }).orElse(List.of());
    }

    public static List<Location> references(Analysis.Snapshot snap, Position pos, boolean includeDeclaration) {
        Optional<Symbol> s = symbol(snap, pos);
        if (s.isEmpty()) return List.of();
        List<Location> out = new ArrayList<>();
        for (Reference r : Names.model(snap).references(s.get())) {
            if (r.isDeclaration() && !includeDeclaration) continue;
            SourceFile src = source(snap, r.file());
            if (src != null) out.add(Lsp.location(src, r.range()));
        }
        return out;
    }

    public static PrepareRenameResult prepareRename(Analysis.Snapshot snap, Position pos) {
        Optional<Symbol> s = symbol(snap, pos);
        if (s.isEmpty()) return null;
        int offset = Lsp.offset(snap.source(), pos);
        for (Reference r : Names.model(snap).references(s.get())) {
            if (r.file().equals(snap.document().path()) && r.range().touches(offset)) {
                return new PrepareRenameResult(Lsp.range(snap.source(), r.range()), s.get().name());
            }
        }
        return null;
    }

    public static WorkspaceEdit rename(Analysis.Snapshot snap, Position pos, String newName) {
        if (newName == null || !newName.matches("[A-Za-z_][A-Za-z_0-9]*")) {
            throw new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams,
                    "'" + newName + "' is not a name: use letters, digits and '_', not starting with a digit", null));
        }
        Optional<Symbol> s = symbol(snap, pos);
        if (s.isEmpty()) return null;
        Map<String, List<TextEdit>> changes = new LinkedHashMap<>();
        for (Reference r : Names.model(snap).references(s.get())) {
            SourceFile src = source(snap, r.file());
            if (src == null) continue;
            changes.computeIfAbsent(Lsp.uri(r.file()), k -> new ArrayList<>())
                    .add(new TextEdit(Lsp.range(src, r.range()), newName));
        }
        return new WorkspaceEdit(changes);
    }

    static SourceFile source(Analysis.Snapshot snap, Path file) {
        return snap.source(file);
    }
}
