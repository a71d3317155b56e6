package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.model.LayerInfo;
import dev.ann.compiler.model.NetworkSummary;
import dev.ann.compiler.model.Reference;
import dev.ann.compiler.model.SemanticModel;
import dev.ann.compiler.model.Symbol;
import dev.ann.compiler.model.SymbolKind;
import dev.ann.plan.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The semantic model: outline, references of every kind of symbol, layers with shapes, network totals. */
class ModelTest {
    static final Path DIR = FixtureTest.ROOT;
    static final Path MAIN = DIR.resolve("model_main.ann");
    static final Path LIB = DIR.resolve("model_lib.ann");

    static final String LIB_TEXT = """
            /// Shared width.
            const width = 8

            block Unit(n: int, act: bool = true) {
                dense(n) -> relu
            }
            """;

    static final String MAIN_TEXT = """
            import "model_lib.ann"

            dataset Numbers {
                csv("data/numbers.csv", header: true, features: 0..2, label: 3)
            }

            /// The classifier.
            network Net {
                input [3]
                hidden = Unit(width)
                dense(width) -> relu -> identity
                out = dense(4) -> softmax
            }

            train Net on Numbers {
                loss cross_entropy
            }

            train other = Net on Numbers {
                loss cross_entropy
                epochs width
            }

            profile dev {
                epochs 1
            }
            """;

    static Compilation compile() {
        Workspace ws = new Workspace();
        ws.open(MAIN, MAIN_TEXT);
        ws.open(LIB, LIB_TEXT);
        return Compiler.compile(ws, MAIN);
    }

