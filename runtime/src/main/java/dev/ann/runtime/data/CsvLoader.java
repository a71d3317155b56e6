package dev.ann.runtime.data;

import dev.ann.runtime.RunException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a CSV file: an optional header, feature columns, and either a label
 * column (class names or integers) or target columns (numbers). Fields may be
 * quoted with double quotes. Every malformed row is an error that names the
 * file, line and column (1-based, the column counting characters).
 */
public final class CsvLoader {
    private CsvLoader() {}

    /** One row of raw fields with the character column where each starts. */
    record Row(int line, List<String> fields, List<Integer> cols) {}

    /** Raw result: features as numbers, labels as strings (classification) or targets as numbers. */
    public record Raw(int n, int width, float[] x, List<String> labels, float[] targets, int targetWidth) {}

    /** Reads and checks every row (see {@link CsvIndex#scan}, which this keeps all features of). */
    public static Raw load(Path file, boolean header, List<Integer> features, List<Integer> labelCols,
                           List<Integer> targetCols, String delimiter) {
        CsvIndex ix = CsvIndex.scan(file, header, features, labelCols, targetCols, delimiter, Long.MAX_VALUE);
        List<String> labels = null;
        if (ix.labelIds != null) {
            labels = new ArrayList<>(ix.n);
            for (int id : ix.labelIds) labels.add(ix.labelValues.get(id));
        }
        return new Raw(ix.n, ix.width, ix.x, labels, ix.targets, ix.targetWidth);
    }

    static float number(String file, Row row, int col, List<String> header) {
        String v = row.fields().get(col).trim();
        try {
            float f = Float.parseFloat(v);
            if (!Float.isFinite(f)) throw new NumberFormatException();
            return f;
        } catch (NumberFormatException e) {
            String cname = col < header.size() ? " ('" + header.get(col) + "')" : "";
            String raw = row.fields().get(col);
            int lead = 0;
            while (lead < raw.length() && Character.isWhitespace(raw.charAt(lead))) lead++;
            throw RunException.data(file, row.line(), row.cols().get(col) + 1 + lead,
                    "expected a number in column " + col + cname + ", found " + (v.isEmpty() ? "an empty field" : "'" + v + "'"));
        }
    }

    static Row split(String file, int line, String s, char delim) {
        List<String> f = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') { cur.append('"'); i++; }
                    else quoted = false;
                } else cur.append(c);
            } else if (c == '"' && cur.toString().isBlank()) {
                quoted = true;
            } else if (c == delim) {
                f.add(cur.toString());
                cols.add(start);
                cur.setLength(0);
                start = i + 1;
            } else cur.append(c);
        }
        if (quoted) throw RunException.data(file, line, start + 1, "unclosed quote");
        f.add(cur.toString());
        cols.add(start);
        return new Row(line, f, cols);
    }
}
