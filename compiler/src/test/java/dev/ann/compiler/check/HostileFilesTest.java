package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ann.compiler.Compiler;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Limits;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, point 6 and its siblings: every file the compiler reads because a
 * .ann file names it (imports, CSV and IDX data) is read boundedly, only if it
 * is a regular file, and its content never reaches a message unless it is a
 * .ann file.
 */
class HostileFilesTest {
    static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private List<Diagnostic> check(String text) {
        Path root = dir.resolve("root.ann");
        Workspace ws = new Workspace();
        ws.open(root, text);
        return assertTimeoutPreemptively(LIMIT, () -> Compiler.compile(ws, root).diagnostics());
    }

    private static Diagnostic only(List<Diagnostic> ds, String code) {
        List<Diagnostic> of = ds.stream().filter(d -> d.code().equals(code)).toList();
        assertEquals(1, of.size(), ds.toString());
        return of.get(0);
    }

    @Test
    void importingDevZeroIsAnErrorNotAnOutOfMemoryError() {
        Diagnostic d = only(check("import \"/dev/zero\"\n"), Codes.IMPORT_MISSING);
        assertTrue(d.message().contains("only .ann files can be imported"), d.message());
    }

    @Test
    void aLinkNamedDotAnnToADeviceIsNotReadEither() throws IOException {
        Files.createSymbolicLink(dir.resolve("zero.ann"), Path.of("/dev/zero"));
        Diagnostic d = only(check("import \"zero.ann\"\n"), Codes.IMPORT_MISSING);
        assertTrue(d.message().contains("links to /dev/zero"), d.message());
    }