    static int offset(String text, String needle, int nth) {
        int at = -1;
        for (int i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
        assertTrue(at >= 0, needle);
        return at;
    }

    @Test
    void outlineWithDetails() {
        Compilation c = compile();
        assertEquals(List.<Diagnostic>of(), c.diagnostics());
        SemanticModel m = c.model();
        List<Symbol> syms = m.symbols(MAIN);
        assertEquals(List.of("Numbers", "Net", "Net", "other", "dev"), syms.stream().map(Symbol::name).toList());
        assertEquals(List.of(SymbolKind.DATASET, SymbolKind.NETWORK, SymbolKind.TRAIN, SymbolKind.TRAIN, SymbolKind.PROFILE),
                syms.stream().map(Symbol::kind).toList());
        assertEquals("train", syms.get(2).detail());
        assertEquals("train", syms.get(3).detail());
        assertEquals("profile", syms.get(4).detail());
        assertEquals("[3], 4 classes", syms.get(0).detail());
        assertTrue(syms.get(1).detail().contains("[3] → [4]"), syms.get(1).detail());
        assertEquals("The classifier.", syms.get(1).doc());
        assertEquals(List.of("hidden", "out"), syms.get(1).children().stream().map(Symbol::name).toList());
        assertEquals("Net", syms.get(1).children().get(0).container());
        List<Symbol> lib = m.symbols(LIB);
        assertEquals(List.of("width", "Unit"), lib.stream().map(Symbol::name).toList());
        assertEquals("8: int", lib.get(0).detail());
        assertEquals("(n: int, act: bool = true)", lib.get(1).detail());
        assertEquals(List.of("n", "act"), lib.get(1).children().stream().map(Symbol::name).toList());
        assertEquals(7, m.allSymbols().size());
    }

    @Test
    void referencesAcrossFiles() {
        SemanticModel m = compile().model();
        Symbol width = m.lookup("width").orElseThrow();
        List<Reference> refs = m.references(width);
        assertEquals(4, refs.size(), refs.toString());   // the declaration, two uses in Net, one in a train block
        assertTrue(refs.get(0).isDeclaration());
        assertEquals(LIB, refs.get(0).file());
        assertEquals(3, refs.stream().filter(r -> r.file().equals(MAIN)).count());
        Symbol unit = m.lookup("Unit").orElseThrow();
        assertEquals(2, m.references(unit).size());
        Symbol net = m.lookup("Net").orElseThrow();
        assertEquals(SymbolKind.NETWORK, net.kind());
        assertEquals(3, m.references(net).size(), "declared once, trained twice");
        Symbol numbers = m.lookup("Numbers").orElseThrow();
        assertEquals(3, m.references(numbers).size());
        Symbol n = unit.children().get(0);
        List<Reference> nRefs = m.references(n);
        assertEquals(2, nRefs.size(), "n: its declaration and dense(n)");
    }

    @Test
    void symbolAtAnOffset() {
        SemanticModel m = compile().model();
        int use = offset(MAIN_TEXT, "width", 0);
        assertEquals("width", m.symbolAt(MAIN, use + 2).orElseThrow().name());
        assertEquals("width", m.symbolAt(MAIN, use + 5).orElseThrow().name(), "right after the word");
        assertEquals(SymbolKind.BLOCK, m.symbolAt(MAIN, offset(MAIN_TEXT, "Unit", 0)).orElseThrow().kind());
        Symbol trained = m.symbolAt(MAIN, offset(MAIN_TEXT, "train Net", 0) + 7).orElseThrow();
        assertEquals(SymbolKind.NETWORK, trained.kind(), "an unnamed train block's name refers to its network first");
        assertEquals(SymbolKind.DATASET, m.symbolAt(MAIN, offset(MAIN_TEXT, "on Numbers", 0) + 4).orElseThrow().kind());
        assertEquals(SymbolKind.LAYER, m.symbolAt(MAIN, offset(MAIN_TEXT, "hidden", 0)).orElseThrow().kind());
        assertTrue(m.symbolAt(MAIN, offset(MAIN_TEXT, "csv", 0)).isEmpty());
    }

    @Test
    void layersWithShapesParamsAndChainedActivations() {
        Compilation c = compile();
        SemanticModel m = c.model();
        List<LayerInfo> layers = m.layers(MAIN);
        assertEquals(List.of("input", "Unit", "dense", "relu", "identity", "dense", "softmax"),
                layers.stream().map(LayerInfo::kind).toList());
        LayerInfo unit = layers.get(1);
        assertEquals(Shape.of(3), unit.inShape());
        assertEquals(Shape.of(8), unit.outShape());
        assertEquals(3 * 8 + 8, unit.params());
        assertEquals("hidden", unit.name());
        LayerInfo out = layers.get(5);
        assertEquals("out", out.name());
        assertEquals(8 * 4 + 4, out.params());
        assertEquals(2L * 8 * 4 + 4, out.flops());
        assertEquals("Net", out.container());
        // Inside the block: the shapes of its first use.
        List<LayerInfo> inBlock = m.layers(LIB);
        assertEquals(List.of("dense", "relu"), inBlock.stream().map(LayerInfo::kind).toList());
        assertEquals(Shape.of(8), inBlock.get(0).outShape());
        assertEquals("Unit", inBlock.get(0).container());
        LayerInfo at = m.layerAt(MAIN, offset(MAIN_TEXT, "identity", 0) + 1).orElseThrow();
        assertEquals("identity", at.kind());
        assertEquals("relu", at.spec() == null ? null : m.layerAt(MAIN, offset(MAIN_TEXT, "relu ->", 0)).orElseThrow().kind());
        NetworkSummary s = m.network("Net").orElseThrow();
        assertEquals(Shape.of(3), s.input());
        assertEquals(Shape.of(4), s.output());
        assertEquals((3 * 8 + 8) + (8 * 8 + 8) + (8 * 4 + 4), s.params());
        assertTrue(m.network("Nope").isEmpty());
        assertFalse(m.registry().all().isEmpty());
    }

    @Test
    void unusedBlocksStillListTheirLayers() {
        Workspace ws = new Workspace();
        Path f = DIR.resolve("model_unused.ann");
        ws.open(f, "block Lonely(n: int) {\n    dense(n) -> relu\n}\n");
        List<LayerInfo> layers = Compiler.compile(ws, f).model().layers(f);
        assertEquals(2, layers.size());
        assertNull(layers.get(0).outShape(), "a block never used has no shapes");
    }

    @Test
    void halfTypedFilesStillHaveSymbolsAndShapes() {
        Workspace ws = new Workspace();
        Path f = DIR.resolve("model_half.ann");
        String text = "network Half {\n    input [4]\n    dense(3) -> relu\n    dense(\n";
        ws.open(f, text);
        Compilation c = Compiler.compile(ws, f);
        assertTrue(c.hasErrors());
        assertEquals("Half", c.model().symbols(f).get(0).name());
        assertEquals(Shape.of(3), c.model().layers(f).get(1).outShape());
    }
}
