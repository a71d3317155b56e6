package dev.ann.compiler.check;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Looks into data files at compile time, as far as checking needs: a CSV's
 * columns and label values, an IDX file's header and label range, a picture
 * folder's classes. Results are cached by path, size and modification time.
 */
final class DataProbe {
    private DataProbe() {}

    /** Rows of a CSV read at most, to find its label values. */
    static final int MAX_ROWS = 200_000;
    /** Characters of a CSV read at most (a 5 GB file is checked on its first 256 Mi characters). */
    static final long MAX_CHARS = 256L << 20;
    /** Characters of one CSV line: a longer one is not a CSV row (/dev/zero, a binary file). */
    static final int MAX_LINE = 1 << 20;
    /** Different values of a label column: more are not classes. */
    static final int MAX_LABELS = 10_000;
    /** Bytes of an IDX label file scanned for the largest label. */
    static final long MAX_IDX_LABELS = 100_000_000L;

    /**
     * What a CSV holds. Its values never reach a message (a CSV may be any file,
     * /proc/self/environ included): errors say where, not what.
     *
     * @param firstRow per label value, the first data row (1-based) that holds it
     */
    record Csv(int columns, int rows, List<String> labelValues, Map<String, Integer> firstRow, boolean numericLabels,
               String error) {}

    record Idx(int count, List<Integer> dims, int maxLabel, String error) {}

    /**
     * An ARFF file's header (the kernels' reader, stopping at {@code @data}); the error says where
     * (line:col) and what was expected, never the file's text (quoted parts are left out).
     */
    record ArffHeader(List<dev.ann.kernels.Arff.Attribute> attributes, String error) {}

    static ArffHeader arff(Path file) {
        String k = key("arff", file, "");
        Object cached = CACHE.get(k);
        if (cached instanceof ArffHeader h) return h;
        ArffHeader h;
        try {
            h = new ArffHeader(dev.ann.kernels.Arff.header(file).attributes(), null);
        } catch (dev.ann.kernels.Arff.ArffException e) {
            h = new ArffHeader(List.of(), (e.line > 0 ? "line " + e.line + ", column " + e.col + ": " : "")
                    + e.what.replaceAll("'[^']*'", "(...)"));
        } catch (IOException | RuntimeException e) {
            h = new ArffHeader(List.of(), "cannot read it (" + reason(e) + ")");
        }
        remember(k, h);
        return h;
    }

    private static final Map<String, Object> CACHE = new ConcurrentHashMap<>();

    private static String key(String kind, Path p, String extra) {
        try {
            return kind + "|" + p + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis() + "|" + extra;
        } catch (IOException e) {
            return kind + "|" + p + "|?|" + extra;
        }
    }

    /** A long editor session edits data files too: keep the cache small. */
    private static void remember(String key, Object value) {
        if (CACHE.size() > 512) CACHE.clear();
        CACHE.put(key, value);
    }

    /** Reads the column count and the distinct values of one column (label &lt; 0: none). */
    static Csv csv(Path file, boolean header, String delimiter, int label) {
        String k = key("csv", file, header + "|" + delimiter + "|" + label);
        Object cached = CACHE.get(k);
        if (cached instanceof Csv c) return c;
        Csv c = readCsv(file, header, delimiter, label);
        remember(k, c);
        return c;
    }

    private static Csv readCsv(Path file, boolean header, String delimiter, int label) {
        String sep = java.util.regex.Pattern.quote(delimiter.isEmpty() ? "," : delimiter);
        try (Lines r = new Lines(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
            String line;
            int columns = -1;
            int rows = 0;
            Map<String, Integer> values = new java.util.TreeMap<>();
            boolean numeric = true;
            boolean first = true;
            while ((line = r.next()) != null && rows < MAX_ROWS && r.read <= MAX_CHARS) {
                if (line.isBlank()) continue;
                String[] cells = line.split(sep, -1);
                if (columns < 0) columns = cells.length;
                if (first && header) {
                    first = false;
                    continue;
                }
                first = false;
                rows++;
                if (label >= 0 && label < cells.length) {
                    String v = cells[label].trim();
                    if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) v = v.substring(1, v.length() - 1);
                    if (v.isBlank()) {
                        return failed("line " + r.lines + " has an empty label (column " + label + "); fill it in or remove the row");
                    }
                    if (values.putIfAbsent(v, rows) == null && values.size() > MAX_LABELS) {
                        return failed("column " + label + " holds more than " + MAX_LABELS + " different values, too many "
                                + "for class labels; for regression values use `target: " + label + "`");
                    }
                    if (!v.matches("-?\\d{1,18}")) numeric = false;
                }
            }
            if (r.tooLong) return failed("line " + r.lines + " is longer than " + (MAX_LINE >> 20) + " Mi characters; is it a CSV file?");
            if (columns < 0) return failed("the file is empty");
            List<String> ordered = new ArrayList<>(values.keySet());
            if (numeric && !ordered.isEmpty()) ordered.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
            return new Csv(columns, rows, ordered, values, numeric, null);
        } catch (IOException | RuntimeException e) {
            return failed("cannot read it (" + reason(e) + ")");
        }
    }

    private static Csv failed(String why) {
        return new Csv(0, 0, List.of(), Map.of(), true, why);
    }

    /** An exception in words that cannot quote the file (a NumberFormatException would). */
    private static String reason(Exception e) {
        return e instanceof IOException && e.getMessage() != null && !(e instanceof java.nio.charset.CharacterCodingException)
                ? e.getClass().getSimpleName() + ": " + dev.ann.compiler.diag.Limits.message(e.getMessage())
                : e.getClass().getSimpleName();
    }

