package dev.ann.runtime;

import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Shape;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.data.Samples;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Run in a child JVM with a small heap by {@link StreamHeapTest}: loads an
 * IDX dataset whose float32 samples are several times the heap with the
 * default budget and reads every training sample in a seeded epoch order,
 * batch by batch. Prints the data line and a checksum.
 */
public final class StreamHeapMain {
    public static void main(String[] a) {
        Path im = Path.of(a[0]), lb = Path.of(a[1]);
        DataPipeline p = new DataPipeline("Big", List.of(new DataPipeline.Source("train", "idx",
                new Args(Map.of("images", im.toString(), "labels", lb.toString())))), Shape.of(1, 28, 28),
                new DataPipeline.Labels("classes", List.of(), 10, 0), null, 0.1, 1 / 255.0, "standard", true, 1, 1, null);
        Long budget = a.length > 2 ? Long.valueOf(a[2]) : null; // null: the default, a quarter of the heap
        try (Pipeline.Splits s = Pipeline.load(p, budget)) {
            System.out.println(s.mode());
            Samples t = s.train();
            int[] order = dev.ann.kernels.Seeds.permutation(t.n, new Random(3));
            int batch = 128;
            float[] x = new float[batch * t.sampleSize];
            double sum = 0;
            for (int from = 0; from < t.n; from += batch) {
                int n = Math.min(batch, t.n - from);
                for (int i = 0; i < n; i++) t.read(order[from + i], x, i * t.sampleSize);
                for (int k = 0; k < n * t.sampleSize; k++) sum += x[k];
            }
            System.out.println("samples " + t.n + " checksum " + sum);
            System.out.println("max heap " + Runtime.getRuntime().maxMemory());
        }
    }
}
