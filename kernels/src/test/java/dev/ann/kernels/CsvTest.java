package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV row rules: splitting with quotes, numbers, labels, and file:line:column for every malformed row. */
class CsvTest {
    @TempDir Path tmp;

    @Test
    void splitKeepsQuotedDelimitersAndTheColumnWhereEachFieldStarts() {
        Csv.Row r = Csv.split("f.csv", 3, "1.5, \"a,b\",\"say \"\"hi\"\"\",", ',');
        // a quote may follow blanks; the blanks stay in the field
        assertEquals(List.of("1.5", " a,b", "say \"hi\"", ""), r.fields());
        assertEquals(List.of(0, 4, 11, 24), r.starts());
        assertEquals(3, r.line());
        assertEquals(List.of("x", "y"), Csv.split("f", 1, "x;y", Csv.delimiter(";")).fields());
        assertEquals(',', Csv.delimiter(null));
        assertEquals(',', Csv.delimiter(""));
        assertEquals('\t', Csv.delimiter("\t"));
    }

    @Test
    void malformedRowsNameFileLineAndColumn() {
        BadData e = assertThrows(BadData.class, () -> Csv.split("d.csv", 4, "1,\"open", ','));
        assertEquals("d.csv:4:3: unclosed quote", e.getMessage());
        assertEquals(4, e.line);
        assertEquals(3, e.column);

        Csv.Row row = Csv.split("d.csv", 7, "1,  x2,", ',');
        assertEquals(1f, Csv.number("d.csv", row, 0, List.of()));
        e = assertThrows(BadData.class, () -> Csv.number("d.csv", row, 1, List.of("a", "width")));
        assertEquals("d.csv:7:5: expected a number in column 1 ('width'), found 'x2'", e.getMessage());
        e = assertThrows(BadData.class, () -> Csv.number("d.csv", row, 2, List.of()));
        assertEquals("d.csv:7:8: expected a number in column 2, found an empty field", e.getMessage());
        e = assertThrows(BadData.class, () -> Csv.number("d.csv", Csv.split("d.csv", 1, "Infinity", ','), 0, List.of()));
        assertEquals("d.csv:1:1: expected a number in column 0, found 'Infinity'", e.getMessage());
        e = assertThrows(BadData.class, () -> Csv.checkWidth("d.csv", row, 5));
        assertEquals("d.csv:7:8: this row has 3 fields but column 5 is used (columns count from 0 in the .ann file, so up to 4); "
                + "fix or remove the row", e.getMessage());
        e = assertThrows(BadData.class, () -> Csv.label("d.csv", row, 2));
        assertEquals("d.csv:7:8: empty label in column 2; fill it in or remove the row", e.getMessage());
        assertEquals("x2", Csv.label("d.csv", row, 1));
    }

    @Test
    void readsAWholeFileWithHeaderBlankLinesLabelsAndTargets() throws Exception {
        Path f = tmp.resolve("t.csv");
        Files.writeString(f, "a,b,label\r\n1,2,cat\n\n3, 4 ,\"dog\"\n");
        Csv.Table t = Csv.read(f, true, null, new int[] {1, 0}, 2, new int[0]);
        assertEquals(2, t.n());
        assertArrayEquals(new float[] {2, 1, 4, 3}, t.x());
        assertEquals(List.of("cat", "dog"), t.labels());
        assertNull(t.targets());

        Csv.Table r = Csv.read(f, true, ",", new int[] {0}, -1, new int[] {1});
        assertNull(r.labels());
        assertEquals(1, r.targetWidth());
        assertArrayEquals(new float[] {2, 4}, r.targets());

        // line numbers count the header and blank lines
        Files.writeString(f, "a,b,label\n1,2,cat\n\n3,oops,dog\n");
        BadData e = assertThrows(BadData.class, () -> Csv.read(f, true, ",", new int[] {0, 1}, 2, new int[0]));
        assertEquals(f + ":4:3: expected a number in column 1 ('b'), found 'oops'", e.getMessage());

        Files.writeString(f, "a,b\n");
        e = assertThrows(BadData.class, () -> Csv.read(f, true, ",", new int[] {0}, 1, new int[0]));
        assertEquals(f + ": no data rows", e.getMessage());

        Files.write(f, new byte[] {'1', ',', (byte) 0xff, '\n'});
        e = assertThrows(BadData.class, () -> Csv.read(f, false, ",", new int[] {0}, 1, new int[0]));
        assertEquals(f + ": not UTF-8 text; save the file as UTF-8 CSV", e.getMessage());
        Files.writeString(f, "1,2\n", StandardCharsets.UTF_8);
        e = assertThrows(BadData.class, () -> Csv.read(f, false, ",", new int[] {0}, 3, new int[0]));
        assertEquals(f + ":1:4: this row has 2 fields but column 4 is used (columns count from 0 in the .ann file, so up to 3); "
                + "fix or remove the row", e.getMessage());
    }
}
