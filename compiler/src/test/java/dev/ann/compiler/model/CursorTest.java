package dev.ann.compiler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.model.CompletionContext.Kind;
import dev.ann.compiler.spec.ArgSpec;
import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.Registry;
import dev.ann.compiler.spec.Spec;
import dev.ann.compiler.spec.Type;
import dev.ann.compiler.syntax.Parser;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Fixtures mark the cursor with {@code <|>}. */
class CursorTest {

    record TestSpec(String name, Category category, List<ArgSpec> args, String doc) implements Spec {}

    static ArgSpec arg(String name, Type type, Object def) {
        return new ArgSpec(name, type, def, def == null, null, true, null, true, List.of(), "");
    }

    static final Registry REGISTRY = new Registry(List.of(
            new TestSpec("conv2d", Category.LAYER, List.of(arg("filters", Type.INT, null), arg("kernel", Type.INT_OR_PAIR, 3),
                    arg("stride", Type.INT_OR_PAIR, 1), arg("padding", Type.ENUM, "valid")), "conv"),
            new TestSpec("dense", Category.LAYER, List.of(arg("units", Type.INT, null), arg("bias", Type.BOOL, true),
                    arg("init", Type.INIT, "he")), "dense"),
            new TestSpec("normal", Category.INITIALIZER, List.of(arg("std", Type.FLOAT, 0.01)), "normal"),
            new TestSpec("step", Category.ACTIVATION, List.of(arg("threshold", Type.FLOAT, 0.0)), "step act"),
            new TestSpec("step", Category.SCHEDULE, List.of(arg("every", Type.INT, null), arg("gamma", Type.FLOAT, 0.1)), "step lr"),
            new TestSpec("adam", Category.OPTIMIZER, List.of(arg("lr", Type.FLOAT, 1e-3)), "adam")));

    record At(AnnFile file, int offset) {}

    static At at(String fixture) {
        int i = fixture.indexOf("<|>");
        assertTrue(i >= 0, "fixture has no <|>");
        String text = fixture.substring(0, i) + fixture.substring(i + 3);
        return new At(Parser.parse(new SourceFile(Path.of("t.ann"), text)), i);
    }

    static CompletionContext ctx(String fixture) {
        At a = at(fixture);
        return Cursor.contextAt(a.file(), a.offset());
    }

    static CallSite call(String fixture) {
        At a = at(fixture);
        return Cursor.callAt(a.file(), REGISTRY, a.offset()).orElseThrow(() -> new AssertionError("no call at cursor"));
    }

    @Test
    void topLevel() {
        assertEquals(Kind.TOP_LEVEL, ctx("<|>").kind());
        assertEquals(Kind.TOP_LEVEL, ctx("const a = 1\nnet<|>").kind());
        assertEquals("net", ctx("const a = 1\nnet<|>").prefix());
        assertEquals(Kind.NETWORK_NAME, ctx("train <|>").kind());
        assertEquals(Kind.NETWORK_NAME, ctx("train fast = X<|>").kind());
        assertEquals(Kind.DATASET_NAME, ctx("train Net on <|>").kind());
        assertEquals(Kind.EXPRESSION, ctx("const b = <|>").kind());
    }

    @Test
    void layersAndActivations() {
        CompletionContext c = ctx("network N {\n    input [2]\n    den<|>\n}\n");
        assertEquals(Kind.LAYER, c.kind());
        assertEquals("den", c.prefix());
        assertEquals("network", c.section());
        assertEquals(Kind.ACTIVATION, ctx("network N {\n    dense(10) -> <|>\n}").kind());
        assertEquals(Kind.ACTIVATION, ctx("network N {\n    dense(10) -> so<|>").kind()); // half-typed, unclosed
        assertEquals(Kind.ACTIVATION, ctx("block B(c: int) {\n    residual {\n        dense(c) -><|>\n    }\n}").kind());
        assertEquals(Kind.LAYER, ctx("network N {\n    h = <|>\n}").kind());
        assertEquals("parallel", ctx("block B {\n    parallel concat {\n        <|>\n    }\n}").section());
        assertEquals(Kind.LAYER, ctx("block B {\n    parallel concat {\n        branch { <|> }\n    }\n}").kind());
        assertEquals(Kind.EXPRESSION, ctx("network N {\n    input <|>\n}").kind());
        assertEquals(Kind.NONE, ctx("network N {\n    dense(10) <|>\n}").kind());
    }

    @Test
    void argumentsAndTheirValues() {
        CompletionContext c = ctx("network N {\n    conv2d(32, ker<|>)\n}");
        assertEquals(Kind.ARGUMENT, c.kind());
        assertEquals("conv2d", c.owner());
        assertEquals("ker", c.prefix());
        c = ctx("network N {\n    conv2d(32, padding: <|>\n}");
        assertEquals(Kind.ARGUMENT_VALUE, c.kind());
        assertEquals("padding", c.argument());
        assertEquals("conv2d", c.owner());
        c = ctx("train N on D {\n    optimizer adam(<|>)\n}");
        assertEquals(Kind.ARGUMENT, c.kind());
        assertEquals("adam", c.owner());
        assertEquals("train", c.section());
        assertEquals(Kind.EXPRESSION, ctx("network N {\n    input [1, <|>]\n}").kind());
        assertEquals(Kind.NONE, ctx("block B(c: <|>) {\n}").kind());
    }

