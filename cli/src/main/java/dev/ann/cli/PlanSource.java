package dev.ann.cli;

import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.plan.Plan;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
        PrintWriter err = spec.commandLine().getErr();
        String unreadable = dev.ann.compiler.Workspace.readDisk(file).problem();
        if (unreadable != null) {
            err.println("error: cannot read " + file + ": " + unreadable);
            exit[0] = Main.USAGE;
            return null;
        }
        exit[0] = Main.ERRORS;
        Compilation c = CheckCommand.compileOrReport(file, err);
        if (c == null) return null;
        try {
            return c.plan(train, profile);
        } catch (CompileException e) {
            new DiagnosticPrinter(err, Cli.color(), Path.of("")).printAll(e.diagnostics());
            err.println("error: " + e.getMessage());
            err.flush();
            return null;
        }
    }
}
