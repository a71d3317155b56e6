package dev.ann.compiler;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.model.SemanticModel;
import dev.ann.plan.Plan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One checked .ann file together with the files it imports (names are global
 * across them). Holds every diagnostic, the semantic model, and makes plans.
 */
public final class Compilation {
    private final Path root;
    private final Map<Path, AnnFile> files;          // root first, then imports in discovery order
    private final List<Diagnostic> diagnostics;
    private final java.util.function.Supplier<SemanticModel> modelMaker;
    private SemanticModel model;
    private final Planner planner;

    /** Makes a Plan for a train block; implemented by the checker, which knows the resolved program. */
    public interface Planner {
        Plan plan(String train, String profile) throws CompileException;

        List<String> trainNames();

        List<String> profileNames();
    }

    Compilation(Path root, Map<Path, AnnFile> files, List<Diagnostic> diagnostics,
                java.util.function.Supplier<SemanticModel> model, Planner planner) {
        this.root = root;
        this.files = new LinkedHashMap<>(files);
        this.diagnostics = List.copyOf(diagnostics);
        this.modelMaker = model;
        this.planner = planner;
    }

    /** For the checker: assemble the result. */
    public static Compilation assemble(Path root, Map<Path, AnnFile> files, List<Diagnostic> diagnostics,
                                       SemanticModel model, Planner planner) {
        return new Compilation(root, files, diagnostics, () -> model, planner);
    }

    /**
     * For the checker: assemble the result, with the semantic model made the
     * first time it is asked for (diagnostics do not need it, so an editor gets
     * them sooner).
     */
    public static Compilation assembleLazily(Path root, Map<Path, AnnFile> files, List<Diagnostic> diagnostics,
                                             java.util.function.Supplier<SemanticModel> model, Planner planner) {
        return new Compilation(root, files, diagnostics, model, planner);
    }

    public Path root() {
        return root;
    }

    public List<AnnFile> files() {
        return new ArrayList<>(files.values());
    }

    /** The parsed file, or null if it is not part of this compilation. */
    public AnnFile file(Path path) {
        return files.get(Workspace.normalize(path));
    }

    public SourceFile source(Path path) {
        AnnFile f = file(path);
        return f == null ? null : f.source();
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    public List<Diagnostic> diagnostics(Path file) {
        Path p = Workspace.normalize(file);
        return diagnostics.stream().filter(d -> d.source().path().equals(p)).toList();
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    /** The semantic model: symbols, references, shapes. Made on first use (thread-safe). */
    public synchronized SemanticModel model() {
        if (model == null) model = modelMaker.get();
        return model;
    }

    /** Train block names in the root file, in source order. */
    public List<String> trainNames() {
        return planner.trainNames();
    }

    public List<String> profileNames() {
        return planner.profileNames();
    }

    /**
     * The execution plan of a train block with a profile applied.
     *
     * @param train   the train block's name, or null for the root file's only (or first) one
     * @param profile a profile's name, or null
     * @throws CompileException when the compilation has errors (also those that only the profile causes),
     *                          or the names are unknown
     */
    public Plan plan(String train, String profile) throws CompileException {
        model(); // planning may elaborate again: make the model from the check alone, first
        return planner.plan(train, profile);
    }

    /** Declarations of all files of the compilation. */
    public List<Decl> allDecls() {
        List<Decl> out = new ArrayList<>();
        for (AnnFile f : files.values()) out.addAll(f.decls());
        return out;
    }
}
