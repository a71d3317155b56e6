package dev.ann.compiler.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.syntax.Parser;
import dev.ann.grammar.AnnLexer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class FormatterTest {

    static String fmt(String text) {
        Formatter.Result r = Formatter.format(new SourceFile(Path.of("t.ann"), text));
        assertTrue(r.ok(), () -> "syntax errors: " + r.errors());
        return r.text();
    }

    @Test
    void messyNetworkGetsTheCanonicalLayout() {
        String in = """
                network   Net
                {
                  input [1,28 , 28]
                        conv2d( 32,kernel:3 ,padding : same )->relu


                  flatten ; dropout(0.25)
                  dense( hidden*2 )   ->  softmax
                }
                const x=-1
                const y = 1 / 255
                dataset D { csv("a.csv", header: true, features: 0 .. 3, label: 4)
                }
                """;
        String want = """
                network Net {
                    input [1, 28, 28]
                    conv2d(32, kernel: 3, padding: same) -> relu

                    flatten
                    dropout(0.25)
                    dense(hidden * 2) -> softmax
                }
                const x = -1
                const y = 1/255
                dataset D {
                    csv("a.csv", header: true, features: 0..3, label: 4)
                }
                """;
        assertEquals(want, fmt(in));
    }

    @Test
    void continuationLinesAlignAfterTheBracketOrUnderTheFirstValue() {
        String in = """
                dataset Fashion {
                  train idx("a.gz",
                   "b.gz")
                  classes "T-shirt", "Trouser",
                     "Pullover"
                  split train 70%,
                  test 30%
                }
                """;
        String want = """
                dataset Fashion {
                    train idx("a.gz",
                              "b.gz")
                    classes "T-shirt", "Trouser",
                            "Pullover"
                    split train 70%,
                          test 30%
                }
                """;
        assertEquals(want, fmt(in));
    }

    @Test
    void commentsAreKeptAndAlignedTrailingCommentsStayAligned() {
        String in = """
                // header

                /// doc of Net
                network Net {   // trailing on brace
                    input [2]
                  maxpool(2)          // [16, 14, 14]
                    globalavgpool       // [48]
                                        // continues above
                  /* block */ dense(1)
                    // before the end
                }
                """;
        String want = """
                // header

                /// doc of Net
                network Net {   // trailing on brace
                    input [2]
                    maxpool(2)          // [16, 14, 14]
                    globalavgpool       // [48]
                                        // continues above
                    /* block */ dense(1)
                    // before the end
                }
                """;
        assertEquals(want, fmt(in));
    }

    @Test
    void oneLineBodiesStayOnOneLine() {
        String in = """
                block B(c: int) {
                    parallel concat {
                        branch {conv2d(c, kernel: 1)->relu}
                        branch { maxpool(3) }
                    }
                }
                """;
        String want = """
                block B(c: int) {
                    parallel concat {
                        branch { conv2d(c, kernel: 1) -> relu }
                        branch { maxpool(3) }
                    }
                }
                """;
        assertEquals(want, fmt(in));
    }

    @Test
    void aFileWithSyntaxErrorsIsNotFormatted() {
        Formatter.Result r = Formatter.format(new SourceFile(Path.of("t.ann"), "network N {\n  dense(10,\n"));
        assertFalse(r.ok());
        assertNull(r.text());
        assertEquals("E001", r.errors().get(0).code());
    }

    @Test
    void windowsLineEndsAreKept() {
        assertEquals("const a = 1\r\nconst b = 2\r\n", fmt("const a=1\r\nconst b=2"));
    }

    @Test
    void emptyFileStaysEmpty() {
        assertEquals("", fmt(""));
        assertEquals("", fmt("\n\n"));
    }

    /** Every example and fixture: formatting twice changes nothing, and every comment survives. */
    @TestFactory
    Stream<DynamicTest> idempotentAndKeepsComments() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(Path.of("../examples"), Path.of("src/test/resources"))) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(p -> p.toString().endsWith(".ann")).sorted().forEach(files::add);
            }
        }
        assertFalse(files.isEmpty(), "no .ann files found next to the compiler module");
        return files.stream().map(p -> DynamicTest.dynamicTest(p.toString(), () -> {
            String text = Files.readString(p);
            Formatter.Result first = Formatter.format(new SourceFile(p, text));
            if (!first.ok()) return; // fixtures of syntax errors are not formatted, by design
            String once = first.text();
            assertEquals(once, fmt(once), "second pass changed " + p);
            assertEquals(comments(text), comments(once), "comments changed in " + p);
            assertEquals(significant(text), significant(once), "tokens changed in " + p);
        }));
    }

    private static List<String> comments(String text) {
        List<String> out = new ArrayList<>();
        for (Token t : Parser.lex(new SourceFile(Path.of("t.ann"), text), new ArrayList<>()).tokens().getTokens()) {
            int y = t.getType();
            if (y == AnnLexer.LINE_COMMENT || y == AnnLexer.DOC_COMMENT || y == AnnLexer.BLOCK_COMMENT) {
                out.add(t.getText().strip());
            }
        }
        return out;
    }

    private static List<String> significant(String text) {
        List<String> out = new ArrayList<>();
        for (Token t : Parser.lex(new SourceFile(Path.of("t.ann"), text), new ArrayList<>()).tokens().getTokens()) {
            if (t.getChannel() == Token.DEFAULT_CHANNEL && t.getType() != AnnLexer.NL && t.getType() != AnnLexer.SEMI) {
                out.add(t.getText());
            }
        }
        return out;
    }
}
