package dev.ann.runtime.data;

import dev.ann.runtime.RunException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    public static Raw load(Path file, boolean header, List<Integer> features, List<Integer> labelCols,
                           List<Integer> targetCols, String delimiter) {
        String name = file.toString();
        char delim = delimiter == null || delimiter.isEmpty() ? ',' : delimiter.charAt(0);
        List<Row> rows = new ArrayList<>();
        List<String> headerNames = List.of();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) continue;
                Row row = split(name, no, line, delim);
                if (header && headerNames.isEmpty() && rows.isEmpty()) {
                    headerNames = row.fields();
                    header = false;
                    continue;
                }
                rows.add(row);
            }
        } catch (NoSuchFileException e) {
            throw new RunException(RunException.BAD_INPUT, name + ": no such file; check the path in the dataset's csv(...) (relative paths are read from the .ann file's folder)");
        } catch (java.nio.charset.MalformedInputException e) {
            throw RunException.data(name, 0, 0, "not UTF-8 text; save the file as UTF-8 CSV");
        } catch (IOException e) {
            throw new RunException(RunException.BAD_INPUT, name + ": cannot read: " + e.getMessage());
        }
        if (rows.isEmpty()) throw RunException.data(name, 0, 0, "no data rows");
        int need = 0;
        for (int c : features) need = Math.max(need, c + 1);
        for (int c : labelCols) need = Math.max(need, c + 1);
        for (int c : targetCols) need = Math.max(need, c + 1);
        int n = rows.size(), w = features.size(), tw = targetCols.size();
        float[] x = new float[n * w];
        float[] t = tw > 0 ? new float[n * tw] : null;
        List<String> labels = labelCols.isEmpty() ? null : new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Row row = rows.get(i);
            if (row.fields().size() < need) {
                int col = row.cols().get(row.fields().size() - 1) + row.fields().get(row.fields().size() - 1).length() + 1;
                throw RunException.data(name, row.line(), col, "this row has " + row.fields().size() + " fields but column "
                        + need + " is used (columns count from 0 in the .ann file, so up to " + (need - 1) + "); fix or remove the row");
            }
            for (int j = 0; j < w; j++) x[i * w + j] = number(name, row, features.get(j), headerNames);
            for (int j = 0; j < tw; j++) t[i * tw + j] = number(name, row, targetCols.get(j), headerNames);
            if (labels != null) {
                String v = row.fields().get(labelCols.get(0)).trim();
                if (v.isEmpty()) throw RunException.data(name, row.line(), row.cols().get(labelCols.get(0)), "empty label");
                labels.add(v);
            }
        }
        return new Raw(n, w, x, labels, t, tw);
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
