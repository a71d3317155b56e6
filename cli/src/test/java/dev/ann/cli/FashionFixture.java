package dev.ann.cli;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The examples with Fashion-MNIST swapped for a few pictures: for tests that
 * need only the shape of the data (28×28 grey pictures, ten classes), so that
 * they pass without Debian's {@code dataset-fashion-mnist}. The files are IDX
 * pairs, gzipped as Debian ships them, named as the package names them.
 */
final class FashionFixture {
    /** Where the examples read Fashion-MNIST from (examples/fashion_data.ann). */
    static final String INSTALLED = "/usr/share/datasets/fashion-mnist/";
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    /** Pictures per file: one of each class, so the labels name all ten. */
    static final int PICTURES = 10;

    private FashionFixture() {}

    /**
     * Copies every example into {@code dir}/examples, reading Fashion-MNIST from
     * {@code dir}/fashion-mnist (written here: {@value #PICTURES} pictures per split)
     * or, with {@code writeData} false, from that folder left empty.
     *
     * @return the folder of the copied examples
     */
    static Path examples(Path dir, boolean writeData) throws IOException {
        Path data = Files.createDirectories(dir.resolve("fashion-mnist"));
        if (writeData) {
            for (String split : new String[] {"train", "t10k"}) {
                write(data.resolve(split + "-images-idx3-ubyte.gz"), 0x803, new int[] {PICTURES, 28, 28}, pictures());
                write(data.resolve(split + "-labels-idx1-ubyte.gz"), 0x801, new int[] {PICTURES}, labels());
            }
        }
        Path out = Files.createDirectories(dir.resolve("examples"));
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".ann")) {
                    Files.writeString(out.resolve(name), Files.readString(f, StandardCharsets.UTF_8)
                            .replace(INSTALLED, data.toString() + "/"), StandardCharsets.UTF_8);
                } else {
                    Files.copy(f, out.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return out;
    }

    private static byte[] pictures() {
        byte[] b = new byte[PICTURES * 28 * 28];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 31 % 256);
        return b;
    }

    private static byte[] labels() {
        byte[] b = new byte[PICTURES];
        for (int i = 0; i < PICTURES; i++) b[i] = (byte) (i % 10);
        return b;
    }

    /** An IDX file: magic number, one big-endian int per dimension, then the bytes. */
    private static void write(Path file, int magic, int[] dims, byte[] data) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.writeInt(magic);
            for (int d : dims) out.writeInt(d);
            out.write(data);
        }
    }
}
