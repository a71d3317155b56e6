package dev.ann.cli;

import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Limits;
import dev.ann.compiler.format.Formatter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ann fmt FILE... [--check]}: rewrites files in the canonical layout, or
 * with --check lists those that are not in it. A folder stands for the .ann
 * files under it. A file with syntax errors is left as it is and reported.
 */
@Command(name = "fmt", mixinStandardHelpOptions = true, description = {
        "Format .ann files in the canonical layout (comments are kept).",
        "Exit codes: 0 done (or, with --check, all formatted); 1 some file is not formatted (--check)",
        "or has syntax errors; 2 a file cannot be read."})
public final class FmtCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = ".ann files or folders")
    List<Path> files;

    @Option(names = "--check", description = "Change nothing; list the files that are not formatted and exit 1 if any.")
    boolean check;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Path> all = new ArrayList<>();
        for (Path p : files) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".ann") && Files.isRegularFile(f)).sorted().forEach(all::add);
                } catch (IOException | RuntimeException e) {
                    err.println("error: cannot list folder " + p + ": " + e.getMessage());
                    return Main.USAGE;
                }
            } else {
                all.add(p);
            }
        }
        int code = Main.OK;
        List<Path> unformatted = new ArrayList<>();
        for (Path p : all) {
            Workspace.Text read = Workspace.readDisk(p);     // bounded: never /dev/zero or a FIFO
            String text = read.text();
            if (text == null) {
                err.println("error: cannot read " + p + ": " + read.problem() + "; check the path");
                code = Main.USAGE;
                continue;
            }
            Formatter.Result r = Formatter.format(new SourceFile(p, text));
            if (!r.ok()) {
                Limits.Shown shown = Limits.perFile(r.errors());
                for (Diagnostic d : shown.shown()) {
                    err.printf("%s:%d:%d: error %s: %s%n", p, d.line() + 1, d.column() + 1, d.code(),
                            DiagnosticPrinter.printable(d.message()));
                }
                if (shown.hiddenCount() > 0) {
                    err.printf(java.util.Locale.ROOT, "... and %,d more syntax errors in %s%n", shown.hiddenCount(), p);
                }
                err.println(p + ": not formatted because of syntax errors; fix them and run 'ann fmt' again");
                if (code == Main.OK) code = Main.ERRORS;
                continue;
            }
            if (r.text().equals(text)) continue;
            if (check) {
                unformatted.add(p);
                continue;
            }
            try {
                writeAtomically(p, r.text());
                out.println("formatted " + p);
            } catch (IOException | RuntimeException e) {
                err.println("error: cannot write " + p + ": " + e.getMessage());
                code = Main.FAILURE;
            }
        }
        if (!unformatted.isEmpty()) {
            for (Path p : unformatted) out.println(p);
            err.println(unformatted.size() + (unformatted.size() == 1 ? " file is" : " files are")
                    + " not formatted; run 'ann fmt' on " + (unformatted.size() == 1 ? "it" : "them"));
            if (code == Main.OK) code = Main.ERRORS;
        }
        return code;
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
