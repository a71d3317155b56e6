package dev.ann.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.ast.SourceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.FoldingRange;
import org.eclipse.lsp4j.FoldingRangeRequestParams;
import org.eclipse.lsp4j.FormattingOptions;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.SemanticTokens;
import org.eclipse.lsp4j.SemanticTokensParams;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceSymbol;
import org.eclipse.lsp4j.WorkspaceSymbolParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Features that need only the syntax: sync and syntax diagnostics, formatting, folding, tokens, outline. */
class SyntaxFeaturesTest {
    @TempDir
    Path dir;
    LspHarness lsp;

    @BeforeEach
    void start() throws Exception {
        lsp = new LspHarness();
    }

    @AfterEach
    void stop() throws Exception {
        lsp.close();
    }

    @Test
    void advertisesIncrementalSyncAndTheFeatures() {
        var caps = lsp.init.getCapabilities();
        assertEquals(org.eclipse.lsp4j.TextDocumentSyncKind.Incremental, caps.getTextDocumentSync().getRight().getChange());
        assertTrue(caps.getSemanticTokensProvider().getLegend().getTokenTypes().contains("keyword"));
        assertEquals(List.of("ann.train", "ann.generate", "ann.plan", "ann.export"), caps.getExecuteCommandProvider().getCommands());
    }

    @Test
    void syntaxErrorsArePublishedAndClearedAfterAnIncrementalFix() throws Exception {
        Path f = dir.resolve("a.ann");
        lsp.open(f, "network N {\n    input [2]\n    dense(1 -> sigmoid\n}\n");
        PublishDiagnosticsParams first = lsp.diagnostics(f);
        assertFalse(first.getDiagnostics().isEmpty(), "a missing ')' is reported");
        assertTrue(first.getDiagnostics().stream().anyMatch(d -> "E001".equals(d.getCode().getLeft())));
        assertEquals("ann", first.getDiagnostics().get(0).getSource());
        // insert the ')' after `dense(1`
        lsp.edit(f, new Range(new Position(2, 11), new Position(2, 11)), ")");
        PublishDiagnosticsParams second = lsp.diagnostics(f);
        assertTrue(second.getDiagnostics().stream().noneMatch(d -> "E001".equals(d.getCode().getLeft())),
                () -> "still: " + second.getDiagnostics());
        assertEquals(2, second.getVersion());
    }

