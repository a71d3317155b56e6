package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.ann.compiler.diag.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, point 4: what `ann check` and `ann fmt` print is bounded whatever
 * the file holds (a 192 KB file of 16,000 `dense(3) ->` on one line printed
 * 4.6 GB: every diagnostic repeated the whole line).
 */
class BoundedOutputTest {
    @TempDir
    Path dir;

    static final String CHAIN = "network N {\n    input [2]\n    " + "dense(3) -> ".repeat(16_000) + "\n}\n";

    @Test
    void sixteenThousandErrorsOnOneLinePrintAHundredShortOnesAndACount() throws Exception {
        Path f = dir.resolve("chain.ann");
        Files.writeString(f, CHAIN);
        assertTrue(Files.size(f) > 190_000);
        Run r = Run.of("check", f.toString());
        assertEquals(Main.ERRORS, r.exit(), r.err());
        assertTrue(r.out().length() < 200_000, "bounded: " + r.out().length() + " characters");
        long shown = r.out().lines().filter(l -> l.matches(".*chain\\.ann:\\d+:\\d+: error\\[E\\d{3}\\]: .*")).count();
        assertEquals(Limits.SHOWN_PER_FILE, shown);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\.\\.\\. and [\\d,]+ more in .*chain\\.ann \\(the first 100 of each file are shown\\)")),
                () -> r.out().substring(r.out().length() - 500));
        for (String line : r.out().lines().toList()) assertTrue(line.length() <= 600, () -> line.length() + ": " + line.substring(0, 200));
        // the summary still counts them all
        assertTrue(r.out().lines().anyMatch(l -> l.matches("1[0-9],\\d{3} errors.*|1[0-9]\\d{3} errors.*")), () -> r.out().substring(r.out().length() - 300));
    }

    @Test
    void jsonIsCappedTooAndSaysHowManyMoreOnStderr() throws Exception {
        Path f = dir.resolve("chain.ann");
        Files.writeString(f, CHAIN);
        Run r = Run.of("check", "--format", "json", f.toString());
        assertEquals(Main.ERRORS, r.exit());
        assertEquals(Limits.SHOWN_PER_FILE, JsonParser.parseString(r.out()).getAsJsonArray().size());
        assertTrue(r.err().contains("more in"), r.err());
    }

    @Test
    void aLongLineIsCutAroundTheCaret() {
        String line = "a".repeat(1000) + "XYZ" + "b".repeat(1000);
        DiagnosticPrinter.Snippet s = DiagnosticPrinter.snippet(line, 1000, 1003);
        assertTrue(s.text().startsWith("...") && s.text().endsWith("..."), s.text());
        assertTrue(s.text().length() <= Limits.SOURCE_LINE_CHARS + 6, s.text());
        assertEquals("XYZ", s.text().substring(s.caret(), s.caret() + s.width()));
        DiagnosticPrinter.Snippet end = DiagnosticPrinter.snippet(line, 2000, 2003);
        assertFalse(end.text().endsWith("..."), end.text());
        assertEquals("bbb", end.text().substring(end.caret(), end.caret() + end.width()));
        DiagnosticPrinter.Snippet shortLine = DiagnosticPrinter.snippet("\tdense(3)", 1, 9);
        assertEquals(" dense(3)", shortLine.text());
        assertEquals(1, shortLine.caret());
        assertEquals(8, shortLine.width());
    }

    @Test
    void controlCharactersNeverReachTheTerminal() throws Exception {
        Path f = dir.resolve("esc.ann");
        Files.writeString(f, "network N {\n    input [2]\n    \u001b[2J\u001b]0;pwned\u0007 dense(3)\n}\n");
        Run r = Run.of("check", f.toString());
        assertEquals(Main.ERRORS, r.exit());
        for (char c : r.out().toCharArray()) assertTrue(c >= 0x20 || c == '\n', "control character " + (int) c + " in:\n" + r.out());
    }

    @Test
    void aFiveMegabyteFileIsRefusedWithAMessageNotPrinted() throws Exception {
        Path f = dir.resolve("five.ann");
        Files.writeString(f, "dense(3) -> ".repeat(440_000));
        Run check = Run.of("check", f.toString());
        assertEquals(Main.USAGE, check.exit());
        assertEquals("", check.out());
        assertEquals("error: cannot read " + f + ": " + Limits.TOO_LARGE, check.err().trim());
        Run fmt = Run.of("fmt", "--check", f.toString());
        assertEquals(Main.USAGE, fmt.exit());
        assertTrue(fmt.err().contains(Limits.TOO_LARGE), fmt.err());
    }

    @Test
    void devicesAndFoldersAreNamedForWhatTheyAre() {
        Run zero = Run.of("check", "/dev/zero");
        assertEquals(Main.USAGE, zero.exit());
        assertTrue(zero.err().contains("not a regular file"), zero.err());
        Run fmt = Run.of("fmt", "/dev/zero");
        assertEquals(Main.USAGE, fmt.exit());
        assertTrue(fmt.err().contains("not a regular file"), fmt.err());
        Run folder = Run.of("check", dir.toString());
        assertEquals(Main.USAGE, folder.exit());
        assertTrue(folder.err().contains("it is a folder"), folder.err());
    }

    @Test
    void fmtCapsTheSyntaxErrorsItPrints() throws Exception {
        Path f = dir.resolve("bad.ann");
        Files.writeString(f, "network N {\n    input [2]\n" + "    dense(3 ->\n".repeat(3000) + "}\n");
        Run r = Run.of("fmt", "--check", f.toString());
        assertEquals(Main.ERRORS, r.exit());
        assertTrue(r.err().lines().count() <= Limits.SHOWN_PER_FILE + 2, r.err().lines().count() + " lines");
        assertTrue(r.err().contains("more syntax errors in"), () -> r.err().substring(0, 300));
    }
}
