package dev.ann.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * `ann train --cluster`: Spark and Hadoop are not on the command line's classpath (check, plan, lsp and
 * a local train start as before); the same command runs in a child JVM from cluster/target/ann-cluster.jar,
 * whose manifest names its lib/ folder and the packages Spark needs opened.
 */
final class Cluster {
    private Cluster() {}

    /** ann-cluster.jar: $ANN_CLUSTER_JAR, else beside this build (cli/target/ann-cli.jar -> cluster/target/ann-cluster.jar). */
    static Path jar() {
        String env = System.getenv("ANN_CLUSTER_JAR");
        if (env != null && !env.isBlank()) return Path.of(env);
        try {
            Path self = Path.of(Cluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // cli/target/ann-cli.jar or cli/target/classes: the module root is two levels up
            return self.getParent().getParent().getParent().resolve("cluster/target/ann-cluster.jar");
        } catch (Exception e) {
            return Path.of("cluster/target/ann-cluster.jar");
        }
    }

    static int relaunch(CommandLine.Model.CommandSpec spec) {
        Path jar = jar();
        if (!Files.isRegularFile(jar)) {
            spec.commandLine().getErr().println("error: training on a cluster (--cluster, or the cluster setting) needs the ann-cluster module, not built at " + jar
                    + "; build it with 'mvn -B -DskipTests -pl cluster -am package' (or point ANN_CLUSTER_JAR at ann-cluster.jar)");
            return Main.FAILURE;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        String opts = System.getenv("ANN_JAVA_OPTS");
        if (opts != null && !opts.isBlank()) cmd.addAll(List.of(opts.trim().split("\\s+")));
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(RunSetup.originalArgs(spec));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        try {
            Process p = pb.start();
            Thread kill = new Thread(p::destroy);
            Runtime.getRuntime().addShutdownHook(kill);
            int rc = p.waitFor();
            try {
                Runtime.getRuntime().removeShutdownHook(kill);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
            return rc;
        } catch (IOException e) {
            spec.commandLine().getErr().println("error: cannot start " + cmd.get(0) + ": " + e.getMessage());
            return Main.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.FAILURE;
        }
    }
}