    /** Lines of text, none longer than {@link #MAX_LINE}: a line without an end in sight stops the reading. */
    private static final class Lines implements AutoCloseable {
        private final java.io.Reader in;
        private final char[] buf = new char[1 << 16];
        private int pos;
        private int len;
        long read;
        int lines;
        boolean tooLong;

        Lines(java.io.Reader in) {
            this.in = in;
        }

        String next() throws IOException {
            StringBuilder line = new StringBuilder();
            while (true) {
                if (pos >= len) {
                    len = in.read(buf);
                    pos = 0;
                    if (len <= 0) {
                        len = 0;
                        if (line.length() == 0) return null;
                        lines++;
                        return line.toString();
                    }
                    read += len;
                }
                char c = buf[pos++];
                if (c == '\n') {
                    lines++;
                    int n = line.length();
                    if (n > 0 && line.charAt(n - 1) == '\r') line.setLength(n - 1);
                    return line.toString();
                }
                if (line.length() >= MAX_LINE) {
                    lines++;
                    tooLong = true;
                    return null;
                }
                line.append(c);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Reads an IDX header; for a label file (one dimension) also the largest label. */
    static Idx idx(Path file) {
        String k = key("idx", file, "");
        Object cached = CACHE.get(k);
        if (cached instanceof Idx c) return c;
        Idx c = readIdx(file);
        remember(k, c);
        return c;
    }

    private static Idx readIdx(Path file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(open(file), 1 << 16))) {
            int magic = in.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != 0x08) {
                return new Idx(0, List.of(), -1, "it is not an IDX file of bytes (magic number 0x"
                        + Integer.toHexString(magic) + ", expected 0x00000801 or 0x00000803)");
            }
            int rank = magic & 0xff;
            if (rank < 1 || rank > 4) return new Idx(0, List.of(), -1, "its header declares " + rank + " dimensions");
            int count = in.readInt();
            List<Integer> dims = new ArrayList<>();
            for (int i = 1; i < rank; i++) dims.add(in.readInt());
            int max = -1;
            long read = 0;
            if (rank == 1) {
                // the labels the header promises, no more (a gzip bomb decompresses forever)
                long left = Math.min(Integer.toUnsignedLong(count), MAX_IDX_LABELS);
                byte[] buf = new byte[1 << 16];
                int n;
                while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                    for (int i = 0; i < n; i++) max = Math.max(max, buf[i] & 0xff);
                    left -= n;
                    read += n;
                }
            }
            String bad = countError(file, rank, count, dims, rank == 1 && Integer.toUnsignedLong(count) <= MAX_IDX_LABELS ? read : -1);
            if (bad != null) return new Idx(0, List.of(), -1, bad);
            return new Idx(count, dims, max, null);
        } catch (IOException | RuntimeException e) {
            return new Idx(0, List.of(), -1, "cannot read its header (" + reason(e) + ")");
        }
    }

    /**
     * The header's counts against the file's size (the same rule as the
     * runtime's IdxLoader): no items, or more than the file can hold, is an
     * error. {@code dataRead}: the data bytes after the header when they were
     * all read (a label file), else -1 (then the size on disk, or for gzip
     * deflate's largest ratio and the trailer's size, bound it).
     */
    static String countError(Path file, int rank, int count, List<Integer> dims, long dataRead) throws IOException {
        if (count == 0) return "it holds no items (its header says 0); give a file with samples";
        long data = Integer.toUnsignedLong(count);
        for (int d : dims) {
            if (d <= 0) return "its header claims a dimension of " + Integer.toUnsignedString(d) + ", which no file can hold (damaged header?)";
            data = data > Long.MAX_VALUE / 2 / d ? Long.MAX_VALUE / 2 : data * d;
        }
        if (count < 0) return "its header claims " + Integer.toUnsignedString(count) + " items, which no file can hold (damaged header?)";
        long header = 4L + 4L * rank, size = Files.size(file);
        long have;
        String how;
        if (dataRead >= 0) {
            have = dataRead;
            how = have + " bytes of data";
        } else if (!gzip(file)) {
            have = size - header;
            how = have + " bytes of data";
        } else {
            have = size > Long.MAX_VALUE / 1032 ? Long.MAX_VALUE : size * 1032 - header;
            if (data + header < (1L << 32) && size >= 18) {
                try (var ch = java.nio.channels.FileChannel.open(file)) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    ch.read(b, size - 4);
                    have = Math.min(have, Integer.toUnsignedLong(b.flip().getInt()) - header);
                }
            }
            how = "at most " + have + " bytes of data uncompressed";
        }
        if (data <= have) return null;
        StringBuilder what = new StringBuilder(Integer.toUnsignedString(count)).append(rank == 1 ? " labels" : " items");
        for (int i = 0; i < dims.size(); i++) what.append(i == 0 ? " of " : "×").append(dims.get(i));
        if (!dims.isEmpty()) what.append(" bytes");
        return "it ends early (truncated download?) or its header is damaged: the header claims " + what + " (" + data + " bytes), but the file holds " + how;
    }

    private static boolean gzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** Sub-folders of a picture folder: the class names, sorted. */

    /** Sub-folders of a picture folder: the class names, sorted; at most {@link #MAX_LABELS} + 1 of them. */
    static List<String> classFolders(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isDirectory).limit(MAX_LABELS + 1).map(x -> x.getFileName().toString()).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int a = raw.read();
        int b = raw.read();
        raw.reset();
        return a == 0x1f && b == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
    }
}
