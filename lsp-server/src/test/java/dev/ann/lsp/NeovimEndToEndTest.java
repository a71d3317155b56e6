package dev.ann.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real editor: headless Neovim (0.7, Debian's package `neovim`; CI installs
 * it) runs src/test/resources/nvim/e2e.lua against the server started as a
 * separate JVM on stdio. Skipped, and reported as skipped, where nvim is absent.
 */
class NeovimEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void opensAnExampleGetsDiagnosticsCompletionAndHover() throws Exception {
        Path nvim = which("nvim");
        Assumptions.assumeTrue(nvim != null, "nvim is not installed (apt-get install neovim)");
        Path examples = Path.of("../examples").toAbsolutePath().normalize();
        for (String f : List.of("xor.ann", "xor.csv", "and.csv")) Files.copy(examples.resolve(f), dir.resolve(f));
        Path script = Path.of("src/test/resources/nvim/e2e.lua").toAbsolutePath();
        Path home = Files.createDirectories(dir.resolve("home"));
        ProcessBuilder pb = new ProcessBuilder(nvim.toString(), "--headless", "-u", "NONE", "-i", "NONE", "-n",
                "-c", "luafile " + script);
        pb.environment().put("ANN_FILE", dir.resolve("xor.ann").toString());
        pb.environment().put("ANN_ROOT", dir.toString());
        pb.environment().put("ANN_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("ANN_SERVER_CP", System.getProperty("java.class.path"));
        for (String x : List.of("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")) {
            pb.environment().put(x, home.toString());
        }
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        boolean finished = p.waitFor(90, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            p.destroyForcibly();
            throw new AssertionError("nvim did not finish in 90 s:\n" + out);
        }
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("diagnostic: E001"), out);
        assertTrue(out.contains("hover: "), out);
    }

    static Path which(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String d : path.split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
