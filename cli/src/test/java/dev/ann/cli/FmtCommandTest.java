package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FmtCommandTest {
    @TempDir
    Path dir;

    static final String MESSY = "network N {\n  input [2]\n  dense(1)->sigmoid   // out\n}\n";
    static final String TIDY = "network N {\n    input [2]\n    dense(1) -> sigmoid // out\n}\n";

    @Test
    void checkListsUnformattedFilesAndExitsOneWithoutWriting() throws Exception {
        Path messy = dir.resolve("messy.ann");
        Path tidy = dir.resolve("tidy.ann");
        Files.writeString(messy, MESSY);
        Files.writeString(tidy, TIDY);
        Run r = Run.of("fmt", "--check", messy.toString(), tidy.toString());
        assertEquals(Main.ERRORS, r.exit(), r.err());
        assertEquals(messy + "\n", r.out());
        assertTrue(r.err().contains("1 file is not formatted"), r.err());
        assertEquals(MESSY, Files.readString(messy));
        assertEquals(Main.OK, Run.of("fmt", "--check", tidy.toString()).exit());
    }

    @Test
    void formatsInPlaceAndAFolderMeansItsAnnFiles() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("models"));
        Path messy = sub.resolve("messy.ann");
        Files.writeString(messy, MESSY);
        Files.writeString(sub.resolve("notes.txt"), "not ann");
        Run r = Run.of("fmt", dir.toString());
        assertEquals(Main.OK, r.exit(), r.err());
        assertEquals(TIDY, Files.readString(messy));
        assertEquals("not ann", Files.readString(sub.resolve("notes.txt")));
        assertEquals(Main.OK, Run.of("fmt", "--check", dir.toString()).exit(), "formatting is idempotent");
    }

    @Test
    void aFileWithSyntaxErrorsIsReportedWithLineAndColumnAndLeftAlone() throws Exception {
        Path broken = dir.resolve("broken.ann");
        Files.writeString(broken, "network N {\n    dense(1 -> relu\n}\n");
        Run r = Run.of("fmt", broken.toString());
        assertEquals(Main.ERRORS, r.exit());
        assertTrue(r.err().contains(broken + ":2:"), r.err());
        assertTrue(r.err().contains("E001"), r.err());
        assertEquals("network N {\n    dense(1 -> relu\n}\n", Files.readString(broken));
    }

    @Test
    void aMissingFileIsAUsageError() {
        Run r = Run.of("fmt", dir.resolve("nope.ann").toString());
        assertEquals(Main.USAGE, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
