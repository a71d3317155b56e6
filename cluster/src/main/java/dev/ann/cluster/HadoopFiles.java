package dev.ann.cluster;

import dev.ann.runtime.RunException;
import dev.ann.runtime.data.DataFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Data at a URI ({@code hdfs://namenode:8020/data/iris.csv}, {@code s3a://bucket/iris.csv}, {@code file:///...}, any
 * scheme Hadoop has a FileSystem for) read through Hadoop's FileSystem API, the Hadoop client Spark carries. Found by
 * runtime's {@link DataFiles} with ServiceLoader, so the driver and the executors of {@code ann train --cluster} open
 * the same URI themselves; each reads what it needs with positioned reads (the executors: the rows of their samples).
 * The Hadoop configuration is Spark's: {@code spark.hadoop.*} settings (credentials such as
 * {@code spark.hadoop.fs.s3a.access.key}) with the prefix taken off, as Spark does for its own Hadoop reads.
 */
public final class HadoopFiles implements DataFiles.Opener {
    /** The Hadoop version Spark 3.5 carries (hadoop-client-api/runtime), for the names of the jars a scheme needs. */
    static final String HADOOP = org.apache.hadoop.util.VersionInfo.getVersion();

    private static volatile Configuration conf;

    @Override
    public boolean reads(String scheme) {
        return true; // whatever Hadoop knows; one it does not is said when opened
    }

    @Override
    public DataFiles.Random open(String uri) throws IOException {
        FileSystem fs = fileSystem(uri);
        Path p = new Path(uri);
        long size = fs.getFileStatus(p).getLen();
        FSDataInputStream in = fs.open(p);
        return new DataFiles.Random() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public int read(long pos, byte[] b, int off, int len) throws IOException {
                if (pos >= size) return -1;
                return in.read(pos, b, off, len); // PositionedReadable: from any thread, the stream's position untouched
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    @Override
    public InputStream stream(String uri) throws IOException {
        return fileSystem(uri).open(new Path(uri));
    }

    /** The FileSystem of the URI's scheme and authority (Hadoop caches one per JVM); a scheme it cannot read is said. */
    static FileSystem fileSystem(String uri) throws IOException {
        URI u = URI.create(uri);
        String scheme = String.valueOf(u.getScheme()).toLowerCase(java.util.Locale.ROOT);
        try {
            return FileSystem.get(u, conf());
        } catch (org.apache.hadoop.fs.UnsupportedFileSystemException | RuntimeException e) {
            if (!(e instanceof org.apache.hadoop.fs.UnsupportedFileSystemException) && !causedByMissingClass(e)) throw e;
            throw new RunException(RunException.BAD_INPUT, uri + ": " + missing(scheme));
        }
    }

    /** What to add for a scheme whose FileSystem is not on the classpath. */
    static String missing(String scheme) {
        if (scheme.equals("s3a") || scheme.equals("s3") || scheme.equals("s3n")) {
            return "reading " + scheme + ":// needs Hadoop's S3A connector, hadoop-aws-" + HADOOP + ".jar (and the AWS SDK bundle it"
                    + " depends on), which ann-cluster does not carry: run through spark-submit --packages org.apache.hadoop:hadoop-aws:"
                    + HADOOP + " (docs/cluster.md, Data on HDFS and S3)" + (scheme.equals("s3a") ? "" : ", and write the URI as s3a://");
        }
        return "Hadoop " + HADOOP + " has no FileSystem for " + scheme + ":// on this classpath (it reads hdfs://, file://, webhdfs://,"
                + " viewfs:// and, with hadoop-aws, s3a://); add the jar that provides it (spark-submit --packages or --jars)";
    }

    private static boolean causedByMissingClass(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClassNotFoundException || t instanceof NoClassDefFoundError) return true;
        }
        return false;
    }

    /** Spark's Hadoop configuration: its spark.hadoop.* settings without the prefix (on the driver also system properties). */
    static Configuration conf() {
        Configuration c = conf;
        if (c == null) {
            c = new Configuration();
            java.util.Map<String, String> all = new java.util.TreeMap<>();
            for (String k : System.getProperties().stringPropertyNames()) all.put(k, System.getProperty(k));
            org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
            if (env != null) for (scala.Tuple2<String, String> t : env.conf().getAll()) all.put(t._1(), t._2());
            for (var e : all.entrySet()) {
                if (e.getKey().startsWith("spark.hadoop.")) c.set(e.getKey().substring("spark.hadoop.".length()), e.getValue());
            }
            conf = c;
        }
        return c;
    }
}
