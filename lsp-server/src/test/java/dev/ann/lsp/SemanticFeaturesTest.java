package dev.ann.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionContext;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.CodeLens;
import org.eclipse.lsp4j.CodeLensParams;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InlayHint;
import org.eclipse.lsp4j.InlayHintParams;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PrepareRenameParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ReferenceContext;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.RenameParams;
import org.eclipse.lsp4j.SignatureHelp;
import org.eclipse.lsp4j.SignatureHelpParams;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The features that read the checked semantic model, on a two-file workspace
 * (main.ann imports common.ann). Each fixture marks the cursor with {@code <|>}.
 */
class SemanticFeaturesTest {
    @TempDir
    Path dir;
    LspHarness lsp;
    Path main;
    Path common;

    static final String COMMON = """
            /// The width of hidden layers.
            const hidden = 16

            /// Two dense layers.
            block Pair(width: int) {
                dense(width) -> relu
                dense(width) -> relu
            }
            """;

    static final String MAIN = """
            import "common.ann"

            dataset Iris {
                csv("iris.csv", header: true, features: 0..3, label: 4)
                split train 70%, validation 15%, test 15%
            }

            /// Classifies irises.
            network Net {
                input [4]
                features = Pair(hidden)
                dense(3) -> softmax
            }

            train Net on Iris {
                loss cross_entropy
                optimizer adam(lr: 1e-3)
                epochs 3
            }

            profile dev {
                epochs 1
            }
            """;

    @BeforeEach
    void start() throws Exception {
        main = dir.resolve("main.ann");
        common = dir.resolve("common.ann");
        Files.writeString(common, COMMON);
        Files.writeString(main, MAIN);
        StringBuilder csv = new StringBuilder("a,b,c,d,species\n");
        String[] species = {"setosa", "versicolor", "virginica"};
        for (int i = 0; i < 30; i++) csv.append(i % 7 * 0.1).append(",0.2,0.3,").append(i % 5 * 0.2).append(',').append(species[i % 3]).append('\n');
        Files.writeString(dir.resolve("iris.csv"), csv);
        lsp = new LspHarness();
    }

    @AfterEach
    void stop() throws Exception {
        lsp.close();
    }

    /** Opens main.ann as the fixture (cursor marked), waits for its first check, returns the cursor. */
    Position openMain(String fixture) throws Exception {
        Position p = lsp.open(main, fixture);
        lsp.diagnostics(main);
        return p;
    }

    static String mark(String text, String before, String insert) {
        int i = text.indexOf(before);
        assertTrue(i >= 0, before);
        return text.substring(0, i) + insert + text.substring(i);
    }

    List<String> complete(Position p) throws Exception {
        var r = lsp.server.getTextDocumentService().completion(new CompletionParams(LspHarness.id(main), p))
                .get(10, TimeUnit.SECONDS);
        return r.getRight().getItems().stream().map(CompletionItem::getLabel).toList();
    }

    List<CompletionItem> completeItems(Position p) throws Exception {
        return lsp.server.getTextDocumentService().completion(new CompletionParams(LspHarness.id(main), p))
                .get(10, TimeUnit.SECONDS).getRight().getItems();
    }

    // ---- diagnostics across files ----

    @Test
    void theExampleIsCleanAndAnEditToAnImportedFileRechecksTheImporter() throws Exception {
        lsp.open(main, MAIN);
        PublishDiagnosticsParams clean = lsp.diagnostics(main);
        assertEquals(List.of(), clean.getDiagnostics());
        lsp.open(common, COMMON);
        lsp.diagnostics(common);
        // rename the block in common.ann: main.ann's use of Pair breaks
        lsp.edit(common, new Range(new Position(4, 6), new Position(4, 10)), "Twin");
        PublishDiagnosticsParams broken = lsp.diagnostics(main);
        while (broken.getDiagnostics().isEmpty()) broken = lsp.diagnostics(main);
        PublishDiagnosticsParams got = broken;
        assertTrue(got.getDiagnostics().stream().anyMatch(d -> d.getMessage().getLeft().contains("Pair")), got::toString);
    }

    // ---- completion ----

