package dev.ann.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.lsp.features.DocumentSymbolProvider;
import dev.ann.lsp.features.InlayHintProvider;
import dev.ann.lsp.features.SemanticTokensProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's incremental pipeline (edits applied by UTF-16 range to the
 * open document, incremental parse, re-use of the previous parse) publishes
 * exactly what a server that opens the edited text from scratch publishes:
 * diagnostics with codes and ranges, inlay hints (shapes), document symbols
 * and semantic tokens, after every one of a series of random and scripted edits.
 */
class IncrementalAnalysisTest {
    static final String[] SNIPPETS = {"1", "x", "\n", " ", "{", "}", "(", ")", "/*", "*/", "//", "é", "\uD83D\uDE00",
        "network N {\n    input [4]\n    dense(3)\n}\n", "    dense(8) -> relu\n", "const k = 2\n", "\n"};

    @Test
    void everyEditPublishesWhatAFreshCheckPublishes(@TempDir Path dir) throws Exception {
        Path examples = Path.of("").toAbsolutePath().getParent().resolve("examples");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(examples)) {
            s.filter(p -> p.toString().endsWith(".ann")).sorted().forEach(files::add);
        }
        // a file with characters outside the BMP (two UTF-16 units each) before most declarations
        Path wide = dir.resolve("wide.ann");
        StringBuilder sb = new StringBuilder("/// 😀 wide characters 😀\nconst width = 16\n\n");
        for (int i = 0; i < 12; i++) {
            sb.append("/// net ").append(i).append(" é😀\nnetwork N").append(i).append(" {\n    input [4]\n    h = dense(width) -> relu // 😀\n")
                    .append("    dense(").append(i + 2).append(") -> softmax\n}\n\n");
        }
        Files.writeString(wide, sb.toString());
        files.add(wide);
        assertEquals(true, files.size() > 4, "examples found");
        for (int fi = 0; fi < files.size(); fi++) {
            Path file = files.get(fi);
            String uri = Lsp.uri(Workspace.normalize(file));
            Analysis live = new Analysis((d, ds) -> { }, m -> { });
            live.setDebounceMs(0);
            String original = Files.readString(file);
            Document doc = Document.open(uri, 1, original);
            live.opened(doc);
            Random rnd = new Random(7L * fi + 1);
            for (int e = 0; e < 30; e++) {
                TextDocumentContentChangeEvent change = e % 3 == 2 ? reset(doc, original) : change(rnd, doc);
                doc = doc.apply(doc.version() + 1, List.of(change));
                live.changed(doc);
                Analysis.Snapshot a = live.fresh(uri);
                Analysis scratch = new Analysis((d, ds) -> { }, m -> { });
                scratch.opened(Document.open(uri, doc.version(), doc.text()));
                Analysis.Snapshot b = scratch.fresh(uri);
                scratch.shutdown();
                String what = file.getFileName() + " edit " + e;
                assertNotNull(a, what);
                assertEquals(doc.text(), a.document().text(), what);
                assertEquals(b.diagnostics().stream().map(Lsp::diagnostic).toList(),
                        a.diagnostics().stream().map(Lsp::diagnostic).toList(), what);
                Range all = new Range(new Position(0, 0), new Position(doc.source().lineCount() + 1, 0));
                assertEquals(InlayHintProvider.hints(b, all), InlayHintProvider.hints(a, all), what);
                assertEquals(DocumentSymbolProvider.symbols(b), DocumentSymbolProvider.symbols(a), what);
                assertEquals(SemanticTokensProvider.tokens(b, null), SemanticTokensProvider.tokens(a, null), what);
            }
            live.shutdown();
        }
    }

    /** Typing-like edits by UTF-16 position: change a digit, insert a snippet, delete a few characters. */
    static TextDocumentContentChangeEvent change(Random rnd, Document doc) {
        String text = doc.text();
        int kind = rnd.nextInt(4);
        if (kind <= 1) {
            List<Integer> digits = new ArrayList<>();
            for (int i = 0; i < text.length(); i++) if (Character.isDigit(text.charAt(i))) digits.add(i);
            if (!digits.isEmpty()) {
                int i = digits.get(rnd.nextInt(digits.size()));
                return new TextDocumentContentChangeEvent(range(doc, i, i + 1), String.valueOf((char) ('1' + rnd.nextInt(9))));
            }
        }
        int at = rnd.nextInt(text.length() + 1);
        if (at > 0 && at < text.length() && Character.isLowSurrogate(text.charAt(at))) at--;
        if (kind == 2) return new TextDocumentContentChangeEvent(range(doc, at, at), SNIPPETS[rnd.nextInt(SNIPPETS.length)]);
        int end = Math.min(text.length(), at + 1 + rnd.nextInt(6));
        if (end < text.length() && Character.isLowSurrogate(text.charAt(end))) end++;
        return new TextDocumentContentChangeEvent(range(doc, at, end), "");
    }

    static TextDocumentContentChangeEvent reset(Document doc, String original) {
        return new TextDocumentContentChangeEvent(range(doc, 0, doc.text().length()), original);
    }

    static Range range(Document doc, int from, int to) {
        return new Range(Lsp.position(doc.source(), from), Lsp.position(doc.source(), to));
    }

    @Test
    void typingKeepsAtMostOneModelBuildWaitingPerDocument(@TempDir Path dir) throws Exception {
        // each pending build keeps its compilation alive: one per keystroke filled the heap
        Path file = dir.resolve("t.ann");
        String text = "const w = 8\nnetwork N {\n    input [4]\n    dense(w)\n}\n";
        Files.writeString(file, text);
        Analysis live = new Analysis((d, ds) -> { }, m -> { });
        live.setDebounceMs(0);
        Document doc = Document.open(Lsp.uri(Workspace.normalize(file)), 1, text);
        live.opened(doc);
        for (int i = 0; i < 30; i++) {
            doc = doc.apply(doc.version() + 1, List.of(new TextDocumentContentChangeEvent(range(doc, 10, 11),
                    String.valueOf(1 + i % 9))));
            live.changed(doc);
            assertNotNull(live.fresh(doc.uri()));
        }
        assertEquals(true, live.pendingModelBuilds() <= 1, live.pendingModelBuilds() + " model builds waiting");
        live.shutdown();
    }

    @Test
    void aCheckGivesUpWhenToldANewerTextCame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.ann");
        StringBuilder sb = new StringBuilder("const w = 8\n");
        for (int i = 0; i < 5; i++) sb.append("network N").append(i).append(" {\n    input [4]\n    dense(w)\n}\n");
        Files.writeString(file, sb.toString());
        Workspace w = new Workspace();
        assertThrows(CancellationException.class, () -> Compiler.compile(w, file, () -> true));
        AtomicInteger polls = new AtomicInteger();
        // gives up part way, between declarations, as soon as it is told
        assertThrows(CancellationException.class, () -> Compiler.compile(w, file, () -> polls.incrementAndGet() > 3));
        assertEquals(4, polls.get());
        // never told: the same result as a plain check
        assertEquals(Compiler.compile(w, file).diagnostics().stream().map(Lsp::diagnostic).toList(),
                Compiler.compile(w, file, () -> false).diagnostics().stream().map(Lsp::diagnostic).toList());
        assertEquals(0, Compiler.compile(w, file, () -> false).diagnostics().size());
    }
}
