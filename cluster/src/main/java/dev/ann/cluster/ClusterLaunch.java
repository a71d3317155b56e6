package dev.ann.cluster;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Where this module's classes live and what a JVM running them needs: ann-cluster.jar's manifest holds
 * the Add-Opens list Spark needs on Java 17 (written once, in cluster/pom.xml); executors get the same
 * as --add-opens options, and the same classpath (the jar and its lib/ folder, on a path the workers see).
 */
final class ClusterLaunch {
    private ClusterLaunch() {}

    /** ann-cluster.jar, or the classes folder when run from the build (tests). */
    static Path home() {
        try {
            return Path.of(ClusterLaunch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** --add-opens options from the jar's manifest; in tests (no jar) Surefire's own argLine opens the same. */
    static List<String> javaOptions() {
        List<String> out = new ArrayList<>();
        Path h = home();
        if (!Files.isRegularFile(h)) return out;
        try (JarFile j = new JarFile(h.toFile())) {
            String opens = j.getManifest().getMainAttributes().getValue("Add-Opens");
            if (opens != null) for (String p : opens.trim().split("\\s+")) out.add("--add-opens=" + p + "=ALL-UNNAMED");
        } catch (IOException e) {
            throw new IllegalStateException(h + ": cannot read the manifest: " + e.getMessage());
        }
        return out;
    }

    /**
     * The classpath of this JVM, each entry made absolute: what an executor needs too (an executor runs in
     * its worker's folder, where a relative path such as {@code cluster/target/ann-cluster.jar} names nothing).
     */
    static String classpath() {
        StringBuilder out = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.isEmpty()) continue;
            if (out.length() > 0) out.append(java.io.File.pathSeparator);
            out.append(Path.of(e).toAbsolutePath().normalize());
        }
        return out.toString();
    }
}
