package dev.ann.runtime.data;

import dev.ann.kernels.BadData;
import dev.ann.kernels.Csv;
import dev.ann.runtime.RunException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over a CSV file that validates every row (each row
 * split, checked and parsed by the kernels' {@link Csv}, with its
 * file:line:column messages) and records where each data
 * row starts, so that rows can later be read back by index. Labels (as ids
 * into the distinct values seen) and targets are kept; the features are kept
 * too while they fit in {@code keepBytes}, else dropped and re-read per row by
 * {@link #samples}.
 */
public final class CsvIndex {
    /** the file's path, or its URI ({@link DataFiles}) */
    public final String file;
    public final int n, width, targetWidth;
    /** the features of every row, or null when they were over the budget */
    public final float[] x;
    /** per row, an index into {@link #labelValues}; null without a label column */
    public final int[] labelIds;
    /** distinct label values (trimmed) in order of first appearance */
    public final List<String> labelValues;
    public final float[] targets;
    final long[] offsets;
    final int[] lengths, lines;
    final List<Integer> features;
    final List<String> headerNames;
    final char delim;

    private CsvIndex(String file, int n, int width, int targetWidth, float[] x, int[] labelIds, List<String> labelValues, float[] targets,
                     long[] offsets, int[] lengths, int[] lines, List<Integer> features, List<String> headerNames, char delim) {
        this.file = file;
        this.n = n;
        this.width = width;
        this.targetWidth = targetWidth;
        this.x = x;
        this.labelIds = labelIds;
        this.labelValues = labelValues;
        this.targets = targets;
        this.offsets = offsets;
        this.lengths = lengths;
        this.lines = lines;
        this.features = features;
        this.headerNames = headerNames;
        this.delim = delim;
    }

    /** Bytes the features take as float32. */
    public long decodedBytes() {
        return 4L * n * width;
    }

    /** The same index without the features in memory. */
    public CsvIndex withoutFeatures() {
        return x == null ? this : new CsvIndex(file, n, width, targetWidth, null, labelIds, labelValues, targets, offsets, lengths, lines,
                features, headerNames, delim);
    }

    public static CsvIndex scan(Path file, boolean header, List<Integer> features, List<Integer> labelCols,
                                List<Integer> targetCols, String delimiter, long keepBytes) {
        return scan(file.toString(), header, features, labelCols, targetCols, delimiter, keepBytes);
    }

    /** The same for a path or a URI ({@link DataFiles}: hdfs://, s3a:// through the cluster's opener). */
    public static CsvIndex scan(String file, boolean header, List<Integer> features, List<Integer> labelCols,
                                List<Integer> targetCols, String delimiter, long keepBytes) {
        String name = file;
        char delim = Csv.delimiter(delimiter);
        int need = 0;
        for (int c : features) need = Math.max(need, c + 1);
        for (int c : labelCols) need = Math.max(need, c + 1);
        for (int c : targetCols) need = Math.max(need, c + 1);
        int w = features.size(), tw = targetCols.size();
        boolean keep = keepBytes > 0;
        float[] x = keep ? new float[Math.max(16, w * 64)] : null;
        float[] t = tw > 0 ? new float[tw * 64] : null;
        int[] lab = labelCols.isEmpty() ? null : new int[64];
        Map<String, Integer> ids = new HashMap<>();
        List<String> values = new ArrayList<>();
        long[] offs = new long[64];
        int[] lens = new int[64], lines = new int[64];
        List<String> headerNames = List.of();
        boolean headerDone = !header;
        int n = 0;
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = DataFiles.stream(file)) {
            byte[] chunk = new byte[1 << 16];
            int cl = 0, cp = 0;
            byte[] buf = new byte[256];
            long pos = 0, start = 0;
            int len = 0, no = 0;
            boolean eof = false, afterCr = false;
            while (!eof) {
                int b;
                if (cp < cl) b = chunk[cp++] & 0xff;
                else {
                    cl = Math.max(0, in.read(chunk));
                    cp = 0;
                    b = cl == 0 ? -1 : chunk[cp++] & 0xff;
                }
                if (b == '\n' && afterCr) { // the \n of \r\n
                    afterCr = false;
                    pos++;
                    start = pos;
                    continue;
                }
                afterCr = false;
                if (b == -1 && len == 0 && start == pos) break;
                if (b == -1 || b == '\n' || b == '\r') {
                    eof = b == -1;
                    afterCr = b == '\r';
                    no++;
                    String line = decode(dec, buf, len, name);
                    if (!line.isBlank()) {
                        Csv.Row row = Csv.split(name, no, line, delim);
                        if (!headerDone) {
                            headerNames = row.fields();
                            headerDone = true;
                        } else {
                            Csv.checkWidth(name, row, need);
                            if (keep && (long) (n + 1) * w * 4 > keepBytes) {
                                keep = false;
                                x = null;
                            }
                            if (keep) {
                                if ((n + 1) * w > x.length) x = Arrays.copyOf(x, grow(x.length, (n + 1) * w));
                                for (int j = 0; j < w; j++) x[n * w + j] = Csv.number(name, row, features.get(j), headerNames);
                            } else {
                                for (int j = 0; j < w; j++) Csv.number(name, row, features.get(j), headerNames);
                            }
                            if (tw > 0) {
                                if ((n + 1) * tw > t.length) t = Arrays.copyOf(t, grow(t.length, (n + 1) * tw));
                                for (int j = 0; j < tw; j++) t[n * tw + j] = Csv.number(name, row, targetCols.get(j), headerNames);
                            }
                            if (lab != null) {
                                String v = Csv.label(name, row, labelCols.get(0));
                                if (n == lab.length) lab = Arrays.copyOf(lab, grow(lab.length, n + 1));
                                Integer id = ids.get(v);
                                if (id == null) {
                                    id = values.size();
                                    ids.put(v, id);
                                    values.add(v);
                                }
                                lab[n] = id;
                            }
                            if (n == offs.length) {
                                int g = grow(offs.length, n + 1);
                                offs = Arrays.copyOf(offs, g);
                                lens = Arrays.copyOf(lens, g);
                                lines = Arrays.copyOf(lines, g);
                            }
                            offs[n] = start;
                            lens[n] = len;
                            lines[n] = no;
                            n++;
                        }
                    }
                    pos += eof ? 0 : 1;
                    start = pos;
                    len = 0;
                    continue;
                }
                if (len == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
                buf[len++] = (byte) b;
                pos++;
            }
        } catch (BadData e) {
            throw RunException.of(e);
        } catch (NoSuchFileException e) {
            throw new RunException(RunException.BAD_INPUT, name + ": no such file; check the path in the dataset's csv(...) (relative paths are read from the .ann file's folder)");
        } catch (IOException e) {
            if (e instanceof java.io.FileNotFoundException) throw DataFiles.cannotOpen(name, e);
            throw new RunException(RunException.BAD_INPUT, name + ": cannot read: " + e.getMessage());
        }
        if (n == 0) throw RunException.data(name, 0, 0, "no data rows");
        return new CsvIndex(file, n, w, tw, x == null ? null : Arrays.copyOf(x, n * w), lab == null ? null : Arrays.copyOf(lab, n),
                List.copyOf(values), t == null ? null : Arrays.copyOf(t, n * tw), Arrays.copyOf(offs, n), Arrays.copyOf(lens, n),
                Arrays.copyOf(lines, n), List.copyOf(features), headerNames, delim);
    }

    private static int grow(int have, int need) {
        long g = Math.max((long) need, have + (have >> 1) + 16);
        if (g > Integer.MAX_VALUE - 16) {
            if (need > Integer.MAX_VALUE - 16) throw new RunException(RunException.BAD_INPUT, "the CSV file has too many values for one array");
            g = Integer.MAX_VALUE - 16;
        }
        return (int) g;
    }

    private static String decode(CharsetDecoder dec, byte[] b, int len, String name) {
        try {
            CharBuffer cb = dec.reset().decode(ByteBuffer.wrap(b, 0, len));
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw RunException.data(name, 0, 0, "not UTF-8 text; save the file as UTF-8 CSV");
        }
    }

    /** The rows as samples of shape [width], read back from the file by index when the features were not kept. */
    public Samples samples(int[] labels, List<String> classNames) {
        if (x != null) return new Dataset(n, new int[] {width}, x, labels, targets, targetWidth, classNames);
        return new OnDisk(this, labels, classNames);
    }

    /** CSV rows read on demand: one positioned read and one parse per sample. */
    static final class OnDisk extends Samples {
        final CsvIndex ix;
        private DataFiles.Random ch;
        private final ThreadLocal<ByteBuffer> bufs = new ThreadLocal<>();
        private final ThreadLocal<CharsetDecoder> decs = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));

        OnDisk(CsvIndex ix, int[] labels, List<String> classNames) {
            super(ix.n, new int[] {ix.width}, labels, ix.targets, ix.targetWidth, classNames);
            this.ix = ix;
        }

        private synchronized DataFiles.Random channel() {
            if (ch == null) ch = DataFiles.open(ix.file);
            return ch;
        }

        @Override
        public void read(int i, float[] dst, int off) {
            String name = ix.file;
            int len = ix.lengths[i];
            ByteBuffer b = bufs.get();
            if (b == null || b.capacity() < len) {
                b = ByteBuffer.allocate(Math.max(len, 256));
                bufs.set(b);
            }
            b.clear().limit(len);
            try {
                DataFiles.Random c = channel();
                long p = ix.offsets[i];
                while (b.hasRemaining()) {
                    int r = c.read(p + b.position(), b.array(), b.position(), b.remaining());
                    if (r > 0) b.position(b.position() + r);
                    if (r < 0) throw RunException.data(name, ix.lines[i], 0, "the file got shorter since it was indexed; do not change data files while training");
                }
            } catch (IOException e) {
                throw new RunException(RunException.BAD_INPUT, name + ": cannot read: " + e.getMessage());
            }
            b.flip();
            String line;
            try {
                line = decs.get().reset().decode(b).toString();
            } catch (CharacterCodingException e) {
                throw RunException.data(name, ix.lines[i], 0, "not UTF-8 text; the file changed since it was indexed");
            }
            try {
                Csv.Row row = Csv.split(name, ix.lines[i], line, ix.delim);
                if (row.fields().size() <= ix.features.stream().mapToInt(Integer::intValue).max().orElse(0)) {
                    throw RunException.data(name, ix.lines[i], 0, "this row changed since the file was indexed; do not change data files while training");
                }
                for (int j = 0; j < ix.width; j++) dst[off + j] = Csv.number(name, row, ix.features.get(j), ix.headerNames);
            } catch (BadData e) {
                throw RunException.of(e);
            }
        }

        @Override
        public boolean inMemory() {
            return false;
        }

        @Override
        public synchronized void close() {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to do: it was only read
                }
                ch = null;
            }
        }
    }
}
