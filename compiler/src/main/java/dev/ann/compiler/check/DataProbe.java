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

    record Csv(int columns, int rows, List<String> labelValues, boolean numericLabels, String error) {}

    record Idx(int count, List<Integer> dims, int maxLabel, String error) {}

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
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
            String line;
            int columns = -1;
            int rows = 0;
            TreeSet<String> values = new TreeSet<>();
            boolean numeric = true;
            boolean first = true;
            int lineNo = 0;
            while ((line = r.readLine()) != null && rows < MAX_ROWS) {
                lineNo++;
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
                        return new Csv(0, 0, List.of(), true, "line " + lineNo + " has an empty label (column " + label
                                + "); fill it in or remove the row");
                    }
                    values.add(v);
                    if (!v.matches("-?\\d+")) numeric = false;
                }
            }
            if (columns < 0) return new Csv(0, 0, List.of(), true, "the file is empty");
            List<String> ordered = new ArrayList<>(values);
            if (numeric && !ordered.isEmpty()) ordered.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
            return new Csv(columns, rows, ordered, numeric, null);
        } catch (IOException | RuntimeException e) {
            return new Csv(0, 0, List.of(), true, "cannot read it (" + e.getMessage() + ")");
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
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    read += n;
                    for (int i = 0; i < n; i++) max = Math.max(max, buf[i] & 0xff);
                }
            }
            String bad = countError(file, rank, count, dims, rank == 1 ? read : -1);
            if (bad != null) return new Idx(0, List.of(), -1, bad);
            return new Idx(count, dims, max, null);
        } catch (IOException | RuntimeException e) {
            return new Idx(0, List.of(), -1, "cannot read its header (" + e.getMessage() + ")");
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
    static List<String> classFolders(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isDirectory).map(x -> x.getFileName().toString()).sorted().toList();
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
