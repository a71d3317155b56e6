package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.model.LayerInfo;
import dev.ann.compiler.model.NetworkSummary;
import dev.ann.compiler.model.Symbol;
import dev.ann.compiler.model.SymbolKind;
import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.Registry;
import dev.ann.compiler.spec.Spec;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The fixtures: every {@code .ann} file under {@code src/test/resources/fixtures}
 * (except those in folders starting with '_', which are imported by others) is
 * checked, and its comments are the expectations:
 * <ul>
 *   <li>{@code // error: E012} or {@code // warning: W001}: a diagnostic with that code starts on this line
 *       (several may be listed on one line);</li>
 *   <li>{@code // shape: [32, 14, 14]}: the output shape of the layer statement on this line;</li>
 *   <li>{@code // params: 200960}: its trainable parameters (on a {@code network} line: the network's total).</li>
 * </ul>
 * Any diagnostic not expected fails the fixture, as does an expected one missing.
 */
class FixtureTest {
    static final Path ROOT = Path.of("src/test/resources/fixtures").toAbsolutePath();
    private static final Pattern DIAG = Pattern.compile("\\b(error|warning): ([EW]\\d{3})");
    private static final Pattern SHAPE = Pattern.compile("\\bshape: (\\[[0-9, ]*\\]|\\?)");
    private static final Pattern PARAMS = Pattern.compile("\\bparams: ([0-9_,]+)");

    static List<Path> fixtures() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT)) {
            return s.filter(f -> f.toString().endsWith(".ann"))
                    .filter(f -> ROOT.relativize(f).toString().split("/").length == 1
                            || !ROOT.relativize(f).getName(0).toString().startsWith("_"))
                    .filter(f -> !ROOT.relativize(f).toString().contains("/_"))
                    .sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> fixturesMeetTheirExpectations() throws IOException {
        return fixtures().stream().map(f -> DynamicTest.dynamicTest(ROOT.relativize(f).toString(), () -> run(f)));
    }

    static void run(Path file) throws IOException {
        Compilation c = Compiler.compile(new Workspace(), file);
        SourceFile src = c.source(file);
        List<String> lines = src.text().lines().toList();
        // Diagnostics: expected versus found, as "line severity code".
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = DIAG.matcher(comment(lines.get(i)));
            while (m.find()) expected.add((i + 1) + " " + m.group(1) + " " + m.group(2));
        }
        List<String> found = new ArrayList<>();
        for (Diagnostic d : c.diagnostics()) {
            SourceFile ds = d.source();
            assertTrue(d.range().start() >= 0 && d.range().end() <= ds.text().length() && d.range().start() <= d.range().end(),
                    "range out of the file: " + d);
            assertFalse(d.message().isBlank(), "empty message: " + d);
            if (!ds.path().equals(src.path())) continue;
            found.add((d.line() + 1) + " " + d.severity().label() + " " + d.code());
        }
        expected.sort(null);
        found.sort(null);
        if (!expected.equals(found)) {
            StringBuilder sb = new StringBuilder("diagnostics differ\nexpected: " + expected + "\nfound:    " + found + "\n");
            for (Diagnostic d : c.diagnostics()) {
                sb.append("  ").append(d.source().path().getFileName()).append(':').append(d.line() + 1).append(':')
                  .append(d.column() + 1).append(' ').append(d.code()).append(' ').append(d.message()).append('\n');
            }
            fail(sb.toString());
        }
        // Shapes and parameter counts.
        Map<Integer, List<LayerInfo>> byLine = new TreeMap<>();
        for (LayerInfo l : c.model().layers(file)) byLine.computeIfAbsent(src.line(l.range().start()) + 1, k -> new ArrayList<>()).add(l);
        Map<Integer, Symbol> networks = new TreeMap<>();
        for (Symbol s : c.model().symbols(file)) {
            if (s.kind() == SymbolKind.NETWORK) networks.put(src.line(s.nameRange().start()) + 1, s);
        }
        for (int i = 0; i < lines.size(); i++) {
            String comment = comment(lines.get(i));
            int line = i + 1;
            Matcher sm = SHAPE.matcher(comment);
            Matcher pm = PARAMS.matcher(comment);
            boolean wantShape = sm.find();
            boolean wantParams = pm.find();
            if (!wantShape && !wantParams) continue;
            if (networks.containsKey(line) && wantParams) {
                NetworkSummary s = c.model().network(networks.get(line).name()).orElseThrow();
                assertEquals(Long.parseLong(pm.group(1).replaceAll("[_,]", "")), s.params(), "network params at line " + line);
                continue;
            }
            List<LayerInfo> infos = byLine.get(line);
            if (infos == null) fail("no layer statement at line " + line + " for `" + comment + "`");
            List<LayerInfo> outer = outermost(infos);
            if (wantShape) {
                LayerInfo last = outer.get(outer.size() - 1);
                String shape = last.outShape() == null ? "?" : last.outShape().toString();
                assertEquals(sm.group(1), shape, "shape at line " + line + " (" + last.kind() + ")");
            }
            if (wantParams) {
                long sum = outer.stream().mapToLong(LayerInfo::params).sum();
                assertEquals(Long.parseLong(pm.group(1).replaceAll("[_,]", "")), sum, "params at line " + line);
            }
        }
    }

    /** The infos starting on a line that no other info of that line contains, in source order. */
    private static List<LayerInfo> outermost(List<LayerInfo> infos) {
        List<LayerInfo> out = new ArrayList<>();
        for (LayerInfo a : infos) {
            boolean inside = false;
            for (LayerInfo b : infos) {
                if (a != b && b.range().start() <= a.range().start() && a.range().end() <= b.range().end()
                        && b.range().length() > a.range().length()) inside = true;
            }
            if (!inside) out.add(a);
        }
        out.sort((x, y) -> Integer.compare(x.range().start(), y.range().start()));
        return out;
    }

    private static String comment(String line) {
        int i = line.indexOf("//");
        return i < 0 ? "" : line.substring(i);
    }

    static String corpus() throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(ROOT)) {
            for (Path f : s.filter(x -> x.toString().endsWith(".ann")).toList()) sb.append(Files.readString(f)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void thereAreAtLeastEightyFixtures() throws IOException {
        assertTrue(fixtures().size() >= 80, "only " + fixtures().size() + " fixtures");
    }

    @Test
    void everyDiagnosticCodeIsExpectedBySomeFixture() throws Exception {
        String text = corpus();
        List<String> missing = new ArrayList<>();
        for (Field f : Codes.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) continue;
            String code = (String) f.get(null);
            String kind = code.startsWith("E") ? "error" : "warning";
            if (!Pattern.compile("\\b" + kind + ": " + code + "\\b").matcher(text).find()) missing.add(code + " " + f.getName());
        }
        assertEquals(List.of(), missing, "codes no fixture expects");
    }

    @Test
    void everyDeclarationIsUsedBySomeFixture() throws IOException {
        String text = corpus();
        List<String> missing = new ArrayList<>();
        for (Category cat : List.of(Category.LAYER, Category.ACTIVATION, Category.LOSS, Category.OPTIMIZER, Category.SCHEDULE,
                Category.DATA_SOURCE, Category.INITIALIZER, Category.METRIC, Category.DATASET_SETTING, Category.TRAIN_SETTING,
                Category.PROFILE_SETTING)) {
            for (Spec s : Registry.standard().all(cat)) {
                if (!Pattern.compile("\\b" + s.name() + "\\b").matcher(text).find()) missing.add(cat + " " + s.name());
            }
        }
        for (String structural : List.of("parallel concat", "parallel add", "residual")) {
            if (!text.contains(structural)) missing.add(structural);
        }
        assertEquals(List.of(), missing);
    }
}
