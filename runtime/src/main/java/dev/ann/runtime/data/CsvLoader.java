package dev.ann.runtime.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a CSV file: an optional header, feature columns, and either a label
 * column (class names or integers) or target columns (numbers). Fields may be
 * quoted with double quotes. Every malformed row is an error that names the
 * file, line and column (1-based, the column counting characters); the rows
 * are parsed by the kernels' {@link dev.ann.kernels.Csv}.
 */
public final class CsvLoader {
    private CsvLoader() {}

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
}