    @Test
    void quickEditsAreDebouncedIntoOneCheckOfTheLastText() throws Exception {
        Path f = dir.resolve("a.ann");
        lsp.open(f, "network N {\n}\n");
        lsp.diagnostics(f);
        for (int i = 0; i < 5; i++) lsp.edit(f, new Range(new Position(1, 0), new Position(1, 0)), "(");
        PublishDiagnosticsParams p = lsp.diagnostics(f);
        assertEquals(6, p.getVersion(), "only the last version is published");
        assertEquals(null, lsp.client.diagnostics(Lsp.uri(f)).poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void formattingReturnsEditsThatGiveTheCanonicalText() throws Exception {
        Path f = dir.resolve("a.ann");
        String text = "network   N {\n  input [1,28,28]\n\n\n    dense(10)->softmax   // out\n}\nconst a=1\n";
        lsp.open(f, text);
        List<? extends TextEdit> edits = lsp.server.getTextDocumentService().formatting(
                new DocumentFormattingParams(LspHarness.id(f), new FormattingOptions(4, true))).get(10, TimeUnit.SECONDS);
        assertFalse(edits.isEmpty());
        assertEquals("network N {\n    input [1, 28, 28]\n\n    dense(10) -> softmax // out\n}\nconst a = 1\n",
                apply(text, edits));
    }

    @Test
    void rangeFormattingTouchesOnlyTheLinesInTheRange() throws Exception {
        Path f = dir.resolve("a.ann");
        String text = "const a=1\nconst b=2\nconst c=3\n";
        lsp.open(f, text);
        List<? extends TextEdit> edits = lsp.server.getTextDocumentService().rangeFormatting(
                new org.eclipse.lsp4j.DocumentRangeFormattingParams(LspHarness.id(f), new FormattingOptions(4, true),
                        new Range(new Position(1, 0), new Position(1, 9)))).get(10, TimeUnit.SECONDS);
        assertEquals("const a=1\nconst b = 2\nconst c=3\n", apply(text, edits));
    }

    @Test
    void foldsBodiesAndCommentRuns() throws Exception {
        Path f = dir.resolve("a.ann");
        lsp.open(f, "// one\n// two\nnetwork N {\n    input [2]\n    residual {\n        dense(2)\n    }\n}\n");
        List<FoldingRange> ranges = lsp.server.getTextDocumentService().foldingRange(
                new FoldingRangeRequestParams(LspHarness.id(f))).get(10, TimeUnit.SECONDS);
        List<String> got = ranges.stream().map(r -> r.getStartLine() + "-" + r.getEndLine()).sorted().toList();
        assertEquals(List.of("0-1", "2-6", "4-5"), got);
    }

    @Test
    void semanticTokensTellKeywordsFromSoftKeywordsAndNames() throws Exception {
        Path f = dir.resolve("a.ann");
        String text = """
                /// doc
                network N {
                    input [2]
                    h = dense(4, bias: true) -> relu
                }
                dataset D {
                    split train 70%, test 30%
                }
                """;
        lsp.open(f, text);
        SemanticTokens t = lsp.server.getTextDocumentService().semanticTokensFull(
                new SemanticTokensParams(LspHarness.id(f))).get(10, TimeUnit.SECONDS);
        List<String> decoded = decode(text, t.getData());
        assertTrue(decoded.contains("/// doc:comment+documentation"), decoded::toString);
        assertTrue(decoded.contains("network:keyword"), decoded::toString);
        assertTrue(decoded.contains("N:class+declaration"), decoded::toString);
        assertTrue(decoded.contains("input:keyword"), decoded::toString);
        assertTrue(decoded.contains("h:property+declaration"), decoded::toString);
        assertTrue(decoded.contains("dense:function+defaultLibrary"), decoded::toString);
        assertTrue(decoded.contains("bias:parameter"), decoded::toString);
        assertTrue(decoded.contains("relu:function+defaultLibrary"), decoded::toString);
        assertTrue(decoded.contains("split:property"), decoded::toString);
        assertTrue(decoded.contains("train:enumMember"), decoded + ": `train` after `split` is no keyword");
        assertTrue(decoded.contains("70%:number"), decoded::toString);
    }

    @Test
    void outlineHasDeclarationsWithParametersAndNamedLayers() throws Exception {
        Path f = dir.resolve("a.ann");
        lsp.open(f, "block B(width: int) {\n    dense(width)\n}\nnetwork N {\n    input [2]\n    h = B(4)\n}\nprofile dev {\n    epochs 1\n}\n");
        List<DocumentSymbol> symbols = lsp.server.getTextDocumentService().documentSymbol(
                new DocumentSymbolParams(LspHarness.id(f))).get(10, TimeUnit.SECONDS).stream().map(e -> e.getRight()).toList();
        assertEquals(List.of("B", "N", "dev"), symbols.stream().map(DocumentSymbol::getName).toList());
        assertEquals("width", symbols.get(0).getChildren().get(0).getName());
        assertEquals("h", symbols.get(1).getChildren().get(0).getName());
        assertEquals(new Range(new Position(3, 8), new Position(3, 9)), symbols.get(1).getSelectionRange());
    }

    @Test
    void workspaceSymbolsMatchBySubsequence() throws Exception {
        lsp.open(dir.resolve("a.ann"), "network FashionCNN {\n    input [2]\n}\nnetwork Other {\n    input [2]\n}\n");
        lsp.diagnostics(dir.resolve("a.ann"));
        List<? extends WorkspaceSymbol> found = lsp.server.getWorkspaceService().symbol(new WorkspaceSymbolParams("fcnn"))
                .get(10, TimeUnit.SECONDS).getRight();
        assertEquals(List.of("FashionCNN"), found.stream().map(WorkspaceSymbol::getName).toList());
    }

    @Test
    void aRequestOnAFileThatIsNotOpenIsAnErrorAndTheServerLivesOn() throws Exception {
        Path f = dir.resolve("never-opened.ann");
        var failed = lsp.server.getTextDocumentService().foldingRange(new FoldingRangeRequestParams(LspHarness.id(f)));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> failed.get(10, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("not open"), e.getMessage());
        Path g = dir.resolve("b.ann");
        lsp.open(g, "network N {\n}\n");
        assertFalse(lsp.server.getTextDocumentService().foldingRange(new FoldingRangeRequestParams(LspHarness.id(g)))
                .get(10, TimeUnit.SECONDS) == null);
    }

    // ---- helpers ----

    static String apply(String text, List<? extends TextEdit> edits) {
        SourceFile s = new SourceFile(Path.of("x.ann"), text);
        List<TextEdit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt((TextEdit e) -> s.offset(e.getRange().getStart().getLine(), e.getRange().getStart().getCharacter())).reversed());
        StringBuilder sb = new StringBuilder(text);
        for (TextEdit e : sorted) {
            int a = offset(s, e.getRange().getStart());
            int b = offset(s, e.getRange().getEnd());
            sb.replace(a, b, e.getNewText());
        }
        return sb.toString();
    }

    private static int offset(SourceFile s, Position p) {
        if (p.getLine() >= s.lineCount()) return s.text().length();
        return s.lineStart(p.getLine()) + p.getCharacter();
    }

    static List<String> decode(String text, List<Integer> data) {
        SourceFile s = new SourceFile(Path.of("x.ann"), text);
        var types = dev.ann.lsp.features.SemanticTokensProvider.TYPES;
        var mods = dev.ann.lsp.features.SemanticTokensProvider.MODIFIERS;
        List<String> out = new ArrayList<>();
        int line = 0, col = 0;
        for (int i = 0; i < data.size(); i += 5) {
            line += data.get(i);
            col = data.get(i) == 0 ? col + data.get(i + 1) : data.get(i + 1);
            int start = s.lineStart(line) + col;
            StringBuilder sb = new StringBuilder(text.substring(start, start + data.get(i + 2)))
                    .append(':').append(types.get(data.get(i + 3)));
            for (int m = 0; m < mods.size(); m++) if ((data.get(i + 4) & (1 << m)) != 0) sb.append('+').append(mods.get(m));
            out.add(sb.toString());
        }
        return out;
    }

    static void write(Path p, String text) throws Exception {
        Files.writeString(p, text);
    }
}
