package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Diagnostic;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Imports resolve against the importing file; a cycle is reported on the import that closes it. */
class ImportsTest {
    static final Path DIR = FixtureTest.ROOT.resolve("imports");

    @Test
    void aCycleIsReportedOnTheImportThatClosesIt() {
        Compilation c = Compiler.compile(new Workspace(), DIR.resolve("import_cycle.ann"));
        List<Diagnostic> cycles = c.diagnostics().stream().filter(d -> d.code().equals(Codes.IMPORT_CYCLE)).toList();
        assertEquals(1, cycles.size(), c.diagnostics().toString());
        Diagnostic d = cycles.get(0);
        assertEquals(DIR.resolve("_lib/cycle_b.ann"), d.source().path());
        assertEquals("\"cycle_a.ann\"", d.source().slice(d.range()), "on the import's string");
        assertTrue(d.message().contains("cycle_a.ann → cycle_b.ann → cycle_a.ann"), d.message());
        assertEquals(3, c.files().size());
    }

    @Test
    void importsAreRelativeToTheImportingFileAndNamesAreGlobal() {
        Workspace ws = new Workspace();
        Path root = DIR.resolve("deep/root.ann");
        ws.open(root, "import \"../_lib/layers.ann\"\nnetwork N {\n    input [2]\n    Head(width)\n}\n");
        Compilation c = Compiler.compile(ws, root);
        assertEquals(List.of(), c.diagnostics());
        assertEquals(2, c.files().size());
        assertEquals(16, c.model().network("N").orElseThrow().output().dim(0));
    }

    @Test
    void anOpenBufferWinsOverTheDisk() {
        Workspace ws = new Workspace();
        Path lib = DIR.resolve("_lib/layers.ann");
        ws.open(lib, "const width = 5\n");
        Path root = DIR.resolve("import_ok.ann");
        Compilation c = Compiler.compile(ws, root);
        assertTrue(c.diagnostics().stream().anyMatch(d -> d.code().equals(Codes.UNKNOWN_LAYER)), "Head is gone from the buffer");
        assertEquals(5, c.model().layers(root).get(1).outShape().dim(0));
    }

    @Test
    void aMissingRootIsADiagnosticNotAnException() {
        Compilation c = Compiler.compile(new Workspace(), DIR.resolve("no_such_file.ann"));
        assertEquals(Codes.IMPORT_MISSING, c.diagnostics().get(0).code());
        assertTrue(c.hasErrors());
    }
}
