package dev.ann.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionContext;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.FormattingOptions;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InlayHint;
import org.eclipse.lsp4j.InlayHintParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The editor on sequences, through the real LSP server: completion offers the layers that take the
 * incoming shape (sequence layers after {@code [T, F]}, picture layers after {@code [c, h, w]}, an
 * embedding right after the token ids), hover and inlay hints show {@code [T, F]} shapes, a misuse
 * has a quick fix, and the formatter lays the new layers out.
 */
class SequenceEditorTest {
    @TempDir
    Path dir;
    LspHarness lsp;
    Path main;

    static final String TEXT = """
            block Encoder(heads: int) {
                residual { attention(heads) }
                layernorm
                residual {
                    dense(64) -> relu
                    dense(32)
                }
                layernorm
            }

            network Reader {
                input [100]
                embedding(32, vocabulary: 1000)
                lstm(64)
                dense(2) -> softmax
            }

            network Tiny {
                input [20]
                embedding(32, vocabulary: 500)
                positional
                Encoder(4)
                globalavgpool
                dense(2)
            }

            network Picture {
                input [1, 28, 28]
                conv2d(8)
                flatten
            }
            """;

    @BeforeEach
    void start() throws Exception {
        main = dir.resolve("text.ann");
        Files.writeString(main, TEXT);
        lsp = new LspHarness();
    }

    @AfterEach
    void stop() throws Exception {
        lsp.close();
    }

    Position open(String fixture) throws Exception {
        Position p = lsp.open(main, fixture);
        lsp.diagnostics(main);
        return p;
    }

    List<String> complete(Position p) throws Exception {
        return lsp.server.getTextDocumentService().completion(new CompletionParams(LspHarness.id(main), p))
                .get(10, TimeUnit.SECONDS).getRight().getItems().stream().map(CompletionItem::getLabel).toList();
    }

    static String after(String line, String insert) {
        int i = TEXT.indexOf(line);
        assertTrue(i >= 0, line);
        int end = i + line.length();
        return TEXT.substring(0, end) + insert + TEXT.substring(end);
    }

    @Test
    void afterASequenceCompletionOffersSequenceLayersAndNoPictureLayers() throws Exception {
        List<String> labels = complete(open(after("embedding(32, vocabulary: 1000)", "\n    <|>")));
        assertTrue(labels.containsAll(List.of("lstm", "gru", "conv1d", "maxpool1d", "avgpool1d", "attention", "positional",
                "globalavgpool", "globalmaxpool", "dense", "layernorm", "dropout", "Encoder")), labels::toString);
        assertFalse(labels.contains("conv2d") || labels.contains("maxpool") || labels.contains("batchnorm"), labels::toString);
        assertFalse(labels.contains("embedding"), "the ids are already vectors: " + labels);
        assertFalse(labels.contains("softmax"), "softmax takes a flat vector: " + labels);
        assertTrue(labels.contains("relu"), labels::toString);
    }

    @Test
    void afterAPictureCompletionOffersPictureLayersAndNoSequenceLayers() throws Exception {
        List<String> labels = complete(open(after("conv2d(8)", "\n    <|>")));
        assertTrue(labels.containsAll(List.of("conv2d", "maxpool", "avgpool", "batchnorm", "globalavgpool", "flatten")),
                labels::toString);
        assertFalse(labels.contains("lstm") || labels.contains("attention") || labels.contains("conv1d")
                || labels.contains("dense"), labels::toString);
    }

    @Test
    void rightAfterTheTokenIdsCompletionOffersTheEmbeddingHalfTypedToo() throws Exception {
        List<String> labels = complete(open(after("input [100]", "\n    emb<|>")));
        assertTrue(labels.contains("embedding"), labels::toString);
        assertFalse(labels.contains("lstm"), "token ids are no sequence of vectors yet: " + labels);
        List<String> later = complete(open(after("lstm(64)", "\n    <|>")));
        assertFalse(later.contains("embedding"), "an embedding reads the input's ids only: " + later);
        assertTrue(later.contains("dense"), later::toString);
    }

