package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ann generate}: what it writes, and its errors. Compiling and running the output is tested elsewhere. */
class GenerateCommandTest {
    @TempDir Path tmp;

    @Test
    void writesOneTrainerPerTrainBlock() throws Exception {
        Run r = Run.of("generate", "../examples/xor.ann", "--out", tmp.toString(), "--package", "demo.xor");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(tmp.resolve("demo/xor/XorNetTrainer.java")), r.out());
        assertTrue(Files.exists(tmp.resolve("demo/xor/NeuronTrainer.java")), r.out());
        assertTrue(Files.readString(tmp.resolve("demo/xor/NeuronTrainer.java")).contains("package demo.xor;"));
        // the kernels the trainers call, beside them and unchanged
        assertTrue(Files.readString(tmp.resolve("demo/xor/NeuronTrainer.java")).contains("import dev.ann.kernels.Network;"));
        for (String k : new String[] {"Network", "Layers", "Loss", "Optimizer", "Schedule", "Seeds", "CheckpointFile"}) {
            java.nio.file.Path copied = tmp.resolve("dev/ann/kernels/" + k + ".java");
            assertTrue(Files.exists(copied), copied + "\n" + r.out());
            assertEquals(Files.readString(java.nio.file.Path.of("../kernels/src/main/java/dev/ann/kernels/" + k + ".java")),
                    Files.readString(copied), k + ".java is the kernel's source");
        }
        assertTrue(r.out().contains("kernel sources under"), r.out());
    }

    @Test
    void jsonListsTheWrittenFilesWholeEvenWithSpacesInTheirPaths() throws Exception {
        Path out = tmp.resolve("my trainers");
        Run r = Run.of("generate", "../examples/xor.ann", "--out", out.toString(), "--project", "--json");
        assertEquals(0, r.exit(), r.err());
        var o = com.google.gson.JsonParser.parseString(r.out()).getAsJsonObject();
        var files = o.getAsJsonArray("files");
        assertEquals(2, files.size(), r.out());
        for (var f : files) {
            Path p = Path.of(f.getAsString());
            assertTrue(p.isAbsolute() && Files.isRegularFile(p), p.toString());
            assertTrue(p.startsWith(out.toAbsolutePath()), p.toString());
        }
        assertTrue(Files.isRegularFile(Path.of(o.get("pom").getAsString())), r.out());
    }

    @Test
    void projectWritesAPomWhoseJarRunsTheTrainer() throws Exception {
        Run r = Run.of("generate", "../examples/iris.ann", "--out", tmp.toString(), "--project", "--package", "demo");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(tmp.resolve("src/main/java/demo/IrisNetTrainer.java")));
        assertTrue(Files.exists(tmp.resolve("src/main/java/dev/ann/kernels/Network.java")), "the kernel sources go with the trainer");
        String pom = Files.readString(tmp.resolve("pom.xml"));
        assertTrue(pom.contains("<mainClass>demo.IrisNetTrainer</mainClass>"), pom);
        assertTrue(pom.contains("<finalName>iris-trainer</finalName>"), pom);
        assertTrue(pom.contains("<artifactId>nd4j-native</artifactId>") && !pom.contains("dev.ann"), "ND4J only: " + pom);
    }

    @Test
    void onlyTheNamedTrainBlockWithItsProfile() throws Exception {
        Run r = Run.of("generate", "../examples/xor.ann", "--train", "neuron", "--profile", "dev", "--out", tmp.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(tmp.resolve("NeuronTrainer.java")));
        assertTrue(Files.notExists(tmp.resolve("XorNetTrainer.java")));
        assertTrue(Files.readString(tmp.resolve("NeuronTrainer.java")).contains("int epochs = 20;"), "the dev profile's epochs");
    }

    @Test
    void missingDataFilesAreWarningsForGenerating() throws Exception {
        Path examples = FashionFixture.examples(tmp.resolve("data"), false);
        Run r = Run.of("generate", examples.resolve("fashion_cnn.ann").toString(), "--out", tmp.resolve("out").toString());
        assertEquals(Main.OK, r.exit(), r.err());
        assertTrue(Files.readString(tmp.resolve("out/FashionCNNTrainer.java")).contains("t10k-labels-idx1-ubyte.gz"),
                "the trainer reads the files when it runs");
        assertTrue(r.err().contains("warning[E043]: IDX image file not found"), r.err());
        assertTrue(r.err().contains("ann train will need them"), r.err());
        Run check = Run.of("check", examples.resolve("fashion_cnn.ann").toString());
        assertEquals(Main.ERRORS, check.exit(), "for ann check a missing file stays an error: " + check.out());
    }

    @Test
    void errorsSayWhatIsWrong() {
        Run unknown = Run.of("generate", "../examples/xor.ann", "--train", "nope", "--out", tmp.toString());
        assertEquals(Main.ERRORS, unknown.exit());
        assertTrue(unknown.err().contains("nope"), unknown.err());
        Run badPackage = Run.of("generate", "../examples/xor.ann", "--package", "1x", "--out", tmp.toString());
        assertEquals(Main.USAGE, badPackage.exit());
        assertTrue(badPackage.err().contains("--package"), badPackage.err());
        Run noOut = Run.of("generate", "../examples/xor.ann");
        assertEquals(Main.USAGE, noOut.exit());
        Run missing = Run.of("generate", "../examples/missing.ann", "--out", tmp.toString());
        assertEquals(Main.USAGE, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }
}