    @Test
    void completionOffersActivationsAfterArrow() throws Exception {
        Position p = openMain(mark(MAIN, "\n}\n\ntrain", "\n    dense(8) -> <|>"));
        List<String> labels = complete(p);
        assertTrue(labels.containsAll(List.of("relu", "softmax", "sigmoid", "tanh", "leaky_relu")), labels::toString);
        assertFalse(labels.contains("dense"), "a layer kind is no activation");
    }

    @Test
    void completionOffersLayersAndBlocksInABodyEvenHalfTyped() throws Exception {
        Position p = openMain(mark(MAIN, "\n}\n\ntrain", "\n    con<|>"));
        List<String> labels = complete(p);
        assertTrue(labels.containsAll(List.of("dense", "dropout", "Pair", "input", "residual")), labels::toString);
        assertFalse(labels.contains("adam"));
        // after `dense(3) -> softmax`, a flat [3]: no picture or sequence layers
        assertFalse(labels.contains("conv2d") || labels.contains("lstm"), labels::toString);
    }

    @Test
    void completionOffersArgumentsNotGivenFirstWithTypeAndDefault() throws Exception {
        Position p = openMain(mark(MAIN, "\n}\n\ntrain", "\n    conv2d(32, kernel: 3, <|>)"));
        List<CompletionItem> items = completeItems(p);
        List<String> labels = items.stream().map(CompletionItem::getLabel).toList();
        assertTrue(labels.containsAll(List.of("stride", "padding", "kernel")), labels::toString);
        CompletionItem stride = items.stream().filter(i -> i.getLabel().equals("stride")).findFirst().orElseThrow();
        CompletionItem kernel = items.stream().filter(i -> i.getLabel().equals("kernel")).findFirst().orElseThrow();
        assertTrue(stride.getSortText().compareTo(kernel.getSortText()) < 0, "arguments not given yet come first");
        assertTrue(stride.getDetail().contains("= 1"), stride.getDetail());
        assertEquals("stride: ", stride.getTextEdit().getLeft().getNewText());
    }

    @Test
    void completionOffersEnumValuesOfAnArgument() throws Exception {
        Position p = openMain(mark(MAIN, "\n}\n\ntrain", "\n    conv2d(32, padding: <|>)"));
        List<String> labels = complete(p);
        assertTrue(labels.containsAll(List.of("same", "valid")), labels::toString);
        assertTrue(labels.contains("hidden"), "consts are values too");
    }

    @Test
    void completionInATrainBlock() throws Exception {
        Position p = openMain(mark(MAIN, "    epochs 3\n", "    <|>\n"));
        List<String> settings = complete(p);
        assertTrue(settings.containsAll(List.of("loss", "optimizer", "schedule", "batch", "metrics", "device")), settings::toString);
        lsp.close();
        lsp = new LspHarness();
        p = openMain(MAIN.replace("loss cross_entropy", "loss <|>"));
        List<String> losses = complete(p);
        assertTrue(losses.containsAll(List.of("cross_entropy", "mse", "huber")), losses::toString);
        assertFalse(losses.contains("adam"));
    }

    /** {@code init from "file"}: the setting and its word come from the Registry's declaration. */
    @Test
    void completionOfInitFrom() throws Exception {
        Position p = openMain(mark(MAIN, "    epochs 3\n", "    <|>\n"));
        assertTrue(complete(p).contains("init"));
        lsp.close();
        lsp = new LspHarness();
        p = openMain(mark(MAIN, "    epochs 3\n", "    init <|>\n"));
        assertTrue(complete(p).contains("from"));
    }

    @Test
    void completionAfterSweepOffersTheSettingsASweepCanVary() throws Exception {
        Position p = openMain(mark(MAIN, "    epochs 1\n}", "    sweep <|>\n"));
        List<String> names = complete(p);
        assertTrue(names.containsAll(List.of("batch", "epochs", "optimizer", "subset")), names::toString);
        // the Registry's list of settings a sweep cannot vary (seeds are repeat's)
        assertFalse(names.contains("seed") || names.contains("repeat") || names.contains("resize") || names.contains("sweep"), names::toString);
    }

