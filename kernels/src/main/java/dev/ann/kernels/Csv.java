package dev.ann.kernels;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CSV rows: an optional header line, feature columns, and either a label
 * column (class names or integers) or target columns (numbers). Fields may be
 * quoted with double quotes ({@code ""} inside quotes is one quote). Blank
 * lines are skipped. Every malformed row is a {@link BadData} that names the
 * file, the line and the column (1-based, counting characters).
 */
public final class Csv {
    private Csv() {}

    /** One line split into fields, with the character column where each field starts (0-based). */
    public record Row(int line, List<String> fields, List<Integer> starts) {}

    /** The delimiter character of a {@code delimiter:} argument (a comma when none is given). */
    public static char delimiter(String d) {
        return d == null || d.isEmpty() ? ',' : d.charAt(0);
    }

    /** Splits one line (without its line break) into fields. */
    public static Row split(String file, int line, String s, char delim) {
        List<String> fields = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c != '"') {
                    field.append(c);
                } else if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = false;
                }
            } else if (c == '"' && field.toString().isBlank()) {
                quoted = true;
            } else if (c == delim) {
                fields.add(field.toString());
                starts.add(start);
                field.setLength(0);
                start = i + 1;
            } else {
                field.append(c);
            }
        }
        if (quoted) throw new BadData(file, line, start + 1, "unclosed quote");
        fields.add(field.toString());
        starts.add(start);
        return new Row(line, fields, starts);
    }

    /** One more than the largest column used. */
    public static int columnsNeeded(int[]... columns) {
        int need = 0;
        for (int[] cs : columns) for (int c : cs) need = Math.max(need, c + 1);
        return need;
    }

    /** Refuses a row with fewer than {@code need} fields. */
    public static void checkWidth(String file, Row row, int need) {
        int n = row.fields().size();
        if (n >= need) return;
        int col = row.starts().get(n - 1) + row.fields().get(n - 1).length() + 1;
        throw new BadData(file, row.line(), col, "this row has " + n + " fields but column " + need
                + " is used (columns count from 0 in the .ann file, so up to " + (need - 1) + "); fix or remove the row");
    }

    /** The number in column {@code col} (surrounding blanks allowed); {@code header} names the columns in the message. */
    public static float number(String file, Row row, int col, List<String> header) {
        String raw = row.fields().get(col);
        String v = raw.trim();
        try {
            float f = Float.parseFloat(v);
            if (Float.isFinite(f)) return f;
        } catch (NumberFormatException e) {
            // reported below
        }
        String name = col < header.size() ? " ('" + header.get(col) + "')" : "";
        int lead = 0;
        while (lead < raw.length() && Character.isWhitespace(raw.charAt(lead))) lead++;
        throw new BadData(file, row.line(), row.starts().get(col) + 1 + lead,
                "expected a number in column " + col + name + ", found " + (v.isEmpty() ? "an empty field" : "'" + v + "'"));
    }

    /** The label in column {@code col}, trimmed; an empty one is refused. */
    public static String label(String file, Row row, int col) {
        String v = row.fields().get(col).trim();
        if (v.isEmpty()) throw new BadData(file, row.line(), row.starts().get(col) + 1, "empty label in column " + col + "; fill it in or remove the row");
        return v;
    }

    /**
     * A whole CSV file in memory: {@code width} features per row, then either
     * the labels as written ({@code labels}, with a label column) or
     * {@code targetWidth} targets per row.
     */
    public record Table(int n, int width, float[] x, List<String> labels, float[] targets, int targetWidth) {}

    /**
     * Reads every row of a file: the columns {@code features}, the label
     * column {@code label} (-1: none) and the columns {@code targets} (may be
     * empty); {@code delimiter} as in {@link #delimiter}. Rows are checked in the order width, features, targets, label.
     */
    public static Table read(Path file, boolean header, String delimiter, int[] features, int label, int[] targets) throws IOException {
        String name = file.toString();
        char delim = delimiter(delimiter);
        int need = Math.max(columnsNeeded(features, targets), label + 1);
        int w = features.length, tw = targets.length;
        float[] x = new float[Math.max(16, w * 64)];
        float[] t = new float[Math.max(16, tw * 64)];
        List<String> labels = label >= 0 ? new ArrayList<>() : null;
        List<String> headerNames = List.of();
        boolean headerDone = !header;
        int n = 0, lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) continue;
                Row row = split(name, lineNo, line, delim);
                if (!headerDone) {
                    headerNames = row.fields();
                    headerDone = true;
                    continue;
                }
                checkWidth(name, row, need);
                if ((n + 1) * w > x.length) x = Arrays.copyOf(x, Math.max((n + 1) * w, x.length * 2));
                for (int j = 0; j < w; j++) x[n * w + j] = number(name, row, features[j], headerNames);
                if ((n + 1) * tw > t.length) t = Arrays.copyOf(t, Math.max((n + 1) * tw, t.length * 2));
                for (int j = 0; j < tw; j++) t[n * tw + j] = number(name, row, targets[j], headerNames);
                if (labels != null) labels.add(label(name, row, label));
                n++;
            }
        } catch (CharacterCodingException e) {
            throw new BadData(name, 0, 0, "not UTF-8 text; save the file as UTF-8 CSV");
        }
        if (n == 0) throw new BadData(name, 0, 0, "no data rows");
        return new Table(n, w, Arrays.copyOf(x, n * w), labels, tw == 0 ? null : Arrays.copyOf(t, n * tw), tw);
    }
}
