package dev.ann.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import dev.ann.runtime.data.CsvIndex;
import dev.ann.runtime.data.DataFiles;
import dev.ann.runtime.data.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data at a URI in a JVM without an opener for its scheme (a local `ann train`: Hadoop is ann-cluster's only): file://
 * is read as its path, bit for bit the samples of the path; hdfs:// and s3a:// are refused, saying what to do.
 */
class DataFilesTest {
    @TempDir Path tmp;

    static { Backend.init(); }

    private Plan iris(String path) throws Exception {
        Path ann = tmp.resolve("iris-" + Math.abs(path.hashCode()) + ".ann");
        Files.writeString(ann, Files.readString(Path.of("../examples/iris.ann")).replace("\"iris.csv\"", "\"" + path + "\""));
        return Compiler.compile(ann).plan(null, null);
    }

    @Test
    void aFileUriReadsTheSamplesOfItsPath() throws Exception {
        Path csv = Path.of("../examples/iris.csv").toAbsolutePath().normalize();
        for (long memory : new long[] {0L, 1L << 30}) { // streamed, then in memory
            try (Pipeline.Splits byPath = Pipeline.load(iris(csv.toString()).data(), memory);
                 Pipeline.Splits byUri = Pipeline.load(iris(csv.toUri().toString()).data(), memory)) {
                assertEquals(memory == 0, byUri.streamed());
                assertEquals(byPath.classNames(), byUri.classNames(), "class names: the data's, in the same order");
                for (Pipeline.Splits[] s : new Pipeline.Splits[][] {{byPath, byUri}}) {
                    assertEquals(s[0].train().n, s[1].train().n);
                    assertArrayEquals(s[0].train().labels, s[1].train().labels);
                    float[] a = new float[4], b = new float[4];
                    for (int i = 0; i < s[0].train().n; i++) {
                        s[0].train().read(i, a, 0);
                        s[1].train().read(i, b, 0);
                        assertArrayEquals(a, b, "sample " + i);
                    }
                    assertArrayEquals(s[0].transform().shift(), s[1].transform().shift(), "the normalisation fitted");
                }
            }
        }
        CsvIndex ix = CsvIndex.scan(csv.toUri().toString(), true, List.of(0, 1, 2, 3), List.of(4), List.of(), ",", Long.MAX_VALUE);
        assertEquals(150, ix.n);
    }

    @Test
    void hdfsAndS3aWithoutTheClusterAreRefusedSayingWhatToDo() throws Exception {
        for (String uri : List.of("hdfs://127.0.0.1:9000/data/iris.csv", "s3a://bucket/iris.csv")) {
            RunException e = assertThrows(RunException.class, () -> Pipeline.load(iris(uri).data()));
            assertEquals(RunException.BAD_INPUT, e.exitCode);
            assertTrue(e.getMessage().startsWith(uri + ": this run cannot read " + uri.substring(0, uri.indexOf(':')) + ":// data"), e.getMessage());
            assertTrue(e.getMessage().contains("train with --cluster"), e.getMessage());
        }
        Path missing = tmp.resolve("nope.csv");
        RunException e = assertThrows(RunException.class, () -> DataFiles.stream(missing.toUri().toString()));
        assertEquals(missing.toUri() + ": no such file; check the URI (scheme://host:port/path, as the driver and every executor"
                + " reach it) and that the file was copied there", e.getMessage());
        assertFalse(DataFiles.isUri(missing.toString()));
    }
}
