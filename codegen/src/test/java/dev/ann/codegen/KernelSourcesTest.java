package dev.ann.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ann generate} writes beside a trainer is the kernel library's
 * source, byte for byte: every file of {@code kernels/src/main/java}, no more,
 * no fewer, each unchanged.
 */
class KernelSourcesTest {
    static final Path KERNELS = Path.of("..", "kernels", "src", "main", "java").toAbsolutePath().normalize();

    @TempDir Path tmp;

    @Test
    void everyKernelSourceIsWrittenUnchanged() throws IOException {
        List<String> expected;
        try (Stream<Path> s = Files.walk(KERNELS)) {
            expected = s.filter(p -> p.toString().endsWith(".java")).map(p -> KERNELS.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
        assertEquals(expected, KernelSources.list(), "the kernel sources the codegen jar carries");
        List<Path> written = KernelSources.writeTo(tmp);
        assertEquals(expected.size(), written.size());
        for (String rel : expected) {
            assertArrayEquals(Files.readAllBytes(KERNELS.resolve(rel)), Files.readAllBytes(tmp.resolve(rel)), rel + " differs");
        }
    }
}
