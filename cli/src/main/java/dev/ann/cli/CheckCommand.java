package dev.ann.cli;

import dev.ann.compiler.Compiler;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Limits;
import dev.ann.compiler.diag.Severity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check .ann files: syntax, names, types, shapes, data and losses.",
            "Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 for usage errors."})
final class CheckCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the .ann files to check")
    List<Path> files;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
            description = "text (default) or json, for tools")
    String format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("text") && !format.equals("json")) {
            err.println("error: --format takes text or json, not '" + format + "'");
            return Main.USAGE;
        }
        Workspace ws = new Workspace();
        for (Path f : files) {
            // read once, boundedly: a folder, a FIFO, /dev/zero or a 5 GB file is a usage error, not a hang
            Workspace.Text t = Workspace.readDisk(f);
            if (t.text() == null) {
                err.println("error: cannot read " + f + ": " + t.problem());
                return Main.USAGE;
            }
            ws.open(f, t.text());
        }
        Set<Diagnostic> all = new LinkedHashSet<>();
        for (Path f : files) all.addAll(Compiler.compile(ws, f).diagnostics());
        // The same imported file reached from two roots yields equal diagnostics once.
        List<Diagnostic> sorted = dedupe(new ArrayList<>(all));
        DiagnosticPrinter printer = new DiagnosticPrinter(out, Cli.color(), Path.of(""));
        if (format.equals("json")) {
            out.println(printer.json(sorted));
            Limits.perFile(sorted).hidden().forEach((file, n) -> err.println(printer.moreLine(file, n)));
        } else {
            printer.printAll(sorted);
            if (!sorted.isEmpty() || files.size() > 1) {
                out.println(DiagnosticPrinter.summary(sorted) + " in " + files.size() + " file" + (files.size() == 1 ? "" : "s"));
            }
        }
        out.flush();
        return sorted.stream().anyMatch(Diagnostic::isError) ? Main.ERRORS : Main.OK;
    }

    static List<Diagnostic> dedupe(List<Diagnostic> ds) {
        List<Diagnostic> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Diagnostic d : ds) {
            if (seen.add(d.source().path() + "|" + d.range() + "|" + d.code() + "|" + d.message())) out.add(d);
        }
        out.sort(Comparator.comparing((Diagnostic d) -> d.source().path().toString())
                .thenComparingInt(d -> d.range().start()));
        return out;
    }

    /** Compiles one file for commands that need a plan; prints diagnostics; null when there are errors. */
    static Compilation compileOrReport(Path file, PrintWriter err) {
        return compileOrReport(file, err, false);
    }

    /**
     * Compiles one file for commands that need a plan; prints diagnostics; null when there are errors.
     *
     * @param withoutData true for commands that never read the data (plan, generate): a data file that
     *                    is not there (E043) is then printed as a warning and does not stop them
     */
    static Compilation compileOrReport(Path file, PrintWriter err, boolean withoutData) {
        return compileOrReport(file, err, withoutData, ds -> { });
    }

    /** The same; {@code failed} also gets the diagnostics when there are errors. */
    static Compilation compileOrReport(Path file, PrintWriter err, boolean withoutData,
                                       java.util.function.Consumer<List<Diagnostic>> failed) {
        return compileOrReport(file, err, withoutData, NO_DATA_READ, failed);
    }

    /** What a command that never reads the data (plan, generate) says after a missing data file's warning. */
    static final String NO_DATA_READ = "this command does not read the data";

    /**
     * The same; {@code reads} says, after a missing data file's warning, what the command reads instead
     * ("ann predict reads only its inputs"): eval and predict with a checkpoint need no training data.
     */
    static Compilation compileOrReport(Path file, PrintWriter err, boolean withoutData, String reads,
                                       java.util.function.Consumer<List<Diagnostic>> failed) {
        Compilation c = Compiler.compile(new Workspace(), file);
        List<Diagnostic> ds = dedupe(c.diagnostics());
        DiagnosticPrinter printer = new DiagnosticPrinter(err, Cli.color(), Path.of(""));
        if (withoutData ? !c.planningErrors().isEmpty() : c.hasErrors()) {
            failed.accept(ds);
            printer.printAll(ds);
            err.println(DiagnosticPrinter.summary(ds) + ": fix the errors above first (`ann check " + file + "`)");
            err.flush();
            return null;
        }
        List<Diagnostic> missing = dedupe(c.missingData());
        if (withoutData && !missing.isEmpty()) {
            printer.printAll(missing.stream().map(d -> new Diagnostic(Severity.WARNING, d.code(), d.message(), d.source(),
                    d.range(), d.fixes(), d.related())).toList());
            err.println("note: " + missing.size() + " data file" + (missing.size() == 1 ? " is" : "s are")
                    + " missing; " + reads + ", but ann train will need " + (missing.size() == 1 ? "it" : "them"));
            err.flush();
        }
        return c;
    }
}