    /** The tokens and window lines of a dataset: their first value, then the options their declaration names. */
    @Test
    void completionOfTokensKindsAndOptions() throws Exception {
        Position p = openMain(mark(MAIN, "    split train 70%", "    tokens <|>\n"));
        List<String> kinds = complete(p);
        assertTrue(kinds.containsAll(List.of("words", "characters")), kinds::toString);
        lsp.close();
        lsp = new LspHarness();
        p = openMain(mark(MAIN, "    split train 70%", "    tokens words, <|>\n"));
        List<String> options = complete(p);
        assertTrue(options.containsAll(List.of("vocabulary", "length", "lowercase", "bag")), options::toString);
        lsp.close();
        lsp = new LspHarness();
        p = openMain(mark(MAIN, "    split train 70%", "    window 52, <|>\n"));
        assertTrue(complete(p).containsAll(List.of("horizon", "relative")), "the window line offers its options");
    }

    @Test
    void completionOfDeviceValuesAndNetworkNames() throws Exception {
        Position p = openMain(mark(MAIN, "    epochs 3\n", "    device <|>\n"));
        assertTrue(complete(p).containsAll(List.of("cpu", "gpu", "auto")));
        lsp.close();
        lsp = new LspHarness();
        p = openMain(MAIN + "\ntrain <|>");
        List<String> labels = complete(p);
        assertEquals(List.of("Net"), labels);
    }

    // ---- hover ----

