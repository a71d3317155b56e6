package dev.ann.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ann.plan.Plan;
import dev.ann.runtime.Backend;
import dev.ann.runtime.RunException;
import dev.ann.runtime.train.Remote;
import dev.ann.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * s3a:// through Hadoop's S3A connector (hadoop-aws, as spark-submit --packages adds it) against S3Proxy, an S3 server
 * on 127.0.0.1 in a process of its own, its objects files in a folder. The endpoint and credentials reach Hadoop as
 * spark.hadoop.fs.s3a.* settings, as a user gives them. Runs in the cluster module's surefire execution `s3a`, whose
 * classpath has hadoop-aws; in the default one (ann-cluster's classpath, no S3A) it is skipped, saying so.
 */
class S3aDataTest {
    @TempDir static Path tmp;
    static Process s3proxy;
    static String bucket = "ann-data";

    static { Backend.init(); }

    @BeforeAll
    static void startS3() throws Exception {
        boolean s3a;
        try {
            Class.forName("org.apache.hadoop.fs.s3a.S3AFileSystem");
            s3a = true;
        } catch (ClassNotFoundException e) {
            s3a = false;
        }
        assumeTrue(s3a, "hadoop-aws is not on this classpath: S3aDataTest runs in the cluster module's surefire execution 's3a'");
        String jar = System.getProperty("s3proxy.jar");
        assumeTrue(jar != null && Files.isRegularFile(Path.of(jar)), "no S3Proxy jar (the s3proxy copy in cluster/pom.xml puts it in target/s3proxy)");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        // the filesystem blob store: bucket ann-data is a folder, object data/iris.csv the file under it
        Path store = tmp.resolve("store");
        Files.createDirectories(store.resolve(bucket).resolve("data"));
        Files.copy(Path.of("../examples/iris.csv"), store.resolve(bucket).resolve("data/iris.csv"));
        Path props = tmp.resolve("s3proxy.conf");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=ann-test",
                "s3proxy.credential=ann-secret",
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + store,
                ""));
        s3proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar,
                "--properties", props.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("s3proxy.log").toFile()).start();
        long until = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (Socket c = new Socket("127.0.0.1", port)) {
                break;
            } catch (java.io.IOException e) {
                if (!s3proxy.isAlive() || System.nanoTime() > until) {
                    throw new IllegalStateException("S3Proxy did not start: " + Files.readString(tmp.resolve("s3proxy.log")));
                }
                Thread.sleep(200);
            }
        }
        // what a user passes as --conf spark.hadoop.fs.s3a.*=... (spark-submit makes them system properties of the driver)
        System.setProperty("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:" + port);
        System.setProperty("spark.hadoop.fs.s3a.path.style.access", "true");
        System.setProperty("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
        System.setProperty("spark.hadoop.fs.s3a.access.key", "ann-test");
        System.setProperty("spark.hadoop.fs.s3a.secret.key", "ann-secret");
        System.setProperty("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        System.setProperty("spark.hadoop.fs.s3a.endpoint.region", "us-east-1");
        // S3Proxy's filesystem store answers without an ETag, which S3A's change detection asks for by default
        System.setProperty("spark.hadoop.fs.s3a.change.detection.version.required", "false");
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3proxy != null) {
            s3proxy.destroy();
            if (!s3proxy.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) s3proxy.destroyForcibly();
        }
    }

    @Test
    void s3aDataOnTwoExecutorsTrainsAsTheLocalRun() throws Exception {
        Plan byPath = HadoopDataTest.plan(tmp, HadoopDataTest.localCsv());
        int n;
        try (var d = dev.ann.runtime.data.Pipeline.load(byPath.data())) {
            n = d.train().n;
        }
        Trainer.Result local = ClusterTrainTest.train(byPath, tmp.resolve("local"), null, 1, 5, new ByteArrayOutputStream());
        Shard.READ.reset();
        Trainer.Result spark = ClusterTrainTest.train(HadoopDataTest.plan(tmp, "s3a://" + bucket + "/data/iris.csv"), tmp.resolve("s3a"),
                "local[2]", Remote.Combine.GRADIENTS, 1, 5, new ByteArrayOutputStream());
        HadoopDataTest.sameRun(local, spark);
        assertEquals(5L * n, Shard.READ.sum(), "each training sample read once an epoch, streamed from S3");
    }

    @Test
    void aMissingObjectIsOneLineAndExitCode1() throws Exception {
        System.setProperty("ann.noRelaunch", "true");
        String nope = "s3a://" + bucket + "/data/nope.csv";
        HadoopDataTest.Run r = HadoopDataTest.Run.of("train", HadoopDataTest.irisAt(tmp, nope).toString(), "--cluster", "local[1]",
                "--epochs", "1", "--out", tmp.resolve("nope-run").toString());
        assertEquals(RunException.BAD_INPUT, r.code(), r.err() + "\n" + r.out());
        assertTrue(r.err().contains(nope + ": no such file; check the URI"), r.err());
        assertFalse((r.err() + r.out()).contains("\tat "), "no stack trace: " + r.err());
    }
}
