package dev.ann.compiler.check;

import dev.ann.compiler.Workspace;
import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Severity;
import dev.ann.compiler.diag.Limits;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

/**
 * Loads a file and, depth first, the files it imports (paths relative to the
 * importing file). A missing file or a cycle is an error on the import's string.
 * Only regular {@code .ann} files are read, at most {@link Limits#SOURCE_FILE_BYTES}
 * each (see {@link Workspace#readDisk}): an import of /dev/zero, a FIFO, a folder
 * or /proc/self/environ is an error that says what is wrong and never quotes
 * the file. The walk keeps its own stack, so a chain thousands of imports deep
 * costs no thread stack.
 */
final class Imports {
    private final Workspace workspace;
    private final Map<Path, AnnFile> files;
    private final List<Diagnostic> diagnostics;

    /** A file being visited and the index of its next declaration to look at. */
    private static final class Frame {
        final Path path;
        final AnnFile file;
        int next;

        Frame(Path path, AnnFile file) {
            this.path = path;
            this.file = file;
        }
    }

    Imports(Workspace workspace, Map<Path, AnnFile> files, List<Diagnostic> diagnostics) {
        this.workspace = workspace;
        this.files = files;
        this.diagnostics = diagnostics;
    }

    void load(Path root) {
        Workspace.Text text = workspace.load(root);
        if (text.text() == null) {
            SourceFile src = new SourceFile(root, "");
            files.put(root, new AnnFile(src, List.of(), List.of()));
            diagnostics.add(new Diagnostic(Severity.ERROR, Codes.IMPORT_MISSING, "cannot read " + root + ": "
                    + text.problem(), src, Range.NONE, List.of(), List.of()));
            return;
        }
        walk(root, text.text());
    }

    private void walk(Path root, String rootText) {
        Deque<Frame> stack = new ArrayDeque<>();
        Set<Path> onStack = new HashSet<>();
        stack.push(enter(root, rootText));
        onStack.add(root);
        while (!stack.isEmpty()) {
            Frame top = stack.peek();
            List<Decl> decls = top.file.decls();
            if (top.next >= decls.size()) {
                stack.pop();
                onStack.remove(top.path);
                continue;
            }
            if (!(decls.get(top.next++) instanceof Decl.Import imp)) continue;
            SourceFile src = top.file.source();
            String name = imp.path().value();
            if (name.isEmpty()) {
                error(src, imp, Codes.IMPORT_MISSING, "an import names a .ann file: import \"layers.ann\" "
                        + "(relative to this file's folder)");
                continue;
            }
            Path target;
            try {
                Path dir = top.path.getParent();
                target = Workspace.normalize(dir == null ? Path.of(name) : dir.resolve(name));
            } catch (RuntimeException e) {
                error(src, imp, Codes.IMPORT_MISSING, "'" + name + "' is not a valid path");
                continue;
            }
            if (onStack.contains(target)) {
                List<String> cycle = new ArrayList<>();
                List<Frame> chain = new ArrayList<>(stack);
                java.util.Collections.reverse(chain);
                boolean in = false;
                for (Frame f : chain) {
                    in |= f.path.equals(target);
                    if (in) cycle.add(f.path.getFileName().toString());
                }
                cycle.add(target.getFileName().toString());
                error(src, imp, Codes.IMPORT_CYCLE, "import cycle: " + String.join(" → ", cycle)
                        + "; move what both files need into a third file and import that");
                continue;
            }
            if (files.containsKey(target)) continue;
            String problem = notAnAnnFile(target);
            Workspace.Text t = problem == null ? workspace.load(target) : null;
            if (problem == null && t.text() == null) problem = t.problem();
            if (problem != null) {
                error(src, imp, Codes.IMPORT_MISSING, "cannot import " + name + ": " + problem
                        + (problem.equals("no such file") ? " " + target + " (paths are relative to this file's folder)" : ""));
                continue;
            }
            stack.push(enter(target, t.text()));
            onStack.add(target);
        }
    }

    private Frame enter(Path path, String text) {
        AnnFile file = workspace.parse(path, text);
        files.put(path, file);
        return new Frame(path, file);
    }

    /**
     * Why a path may not be imported without reading it: only .ann files are,
     * also after following links (a link named x.ann to /proc/self/environ is not
     * one), so that no other file's text ever reaches a diagnostic.
     */
    private String notAnAnnFile(Path target) {
        if (workspace.isOpen(target)) return null;
        String only = "only .ann files can be imported";
        if (!target.getFileName().toString().endsWith(".ann")) return only;
        try {
            Path real = target.toRealPath();
            if (!real.getFileName().toString().endsWith(".ann")) return only + " (it links to " + real + ")";
        } catch (java.io.IOException | RuntimeException e) {
            return null;   // missing: load says so
        }
        return null;
    }

    private void error(SourceFile src, Decl.Import imp, String code, String message) {
        diagnostics.add(new Diagnostic(Severity.ERROR, code, message, src, imp.path().range(), List.of(), List.of()));
    }
}
