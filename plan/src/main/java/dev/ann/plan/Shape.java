package dev.ann.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A per-sample tensor shape (the batch dimension is implicit), e.g. {@code [1, 28, 28]}. */
public record Shape(List<Integer> dims) {

    public Shape {
        dims = List.copyOf(dims);
    }

    public static Shape of(int... dims) {
        List<Integer> list = new ArrayList<>(dims.length);
        for (int d : dims) list.add(d);
        return new Shape(list);
    }

    public int rank() {
        return dims.size();
    }

    public int dim(int i) {
        return dims.get(i);
    }

    /** Number of elements of one sample. */
    public long size() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    public int[] toArray() {
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return dims.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }
}
