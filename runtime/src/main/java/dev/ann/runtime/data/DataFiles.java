package dev.ann.runtime.data;

import dev.ann.plan.DataPipeline;
import dev.ann.runtime.RunException;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the data readers open a source's file: a path on this machine, or a URI with a scheme
 * ({@link DataPipeline#isUri}: {@code hdfs://}, {@code s3a://}, {@code file://}...) read through an {@link Opener} for
 * that scheme, found with {@link ServiceLoader}. ann-cluster provides one on Hadoop's FileSystem, so only a JVM started
 * with the cluster's classpath (the driver and executors of {@code ann train --cluster}) reads hdfs:// or s3a://; here
 * {@code file://} is read as the path it names. Paths never consult the openers.
 */
public final class DataFiles {
    private DataFiles() {}

    /** Reads the files of URI schemes; found with {@link ServiceLoader} (ann-cluster: Hadoop's FileSystem). */
    public interface Opener {
        /** Whether this opener reads URIs of the scheme (lower case). */
        boolean reads(String scheme);

        /** The file, open for reading at any position; a file that is not there: {@link FileNotFoundException}. */
        Random open(String uri) throws IOException;

        /** The file as one stream from its start (the indexing pass, header reads). */
        InputStream stream(String uri) throws IOException;
    }

    /** An open file read at positions, from any thread (Hadoop's PositionedReadable, FileChannel's read at a position). */
    public interface Random extends Closeable {
        long size() throws IOException;

        /** Up to len bytes at pos into b[off..]; -1 at the end. */
        int read(long pos, byte[] b, int off, int len) throws IOException;
    }

    /** Whether the location is a URI (read through an opener) rather than a path. */
    public static boolean isUri(String location) {
        return DataPipeline.isUri(location);
    }

    private static volatile List<Opener> openers;

    private static List<Opener> openers() {
        List<Opener> o = openers;
        if (o == null) {
            o = ServiceLoader.load(Opener.class, DataFiles.class.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList();
            openers = o;
        }
        return o;
    }

    private static String scheme(String uri) {
        return uri.substring(0, uri.indexOf(':')).toLowerCase(Locale.ROOT);
    }

    /** The opener for a URI's scheme, or null: file:// is then read as the path it names. */
    private static Opener opener(String uri) {
        String scheme = scheme(uri);
        for (Opener o : openers()) if (o.reads(scheme)) return o;
        if (scheme.equals("file")) return null;
        throw new RunException(RunException.BAD_INPUT, uri + ": this run cannot read " + scheme + ":// data; it is read through Hadoop's"
                + " FileSystem, which `ann train --cluster` carries (ann-cluster.jar): train with --cluster (local[N] for this machine);"
                + " for other commands copy the file to a local path (hdfs dfs -get, aws s3 cp) and name that");
    }

    /** A location as a path of this machine: the path itself, or a file:// URI's path. */
    private static Path localPath(String location) {
        if (!isUri(location)) return Path.of(location);
        try {
            return Path.of(java.net.URI.create(location));
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new RunException(RunException.BAD_INPUT, location + ": not a file URI this machine can open (" + e.getMessage()
                    + "); write file:///absolute/path");
        }
    }

    /** The message for a file that cannot be opened: a missing one says so and what to do. */
    static RunException cannotOpen(String location, IOException e) {
        if (e instanceof FileNotFoundException || e instanceof NoSuchFileException) {
            return new RunException(RunException.BAD_INPUT, location + ": no such file; check the " + (isUri(location)
                    ? "URI (scheme://host:port/path, as the driver and every executor reach it) and that the file was copied there"
                    : "path in the dataset (relative paths are read from the .ann file's folder)"));
        }
        return new RunException(RunException.BAD_INPUT, location + ": cannot read: " + firstLine(String.valueOf(e.getMessage())));
    }

    static String firstLine(String m) {
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Opens the file for reads at positions. */
    public static Random open(String location) {
        try {
            Opener o = isUri(location) ? opener(location) : null;
            if (o != null) return o.open(location);
            FileChannel ch = FileChannel.open(localPath(location), StandardOpenOption.READ);
            return new Random() {
                @Override
                public long size() throws IOException {
                    return ch.size();
                }

                @Override
                public int read(long pos, byte[] b, int off, int len) throws IOException {
                    return ch.read(ByteBuffer.wrap(b, off, len), pos);
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        } catch (IOException e) {
            throw cannotOpen(location, e);
        }
    }

    /** Opens the file as one stream from its start. */
    public static InputStream stream(String location) {
        try {
            Opener o = isUri(location) ? opener(location) : null;
            return o != null ? o.stream(location) : Files.newInputStream(localPath(location));
        } catch (IOException e) {
            throw cannotOpen(location, e);
        }
    }

    private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

    /**
     * The file as a path of this machine, for the readers that take one (IDX, ARFF): a path as it is; a URI read through
     * an opener is copied whole into the temporary folder once per JVM (deleted when it exits), so each executor reads
     * such a file once, not only its samples.
     */
    public static Path local(String location) {
        if (!isUri(location)) return Path.of(location);
        if (opener(location) == null) return localPath(location);
        return COPIES.computeIfAbsent(location, DataFiles::copy);
    }

    private static Path copy(String uri) {
        Path tmp;
        try {
            String name = uri.substring(uri.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
            tmp = Files.createTempFile("ann-data-", "-" + name);
        } catch (IOException e) {
            throw new RunException(RunException.FAILURE, "cannot create a copy of " + uri + " in the temporary folder ("
                    + System.getProperty("java.io.tmpdir") + "): " + e.getMessage());
        }
        tmp.toFile().deleteOnExit();
        try (InputStream in = stream(uri)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // deleteOnExit is registered
            }
            throw cannotOpen(uri, e);
        }
        return tmp;
    }
}
