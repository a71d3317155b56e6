package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArffTest {
    static Arff.Table parse(String text) throws IOException {
        return Arff.parse(new BufferedReader(new StringReader(text)), Long.MAX_VALUE, false);
    }

    static Arff.ArffException bad(String text) {
        return assertThrows(Arff.ArffException.class, () -> parse(text));
    }

    @Test
    void readsTypesQuotesMissingAndComments() throws IOException {
        Arff.Table t = parse("""
                % a comment
                @RELATION 'the weather'

                @attribute outlook {sunny, 'over cast', rainy}
                @attribute temperature real
                @attribute "the note" string   % trailing comment
                @attribute play {yes,no}
                @data
                sunny, 85, 'it\\'s hot\\nreally', no
                'over cast',?,"", yes % comment
                rainy , -1.5e1 ,plain words here,yes
                """);
        assertEquals("the weather", t.relation());
        assertEquals(List.of("outlook", "temperature", "the note", "play"), t.names());
        assertEquals(Arff.Type.NOMINAL, t.attributes().get(0).type());
        assertEquals(List.of("sunny", "over cast", "rainy"), t.attributes().get(0).values());
        assertEquals(Arff.Type.NUMERIC, t.attributes().get(1).type());
        assertEquals(Arff.Type.STRING, t.attributes().get(2).type());
        assertEquals(3, t.rows().size());
        assertArrayEquals(new String[] {"sunny", "85", "it's hot\nreally", "no"}, t.rows().get(0));
        assertEquals("over cast", t.rows().get(1)[0]);
        assertNull(t.rows().get(1)[1]);
        assertEquals("", t.rows().get(1)[2]);
        assertArrayEquals(new String[] {"rainy", "-1.5e1", "plain words here", "yes"}, t.rows().get(2));
        assertArrayEquals(new int[] {9, 10, 11}, t.lines());
        assertEquals(3, t.column("play"));
        assertEquals(-1, t.column("nope"));
    }

    @Test
    void readsSparseRows() throws IOException {
        Arff.Table t = parse("@relation s\n@attribute a numeric\n@attribute b numeric\n@attribute c {x,y}\n@data\n{1 2.5, 2 y}\n{}\n");
        assertArrayEquals(new String[] {"0", "2.5", "y"}, t.rows().get(0));
        assertArrayEquals(new String[] {"0", "0", "x"}, t.rows().get(1));
    }

    @Test
    void malformedFilesSayLineAndColumn() {
        Arff.ArffException e = bad("@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,x\n2,z\n");
        assertEquals(6, e.line);
        assertEquals(3, e.col);
        assertTrue(e.getMessage().contains("'z' is not a value of attribute 'c'"), e.getMessage());
        e = bad("@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1\n");
        assertEquals(5, e.line);
        assertTrue(e.getMessage().contains("expected a comma and 1 more value"), e.getMessage());
        e = bad("@relation r\n@attribute a numeric\n@data\nabc\n");
        assertEquals(4, e.line);
        assertEquals(1, e.col);
        assertTrue(e.getMessage().contains("numeric; found 'abc'"), e.getMessage());
        e = bad("@relation r\n@attribute a numeric\n@data\n1,2\n");
        assertTrue(e.getMessage().contains("more values than the 1 attributes"), e.getMessage());
        e = bad("@relation r\n@attribute a string\n@data\n'open\n");
        assertEquals(4, e.line);
        assertEquals(1, e.col);
        assertTrue(e.getMessage().contains("not closed"), e.getMessage());
        e = bad("@relation r\n@attribute a blob\n@data\n");
        assertEquals(2, e.line);
        assertEquals(14, e.col);
        assertTrue(e.getMessage().contains("unknown type 'blob'"), e.getMessage());
        e = bad("@relation r\n@attribute a numeric\n@attribute a numeric\n@data\n");
        assertTrue(e.getMessage().contains("declared twice"), e.getMessage());
        e = bad("hello,world\n1,2\n");
        assertEquals(1, e.line);
        assertTrue(e.getMessage().contains("expected @relation"), e.getMessage());
        e = bad("@relation r\n@attribute a numeric\n");
        assertTrue(e.getMessage().contains("no @data"), e.getMessage());
        e = bad("@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n{1 2, 0 1}\n");
        assertTrue(e.getMessage().contains("must increase"), e.getMessage());
    }

    @Test
    void sizeIsBoundedAndGzipIsRead(@TempDir Path dir) throws IOException {
        String text = "@relation r\n@attribute t string\n@attribute c {a,b}\n@data\n'one two',a\n'three',b\n";
        Path plain = dir.resolve("x.arff");
        Files.writeString(plain, text);
        assertEquals(2, Arff.read(plain, 1 << 20).rows().size());
        assertTrue(assertThrows(Arff.ArffException.class, () -> Arff.read(plain, 10)).getMessage().contains("allowed"));
        Path gz = dir.resolve("x.arff.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
        Arff.Table t = Arff.read(gz, 1 << 20);
        assertEquals("three", t.rows().get(1)[0]);
        assertThrows(Arff.ArffException.class, () -> Arff.read(gz, 20));
        assertEquals(0, Arff.header(plain).rows().size());
        // a header that never ends is not read to its end
        Path endless = dir.resolve("endless.arff");
        Files.writeString(endless, "@relation r\n" + "% a comment line of some length\n".repeat(1000));
        assertTrue(assertThrows(Arff.ArffException.class, () -> Arff.header(endless, 4096)).getMessage().contains("longer than the 4096 characters"));
        assertEquals(2, Arff.header(plain).attributes().size());
    }

    /** Weka's own example files (Debian package weka) read whole. */
    @Test
    void readsWekasExamples() throws IOException {
        Path dir = Path.of("/usr/share/doc/weka/examples");
        assumeTrue(Files.isDirectory(dir), "Weka's example ARFF files are missing: apt-get install weka");
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".arff") || p.toString().endsWith(".arff.gz")).toList()) {
                Arff.Table t = Arff.read(f, 1L << 30);
                assertTrue(t.rows().size() > 0, f.toString());
            }
        }
        Path corn = dir.resolve("ReutersCorn-train.arff");
        if (!Files.exists(corn)) corn = dir.resolve("ReutersCorn-train.arff.gz");
        Arff.Table t = Arff.read(corn, 1L << 30);
        assertEquals(List.of("Text", "class-att"), t.names());
        assertEquals(1554, t.rows().size());
        long corns = t.rows().stream().filter(r -> r[1].equals("1")).count();
        assertTrue(corns > 0 && corns < 100, "corn documents: " + corns);
    }
}
