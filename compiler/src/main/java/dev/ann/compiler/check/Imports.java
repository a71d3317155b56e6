package dev.ann.compiler.check;

import dev.ann.compiler.Workspace;
import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Severity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads a file and, depth first, the files it imports (paths relative to the
 * importing file). A missing file or a cycle is an error on the import's string.
 */
final class Imports {
    private final Workspace workspace;
    private final Map<Path, AnnFile> files;
    private final List<Diagnostic> diagnostics;
    private final List<Path> stack = new ArrayList<>();

    Imports(Workspace workspace, Map<Path, AnnFile> files, List<Diagnostic> diagnostics) {
        this.workspace = workspace;
        this.files = files;
        this.diagnostics = diagnostics;
    }

    void load(Path root) {
        String text = workspace.read(root).orElse(null);
        if (text == null) {
            SourceFile src = new SourceFile(root, "");
            files.put(root, new AnnFile(src, List.of(), List.of()));
            diagnostics.add(new Diagnostic(Severity.ERROR, Codes.IMPORT_MISSING, "cannot read " + root
                    + "; check that the file exists", src, Range.NONE, List.of(), List.of()));
            return;
        }
        visit(root, text);
    }

    private void visit(Path path, String text) {
        AnnFile file = workspace.parse(path, text);
        files.put(path, file);
        stack.add(path);
        for (Decl d : file.decls()) {
            if (!(d instanceof Decl.Import imp) || imp.path().value().isEmpty()) continue;
            SourceFile src = file.source();
            Path target;
            try {
                Path dir = path.getParent();
                target = Workspace.normalize(dir == null ? Path.of(imp.path().value()) : dir.resolve(imp.path().value()));
            } catch (RuntimeException e) {
                error(src, imp, Codes.IMPORT_MISSING, "'" + imp.path().value() + "' is not a valid path");
                continue;
            }
            if (stack.contains(target)) {
                List<String> cycle = new ArrayList<>();
                for (Path p : stack.subList(stack.indexOf(target), stack.size())) cycle.add(p.getFileName().toString());
                cycle.add(target.getFileName().toString());
                error(src, imp, Codes.IMPORT_CYCLE, "import cycle: " + String.join(" → ", cycle)
                        + "; move what both files need into a third file and import that");
                continue;
            }
            if (files.containsKey(target)) continue;
            String t = workspace.read(target).orElse(null);
            if (t == null || java.nio.file.Files.isDirectory(target)) {
                error(src, imp, Codes.IMPORT_MISSING, "cannot import " + imp.path().value() + ": no such file " + target
                        + " (paths are relative to this file's folder)");
                continue;
            }
            visit(target, t);
        }
        stack.remove(stack.size() - 1);
    }

    private void error(SourceFile src, Decl.Import imp, String code, String message) {
        diagnostics.add(new Diagnostic(Severity.ERROR, code, message, src, imp.path().range(), List.of(), List.of()));
    }
}
