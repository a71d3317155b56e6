package dev.ann.lsp.features;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.model.SemanticModel;
import dev.ann.compiler.spec.Registry;
import dev.ann.lsp.Analysis;
import java.util.ArrayList;
import java.util.List;

/** Declarations visible from a document: its own and its imports' (names are global), from the AST. */
final class Names {
    private Names() {}

    static List<Decl> visible(Analysis.Snapshot snap) {
        if (snap.compilation() == null) return snap.parsed().decls();
        List<Decl> out = new ArrayList<>(snap.parsed().decls());
        for (AnnFile f : snap.compilation().files()) {
            if (!f.source().path().equals(snap.document().path())) out.addAll(f.decls());
        }
        return out;
    }

    static <T extends Decl> List<T> visible(Analysis.Snapshot snap, Class<T> kind) {
        return visible(snap).stream().filter(kind::isInstance).map(kind::cast)
                .filter(d -> d.name() != null && !d.name().text().isEmpty()).toList();
    }

    static SemanticModel model(Analysis.Snapshot snap) {
        return snap == null || snap.compilation() == null ? null : snap.compilation().model();
    }

    /** The compilation's registry, or the standard one (before the first check, or when it failed). */
    static Registry registry(Analysis.Snapshot snap) {
        // The checker always checks against the standard registry; asking the model for it would make
        // the model (it is made on first use), which completion right after an edit need not wait for.
        return Registry.standard();
    }
}
