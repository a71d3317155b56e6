package dev.ann.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Diagnostic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Incremental parsing and checking give exactly what a parse and check from
 * scratch give: seeded random and scripted edits of every fixture and example,
 * and after each edit the declarations (with every range), the syntax errors,
 * the diagnostics (code, range, message), the symbols and the layer shapes are
 * compared with those of a fresh parse and a fresh {@link Workspace}.
 */
class IncrementalParserTest {
    static final long SEED = 20261128L;
    static final int EDITS_PER_FILE = 40;
    static final String[] SNIPPETS = {"1", "x", "\n", " ", "{", "}", "(", ")", "[", "]", "/*", "*/", "//", "/// doc\n",
        "\"", ",", "->", "=", "\r\n", "é", "\uD83D\uDE00", "network N {\n    input [4]\n    dense(3)\n}\n", "const k = 2\n",
        "    dense(8) -> relu\n", "\n\n", "block B(w: int) {\n    dense(w)\n}\n", "profile p {\n    epochs 1\n}\n"};

    static List<Path> files() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root.resolve("src/test/resources/fixtures"))) {
            s.filter(p -> p.toString().endsWith(".ann")).sorted().forEach(out::add);
        }
        try (Stream<Path> s = Files.list(root.getParent().resolve("examples"))) {
            s.filter(p -> p.toString().endsWith(".ann")).sorted().forEach(out::add);
        }
        return out;
    }

    /**
     * Removing the declaration that stood between `///` lines and the next declaration hands the doc to
     * that one; its chunk is not touched by the edit, yet its doc changes.
     */
    @Test
    void docLinesMoveToTheNextDeclarationWhenTheOneBetweenIsRemoved() {
        Path file = Path.of("doc.ann");
        String a = "const a = 1\n\n/// The net.\nprofile p {\n    epochs 1\n}\nnetwork N {\n    input [4]\n    dense(3)\n}\n";
        String b = "const a = 2\n\n/// The net.\nnetwork N {\n    input [4]\n    dense(3)\n}\n";
        IncrementalParser.State state = IncrementalParser.full(new SourceFile(file, a));
        state = IncrementalParser.update(state, new SourceFile(file, b));
        AnnFile full = Parser.parse(new SourceFile(file, b));
        assertEquals("The net.", full.decls().get(1).doc());
        assertEquals(full.decls(), state.file().decls());
    }

    @Test
    void randomAndScriptedEditsGiveWhatAFullParseAndCheckGive() throws IOException {
        List<Path> files = files();
        assertTrue(files.size() > 80, "fixtures and examples found: " + files.size());
        int partial = 0;
        int clean = 0;
        for (int fi = 0; fi < files.size(); fi++) {
            Path file = files.get(fi);
            String original = Files.readString(file);
            Random rnd = new Random(SEED + fi);
            Workspace incremental = new Workspace();
            IncrementalParser.State state = IncrementalParser.full(new SourceFile(file, original));
            String text = original;
            for (int e = 0; e < EDITS_PER_FILE; e++) {
                text = edit(rnd, text, original, e);
                String what = file.getFileName() + ", edit " + e + " (seed " + (SEED + fi) + ")";
                SourceFile src = new SourceFile(file, text);
                boolean wasClean = state.chunks() != null;
                state = IncrementalParser.update(state, src);
                boolean part = IncrementalParser.lastParsedChars() < text.length();
                AnnFile full = Parser.parse(src);
                if (wasClean && full.syntaxErrors().isEmpty()) {
                    clean++;
                    if (part) partial++;
                }
                assertEquals(full.decls(), state.file().decls(), what);
                assertEquals(keys(full.syntaxErrors()), keys(state.file().syntaxErrors()), what);
                if (e % 4 == 0 || e == EDITS_PER_FILE - 1) {
                    incremental.open(file, text);
                    Workspace fresh = new Workspace();
                    fresh.open(file, text);
                    Compilation a = Compiler.compile(incremental, file);
                    Compilation b = Compiler.compile(fresh, file);
                    assertEquals(keys(b.diagnostics()), keys(a.diagnostics()), what);
                    assertEquals(b.model().symbols(Workspace.normalize(file)).toString(),
                            a.model().symbols(Workspace.normalize(file)).toString(), what);
                    assertEquals(b.model().layers(Workspace.normalize(file)).toString(),
                            a.model().layers(Workspace.normalize(file)).toString(), what);
                }
            }
        }
        // the incremental path must really be taken, not only the fallback to a full parse: between
        // texts without syntax errors, most edits re-parse part of the file
        assertTrue(clean > 500 && partial > clean / 2, partial + " of " + clean
                + " edits between texts without syntax errors re-parsed only part of the file");
    }

    /** One edit: mostly the kind an editor sends while typing, with the original text back now and then. */
    static String edit(Random rnd, String text, String original, int e) {
        if (e % 3 == 2) return original;
        int kind = rnd.nextInt(10);
        int at = text.isEmpty() ? 0 : rnd.nextInt(text.length() + 1);
        if (at > 0 && at < text.length() && Character.isLowSurrogate(text.charAt(at))) at--;
        switch (kind) {
            case 0, 1, 2 -> { // change a digit, as in `dense(64)` -> `dense(65)`
                List<Integer> digits = new ArrayList<>();
                for (int i = 0; i < text.length(); i++) if (Character.isDigit(text.charAt(i))) digits.add(i);
                if (digits.isEmpty()) return text + "\n";
                int i = digits.get(rnd.nextInt(digits.size()));
                return text.substring(0, i) + (char) ('1' + rnd.nextInt(9)) + text.substring(i + 1);
            }
            case 3, 4 -> { // insert a snippet at the start of a line
                int ls = text.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
                if (at == 0) ls = 0;
                return text.substring(0, ls) + SNIPPETS[21 + rnd.nextInt(SNIPPETS.length - 21)] + text.substring(ls);
            }
            case 5, 6 -> { // insert anything anywhere
                return text.substring(0, at) + SNIPPETS[rnd.nextInt(SNIPPETS.length)] + text.substring(at);
            }
            case 7 -> { // delete a span
                int end = Math.min(text.length(), at + 1 + rnd.nextInt(20));
                if (end < text.length() && Character.isLowSurrogate(text.charAt(end))) end++;
                return text.substring(0, at) + text.substring(end);
            }
            case 8 -> { // duplicate a line
                int ls = text.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
                int le = text.indexOf('\n', at);
                if (le < 0) return text;
                return text.substring(0, le + 1) + text.substring(ls, le + 1) + text.substring(le + 1);
            }
            default -> { // delete a whole line
                int ls = text.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
                int le = text.indexOf('\n', at);
                if (le < 0 || ls > le) return text;
                return text.substring(0, ls) + text.substring(le + 1);
            }
        }
    }

    static List<String> keys(List<Diagnostic> ds) {
        List<String> out = new ArrayList<>();
        for (Diagnostic d : ds) {
            out.add(d.severity() + " " + d.code() + " " + d.source().path() + " " + d.range() + " " + d.message()
                    + " " + d.fixes() + " " + d.related().stream().map(r -> r.range() + " " + r.message()).toList());
        }
        return out;
    }
}
