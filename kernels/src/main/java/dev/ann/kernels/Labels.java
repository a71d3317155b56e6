package dev.ann.kernels;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Class labels as written in data files, mapped to class indices. When a
 * dataset names no classes, the names come from the labels seen: 0..max when
 * every label is an integer, else the labels in sorted order.
 */
public final class Labels {
    private Labels() {}

    /** The class names 0, 1, ..., k-1. */
    public static List<String> numbered(int k) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) names.add(String.valueOf(i));
        return names;
    }

    /** Class names from the labels seen, at least {@code numClasses} of them when all are integers. */
    public static List<String> classNames(Collection<String> seen, int numClasses) {
        TreeSet<String> sorted = new TreeSet<>(seen);
        boolean allIntegers = true;
        for (String v : sorted) {
            if (!v.matches("-?\\d+")) {
                allIntegers = false;
                break;
            }
        }
        if (!allIntegers) return new ArrayList<>(sorted);
        int max = sorted.stream().mapToInt(Integer::parseInt).max().orElse(0);
        return numbered(Math.max(max + 1, numClasses));
    }

    /**
     * The class index of a label: its position among {@code names}, else the
     * label read as an integer; -1 when it is neither or is out of range
     * ({@code numClasses} outputs when above 0, and the names when given).
     */
    public static int index(String label, List<String> names, int numClasses) {
        int idx = names.indexOf(label);
        if (idx < 0) {
            try {
                idx = Integer.parseInt(label);
            } catch (NumberFormatException e) {
                idx = -1;
            }
        }
        if (idx < 0 || (numClasses > 0 && idx >= numClasses) || (!names.isEmpty() && idx >= names.size())) return -1;
        return idx;
    }

    /** The labels of a file as class indices; the first label that is not a class is refused. */
    public static int[] indices(String file, List<String> labels, List<String> names, int numClasses) {
        int[] out = new int[labels.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = index(labels.get(i), names, numClasses);
            if (out[i] < 0) throw notAClass(file, labels.get(i), i, names);
        }
        return out;
    }

    /** The message for data row {@code row} (0-based) whose label is not one of the classes. */
    public static BadData notAClass(String file, String label, int row, List<String> names) {
        return new BadData(file, 0, 0, "label '" + label + "' of data row " + (row + 1) + " is not one of the classes " + names);
    }

    /** Refuses a class index at or above {@code numClasses} (when above 0), e.g. of an IDX label file. */
    public static void checkRange(String file, int[] labels, int numClasses) {
        if (numClasses <= 0) return;
        for (int l : labels) {
            if (l >= numClasses) throw new BadData(file, 0, 0, "label " + l + " is out of range: the network has " + numClasses + " outputs");
        }
    }
}