    @Test
    void inAResidualBodyTheShapeIsTheResidualsInput() throws Exception {
        // the first statement of a residual in Tiny: [20, 32] flows in
        String text = TEXT.replace("    positional\n", "    positional\n    residual {\n        <|>\n    }\n");
        List<String> labels = complete(open(text));
        assertTrue(labels.containsAll(List.of("attention", "conv1d", "dense")), labels::toString);
        assertFalse(labels.contains("conv2d"), labels::toString);
    }

    @Test
    void hoverAndInlayHintsShowSequenceShapes() throws Exception {
        Position p = open(TEXT.replace("lstm(64)", "ls<|>tm(64)"));
        String md = lsp.server.getTextDocumentService().hover(new HoverParams(LspHarness.id(main), p))
                .get(10, TimeUnit.SECONDS).getContents().getRight().getValue();
        assertTrue(md.contains("[100, 32] → [64]"), md);
        assertTrue(md.contains("25,088 parameters"), md);
        assertTrue(md.contains("100 steps × 32 features"), md);
        Position e = new Position(12, 6);   // on `embedding(32, vocabulary: 1000)`
        String emb = lsp.server.getTextDocumentService().hover(new HoverParams(LspHarness.id(main), e))
                .get(10, TimeUnit.SECONDS).getContents().getRight().getValue();
        assertTrue(emb.contains("32,000 parameters"), emb);   // vocabulary × dim
        List<InlayHint> hints = lsp.server.getTextDocumentService().inlayHint(new InlayHintParams(LspHarness.id(main),
                new Range(new Position(0, 0), new Position(40, 0)))).get(10, TimeUnit.SECONDS);
        List<String> got = hints.stream().map(h -> h.getPosition().getLine() + ":" + h.getLabel().getLeft()).toList();
        assertTrue(got.contains("12:[100, 32]"), got::toString);   // embedding
        assertTrue(got.contains("13:[64]"), got::toString);        // lstm
        assertTrue(got.contains("21:[20, 32]"), got::toString);    // the Encoder block
        assertTrue(got.contains("22:[32]"), got::toString);        // globalavgpool over time
    }

    @Test
    void headsThatDoNotDivideTheFeaturesHaveAQuickFix() throws Exception {
        String text = TEXT.replace("Encoder(4)", "attention(5)");
        lsp.open(main, text);
        PublishDiagnosticsParams d = lsp.diagnostics(main);
        var diag = d.getDiagnostics().stream().filter(x -> "E033".equals(x.getCode().getLeft())).findFirst()
                .orElseThrow(() -> new AssertionError(d.toString()));
        assertTrue(diag.getMessage().getLeft().contains("use 4 or 8 heads"), diag.getMessage().getLeft());
        List<CodeAction> actions = lsp.server.getTextDocumentService().codeAction(new CodeActionParams(LspHarness.id(main),
                diag.getRange(), new CodeActionContext(d.getDiagnostics()))).get(10, TimeUnit.SECONDS)
                .stream().map(e -> e.getRight()).toList();
        CodeAction fix = actions.stream().filter(a -> a.getTitle().contains("heads")).findFirst()
                .orElseThrow(() -> new AssertionError(actions.toString()));
        String fixed = SyntaxFeaturesTest.apply(text, fix.getEdit().getChanges().get(Lsp.uri(main)));
        assertTrue(fixed.contains("    attention(4)\n"), fixed);
    }

    @Test
    void theFormatterLaysOutTheSequenceLayers() throws Exception {
        String messy = TEXT.replace("    embedding(32, vocabulary: 1000)", "  embedding( 32,vocabulary:1000 )")
                .replace("    lstm(64)", "        lstm(64 , sequences:false)")
                .replace("residual { attention(heads) }", "residual {attention( heads )}");
        open(messy);
        var edits = lsp.server.getTextDocumentService().formatting(new DocumentFormattingParams(LspHarness.id(main),
                new FormattingOptions(4, true))).get(10, TimeUnit.SECONDS);
        String formatted = SyntaxFeaturesTest.apply(messy, edits);
        assertEquals(TEXT.replace("lstm(64)", "lstm(64, sequences: false)"), formatted);
    }
}
