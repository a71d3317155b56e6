package dev.ann.lsp.features;

import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.model.SemanticModel;
import dev.ann.lsp.Analysis;
import dev.ann.lsp.Lsp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.lsp4j.CodeLens;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.Range;

/**
 * On a train block: "▶ Train", "▶ Train (profile)" for each profile, and
 * "Generate Java" and "Export ONNX" (of the latest run's checkpoint); on a network: its parameter count (which opens the plan).
 */
public final class CodeLensProvider {
    private CodeLensProvider() {}

    public static List<CodeLens> lenses(Analysis.Snapshot snap) {
        if (snap == null) return List.of();
        SourceFile src = snap.source();
        String uri = snap.document().uri();
        List<String> profiles = Names.visible(snap, Decl.Profile.class).stream().map(p -> p.name().text()).distinct().toList();
        SemanticModel model = Names.model(snap);
        List<CodeLens> out = new ArrayList<>();
        for (Decl d : snap.parsed().decls()) {
            if (d.name() == null || d.name().text().isEmpty()) continue;
            Range at = Lsp.range(src, new dev.ann.compiler.ast.Range(d.range().start(), d.range().start()));
            String name = d.name().text();
            if (d instanceof Decl.Train) {
                out.add(lens(at, "▶ Train", Commands.TRAIN, uri, name, null));
                for (String p : profiles) out.add(lens(at, "▶ Train (" + p + ")", Commands.TRAIN, uri, name, p));
                out.add(lens(at, "Generate Java", Commands.GENERATE, uri, name, null));
                out.add(lens(at, "Export ONNX", Commands.EXPORT, uri, name, null));
            } else if (d instanceof Decl.Network && model != null) {
                model.network(name).ifPresent(n -> out.add(lens(at,
                        HoverProvider.count(n.params()) + " parameters", Commands.PLAN, uri, null, null)));
            }
        }
        return out;
    }

    private static CodeLens lens(Range at, String title, String command, Object... args) {
        return new CodeLens(at, new Command(title, command, new ArrayList<>(Arrays.asList(args))), null);
    }
}
