package dev.ann.codegen;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The kernel library's sources, which the codegen jar carries as resources
 * under {@code kernel-sources/} (copied there unchanged by the build from
 * {@code kernels/src/main/java}). {@code ann generate} writes them next to
 * the trainer, byte for byte, so that the generated project needs only the
 * JDK and ND4J and runs the very arithmetic {@code ann train} runs.
 */
public final class KernelSources {
    /** The resource folder that holds the {@code dev/ann/kernels/*.java} tree. */
    static final String ROOT = "kernel-sources";
    private static final String PROBE = ROOT + "/dev/ann/kernels/Network.java";

    private KernelSources() {}

    /** The kernel sources' paths relative to a source root, e.g. {@code dev/ann/kernels/Network.java}, sorted. */
    public static List<String> list() throws IOException {
        URL probe = KernelSources.class.getClassLoader().getResource(PROBE);
        if (probe == null) throw new IOException("the kernel sources are missing from the ann codegen jar (" + PROBE + "); rebuild ann");
        try {
            URI uri = probe.toURI();
            if (uri.getScheme().equals("jar")) {
                try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                    return walk(fs.getPath("/" + ROOT));
                }
            }
            return walk(Path.of(uri).getParent().getParent().getParent().getParent());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the kernel sources: " + e.getMessage(), e);
        }
    }

    private static List<String> walk(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".java"))::iterator) {
                out.add(root.relativize(p).toString().replace('\\', '/'));
            }
        }
        out.sort(null);
        return out;
    }

    /** The bytes of one kernel source, by its path relative to the source root. */
    public static byte[] read(String relative) throws IOException {
        try (InputStream in = KernelSources.class.getClassLoader().getResourceAsStream(ROOT + "/" + relative)) {
            if (in == null) throw new IOException("no kernel source " + relative + " in the ann codegen jar");
            return in.readAllBytes();
        }
    }

    /** Writes every kernel source under a source root, unchanged; returns the files written. */
    public static List<Path> writeTo(Path sourceRoot) throws IOException {
        List<Path> written = new ArrayList<>();
        for (String rel : list()) {
            Path target = sourceRoot.resolve(rel);
            Files.createDirectories(target.getParent());
            Files.write(target, read(rel));
            written.add(target);
        }
        return written;
    }
}
