package dev.ann.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import dev.ann.runtime.Backend;
import dev.ann.runtime.RunException;
import dev.ann.runtime.train.Remote;
import dev.ann.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executors and the driver read data at a URI through Hadoop's FileSystem (HadoopFiles): file:// and a real HDFS
 * (MiniDFSCluster, a name node and a data node in this JVM on 127.0.0.1) train as the local run of the same file by
 * path; a file that is not there and s3a:// without Hadoop's S3A connector are said in one line, with an exit code.
 */
class HadoopDataTest {
    @TempDir static Path tmp;
    static MiniDFSCluster dfs;
    static String hdfs;

    static { Backend.init(); }

    @BeforeAll
    static void startHdfs() throws Exception {
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        dfs.waitActive();
        org.apache.hadoop.fs.FileSystem fs = dfs.getFileSystem();
        fs.mkdirs(new org.apache.hadoop.fs.Path("/data"));
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(Path.of("../examples/iris.csv").toAbsolutePath().toString()),
                new org.apache.hadoop.fs.Path("/data/iris.csv"));
        hdfs = "hdfs://127.0.0.1:" + dfs.getNameNodePort();
    }

    @AfterAll
    static void stopHdfs() {
        if (dfs != null) dfs.shutdown();
    }

    /** examples/iris.ann with its data at the path or URI given, in a file of its own. */
    static Path irisAt(String where) throws Exception {
        return irisAt(tmp, where);
    }

    static Path irisAt(Path dir, String where) throws Exception {
        Path ann = Files.createTempFile(dir, "iris-", ".ann");
        Files.writeString(ann, Files.readString(Path.of("../examples/iris.ann")).replace("\"iris.csv\"", "\"" + where + "\""));
        return ann;
    }

    static Plan plan(String where) throws Exception {
        return plan(tmp, where);
    }

    static Plan plan(Path dir, String where) throws Exception {
        return Compiler.compile(irisAt(dir, where)).plan(null, null);
    }

    static String localCsv() {
        return Path.of("../examples/iris.csv").toAbsolutePath().normalize().toString();
    }

    /** The same epochs (losses, accuracies, learning rate) to float rounding, the same test accuracy. */
    static void sameRun(Trainer.Result local, Trainer.Result spark) {
        assertEquals(local.history().size(), spark.history().size());
        for (int e = 0; e < local.history().size(); e++) {
            Map<String, Double> a = local.history().get(e), b = spark.history().get(e);
            for (String m : List.of("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr")) {
                assertEquals(a.get(m), b.get(m), 1e-5 * Math.max(1, Math.abs(a.get(m))), "epoch " + (e + 1) + " " + m);
            }
        }
        assertEquals(local.test().metrics().get("accuracy"), spark.test().metrics().get("accuracy"), "test accuracy");
    }

    @Test
    void aFileUriOnTwoExecutorsTrainsAsTheLocalRunByPath() throws Exception {
        Trainer.Result local = ClusterTrainTest.train(plan(localCsv()), tmp.resolve("file-local"), null, 1, 5, new ByteArrayOutputStream());
        // in this JVM (ann-cluster's classpath) a URI is Hadoop's to open, file:// too
        assertEquals(List.of(HadoopFiles.class), java.util.ServiceLoader.load(dev.ann.runtime.data.DataFiles.Opener.class).stream()
                .map(java.util.ServiceLoader.Provider::type).toList());
        Plan byUri = plan(Path.of(localCsv()).toUri().toString());
        assertTrue(byUri.data().sources().get(0).args().getString("path").startsWith("file:/"));
        Trainer.Result spark = ClusterTrainTest.train(byUri, tmp.resolve("file-spark"), "local[2]", Remote.Combine.GRADIENTS, 1, 5,
                new ByteArrayOutputStream());
        sameRun(local, spark);
    }

    /** The driver and both executors open hdfs://127.0.0.1:PORT/data/iris.csv themselves; the run is the local one. */
    @Test
    void hdfsDataOnTwoExecutorsTrainsAsTheLocalRun() throws Exception {
        Plan byPath = plan(localCsv());
        int n;
        try (var d = dev.ann.runtime.data.Pipeline.load(byPath.data())) {
            n = d.train().n;
        }
        Trainer.Result local = ClusterTrainTest.train(byPath, tmp.resolve("hdfs-local"), null, 1, 5, new ByteArrayOutputStream());
        Shard.READ.reset();
        Trainer.Result spark = ClusterTrainTest.train(plan(hdfs + "/data/iris.csv"), tmp.resolve("hdfs-spark"), "local[2]",
                Remote.Combine.GRADIENTS, 1, 5, new ByteArrayOutputStream());
        sameRun(local, spark);
        // the executors read each training sample once an epoch between them, streamed from HDFS
        assertEquals(5L * n, Shard.READ.sum());
    }

    /** IDX files (one plain, one gzip-compressed) on HDFS: copied into this JVM once, then read as the same files by path. */
    @Test
    void idxFilesOnHdfsGiveTheSamplesOfTheFilesByPath() throws Exception {
        Path data = Path.of("../compiler/src/test/resources/fixtures/data").toAbsolutePath().normalize();
        org.apache.hadoop.fs.FileSystem fs = dfs.getFileSystem();
        for (String f : List.of("digits-images.idx", "digits-labels.idx", "digits-images.idx.gz", "digits-labels.idx.gz")) {
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(data.resolve(f).toString()), new org.apache.hadoop.fs.Path("/idx/" + f));
        }
        String ann = """
                dataset Digits {
                    train idx("DIR/digits-images.idx", "DIR/digits-labels.idx")
                    test idx("DIR/digits-images.idx.gz", "DIR/digits-labels.idx.gz")
                    scale 1/255
                }
                network Net {
                    input [1, 8, 8]
                    flatten
                    dense(5) -> softmax
                }
                train Net on Digits {
                    loss cross_entropy
                    optimizer sgd(lr: 0.1)
                    epochs 1
                }
                """;
        Path byPath = tmp.resolve("digits-path.ann"), byUri = tmp.resolve("digits-hdfs.ann");
        Files.writeString(byPath, ann.replace("DIR", data.toString()));
        Files.writeString(byUri, ann.replace("DIR", hdfs + "/idx"));
        Plan a = Compiler.compile(byPath).plan(null, null), b = Compiler.compile(byUri).plan(null, null);
        for (long memory : new long[] {0L, 1L << 30}) {
            try (var x = dev.ann.runtime.data.Pipeline.load(a.data(), memory); var y = dev.ann.runtime.data.Pipeline.load(b.data(), memory)) {
                for (var s : List.of(new dev.ann.runtime.data.Samples[] {x.train(), y.train()}, new dev.ann.runtime.data.Samples[] {x.test(), y.test()})) {
                    assertEquals(6, s[1].n);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(s[0].labels, s[1].labels);
                    float[] p = new float[64], q = new float[64];
                    for (int i = 0; i < s[0].n; i++) {
                        s[0].read(i, p, 0);
                        s[1].read(i, q, 0);
                        org.junit.jupiter.api.Assertions.assertArrayEquals(p, q, "sample " + i);
                    }
                }
            }
        }
    }

    /** An ARFF file of texts on HDFS (copied into this JVM once): the token ids and labels of the file by path. */
    @Test
    void anArffFileOnHdfsGivesTheSamplesOfTheFileByPath() throws Exception {
        Path data = Path.of("../compiler/src/test/resources/fixtures/data/docs.arff").toAbsolutePath().normalize();
        dfs.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(data.toString()), new org.apache.hadoop.fs.Path("/arff/docs.arff"));
        String ann = """
                dataset Docs {
                    arff("WHERE", label: "kind", text: "Text")
                    tokens words, vocabulary 100, length 8, lowercase
                }
                network Net {
                    input [8]
                    dense(2) -> softmax
                }
                train Net on Docs {
                    loss cross_entropy
                    optimizer sgd(lr: 0.1)
                    epochs 1
                }
                """;
        Path byPath = tmp.resolve("docs-path.ann"), byUri = tmp.resolve("docs-hdfs.ann");
        Files.writeString(byPath, ann.replace("WHERE", data.toString()));
        Files.writeString(byUri, ann.replace("WHERE", hdfs + "/arff/docs.arff"));
        Plan a = Compiler.compile(byPath).plan(null, null), b = Compiler.compile(byUri).plan(null, null);
        assertEquals(a.data().sampleShape(), b.data().sampleShape());
        assertEquals(a.data().labels().kind(), b.data().labels().kind());
        try (var x = dev.ann.runtime.data.Pipeline.load(a.data()); var y = dev.ann.runtime.data.Pipeline.load(b.data())) {
            assertEquals(x.classNames(), y.classNames());
            assertEquals(2, x.train().n + (x.validation() == null ? 0 : x.validation().n));
            org.junit.jupiter.api.Assertions.assertArrayEquals(x.train().labels, y.train().labels);
            float[] p = new float[8], q = new float[8];
            for (int i = 0; i < x.train().n; i++) {
                x.train().read(i, p, 0);
                y.train().read(i, q, 0);
                org.junit.jupiter.api.Assertions.assertArrayEquals(p, q, "sample " + i);
            }
        }
    }

    /** `ann train FILE --cluster local[2]` on hdfs:// data, as a user runs it. */
    @Test
    void theCommandLineTrainsFromHdfs() throws Exception {
        System.setProperty("ann.noRelaunch", "true");
        Path ann = irisAt(hdfs + "/data/iris.csv");
        Run r = Run.of("train", ann.toString(), "--cluster", "local[2]", "--epochs", "3", "--out", tmp.resolve("cli-run").toString());
        assertEquals(0, r.code(), r.err() + "\n" + r.out());
        assertTrue(r.out().contains("cluster local[2]: 2 workers"), r.out());
        assertTrue(r.out().contains("epoch 3/3"), r.out());
        assertTrue(Files.exists(tmp.resolve("cli-run/model.ckpt")));
    }

    @Test
    void aMissingHdfsFileIsOneLineAndExitCode1() throws Exception {
        System.setProperty("ann.noRelaunch", "true");
        String nope = hdfs + "/data/nope.csv";
        Run r = Run.of("train", irisAt(nope).toString(), "--cluster", "local[1]", "--epochs", "1", "--out", tmp.resolve("nope-run").toString());
        assertEquals(RunException.BAD_INPUT, r.code(), r.err() + "\n" + r.out());
        assertTrue(r.err().contains(nope + ": no such file; check the URI (scheme://host:port/path, as the driver and every executor"
                + " reach it) and that the file was copied there"), r.err());
        assertFalse((r.err() + r.out()).contains("\tat "), "no stack trace: " + r.err());
        assertFalse((r.err() + r.out()).contains("Exception"), "no exception's name: " + r.err());
        assertTrue(r.err().strip().lines().count() <= 2, "a line or two: " + r.err());
    }

    /** Hadoop's S3A connector (hadoop-aws) is not on ann-cluster's classpath: s3a:// says which jar to add and how. */
    @Test
    void s3aWithoutHadoopAwsNamesTheJarToAdd() throws Exception {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.hadoop.fs.s3a.S3AFileSystem"));
        RunException e = assertThrows(RunException.class, () -> dev.ann.runtime.data.Pipeline.load(plan("s3a://bucket/data/iris.csv").data()));
        assertEquals(RunException.BAD_INPUT, e.exitCode);
        assertEquals("s3a://bucket/data/iris.csv: reading s3a:// needs Hadoop's S3A connector, hadoop-aws-3.3.4.jar (and the AWS SDK"
                + " bundle it depends on), which ann-cluster does not carry: run through spark-submit --packages"
                + " org.apache.hadoop:hadoop-aws:3.3.4 (docs/cluster.md, Data on HDFS and S3)", e.getMessage());
        System.setProperty("ann.noRelaunch", "true");
        Run r = Run.of("train", irisAt("s3a://bucket/data/iris.csv").toString(), "--cluster", "local[1]", "--epochs", "1",
                "--out", tmp.resolve("s3a-run").toString());
        assertEquals(RunException.BAD_INPUT, r.code(), r.err() + "\n" + r.out());
        assertTrue(r.err().contains("hadoop-aws-3.3.4.jar"), r.err());
        assertFalse((r.err() + r.out()).contains("\tat "), "no stack trace: " + r.err());
    }

    /** The command line run in this JVM: exit code and what it printed. */
    record Run(int code, String out, String err) {
        static Run of(String... args) {
            java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
            var cl = dev.ann.cli.Main.commandLine();
            cl.setOut(new java.io.PrintWriter(out, true));
            cl.setErr(new java.io.PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(), err.toString());
        }
    }
}