    @Test
    void settings() {
        CompletionContext c = ctx("train N on D {\n    <|>\n}");
        assertEquals(Kind.SETTING_START, c.kind());
        assertEquals("train", c.section());
        c = ctx("train N on D {\n    loss <|>\n}");
        assertEquals(Kind.SETTING_VALUE, c.kind());
        assertEquals("loss", c.owner());
        c = ctx("train N on D {\n    metrics accuracy, <|>\n}");
        assertEquals(Kind.SETTING_VALUE, c.kind());
        assertEquals("metrics", c.owner());
        assertEquals(Kind.SETTING_START, ctx("dataset D {\n    csv(\"a.csv\")\n    sc<|>\n}").kind());
        assertEquals("profile", ctx("profile dev {\n    <|>").section());
    }

    @Test
    void nothingInCommentsAndStrings() {
        assertEquals(Kind.NONE, ctx("network N {\n    // dense(10) -> <|>\n}").kind());
        assertEquals(Kind.NONE, ctx("dataset D {\n    csv(\"a<|>.csv\")\n}").kind());
        assertEquals(Kind.NONE, ctx("dataset D {\n    csv(\"a<|>").kind());
        assertEquals(Kind.NONE, ctx("/* network N {\n    dense(10) -> <|>").kind());
    }

    @Test
    void theSameAnswersFromTheTextAloneWithoutATree() {
        // the language server asks with the bare text right after an edit, before any parse
        for (String fixture : List.of("network N {\n    dense(10) -> <|>\n}", "train N on D {\n    loss <|>\n}",
                "const a = 1\nnetwork N {\n    conv2d(32, padding: <|>\n}", "train fast = <|>")) {
            At a = at(fixture);
            AnnFile bare = new AnnFile(a.file().source(), List.of(), List.of());
            assertEquals(Cursor.contextAt(a.file(), a.offset()), Cursor.contextAt(bare, a.offset()), fixture);
        }
        At a = at("const a = 1\nnetwork N {\n    conv2d(32, kernel: 3, <|>)\n}");
        AnnFile bare = new AnnFile(a.file().source(), List.of(), List.of());
        assertEquals(Cursor.callAt(a.file(), REGISTRY, a.offset()), Cursor.callAt(bare, REGISTRY, a.offset()));
    }

    @Test
    void replaceCoversTheWholeWord() {
        At a = at("network N {\n    de<|>nse(3)\n}");
        CompletionContext c = Cursor.contextAt(a.file(), a.offset());
        assertEquals("de", c.prefix());
        assertEquals("dense", a.file().source().slice(c.replace()));
    }

    @Test
    void callSites() {
        CallSite s = call("network N {\n    conv2d(32, kernel: 3, <|>)\n}");
        assertEquals("conv2d", s.callee());
        assertEquals("conv2d", s.spec().name());
        assertEquals(2, s.activeIndex());
        assertEquals(Set.of("filters", "kernel"), s.givenNames());
        assertEquals("stride", s.activeName()); // the next positional argument
        s = call("network N {\n    conv2d(32, padding: sa<|>me)\n}");
        assertEquals("padding", s.activeName());
        assertEquals(1, s.activeIndex());
        s = call("network N {\n    conv2d(<|>\n}");
        assertEquals(0, s.activeIndex());
        assertEquals("filters", s.activeName());
        assertEquals(Set.of(), s.givenNames());
    }

    @Test
    void callSitesResolveByWhereTheyAre() {
        assertEquals(Category.ACTIVATION, call("network N {\n    dense(1) -> step(<|>)\n}").spec().category());
        assertEquals(Category.SCHEDULE, call("train N on D {\n    schedule step(<|>)\n}").spec().category());
        assertEquals(Category.INITIALIZER, call("network N {\n    dense(4, init: normal(<|>))\n}").spec().category());
        assertEquals("std", call("network N {\n    dense(4, init: normal(<|>))\n}").activeName());
        CallSite block = call("network N {\n    ConvBlock(32, <|>)\n}");
        assertEquals("ConvBlock", block.callee());
        assertNull(block.spec());
    }

    @Test
    void noCallOutsideParentheses() {
        At a = at("network N {\n    dense(10)<|> -> relu\n}");
        assertEquals(Optional.empty(), Cursor.callAt(a.file(), REGISTRY, a.offset()));
        a = at("block B(c: <|>int) {\n}");
        assertEquals(Optional.empty(), Cursor.callAt(a.file(), REGISTRY, a.offset()));
    }
}
