package dev.ann.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Shape;
import dev.ann.runtime.data.CsvLoader;
import dev.ann.runtime.data.Dataset;
import dev.ann.runtime.data.IdxLoader;
import dev.ann.runtime.data.ImageLoader;
import dev.ann.runtime.data.Pipeline;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
    @TempDir Path tmp;

    @Test
    void malformedCsvRowNamesFileLineAndColumn() throws Exception {
        Path f = tmp.resolve("bad.csv");
        Files.writeString(f, "a,b,label\n1,2,x\n3,4,y\n5, oops,x\n");
        RunException e = assertThrows(RunException.class, () -> CsvLoader.load(f, true, List.of(0, 1), List.of(2), List.of(), ","));
        assertEquals(RunException.BAD_INPUT, e.exitCode);
        assertEquals(f + ":4:4: expected a number in column 1 ('b'), found 'oops'", e.getMessage());
    }

    @Test
    void shortCsvRowAndMissingFile() throws Exception {
        Path f = tmp.resolve("short.csv");
        Files.writeString(f, "a,b,label\n1,2,x\n3,4\n");
        RunException e = assertThrows(RunException.class, () -> CsvLoader.load(f, true, List.of(0, 1), List.of(2), List.of(), ","));
        assertTrue(e.getMessage().startsWith(f + ":3:4: this row has 2 fields but column 3 is used"), e.getMessage());
        Path missing = tmp.resolve("nope.csv");
        e = assertThrows(RunException.class, () -> CsvLoader.load(missing, true, List.of(0), List.of(1), List.of(), ","));
        assertEquals(RunException.BAD_INPUT, e.exitCode);
        assertTrue(e.getMessage().startsWith(missing + ": no such file"), e.getMessage());
    }

    @Test
    void quotedFieldsAndStringLabels() throws Exception {
        Path f = tmp.resolve("q.csv");
        Files.writeString(f, "x,\"name, with comma\"\n1.5,\"b\"\n2.5,a\n");
        CsvLoader.Raw r = CsvLoader.load(f, true, List.of(0), List.of(1), List.of(), ",");
        assertArrayEquals(new float[] {1.5f, 2.5f}, r.x());
        assertEquals(List.of("b", "a"), r.labels());
    }

    static byte[] idx(int magic, int[] dims, byte[] data) throws Exception {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bo);
        d.writeInt(magic);
        for (int v : dims) d.writeInt(v);
        d.write(data);
        return bo.toByteArray();
    }

    @Test
    void idxGzipAndPlainAndErrors() throws Exception {
        byte[] img = new byte[2 * 3 * 3];
        for (int i = 0; i < img.length; i++) img[i] = (byte) (i * 10);
        Path im = tmp.resolve("im.idx.gz"), lb = tmp.resolve("lb.idx");
        try (GZIPOutputStream g = new GZIPOutputStream(Files.newOutputStream(im))) { g.write(idx(0x803, new int[] {2, 3, 3}, img)); }
        Files.write(lb, idx(0x801, new int[] {2}, new byte[] {7, (byte) 200}));
        Dataset d = IdxLoader.load(im, lb);
        assertEquals(2, d.n);
        assertArrayEquals(new int[] {1, 3, 3}, d.sampleShape);
        assertEquals(170f, d.x[17]);
        assertArrayEquals(new int[] {7, 200}, d.labels);
        RunException e = assertThrows(RunException.class, () -> IdxLoader.load(lb, im));
        assertTrue(e.getMessage().contains("swapped"), e.getMessage());
        Path cut = tmp.resolve("cut.idx");
        Files.write(cut, java.util.Arrays.copyOf(idx(0x803, new int[] {2, 3, 3}, img), 20));
        e = assertThrows(RunException.class, () -> IdxLoader.load(cut, lb));
        assertTrue(e.getMessage().contains("ends early"), e.getMessage());
    }

    @Test
    void imagesOneFolderPerClassResized() throws Exception {
        for (String c : new String[] {"cat", "dog"}) {
            Files.createDirectories(tmp.resolve("pics").resolve(c));
            BufferedImage b = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 6; y++) for (int x = 0; x < 8; x++) b.setRGB(x, y, c.equals("cat") ? 0xff0000 : 0x0000ff);
            ImageIO.write(b, "png", tmp.resolve("pics").resolve(c).resolve("a.png").toFile());
        }
        Files.writeString(tmp.resolve("pics/dog/notes.txt"), "ignored");
        Dataset d = ImageLoader.load(tmp.resolve("pics"), new int[] {3, 4, 4});
        assertEquals(List.of("cat", "dog"), d.classNames);
        assertEquals(2, d.n);
        assertEquals(255f, d.x[0], 1f);               // cat: red channel
        assertEquals(255f, d.x[48 + 32], 1f);         // dog: blue channel
        Files.writeString(tmp.resolve("pics/dog/broken.png"), "not a picture");
        RunException e = assertThrows(RunException.class, () -> ImageLoader.load(tmp.resolve("pics"), new int[] {3, 4, 4}));
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
    }

    @Test
    void splitNormaliseFittedOnTrainOnlySubsetAndResize() throws Exception {
        StringBuilder sb = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 100; i++) sb.append(i).append(',').append(i * 2).append(',').append(i % 3 == 0 ? "p" : "q").append('\n');
        Path f = tmp.resolve("d.csv");
        Files.writeString(f, sb);
        DataPipeline p = new DataPipeline("D", List.of(new DataPipeline.Source("all", "csv", new Args(PlanBuilder.args(
                "path", f.toString(), "header", true, "features", List.of(0, 1), "label", List.of(2))))), Shape.of(2),
                new DataPipeline.Labels("classes", List.of(), 2, 0), new DataPipeline.Split(0.6, 0.2, 0.2), 0, 1, "standard", true, 9, 1, null);
        Pipeline.Splits s = Pipeline.load(p);
        assertEquals(60, s.train().n);
        assertEquals(20, s.validation().n);
        assertEquals(20, s.test().n);
        assertEquals(List.of("p", "q"), s.classNames());
        double mean = 0;
        for (int i = 0; i < s.train().n; i++) mean += ((Dataset) s.train()).x[i * 2];
        assertEquals(0, mean / s.train().n, 1e-4);     // standardised on train
        double tm = 0;
        for (int i = 0; i < s.test().n; i++) tm += ((Dataset) s.test()).x[i * 2];
        assertTrue(Math.abs(tm / s.test().n) > 1e-3);   // test only transformed, not refitted
        // same seed, same split
        assertArrayEquals(((Dataset) s.test()).x, ((Dataset) Pipeline.load(p).test()).x);
    }

    @Test
    void shuffleFalseKeepsTheFileOrder() throws Exception {
        StringBuilder sb = new StringBuilder("a,y\n");
        for (int i = 0; i < 100; i++) sb.append(i).append(',').append(i % 2 == 0 ? "p" : "q").append('\n');
        Path f = tmp.resolve("ordered.csv");
        Files.writeString(f, sb);
        DataPipeline p = new DataPipeline("D", List.of(new DataPipeline.Source("all", "csv", new Args(PlanBuilder.args(
                "path", f.toString(), "header", true, "features", List.of(0), "label", List.of(1))))), Shape.of(1),
                new DataPipeline.Labels("classes", List.of(), 2, 0), new DataPipeline.Split(0.8, 0.0, 0.2), 0.25, 1, null, false, 9, 1, null);
        Pipeline.Splits s = Pipeline.load(p);
        // split in file order: rows 0..79 train, 80..99 test; then the last quarter of train held out for validation
        float[] train = ((Dataset) s.train()).x, val = ((Dataset) s.validation()).x, test = ((Dataset) s.test()).x;
        assertEquals(60, train.length);
        for (int i = 0; i < 60; i++) assertEquals(i, train[i], 0f);
        for (int i = 0; i < 20; i++) assertEquals(60 + i, val[i], 0f);
        for (int i = 0; i < 20; i++) assertEquals(80 + i, test[i], 0f);
        assertArrayEquals(new int[] {0, 1, 2, 3}, dev.ann.kernels.Seeds.order(p.shuffle(), 4, new java.util.Random(1)));
    }
}
