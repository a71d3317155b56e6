package dev.ann.cli;

import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.plan.Plan;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * FILE, --train and --profile: how plan, train, eval and predict name the
 * plan they work on, and the one way they turn it into a Plan.
 */
final class PlanSource {

    @Parameters(index = "0", paramLabel = "FILE", description = "the .ann file")
    Path file;

    @Option(names = "--train", paramLabel = "NAME", description = "which train block (default: the only or first one)")
    String train;

    @Option(names = "--profile", paramLabel = "P",
            description = "apply this profile's overrides (for eval and predict: the one the model was trained under)")
    String profile;

    /**
     * The plan of the named train block with the profile applied, or null after
     * printing why to the command's error stream; {@code exit[0]} is then the exit code.
     */
    Plan plan(CommandLine.Model.CommandSpec spec, int[] exit) {
        return plan(spec, exit, ds -> { });
    }

    /** The same; {@code failed} also gets the diagnostics of a plan that could not be made. */
    Plan plan(CommandLine.Model.CommandSpec spec, int[] exit, Consumer<List<Diagnostic>> failed) {
        return plan(spec, exit, false, CheckCommand.NO_DATA_READ, failed);
    }

    /**
     * The plan for a command that reads part of the data at most (eval and predict with a checkpoint): a data
     * file that is not there (E043) is a warning followed by {@code reads}, what the command reads instead;
     * reading a file that is missing says which.
     */
    Plan planReadingPart(CommandLine.Model.CommandSpec spec, int[] exit, String reads) {
        return plan(spec, exit, true, reads, ds -> { });
    }

    private Plan plan(CommandLine.Model.CommandSpec spec, int[] exit, boolean withoutData, String reads, Consumer<List<Diagnostic>> failed) {
        Compilation c = compile(spec, exit, withoutData, reads, failed);
        compiled = c;
        return c == null ? null : plan(c, spec, exit, withoutData, failed);
    }

    /** The compilation the last {@link #plan(CommandLine.Model.CommandSpec, int[], Consumer)} made. */
    private Compilation compiled;

    /**
     * The combinations of the profile's sweep lines (empty: no sweep), after {@link #plan} made the plan; null
     * after printing why they cannot be planned.
     */
    List<Compilation.SweepPoint> sweep(CommandLine.Model.CommandSpec spec) {
        if (compiled == null || profile == null) return List.of();
        try {
            return compiled.sweep(train, profile);
        } catch (CompileException e) {
            PrintWriter err = spec.commandLine().getErr();
            new DiagnosticPrinter(err, Cli.color(), Path.of("")).printAll(e.diagnostics());
            err.println("error: " + e.getMessage());
            err.flush();
            return null;
        }
    }

    /**
     * The file compiled, or null after printing why ({@code exit[0]} is then the exit code).
     *
     * @param withoutData true for commands that never read the data or read only part of it (plan, generate; eval
     *                    and predict with a checkpoint): missing data files are then warnings
     */
    Compilation compile(CommandLine.Model.CommandSpec spec, int[] exit, boolean withoutData) {
        return compile(spec, exit, withoutData, CheckCommand.NO_DATA_READ, ds -> { });
    }

    private Compilation compile(CommandLine.Model.CommandSpec spec, int[] exit, boolean withoutData, String reads,
                                Consumer<List<Diagnostic>> failed) {
        PrintWriter err = spec.commandLine().getErr();
        String unreadable = dev.ann.compiler.Workspace.readDisk(file).problem();
        if (unreadable != null) {
            err.println("error: cannot read " + file + ": " + unreadable);
            exit[0] = Main.USAGE;
            return null;
        }
        exit[0] = Main.ERRORS;
        return CheckCommand.compileOrReport(file, err, withoutData, reads, failed);
    }

    /** The plan of the named train block of a compiled file, or null after printing why. */
    Plan plan(Compilation c, CommandLine.Model.CommandSpec spec, int[] exit, boolean withoutData) {
        return plan(c, spec, exit, withoutData, ds -> { });
    }

    private Plan plan(Compilation c, CommandLine.Model.CommandSpec spec, int[] exit, boolean withoutData, Consumer<List<Diagnostic>> failed) {
        PrintWriter err = spec.commandLine().getErr();
        exit[0] = Main.ERRORS;
        try {
            return withoutData ? c.planWithoutData(train, profile) : c.plan(train, profile);
        } catch (CompileException e) {
            failed.accept(e.diagnostics());
            new DiagnosticPrinter(err, Cli.color(), Path.of("")).printAll(e.diagnostics());
            err.println("error: " + e.getMessage());
            err.flush();
            return null;
        }
    }
}
