package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.spec.ReferenceDoc;
import dev.ann.compiler.spec.Registry;
import dev.ann.compiler.syntax.Parser;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/language.md carries tables written from the Registry: this test fails
 * when they are stale (run with UPDATE_DOCS=1 to rewrite them). Every code has
 * a section in docs/diagnostics.md, and every ann example of the reference parses.
 */
class DocsTest {
    static final Path DOCS = Path.of("../docs").toAbsolutePath().normalize();

    @Test
    void theLanguageReferenceTablesAreTheRegistry() throws IOException {
        Path file = DOCS.resolve("language.md");
        String text = Files.readString(file);
        String fresh = text;
        for (Map.Entry<String, String> e : ReferenceDoc.sections(Registry.standard()).entrySet()) {
            String begin = "<!-- BEGIN GENERATED: " + e.getKey() + " -->";
            String end = "<!-- END GENERATED: " + e.getKey() + " -->";
            int a = fresh.indexOf(begin);
            int b = fresh.indexOf(end);
            if (a < 0 || b < a) throw new AssertionError("docs/language.md lacks the markers of section " + e.getKey());
            fresh = fresh.substring(0, a + begin.length()) + "\n" + e.getValue().strip() + "\n" + fresh.substring(b);
        }
        if (!fresh.equals(text) && "1".equals(System.getenv("UPDATE_DOCS"))) {
            Files.writeString(file, fresh);
            text = fresh;
        }
        assertEquals(fresh, text, "docs/language.md is stale: run the compiler tests with UPDATE_DOCS=1");
    }

    @Test
    void everyDiagnosticCodeHasASection() throws Exception {
        String text = Files.readString(DOCS.resolve("diagnostics.md"));
        List<String> missing = new ArrayList<>();
        for (Field f : Codes.class.getFields()) {
            String code = (String) f.get(null);
            if (!text.contains("## " + code)) missing.add(code);
        }
        assertEquals(List.of(), missing, "codes without a section in docs/diagnostics.md");
    }

    @Test
    void everyAnnExampleInTheDocsParses() throws IOException {
        Pattern block = Pattern.compile("```ann\\n(.*?)```", Pattern.DOTALL);
        List<String> broken = new ArrayList<>();
        for (String doc : List.of("language.md")) {   // diagnostics.md shows fragments, some broken on purpose
            Matcher m = block.matcher(Files.readString(DOCS.resolve(doc)));
            while (m.find()) {
                String code = m.group(1).replace("{ ... }", "{ }");
                AnnFile f = Parser.parse(new SourceFile(Path.of(doc), code));
                if (!f.syntaxErrors().isEmpty()) broken.add(doc + ": " + f.syntaxErrors().get(0).message() + "\n" + code);
            }
        }
        assertEquals(List.of(), broken);
    }
}