    @Test
    void importingAFifoDoesNotHang() throws Exception {
        Path fifo = dir.resolve("pipe.ann");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            p = null;
        }
        assumeTrue(p != null && p.waitFor() == 0, "needs mkfifo (coreutils) to make a FIFO");
        Diagnostic d = only(check("import \"pipe.ann\"\n"), Codes.IMPORT_MISSING);
        assertTrue(d.message().contains("not a regular file"), d.message());
    }

    @Test
    void aChainOfThreeThousandImportsIsLoadedWithoutAStackOverflow() throws IOException {
        int n = 3000;
        for (int i = 1; i < n; i++) {
            String next = i + 1 < n ? "import \"c" + (i + 1) + ".ann\"\n" : "";
            Files.writeString(dir.resolve("c" + i + ".ann"), next + "const k" + i + " = " + i + "\n");
        }
        Path root = dir.resolve("root.ann");
        Files.writeString(root, "import \"c1.ann\"\nconst k0 = k2999\n");
        Compilation c = assertTimeoutPreemptively(LIMIT, () -> Compiler.compile(new Workspace(), root));
        assertEquals(n, c.files().size());
        assertEquals(List.of(), c.diagnostics());
    }

    @Test
    void aCycleAtTheEndOfALongChainIsStillNamed() throws IOException {
        Files.writeString(dir.resolve("a.ann"), "import \"b.ann\"\n");
        Files.writeString(dir.resolve("b.ann"), "import \"a.ann\"\n");
        Diagnostic d = only(check("import \"a.ann\"\n"), Codes.IMPORT_CYCLE);
        assertTrue(d.message().contains("a.ann → b.ann → a.ann"), d.message());
    }

    @Test
    void aReadableFileThatIsNotDotAnnIsNeverEchoed() throws IOException {
        Files.writeString(dir.resolve("secrets.txt"), "API_TOKEN=hunter2-do-not-print\n");
        Files.createSymbolicLink(dir.resolve("innocent.ann"), dir.resolve("secrets.txt"));
        List<Diagnostic> ds = check("import \"secrets.txt\"\nimport \"innocent.ann\"\nimport \"/proc/self/environ\"\n");
        assertEquals(3, ds.stream().filter(d -> d.code().equals(Codes.IMPORT_MISSING)).count(), ds.toString());
        for (Diagnostic d : ds) {
            assertFalse(d.message().contains("hunter2"), d.message());
            assertEquals(dir.resolve("root.ann"), d.source().path(), "no diagnostic in a file that is not .ann: " + d);
        }
    }

    @Test
    void aFolderIsAFolderAndAnEmptyImportIsAnError() throws IOException {
        Files.createDirectory(dir.resolve("lib.ann"));
        List<Diagnostic> ds = check("import \"lib.ann\"\nimport \"\"\n");
        List<Diagnostic> imports = ds.stream().filter(d -> d.code().equals(Codes.IMPORT_MISSING)).toList();
        assertEquals(2, imports.size(), ds.toString());
        assertTrue(imports.get(0).message().contains("it is a folder, not a file"), imports.get(0).message());
        assertTrue(imports.get(1).message().contains("an import names a .ann file"), imports.get(1).message());
    }

    @Test
    void aDotAnnFileLargerThanTheLimitIsRefusedUnread() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("huge.ann").toFile(), "rw")) {
            f.setLength(Limits.SOURCE_FILE_BYTES + 1);      // sparse: no disk used
        }
        Diagnostic d = only(check("import \"huge.ann\"\n"), Codes.IMPORT_MISSING);
        assertTrue(d.message().contains(Limits.TOO_LARGE), d.message());
        assertEquals(Limits.TOO_LARGE, Workspace.readDisk(dir.resolve("huge.ann")).problem());
        Workspace ws = new Workspace();
        ws.open(dir.resolve("open.ann"), "x".repeat((int) Limits.SOURCE_FILE_BYTES / 2) + "é".repeat((int) Limits.SOURCE_FILE_BYTES / 4 + 1));
        assertEquals(Limits.TOO_LARGE, ws.load(dir.resolve("open.ann")).problem(), "counted in UTF-8 bytes");
        assertEquals("no such file", Workspace.readDisk(dir.resolve("nope.ann")).problem());
    }

    /** Found by the fuzz run: a name over the system's limit said "cannot read it (FileSystemException)". */
    @Test
    void aNameTooLongIsSaidInTheSystemsWords() {
        Diagnostic d = only(check("import \"" + "x".repeat(300) + ".ann\"\n"), Codes.IMPORT_MISSING);
        assertTrue(d.message().contains("file name too long"), d.message());
        assertFalse(d.message().contains("Exception"), d.message());
    }

    @Test
    void aNonUtf8ImportSaysSo() throws IOException {
        Files.write(dir.resolve("bin.ann"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        Diagnostic d = only(check("import \"bin.ann\"\n"), Codes.IMPORT_MISSING);
        assertTrue(d.message().contains("not UTF-8 text"), d.message());
    }

    private static final String NET = "\nnetwork N {\n    input [2]\n    dense(2) -> softmax\n}\n"
            + "train N on D {\n    loss cross_entropy\n    optimizer sgd(lr: 0.1)\n    batch 2\n    epochs 1\n}\n";

    @Test
    void aCsvSourceThatIsADeviceIsNotOpened() {
        List<Diagnostic> ds = check("dataset D {\n    csv(\"/dev/zero\", features: 0..1, label: 2)\n}\n" + NET);
        Diagnostic d = only(ds, Codes.DATA_MISSING);
        assertTrue(d.message().contains("not a regular file"), d.message());
    }

    /** Found by the fuzz run: a NUL in a data path stopped the checker with an InvalidPathException. */
    @Test
    void aDataPathWithANulCharacterIsAnError() {
        List<Diagnostic> ds = check("dataset D {\n    csv(\"d\u0000.csv\", features: 0..1, label: 2)\n}\n" + NET);
        Diagnostic d = only(ds, Codes.DATA_MISSING);
        assertTrue(d.message().contains("not a valid path"), d.message());
        assertTrue(ds.stream().noneMatch(x -> x.message().contains("checker stopped")), ds.toString());
    }

    @Test
    void aCsvWithAnEndlessLineIsBoundedAndNotQuoted() throws IOException {
        Files.writeString(dir.resolve("one.csv"), "1,2,".repeat(600_000));     // 2.4 MB, no line end
        List<Diagnostic> ds = check("dataset D {\n    csv(\"one.csv\", features: 0..1, label: 2)\n}\n" + NET);
        Diagnostic d = only(ds, Codes.DATA_UNREADABLE);
        assertTrue(d.message().contains("longer than 1 Mi characters"), d.message());
        assertTrue(d.message().length() <= Limits.MESSAGE_CHARS, d.message());
    }

    @Test
    void csvLabelValuesAreLocatedNotQuoted() throws IOException {
        Files.writeString(dir.resolve("d.csv"), "1,2,a\n3,4,b\n5,6,hunter2\n");
        List<Diagnostic> ds = check("dataset D {\n    csv(\"d.csv\", features: 0..1, label: 2)\n    classes \"a\", \"b\"\n}\n" + NET);
        Diagnostic d = only(ds, Codes.LABELS);
        assertFalse(d.message().contains("hunter2"), d.message());
        assertTrue(d.message().contains("1 label value of D is not among the classes listed (the first in d.csv, data row 3)"),
                d.message());
    }

    @Test
    void aLongNameInAMessageIsCutInTheMiddle() {
        String name = "x".repeat(200_000);
        List<Diagnostic> ds = check("network N {\n    input [2]\n    " + name + "(3)\n}\n");
        assertFalse(ds.isEmpty());
        for (Diagnostic d : ds) assertTrue(d.message().length() <= Limits.MESSAGE_CHARS, d.message().length() + "");
    }
}
