package dev.ann.compiler;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
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
        /** @param withoutData true: missing data files ({@link #blocksPlanning}) do not stop it */
        Plan plan(String train, String profile, boolean withoutData) throws CompileException;

        /** The Plans of a profile's sweep lines, one per combination; empty when the profile has none. */
        default List<SweepPoint> sweep(String train, String profile) throws CompileException {
            return List.of();
        }

        List<String> trainNames();

        List<String> profileNames();

        /** Network names declared in the root file, in source order. */
        List<String> networkNames();

        /** A network of the compilation (root file or imports) on its own; missing data files do not stop it. */
        NetworkLayers network(String name) throws CompileException;
    }

    /**
     * Whether a diagnostic stops planning and code generation: every error but a
     * data file that is not there (E043). Only reading the data needs the file,
     * so ann check and ann train report it as an error, while ann plan and ann
     * generate go on: the Plan names the files, and its shapes come from the
     * network.
     */
    public static boolean blocksPlanning(Diagnostic d) {
        return d.isError() && !d.code().equals(Codes.DATA_MISSING);
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
        return planner.plan(train, profile, false);
    }

    /**
     * The plan of a train block, made also when data files are missing (E043; see
     * {@link #blocksPlanning}): for ann plan and ann generate, which never read the
     * data. The Plan names the files as written; its sample shape is the network's input.
     *
     * @throws CompileException when there are other errors, or the names are unknown
     */
    /** One combination of a profile's {@code sweep} lines: its label ({@code batch 64, optimizer adam(lr: 3e-3)}) and Plan. */
    public record SweepPoint(String label, Plan plan) {}

    /**
     * The Plans of the profile's {@code sweep} lines, one per combination (a grid), in order; empty when the profile has
     * none. Errors as {@link #plan}.
     */
    public List<SweepPoint> sweep(String train, String profile) throws CompileException {
        model();
        return planner.sweep(train, profile);
    }

    public Plan planWithoutData(String train, String profile) throws CompileException {
        model();
        return planner.plan(train, profile, true);
    }

    /** The errors that stop planning (all but missing data files), in file order. */
    public List<Diagnostic> planningErrors() {
        return diagnostics.stream().filter(Compilation::blocksPlanning).toList();
    }

    /** The data files that are not there (E043), which only reading the data needs. */
    public List<Diagnostic> missingData() {
        return diagnostics.stream().filter(d -> d.isError() && d.code().equals(Codes.DATA_MISSING)).toList();
    }

    /** Names of the networks declared in the root file, in source order. */
    public List<String> networkNames() {
        return planner.networkNames();
    }

    /**
     * One network on its own (any network of the compilation, also an imported one):
     * its ops with shapes, parameters and FLOPs.
     *
     * @throws CompileException when the compilation has errors that stop planning, or no network has that name
     */
    public NetworkLayers network(String name) throws CompileException {
        model();
        return planner.network(name);
    }

    /** Declarations of all files of the compilation. */
    public List<Decl> allDecls() {
        List<Decl> out = new ArrayList<>();
        for (AnnFile f : files.values()) out.addAll(f.decls());
        return out;
    }
}
