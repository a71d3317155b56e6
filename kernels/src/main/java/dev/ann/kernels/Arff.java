package dev.ann.kernels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Weka's ARFF format, read with the JDK alone: {@code @relation},
 * {@code @attribute name numeric|real|integer|string|date|{a, b, ...}},
 * {@code @data}, then one instance per line, values separated by commas;
 * values quoted with {@code '} or {@code "} (backslash escapes such as
 * {@code \n}, {@code \'}), {@code ?} for a missing value, {@code %} comments,
 * sparse rows {@code {index value, ...}} (absent values are 0, for a nominal
 * attribute its first value) and files compressed with gzip ({@code .arff.gz}).
 *
 * <p>Every malformed line is an {@link ArffException} with its 1-based line
 * and column. Memory and time are bounded: a file larger than the caller's
 * limit, more than {@link #MAX_ATTRIBUTES} attributes or a line longer than
 * {@link #MAX_LINE} characters is refused, not read.
 */
public final class Arff {
    private Arff() {}

    public static final int MAX_ATTRIBUTES = 100_000;
    public static final int MAX_LINE = 16 << 20;
    /** Most distinct values of a nominal attribute. */
    public static final int MAX_NOMINAL = 100_000;

    public enum Type { NUMERIC, NOMINAL, STRING, DATE }

    /** An attribute; {@code values} are a nominal attribute's values in declared order (else empty). */
    public record Attribute(String name, Type type, List<String> values, int line) {
        public Attribute {
            values = List.copyOf(values);
        }

        /** Index of a nominal value, or -1. */
        public int indexOf(String v) {
            return values.indexOf(v);
        }
    }

    /** A malformed file: where (1-based line and column; 0 when not known) and what. */
    public static final class ArffException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public final int line;
        public final int col;
        public final String what;

        public ArffException(int line, int col, String what) {
            super((line > 0 ? line + ":" + col + ": " : "") + what);
            this.line = line;
            this.col = col;
            this.what = what;
        }
    }

    /**
     * The data: {@code rows.get(i)[a]} is instance i's raw value of attribute a
     * (unquoted, escapes resolved), null when missing ({@code ?}).
     */
    public record Table(String relation, List<Attribute> attributes, List<String[]> rows, int[] lines) {
        public int column(String name) {
            for (int i = 0; i < attributes.size(); i++) if (attributes.get(i).name().equals(name)) return i;
            return -1;
        }

        /** The names of the attributes, for messages. */
        public List<String> names() {
            return attributes.stream().map(Attribute::name).toList();
        }
    }

    /** Most characters read looking for the end of a header. */
    public static final long MAX_HEADER = 64L << 20;

    /** The header alone (no data is read past {@code @data}, nor more than {@link #MAX_HEADER} characters); for checking a file quickly. */
    public static Table header(Path file) throws IOException {
        return header(file, MAX_HEADER);
    }

    /** The header alone, read from at most {@code maxChars} characters. */
    public static Table header(Path file, long maxChars) throws IOException {
        return read(file, maxChars, true);
    }

    /** The whole file; {@code maxBytes} bounds its (uncompressed) size. */
    public static Table read(Path file, long maxBytes) throws IOException {
        return read(file, maxBytes, false);
    }

    private static Table read(Path file, long maxBytes, boolean headerOnly) throws IOException {
        if (!headerOnly && !file.toString().endsWith(".gz") && Files.size(file) > maxBytes) {
            throw new ArffException(0, 0, "the file is " + Files.size(file) + " bytes, more than the " + maxBytes + " allowed");
        }
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            return parse(r, maxBytes, headerOnly);
        }
    }

    /** Parses ARFF text (for tests and the readers above). */
    public static Table parse(BufferedReader r, long maxChars, boolean headerOnly) throws IOException {
        String relation = null;
        List<Attribute> attrs = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<String[]> rows = new ArrayList<>();
        int[] lines = new int[16];
        boolean data = false;
        int lineNo = 0;
        long chars = 0;
        String line;
        while ((line = readLine(r, lineNo + 1)) != null) {
            lineNo++;
            chars += line.length() + 1;
            if (chars > maxChars) throw new ArffException(lineNo, 1, "the file is longer than the " + maxChars + " characters allowed");
            int start = skipSpace(line, 0);
            if (start >= line.length() || line.charAt(start) == '%') continue;
            if (!data) {
                if (line.charAt(start) != '@') {
                    throw new ArffException(lineNo, start + 1, "expected @relation, @attribute or @data before the data, found '"
                            + clip(line.substring(start)) + "'");
                }
                Cursor c = new Cursor(line, lineNo, start + 1);
                String kw = c.word().toLowerCase(Locale.ROOT);
                switch (kw) {
                    case "relation" -> {
                        if (relation != null) throw new ArffException(lineNo, start + 1, "@relation is given twice");
                        relation = c.value("the relation's name");
                    }
                    case "attribute" -> {
                        if (relation == null) throw new ArffException(lineNo, start + 1, "@attribute before @relation; the file starts with @relation NAME");
                        if (attrs.size() >= MAX_ATTRIBUTES) throw new ArffException(lineNo, start + 1, "more than " + MAX_ATTRIBUTES + " attributes");
                        int nameCol = c.i + 1;
                        String name = c.value("the attribute's name");
                        if (seen.put(name, attrs.size()) != null) {
                            throw new ArffException(lineNo, nameCol, "attribute '" + clip(name) + "' is declared twice");
                        }
                        attrs.add(c.type(name));
                    }
                    case "data" -> {
                        if (attrs.isEmpty()) throw new ArffException(lineNo, start + 1, "@data before any @attribute");
                        c.end();
                        data = true;
                        if (headerOnly) return new Table(relation, attrs, rows, new int[0]);
                    }
                    default -> throw new ArffException(lineNo, start + 1, "unknown declaration '@" + clip(kw)
                            + "'; ARFF has @relation, @attribute and @data");
                }
                continue;
            }
            String[] row = line.charAt(start) == '{' ? sparse(line, lineNo, start, attrs) : dense(line, lineNo, start, attrs);
            if (rows.size() == lines.length) lines = Arrays.copyOf(lines, lines.length * 2);
            lines[rows.size()] = lineNo;
            rows.add(row);
        }
        if (relation == null) throw new ArffException(Math.max(1, lineNo), 1, "no @relation: this is not an ARFF file");
        if (!data) throw new ArffException(Math.max(1, lineNo), 1, "no @data line: the header never ends");
        return new Table(relation, attrs, rows, Arrays.copyOf(lines, rows.size()));
    }

    private static String readLine(BufferedReader r, int lineNo) throws IOException {
        StringBuilder sb = new StringBuilder();
        int ch;
        while ((ch = r.read()) >= 0) {
            if (ch == '\n') return sb.toString();
            if (ch == '\r') continue;
            if (sb.length() >= MAX_LINE) throw new ArffException(lineNo, MAX_LINE, "the line is longer than " + MAX_LINE + " characters");
            sb.append((char) ch);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static String[] dense(String line, int lineNo, int start, List<Attribute> attrs) {
        Cursor c = new Cursor(line, lineNo, start);
        String[] row = new String[attrs.size()];
        for (int a = 0; a < attrs.size(); a++) {
            if (a > 0) c.expect(',', "a comma and " + (attrs.size() - a) + " more value" + (attrs.size() - a == 1 ? "" : "s")
                    + " (the instance has " + attrs.size() + " attributes)");
            int col = c.skip() + 1;
            String v = c.datum();
            row[a] = check(v, attrs.get(a), lineNo, col);
        }
        c.skip();
        if (c.i < line.length() && line.charAt(c.i) == ',') {
            throw new ArffException(lineNo, c.i + 1, "more values than the " + attrs.size() + " attributes declared");
        }
        c.end();
        return row;
    }

    private static String[] sparse(String line, int lineNo, int start, List<Attribute> attrs) {
        Cursor c = new Cursor(line, lineNo, start + 1);
        String[] row = new String[attrs.size()];
        for (int a = 0; a < row.length; a++) {
            Attribute at = attrs.get(a);
            row[a] = at.type() == Type.NOMINAL ? at.values().get(0) : at.type() == Type.STRING ? "" : "0";
        }
        c.skip();
        if (c.i < line.length() && line.charAt(c.i) == '}') {
            c.i++;
            c.end();
            return row;
        }
        int last = -1;
        while (true) {
            int col = c.skip() + 1;
            int idx = c.index();
            if (idx >= attrs.size()) throw new ArffException(lineNo, col, "attribute index " + idx + " does not exist (0.." + (attrs.size() - 1) + ")");
            if (idx <= last) throw new ArffException(lineNo, col, "sparse indices must increase; " + idx + " follows " + last);
            last = idx;
            int vcol = c.skip() + 1;
            row[idx] = check(c.datum(), attrs.get(idx), lineNo, vcol);
            c.skip();
            if (c.i < line.length() && line.charAt(c.i) == ',') {
                c.i++;
                continue;
            }
            c.expect('}', "',' or '}' in a sparse instance");
            c.end();
            return row;
        }
    }

    private static String check(String v, Attribute a, int line, int col) {
        if (v == null) return null;
        switch (a.type()) {
            case NUMERIC -> {
                try {
                    double d = Double.parseDouble(v);
                    if (!Double.isFinite(d)) throw new NumberFormatException();
                } catch (NumberFormatException e) {
                    throw new ArffException(line, col, "attribute '" + clip(a.name()) + "' is numeric; found '" + clip(v) + "'");
                }
            }
            case NOMINAL -> {
                if (a.indexOf(v) < 0) {
                    throw new ArffException(line, col, "'" + clip(v) + "' is not a value of attribute '" + clip(a.name()) + "' "
                            + clip(a.values().toString()));
                }
            }
            default -> { }
        }
        return v;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
        return i;
    }

    /** A value for a message: newlines shown as \\n, at most 60 characters. */
    public static String clip(String s) {
        String t = s.replace("\n", "\\n");
        return t.length() > 60 ? t.substring(0, 57) + "..." : t;
    }

    /** Reads words and values of one line, position i (0-based). */
    private static final class Cursor {
        final String s;
        final int line;
        int i;

        Cursor(String s, int line, int i) {
            this.s = s;
            this.line = line;
            this.i = i;
        }

        int skip() {
            i = skipSpace(s, i);
            return i;
        }

        ArffException error(String what) {
            return new ArffException(line, i + 1, what);
        }

        String word() {
            int b = i;
            while (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) i++;
            return s.substring(b, i);
        }

        void expect(char ch, String what) {
            skip();
            if (i >= s.length() || s.charAt(i) != ch) throw error("expected " + what + (i >= s.length() ? ", found the end of the line"
                    : ", found '" + clip(s.substring(i, Math.min(s.length(), i + 20))) + "'"));
            i++;
        }

        /** Only a comment or spaces may follow. */
        void end() {
            skip();
            if (i < s.length() && s.charAt(i) != '%') throw error("unexpected '" + clip(s.substring(i)) + "' at the end of the line");
        }

        int index() {
            int b = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            if (b == i || i - b > 9) throw error("expected an attribute index (a number from 0) in a sparse instance");
            return Integer.parseInt(s.substring(b, i));
        }

        /** A name or value in a declaration (quoted or up to a space, brace or comma). */
        String value(String what) {
            skip();
            if (i >= s.length() || s.charAt(i) == '%') throw error("expected " + what);
            if (s.charAt(i) == '\'' || s.charAt(i) == '"') return quoted();
            int b = i;
            while (i < s.length() && " \t{},%".indexOf(s.charAt(i)) < 0) i++;
            if (b == i) throw error("expected " + what);
            return s.substring(b, i);
        }

        /** One data value: null for {@code ?}. */
        String datum() {
            skip();
            if (i >= s.length() || s.charAt(i) == ',' || s.charAt(i) == '}') throw error("expected a value");
            char ch = s.charAt(i);
            if (ch == '\'' || ch == '"') return quoted();
            int b = i;
            while (i < s.length() && ",}%".indexOf(s.charAt(i)) < 0) i++;
            String v = s.substring(b, i).strip();
            return v.equals("?") ? null : v;
        }

        String quoted() {
            char q = s.charAt(i);
            int open = i;
            i++;
            StringBuilder sb = new StringBuilder();
            while (i < s.length()) {
                char ch = s.charAt(i++);
                if (ch == q) return sb.toString();
                if (ch == '\\' && i < s.length()) {
                    char e = s.charAt(i++);
                    sb.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> e;
                    });
                } else sb.append(ch);
            }
            throw new ArffException(line, open + 1, "this quote is not closed on its line");
        }

        Attribute type(String name) {
            skip();
            int col = i + 1;
            if (i < s.length() && s.charAt(i) == '{') {
                i++;
                List<String> values = new ArrayList<>();
                while (true) {
                    skip();
                    if (i < s.length() && s.charAt(i) == '}' && values.isEmpty()) {
                        throw error("nominal attribute '" + clip(name) + "' lists no values");
                    }
                    String v = value("a nominal value");
                    if (values.contains(v)) throw new ArffException(line, i, "value '" + clip(v) + "' is listed twice");
                    if (values.size() >= MAX_NOMINAL) throw error("more than " + MAX_NOMINAL + " nominal values");
                    values.add(v);
                    skip();
                    if (i < s.length() && s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    expect('}', "',' or '}' in the list of values");
                    end();
                    return new Attribute(name, Type.NOMINAL, values, line);
                }
            }
            String t = word().toLowerCase(Locale.ROOT);
            Type type = switch (t) {
                case "numeric", "real", "integer" -> Type.NUMERIC;
                case "string" -> Type.STRING;
                case "date" -> Type.DATE;
                case "relational" -> throw new ArffException(line, col, "relational attributes are not supported; flatten the file first");
                default -> throw new ArffException(line, col, "unknown type '" + clip(t.isEmpty() ? s.substring(Math.min(i, s.length())) : t)
                        + "' of attribute '" + clip(name) + "'; use numeric, real, integer, string, date or {value, ...}");
            };
            if (type == Type.DATE) {
                skip();
                if (i < s.length() && s.charAt(i) != '%') value("a date format");
            }
            end();
            return new Attribute(name, type, List.of(), line);
        }
    }
}
