package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: expected output kept next to the tests. Refresh them after an
 * intended change with {@code UPDATE_GOLDEN=1 mvn -pl cli test}, then read the diff.
 */
final class Golden {
    private static final Path DIR = Path.of("src/test/resources/golden");

    private Golden() {}

    static void assertMatches(String name, String actual) throws IOException {
        Path file = DIR.resolve(name);
        // Absolute paths (data files, checkpoint folders) differ between checkouts: compare them from the repository root.
        String root = Path.of("..").toAbsolutePath().normalize().toString();
        String normalized = actual.replace("\r\n", "\n").replace(root + "/", "<repo>/");
        if (System.getenv("UPDATE_GOLDEN") != null) {
            Files.createDirectories(DIR);
            Files.writeString(file, normalized, StandardCharsets.UTF_8);
            return;
        }
        String expected = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "<no golden file " + file + ">";
        assertEquals(expected, normalized, "output differs from " + file + " (UPDATE_GOLDEN=1 refreshes it)");
    }
}
