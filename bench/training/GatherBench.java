import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Shape;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.data.Samples;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * How fast batches of 128 samples are gathered in a shuffled order, in memory
 * and streamed, from each kind of source: Fashion-MNIST (IDX, gzip), a
 * synthetic CSV file and a folder of synthetic PNG pictures. No ND4J: this is
 * the prefetch thread's work alone. Run by bench/training/gather.sh.
 */
public class GatherBench {
    public static void main(String[] a) throws Exception {
        Path work = Path.of(a[0]);
        String fm = "/usr/share/datasets/fashion-mnist/";
        if (Files.exists(Path.of(fm + "train-images-idx3-ubyte.gz"))) {
            bench("fashion-mnist train (idx, gzip, 28x28)", new DataPipeline("F", List.of(new DataPipeline.Source("train", "idx",
                    new Args(Map.of("images", fm + "train-images-idx3-ubyte.gz", "labels", fm + "train-labels-idx1-ubyte.gz")))),
                    Shape.of(1, 28, 28), new DataPipeline.Labels("classes", List.of(), 10, 0), null, 0.1, 1 / 255.0, "none", true, 7, 1, null));
        }
        Path csv = work.resolve("big.csv");
        Random r = new Random(1);
        int rows = 200_000, cols = 16;
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            for (int c = 0; c < cols; c++) w.write("f" + c + ",");
            w.write("label\n");
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < cols; c++) w.write(String.format("%.5f,", r.nextGaussian()));
                w.write(r.nextBoolean() ? "yes\n" : "no\n");
            }
        }
        List<Integer> feats = new java.util.ArrayList<>();
        for (int c = 0; c < cols; c++) feats.add(c);
        bench("csv, " + rows + " rows x " + cols + " features (" + Files.size(csv) / (1 << 20) + " MiB), standard", new DataPipeline("C",
                List.of(new DataPipeline.Source("all", "csv", new Args(Map.of("path", csv.toString(), "header", true, "features", feats,
                        "label", List.of(cols), "delimiter", ",")))), Shape.of(cols), new DataPipeline.Labels("classes", List.of(), 2, 0),
                new DataPipeline.Split(0.8, 0.1, 0.1), 0, 1, "standard", true, 3, 1, null));
        Path pics = work.resolve("pics");
        int per = 500;
        for (String c : new String[] {"a", "b"}) {
            Files.createDirectories(pics.resolve(c));
            for (int k = 0; k < per; k++) {
                BufferedImage b = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 48; y++) for (int x = 0; x < 64; x++) b.setRGB(x, y, r.nextInt(1 << 24));
                ImageIO.write(b, "png", pics.resolve(c).resolve(k + ".png").toFile());
            }
        }
        bench("pictures, " + 2 * per + " PNG 64x48 -> [3, 32, 32]", new DataPipeline("P", List.of(new DataPipeline.Source("train", "images",
                new Args(Map.of("folder", pics.toString(), "size", List.of(3, 32, 32))))), Shape.of(3, 32, 32),
                new DataPipeline.Labels("classes", List.of(), 2, 0), null, 0, 1 / 255.0, "none", true, 3, 1, null));
    }

    static void bench(String name, DataPipeline p) {
        for (long budget : new long[] {1L << 40, 0L}) {
            long t0 = System.nanoTime();
            try (Pipeline.Splits s = Pipeline.load(p, budget)) {
                double load = (System.nanoTime() - t0) / 1e9;
                Samples t = s.train();
                int[] order = dev.ann.kernels.Seeds.permutation(t.n, new Random(3));
                float[] x = new float[128 * t.sampleSize];
                double best = 0, sink = 0;
                for (int rep = 0; rep < 3; rep++) {
                    long t2 = System.nanoTime();
                    for (int from = 0; from < t.n; from += 128) {
                        int n = Math.min(128, t.n - from);
                        for (int i = 0; i < n; i++) t.read(order[from + i], x, i * t.sampleSize);
                        sink += x[0];
                    }
                    best = Math.max(best, t.n / ((System.nanoTime() - t2) / 1e9));
                }
                System.out.printf("%-55s %-9s load %5.2f s, gather %,10.0f samples/s (%.3f ms per batch of 128)%s%n", name,
                        s.streamed() ? "streamed" : "in memory", load, best, 128_000 / best, sink == 42 ? " " : "");
            }
        }
    }
}
