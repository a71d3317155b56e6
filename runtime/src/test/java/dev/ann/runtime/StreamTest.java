package dev.ann.runtime;

import static dev.ann.runtime.PlanBuilder.args;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import dev.ann.runtime.data.Budget;
import dev.ann.runtime.data.CsvIndex;
import dev.ann.runtime.data.CsvLoader;
import dev.ann.runtime.data.Dataset;
import dev.ann.runtime.data.IdxLoader;
import dev.ann.runtime.data.IdxSamples;
import dev.ann.runtime.data.ImageLoader;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.data.Samples;
import dev.ann.runtime.train.Batches;
import dev.ann.runtime.train.Trainer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data that streams from disk gives the same samples, and so the same
 * training, as data in memory; the on-disk sources read by index what a
 * sequential decode reads; bad rows are still reported with file:line:col.
 */
class StreamTest {
    @TempDir Path tmp;

    static { Backend.init(); }

    record Run(Trainer.Result result, String log) {}

    Run train(Plan plan, Long dataMemory, String dir) {
        Trainer.Options o = new Trainer.Options();
        o.out = tmp.resolve(dir);
        o.dataMemory = dataMemory;
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        o.log = new PrintStream(bo, true, StandardCharsets.UTF_8);
        Trainer.Result r = Trainer.train(plan, o).get(0);
        return new Run(r, bo.toString(StandardCharsets.UTF_8));
    }

    /** Trains once in memory and once streamed: the same losses every epoch, the same weights, the same test metrics. */
    void sameNumbers(Plan plan) {
        Run mem = train(plan, null, "mem");
        Run str = train(plan, 0L, "stream");
        assertTrue(mem.log().contains("data: in memory"), mem.log());
        assertTrue(str.log().contains("data: streamed from disk"), str.log());
        assertEquals(mem.result().history().size(), str.result().history().size());
        for (int e = 0; e < mem.result().history().size(); e++) {
            Map<String, Double> a = mem.result().history().get(e), b = str.result().history().get(e);
            for (String k : a.keySet()) {
                if (k.equals("seconds") || k.equals("samples_per_s")) continue;
                assertEquals(a.get(k), b.get(k), "epoch " + (e + 1) + " " + k);
            }
        }
        assertArrayEquals(mem.result().net().params().data().asFloat(), str.result().net().params().data().asFloat());
        assertArrayEquals(mem.result().net().state().data().asFloat(), str.result().net().state().data().asFloat());
        assertEquals(mem.result().test().loss, str.result().test().loss);
        assertEquals(mem.result().test().toJson().toString(), str.result().test().toJson().toString());
    }

    @Test
    void irisStreamedTrainsExactlyAsInMemory() {
        // split 70/15/15 from one CSV file, standard normalisation fitted on train, 60 epochs
        sameNumbers(Fixtures.iris());
    }

    @Test
    void xorAndRegressionStreamedTrainExactlyAsInMemory() {
        sameNumbers(Fixtures.xor());
        sameNumbers(Fixtures.projectile(20));
    }

    @Test
    void aStreamedRunInterruptedAndResumedEndsWithTheWeightsOfAnUninterruptedOne() {
        Plan p = ResumeTest.plan(16); // batchnorm and dropout: running statistics and the dropout generator must resume too
        float[] whole = train(p, null, "whole").result().net().params().data().asFloat();
        Trainer.Options o = new Trainer.Options();
        o.out = tmp.resolve("cut");
        o.dataMemory = 0L;
        o.interruptEpoch = 2;
        o.interruptBatch = 3;
        o.log = new PrintStream(new ByteArrayOutputStream(), true);
        assertTrue(Trainer.train(p, o).get(0).interrupted());
        o.interruptEpoch = -1;
        o.resume = true;
        assertArrayEquals(whole, Trainer.train(p, o).get(0).net().params().data().asFloat());
    }

    // ---- IDX

    static byte[] idx(int magic, int[] dims, byte[] data) throws Exception {
        return DataTest.idx(magic, dims, data);
    }

