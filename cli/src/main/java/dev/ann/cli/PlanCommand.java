package dev.ann.cli;

import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.plan.Plan;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Show what training would run: shapes, parameters and FLOPs per layer.",
            "Then the loss, optimiser (every hyper-parameter), schedule, data and loop settings.",
            "--json prints the Plan (IR) that ann train and ann generate read."})
final class PlanCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "the .ann file")
    Path file;

    @Option(names = "--train", paramLabel = "NAME", description = "which train block (default: the only or first one)")
    String train;

    @Option(names = "--profile", paramLabel = "P", description = "apply this profile's overrides")
    String profile;

    @Option(names = "--json", description = "print the Plan as JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(file)) {
            err.println("error: " + file + ": no such file");
            return Main.USAGE;
        }
        Compilation c = CheckCommand.compileOrReport(file, out, err);
        if (c == null) return Main.ERRORS;
        Plan plan;
        try {
            plan = c.plan(train, profile);
        } catch (CompileException e) {
            new DiagnosticPrinter(err, Cli.color(), Path.of("")).printAll(e.diagnostics());
            err.println("error: " + e.getMessage());
            return Main.ERRORS;
        }
        out.println(json ? plan.toJson() : PlanTable.render(plan));
        out.flush();
        return Main.OK;
    }
}
