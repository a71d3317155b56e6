package dev.ann.compiler.check;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Severity;
import dev.ann.compiler.model.LayerInfo;
import dev.ann.compiler.spec.Registry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves, checks and plans: loads the file and its imports, declares every
 * name, evaluates consts, checks datasets, expands and shape-checks every
 * network, checks train blocks, and re-checks them under every profile.
 * Never throws: if something unforeseen goes wrong, it becomes a diagnostic.
 */
public final class Checker {
    private Checker() {}

    public static Compilation compile(Workspace workspace, Path root) {
        return compile(workspace, root, () -> false);
    }

    /**
     * Checks, giving up between declarations once {@code cancelled} says so
     * (an editor sent a newer text).
     *
     * @throws java.util.concurrent.CancellationException when it gave up
     */
    public static Compilation compile(Workspace workspace, Path root, java.util.function.BooleanSupplier cancelled) {
        Path rootPath = Workspace.normalize(root);
        Map<Path, AnnFile> files = new LinkedHashMap<>();
        Sink sink = new Sink();
        List<Diagnostic> imports = new ArrayList<>();
        new Imports(workspace, files, imports).load(rootPath);
        for (Diagnostic d : imports) sink.add(d);
        Program program = new Program(Registry.standard(), sink, files, rootPath);
        Analysis analysis = new Analysis(program, cancelled);
        try {
            analysis.run();
        } catch (java.util.concurrent.CancellationException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            AnnFile f = files.get(rootPath);
            SourceFile src = f != null ? f.source() : new SourceFile(rootPath, "");
            sink.add(new Diagnostic(Severity.ERROR, Codes.SYNTAX, "the checker stopped on this file ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); please report it with the file", src, new Range(0, Math.min(1, src.text().length())), List.of(), List.of()));
        }
        List<Diagnostic> all = new ArrayList<>();
        java.util.Set<String> syntaxLines = new java.util.HashSet<>();
        for (AnnFile f : files.values()) {
            all.addAll(f.syntaxErrors());
            for (Diagnostic d : f.syntaxErrors()) syntaxLines.add(f.source().path() + ":" + d.line());
        }
        // On a line with a syntax error, what the checker finds is mostly the parser's recovery: leave it out.
        for (Diagnostic d : sink.all()) {
            if (!syntaxLines.contains(d.source().path() + ":" + d.line())) all.add(d);
        }
        all.sort((a, b) -> {
            int c = a.source().path().compareTo(b.source().path());
            return c != 0 ? c : Integer.compare(a.range().start(), b.range().start());
        });
        PlanBuilder planner = new PlanBuilder(analysis, all);
        // The model (outline details, symbols, references, layer shapes) is made when first asked for:
        // diagnostics do not need it. Compilation.model() is synchronized, and nothing else touches
        // this program's index once compile returns.
        return Compilation.assembleLazily(rootPath, files, all, () -> {
            synchronized (analysis) {
                try {
                    analysis.details();
                } catch (RuntimeException | StackOverflowError e) {
                    // outline details are a nicety: the model is still made without them
                }
                Map<Elaborator.LayerKey, LayerInfo> layers = analysis.layers();
                return new dev.ann.compiler.model.CheckedModel(files, program.index.topLevel(),
                        program.index.withReferences(), new ArrayList<>(layers.values()), analysis.summaries(), Registry.standard());
            }
        }, planner);
    }
}