    /** n pictures h x w whose pixels depend on the class (so that there is something to learn), gzip images, plain labels. */
    Path[] writeIdx(String name, int n, int h, int w, long seed, boolean gzip) throws Exception {
        Random r = new Random(seed);
        byte[] img = new byte[n * h * w], lab = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            lab[i] = (byte) c;
            for (int j = 0; j < h * w; j++) img[i * h * w + j] = (byte) Math.min(255, r.nextInt(120) + (j % 3 == c ? 120 : 0));
        }
        Path im = tmp.resolve(name + "-images.idx" + (gzip ? ".gz" : "")), lb = tmp.resolve(name + "-labels.idx");
        byte[] bytes = idx(0x803, new int[] {n, h, w}, img);
        if (gzip) {
            try (GZIPOutputStream g = new GZIPOutputStream(Files.newOutputStream(im))) { g.write(bytes); }
        } else {
            Files.write(im, bytes);
        }
        Files.write(lb, idx(0x801, new int[] {n}, lab));
        return new Path[] {im, lb};
    }

    static DataPipeline.Source idxSource(String role, Path[] f) {
        return new DataPipeline.Source(role, "idx", new Args(args("images", f[0].toString(), "labels", f[1].toString())));
    }

    DataPipeline idxPipeline(String normalize) throws Exception {
        Path[] tr = writeIdx("train", 240, 6, 6, 1, true), te = writeIdx("test", 60, 6, 6, 2, false);
        // validation 20% of train, a 90% subset, resized 6x6 -> 4x4, scaled to 0..1, then normalised on train
        return new DataPipeline("Pics", List.of(idxSource("train", tr), idxSource("test", te)), Shape.of(1, 4, 4),
                new DataPipeline.Labels("classes", List.of("a", "b", "c"), 3, 0), null, 0.2, 1 / 255.0, normalize, true, 5, 0.9, List.of(4, 4));
    }

    @Test
    void idxStreamedTrainsExactlyAsInMemory() throws Exception {
        Plan p = new PlanBuilder(1, 4, 4).flatten().dense(8).act("relu").dropout(0.1).dense(3, "xavier").act("softmax")
                .loss("cross_entropy", args("from_logits", false)).optimizer("adam", args("lr", 1e-2))
                .loop(new Plan.Loop(16, 4, null, null, 1, "cpu")).seed(3).metrics("accuracy", "loss").data(idxPipeline("standard")).build();
        sameNumbers(p);
    }

    /** The streamed splits, read back, are the in-memory splits: the same samples, labels and transform. */
    @Test
    void streamedSplitsHoldTheSameSamples() throws Exception {
        for (String norm : new String[] {"minmax", "standard", "none"}) {
            DataPipeline p = idxPipeline(norm);
            try (Pipeline.Splits mem = Pipeline.load(p, null); Pipeline.Splits str = Pipeline.load(p, 0L)) {
                assertFalse(mem.streamed());
                assertTrue(str.streamed());
                assertFalse(str.train().inMemory());
                assertSame(mem.train(), str.train());
                assertSame(mem.validation(), str.validation());
                assertSame(mem.test(), str.test());
                assertArrayEquals(mem.transform().shift(), str.transform().shift(), norm);
                assertArrayEquals(mem.transform().mul(), str.transform().mul(), norm);
                assertEquals(mem.classNames(), str.classNames());
            }
        }
        // one CSV source split three ways, classes from the file
        DataPipeline csv = Fixtures.iris().data();
        try (Pipeline.Splits mem = Pipeline.load(csv, null); Pipeline.Splits str = Pipeline.load(csv, 0L)) {
            assertSame(mem.train(), str.train());
            assertSame(mem.test(), str.test());
            assertEquals(mem.classNames(), str.classNames());
        }
    }

    /**
     * ann eval's test split read alone (Pipeline.loadTest) holds the samples of the whole load's test split,
     * in memory and streamed, and reads nothing of the training files: it still loads with them deleted.
     */
    @Test
    void theTestSplitReadAloneIsTheWholeLoadsTestSplit() throws Exception {
        DataPipeline p = idxPipeline("standard");
        try (Pipeline.Splits whole = Pipeline.load(p, null)) {
            Pipeline.Transform fitted = whole.transform();
            assertNotNull(fitted.shift());
            Path trainImages = Path.of(p.sources().get(0).args().getString("images"));
            for (boolean deleted : new boolean[] {false, true}) {
                if (deleted) Files.delete(trainImages);
                for (Long memory : new Long[] {null, 0L}) {
                    try (Pipeline.Splits alone = Pipeline.loadTest(p, memory, fitted)) {
                        assertNotNull(alone, "an IDX dataset with a test source");
                        assertNull(alone.train());
                        assertNull(alone.validation());
                        assertEquals(memory != null, alone.streamed());
                        assertSame(whole.test(), alone.test());
                        assertEquals(whole.classNames(), alone.classNames());
                    }
                }
            }
            assertThrows(RunException.class, () -> Pipeline.load(p, null), "the whole load reads the deleted training file");
        }
        // where the test split depends on the other sources, or no model's transform is given: null, load it whole
        assertNull(Pipeline.loadTest(Fixtures.iris().data(), null, new Pipeline.Transform(null, 1f, null, null)));
        assertNull(Pipeline.loadTest(idxPipeline("none"), null, null));
    }

    static void assertSame(Samples a, Samples b) {
        if (a == null) {
            assertNull(b);
            return;
        }
        assertEquals(a.n, b.n);
        assertArrayEquals(a.sampleShape, b.sampleShape);
        assertArrayEquals(a.labels, b.labels);
        assertArrayEquals(a.targets, b.targets);
        assertArrayEquals(a.materialize().x, b.materialize().x);
    }

    @Test
    void idxRecordsByIndexEqualTheSequentialDecode() throws Exception {
        for (boolean gz : new boolean[] {true, false}) {
            Path[] f = writeIdx("r" + gz, 50, 5, 7, 9, gz);
            Dataset all = IdxLoader.load(f[0], f[1]);
            IdxSamples s = IdxSamples.open(f[0], f[1]);
            assertEquals(gz, s.cacheFile() != null);
            if (gz) assertTrue(Files.exists(s.cacheFile()));
            assertArrayEquals(all.sampleShape, s.sampleShape);
            assertArrayEquals(all.labels, s.labels);
            float[] one = new float[s.sampleSize];
            int[] order = dev.ann.kernels.Seeds.permutation(s.n, new Random(4));
            for (int i : order) {
                s.read(i, one, 0);
                assertArrayEquals(java.util.Arrays.copyOfRange(all.x, i * s.sampleSize, (i + 1) * s.sampleSize), one, "sample " + i);
            }
            Path cache = s.cacheFile();
            s.close();
            if (gz) assertFalse(Files.exists(cache), "the decompressed cache is deleted on close");
        }
        // the same errors as the in-memory loader
        Path[] f = writeIdx("bad", 4, 3, 3, 1, false);
        RunException e = assertThrows(RunException.class, () -> IdxSamples.open(f[1], f[0]));
        assertTrue(e.getMessage().contains("swapped"), e.getMessage());
        Path cut = tmp.resolve("cut.idx");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(f[0]), 30));
        e = assertThrows(RunException.class, () -> IdxSamples.open(cut, f[1]));
        assertTrue(e.getMessage().startsWith(cut + ": the file ends early"), e.getMessage());
        Path cutGz = tmp.resolve("cut.idx.gz");
        try (GZIPOutputStream g = new GZIPOutputStream(Files.newOutputStream(cutGz))) { g.write(java.util.Arrays.copyOf(Files.readAllBytes(f[0]), 30)); }
        e = assertThrows(RunException.class, () -> IdxSamples.open(cutGz, f[1]));
        assertTrue(e.getMessage().startsWith(cutGz + ": the file ends early"), e.getMessage());
    }

    // ---- CSV

    @Test
    void csvRowsByIndexEqualTheSequentialParse() throws Exception {
        Path f = tmp.resolve("rows.csv");
        StringBuilder sb = new StringBuilder("a,\"b, quoted\",label\r\n\r\n");
        Random r = new Random(2);
        float[] expected = new float[300 * 2];
        List<String> labels = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String a = String.valueOf(r.nextGaussian()), b = String.valueOf(r.nextInt(1000) / 7.0);
            expected[i * 2] = Float.parseFloat(b); // features: column 1, then column 0
            expected[i * 2 + 1] = Float.parseFloat(a);
            labels.add(i % 4 == 0 ? "x" : "ü");
            sb.append(a).append(",\"").append(b).append("\",").append(labels.get(i));
            sb.append(i % 2 == 0 ? "\r\n" : "\n");
            if (i % 50 == 0) sb.append("   \n");
        }
        Files.writeString(f, sb.toString().stripTrailing(), StandardCharsets.UTF_8); // no newline after the last row
        CsvLoader.Raw raw = CsvLoader.load(f, true, List.of(1, 0), List.of(2), List.of(), ",");
        CsvIndex ix = CsvIndex.scan(f, true, List.of(1, 0), List.of(2), List.of(), ",", 0);
        assertEquals(300, raw.n());
        assertEquals(300, ix.n);
        assertArrayEquals(expected, raw.x());
        assertEquals(labels, raw.labels());
        assertNull(ix.x);
        assertEquals(List.of("x", "ü"), ix.labelValues);
        for (int i = 0; i < ix.n; i++) assertEquals(labels.get(i), ix.labelValues.get(ix.labelIds[i]));
        Samples s = ix.samples(null, List.of());
        float[] one = new float[2];
        for (int i : dev.ann.kernels.Seeds.permutation(s.n, new Random(1))) {
            s.read(i, one, 0);
            assertArrayEquals(java.util.Arrays.copyOfRange(expected, i * 2, i * 2 + 2), one, "row " + i);
        }
        s.close();
    }

    @Test
    void badCsvRowsStillNameFileLineAndColumn() throws Exception {
        Path f = tmp.resolve("bad.csv");
        Files.writeString(f, "a,b,label\n1,2,x\n3,4,y\n5, oops,x\n");
        RunException e = assertThrows(RunException.class, () -> CsvIndex.scan(f, true, List.of(0, 1), List.of(2), List.of(), ",", 0));
        assertEquals(RunException.BAD_INPUT, e.exitCode);
        assertEquals(f + ":4:4: expected a number in column 1 ('b'), found 'oops'", e.getMessage());
        Path g = tmp.resolve("short.csv");
        Files.writeString(g, "a,b,label\r\n1,2,x\r\n\r\n3,4\r\n");
        e = assertThrows(RunException.class, () -> CsvIndex.scan(g, true, List.of(0, 1), List.of(2), List.of(), ",", 0));
        assertTrue(e.getMessage().startsWith(g + ":4:4: this row has 2 fields but column 3 is used"), e.getMessage());
        Path q = tmp.resolve("quote.csv");
        Files.writeString(q, "1,2,x\n3,\"4,y\n");
        e = assertThrows(RunException.class, () -> CsvIndex.scan(q, false, List.of(0, 1), List.of(2), List.of(), ",", 0));
        assertEquals(q + ":2:3: unclosed quote", e.getMessage());
        Path latin = tmp.resolve("latin1.csv");
        Files.write(latin, "1,2,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(RunException.class, () -> CsvIndex.scan(latin, false, List.of(0, 1), List.of(2), List.of(), ",", 0));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
        // and through the whole pipeline, forced to stream
        DataPipeline p = new DataPipeline("D", List.of(new DataPipeline.Source("all", "csv", new Args(args(
                "path", f.toString(), "header", true, "features", List.of(0, 1), "label", List.of(2))))), Shape.of(2),
                new DataPipeline.Labels("classes", List.of(), 2, 0), new DataPipeline.Split(0.6, 0.2, 0.2), 0, 1, "standard", true, 9, 1, null);
        e = assertThrows(RunException.class, () -> Pipeline.load(p, 0L));
        assertEquals(f + ":4:4: expected a number in column 1 ('b'), found 'oops'", e.getMessage());
    }

    // ---- pictures

    Path pictures(int perClass) throws Exception {
        Path root = tmp.resolve("pics");
        Random r = new Random(8);
        for (String c : new String[] {"cat", "dog"}) {
            Files.createDirectories(root.resolve(c));
            for (int k = 0; k < perClass; k++) {
                BufferedImage b = new BufferedImage(9, 7, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 7; y++) for (int x = 0; x < 9; x++) b.setRGB(x, y, r.nextInt(1 << 24));
                ImageIO.write(b, "png", root.resolve(c).resolve("p" + k + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void picturesDecodedOnDemandEqualTheEagerLoad() throws Exception {
        Path root = pictures(3);
        int[] size = {3, 5, 4};
        Dataset all = ImageLoader.load(root, size);
        Samples s = ImageLoader.onDisk(ImageLoader.list(root), size);
        assertEquals(all.classNames, s.classNames);
        assertArrayEquals(all.labels, s.labels);
        assertArrayEquals(all.x, s.materialize().x);
    }

    @Test
    void aBrokenPictureFoundWhileStreamingIsReportedFromThePrefetchThread() throws Exception {
        Path root = pictures(2);
        Files.writeString(root.resolve("dog/zz-broken.png"), "not a picture");
        DataPipeline d = new DataPipeline("Pics", List.of(new DataPipeline.Source("train", "images", new Args(args(
                "folder", root.toString(), "size", List.of(1, 4, 4))))), Shape.of(1, 4, 4),
                new DataPipeline.Labels("classes", List.of(), 2, 0), null, 0, 1, "none", true, 1, 1, null);
        Plan p = new PlanBuilder(1, 4, 4).flatten().dense(2, "xavier").act("softmax").loss("cross_entropy", args("from_logits", false))
                .loop(new Plan.Loop(2, 1, null, null, 1, "cpu")).data(d).build();
        try (Pipeline.Splits s = Pipeline.load(d, 0L)) {
            Batches b = new Batches(s.train(), p);
            try (Batches.Stream st = b.stream(null, 2, 0)) {
                assertTrue(st.prefetching());
                st.next();
                st.next();
                RunException e = assertThrows(RunException.class, st::next);
                assertTrue(e.getMessage().contains("zz-broken.png"), e.getMessage());
            }
        }
    }

    @Test
    void memoryBudgetSizes() {
        assertEquals(512L << 20, Budget.parse("512m"));
        assertEquals(512L << 20, Budget.parse("512MiB"));
        assertEquals(3L << 30, Budget.parse("3G"));
        assertEquals(1536L << 20, Budget.parse("1.5g"));
        assertEquals(0L, Budget.parse("0"));
        assertEquals(1000L, Budget.parse("1000"));
        assertNull(Budget.parse("lots"));
        assertNull(Budget.parse("-1m"));
        assertEquals("209.4 MiB", Budget.format(70000L * 784 * 4)); // Fashion-MNIST as float32
        assertEquals("1.0 KiB", Budget.format(1024));
        assertNotNull(Budget.format(Budget.defaultBytes()));
    }
}
