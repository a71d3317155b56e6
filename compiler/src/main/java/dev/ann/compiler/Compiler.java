package dev.ann.compiler;

import dev.ann.compiler.check.Checker;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The compiler's entry point: parse, resolve imports, check. The one class of
 * this package that knows the checker, so that the API types below it
 * ({@link Workspace}, {@link Compilation}) and the checker do not import each other.
 */
public final class Compiler {
    private Compiler() {}

    /** Compiles one file from disk. Never throws; problems are diagnostics. */
    public static Compilation compile(Path file) {
        return compile(new Workspace(), file);
    }

    /** Compiles a file of a workspace, whose open documents may hold unsaved text. Never throws. */
    public static Compilation compile(Workspace workspace, Path file) {
        return Checker.compile(workspace, Workspace.normalize(file));
    }

    /**
     * Like {@link #compile(Workspace, Path)}, but gives up between declarations
     * once {@code cancelled} returns true.
     *
     * @throws java.util.concurrent.CancellationException when it gave up
     */
    public static Compilation compile(Workspace workspace, Path file, BooleanSupplier cancelled) {
        return Checker.compile(workspace, Workspace.normalize(file), cancelled);
    }
}