    Hover hover(Position p) throws Exception {
        return lsp.server.getTextDocumentService().hover(new HoverParams(LspHarness.id(main), p)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void hoverOnALayerShowsShapeParametersFlopsAndDocs() throws Exception {
        Position p = openMain(MAIN.replace("dense(3) -> softmax", "den<|>se(3) -> softmax"));
        String md = hover(p).getContents().getRight().getValue();
        assertTrue(md.contains("[16] → [3]"), md);
        assertTrue(md.contains("51 parameters"), md);
        assertTrue(md.contains("FLOPs"), md);
    }

    @Test
    void hoverOnANetworkNameShowsItsSummaryAndDoc() throws Exception {
        Position p = openMain(MAIN.replace("train Net on", "train N<|>et on"));
        String md = hover(p).getContents().getRight().getValue();
        assertTrue(md.contains("403 parameters"), md);
        assertTrue(md.contains("input [4]"), md);
        assertTrue(md.contains("Classifies irises."), md);
    }

    @Test
    void hoverOnAnImportedNameShowsItsDoc() throws Exception {
        Position p = openMain(MAIN.replace("Pair(hidden)", "Pair(hid<|>den)"));
        String md = hover(p).getContents().getRight().getValue();
        assertTrue(md.contains("hidden"), md);
        assertTrue(md.contains("The width of hidden layers."), md);
    }

    // ---- signature help ----

    @Test
    void signatureHelpHighlightsTheArgumentUnderTheCursor() throws Exception {
        Position p = openMain(mark(MAIN, "\n}\n\ntrain", "\n    conv2d(16, <|>"));
        SignatureHelp h = lsp.server.getTextDocumentService().signatureHelp(new SignatureHelpParams(LspHarness.id(main), p))
                .get(10, TimeUnit.SECONDS);
        assertNotNull(h);
        var sig = h.getSignatures().get(0);
        assertTrue(sig.getLabel().startsWith("conv2d(filters: int"), sig.getLabel());
        var param = sig.getParameters().get(h.getActiveParameter()).getLabel().getRight();
        assertTrue(sig.getLabel().substring(param.getFirst(), param.getSecond()).startsWith("kernel"), sig.getLabel());
    }

    // ---- navigation ----

    @Test
    void definitionOfAnImportedBlockIsInTheOtherFile() throws Exception {
        Position p = openMain(MAIN.replace("Pair(hidden)", "Pa<|>ir(hidden)"));
        List<? extends Location> locs = lsp.server.getTextDocumentService().definition(
                new DefinitionParams(LspHarness.id(main), p)).get(10, TimeUnit.SECONDS).getLeft();
        assertEquals(1, locs.size());
        assertEquals(Lsp.uri(common), locs.get(0).getUri());
        assertEquals(new Range(new Position(4, 6), new Position(4, 10)), locs.get(0).getRange());
    }

    @Test
    void referencesAndRenameOfAConstSpanBothFiles() throws Exception {
        Position p = openMain(MAIN.replace("Pair(hidden)", "Pair(hid<|>den)"));
        List<? extends Location> refs = lsp.server.getTextDocumentService().references(
                new ReferenceParams(LspHarness.id(main), p, new ReferenceContext(true))).get(10, TimeUnit.SECONDS);
        assertEquals(2, refs.size(), refs::toString);
        assertTrue(refs.stream().anyMatch(l -> l.getUri().equals(Lsp.uri(common))));
        var prep = lsp.server.getTextDocumentService().prepareRename(new PrepareRenameParams(LspHarness.id(main), p))
                .get(10, TimeUnit.SECONDS);
        assertEquals(new Range(new Position(10, 20), new Position(10, 26)), prep.getSecond().getRange());
        WorkspaceEdit edit = lsp.server.getTextDocumentService().rename(new RenameParams(LspHarness.id(main), p, "width_of"))
                .get(10, TimeUnit.SECONDS);
        Map<String, List<TextEdit>> changes = edit.getChanges();
        assertEquals(2, changes.size());
        assertEquals("width_of", changes.get(Lsp.uri(common)).get(0).getNewText());
        assertEquals(new Range(new Position(1, 6), new Position(1, 12)), changes.get(Lsp.uri(common)).get(0).getRange());
    }

    @Test
    void renameRefusesANameThatIsNotOne() throws Exception {
        Position p = openMain(MAIN.replace("Pair(hidden)", "Pair(hid<|>den)"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> lsp.server.getTextDocumentService()
                .rename(new RenameParams(LspHarness.id(main), p, "2x")).get(10, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("not a name"), e.getMessage());
    }

    // ---- inlay hints, code actions, code lens ----

    @Test
    void inlayHintsShowTheOutputShapeAfterEachStatement() throws Exception {
        openMain(MAIN);
        List<InlayHint> hints = lsp.server.getTextDocumentService().inlayHint(new InlayHintParams(LspHarness.id(main),
                new Range(new Position(0, 0), new Position(30, 0)))).get(10, TimeUnit.SECONDS);
        List<String> got = hints.stream().map(h -> h.getPosition().getLine() + ":" + h.getLabel().getLeft()).toList();
        assertTrue(got.contains("9:[4]"), got::toString);
        assertTrue(got.contains("10:[16]"), got::toString);
        assertTrue(got.contains("11:[3]"), got::toString);
        InlayHint last = hints.stream().filter(h -> h.getPosition().getLine() == 11).findFirst().orElseThrow();
        assertEquals(new Position(11, 23), last.getPosition(), "after `-> softmax`, the end of the statement");
    }

    @Test
    void aDiagnosticWithAFixBecomesAQuickFix() throws Exception {
        String text = MAIN.replace("dense(3) -> softmax", "dense(3, bais: false) -> softmax");
        lsp.open(main, text);
        PublishDiagnosticsParams d = lsp.diagnostics(main);
        assertTrue(d.getDiagnostics().stream().anyMatch(x -> "E013".equals(x.getCode().getLeft())), d::toString);
        List<CodeAction> actions = lsp.server.getTextDocumentService().codeAction(new CodeActionParams(LspHarness.id(main),
                new Range(new Position(11, 13), new Position(11, 13)), new CodeActionContext(d.getDiagnostics())))
                .get(10, TimeUnit.SECONDS).stream().map(e -> e.getRight()).toList();
        CodeAction fix = actions.stream().filter(a -> a.getTitle().contains("bias")).findFirst()
                .orElseThrow(() -> new AssertionError(actions.toString()));
        assertEquals("quickfix", fix.getKind());
        String fixed = SyntaxFeaturesTest.apply(text, fix.getEdit().getChanges().get(Lsp.uri(main)));
        assertTrue(fixed.contains("dense(3, bias: false) -> softmax"), fixed);
    }

    @Test
    void codeLensesTrainProfilesGenerateAndParameterCounts() throws Exception {
        openMain(MAIN);
        List<? extends CodeLens> lenses = lsp.server.getTextDocumentService().codeLens(new CodeLensParams(LspHarness.id(main)))
                .get(10, TimeUnit.SECONDS);
        List<String> titles = lenses.stream().map(l -> l.getRange().getStart().getLine() + ":" + l.getCommand().getTitle()).toList();
        assertEquals(List.of("8:403 parameters", "14:▶ Train", "14:▶ Train (dev)", "14:Generate Java", "14:Export ONNX"), titles);
        CodeLens dev = lenses.get(2);
        assertEquals("ann.train", dev.getCommand().getCommand());
        assertEquals(3, dev.getCommand().getArguments().size());
    }
}
