package dev.ann.bench.peers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's measured fp32 peak as ann can reach it: square float GEMMs through ND4J
 * (Nd4j.gemm, the call ann's kernels make) at several sizes, each repeated for about
 * {@code seconds}; prints the best GFLOP/s (2 n^3 per product) and the size it came at, as one JSON line.
 * The thread count is OpenMP's (run.sh runs it with OMP_NUM_THREADS=1 and 2).
 *
 * <pre>java -cp ... dev.ann.bench.peers.Peak [seconds per size]</pre>
 */
public final class Peak {
    private Peak() {}

    public static void main(String[] a) {
        double seconds = a.length > 0 ? Double.parseDouble(a[0]) : 0.5;
        double best = 0;
        int bestN = 0;
        StringBuilder all = new StringBuilder();
        for (int n : new int[] {128, 256, 384, 512, 768, 1024, 1536}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, n, n), w = Nd4j.rand(DataType.FLOAT, n, n), z = Nd4j.createUninitialized(DataType.FLOAT, n, n);
            for (int i = 0; i < 3; i++) Nd4j.gemm(x, w, z, false, false, 1.0, 0.0);
            double gflops = 0;
            for (int rep = 0; rep < 3; rep++) { // best of three timings of the size
                long reps = 0, t0 = System.nanoTime(), t;
                do {
                    Nd4j.gemm(x, w, z, false, false, 1.0, 0.0);
                    reps++;
                    t = System.nanoTime() - t0;
                } while (t < seconds * 1e9 / 3);
                gflops = Math.max(gflops, 2.0 * n * n * n * reps / t);
            }
            all.append(String.format("%s\"%d\": %.1f", all.length() == 0 ? "" : ", ", n, gflops));
            if (gflops > best) { best = gflops; bestN = n; }
        }
        System.out.printf("{\"threads\": %s, \"peak_gflops\": %.1f, \"at_n\": %d, \"by_n\": {%s}}%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "\"default\""), best, bestN, all);
    }
}
