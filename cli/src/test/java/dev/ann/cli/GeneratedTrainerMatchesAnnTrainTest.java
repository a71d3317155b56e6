package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ann.compiler.Compiler;
import dev.ann.codegen.KernelSources;
import dev.ann.codegen.TrainerGenerator;
import dev.ann.plan.Plan;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated trainer, compiled against ND4J alone and run in a child JVM,
 * trains exactly like {@code ann train} run in another child JVM with the same
 * seed: the same training and validation loss every epoch (to 1e-6 relative;
 * both read at full precision from the histories in their model.ckpt) and the
 * same final test accuracy.
 */
class GeneratedTrainerMatchesAnnTrainTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir Path tmp;

    @ParameterizedTest
    @CsvSource({"xor.ann, XorNet, 100", "iris.ann, IrisNet, 60"})
    void sameLossesEveryEpochAndSameTestAccuracy(String file, String train, String epochs) throws Exception {
        check(EXAMPLES.resolve(file), train, epochs);
    }

    /**
     * The layers the examples above lack, on iris reshaped to 2x2 pictures:
     * conv2d, batchnorm over channels and positions, relu and maxpool.
     */
    @org.junit.jupiter.api.Test
    void sameLossesWithConvolutionBatchnormAndPooling() throws Exception {
        String csv = EXAMPLES.resolve("iris.csv").toString().replace("\\", "/");
        Path ann = tmp.resolve("iris_conv.ann");
        Files.writeString(ann, """
                dataset Iris {
                    csv("%s", header: true, features: 0..3, label: 4)
                    split train 70%%, validation 15%%, test 15%%
                    normalize standard
                    shuffle(seed: 1)
                }

                network IrisConv {
                    input [4]
                    reshape([1, 2, 2])
                    conv2d(6, kernel: 2, padding: same)
                    batchnorm
                    relu
                    maxpool(2)
                    flatten
                    dense(3) -> softmax
                }

                train IrisConv on Iris {
                    loss cross_entropy
                    optimizer adam(lr: 1e-2)
                    batch 16
                    epochs 30
                    metrics accuracy, loss
                    seed 42
                }
                """.formatted(csv));
        check(ann, "IrisConv", "30");
    }

    /** {@code shuffle false}: the split and every epoch take the samples in file order, in both trainers. */
    @org.junit.jupiter.api.Test
    void sameLossesWithShuffleFalse() throws Exception {
        String csv = EXAMPLES.resolve("iris.csv").toString().replace("\\", "/");
        Path ann = tmp.resolve("iris_ordered.ann");
        Files.writeString(ann, """
                dataset Iris {
                    csv("%s", header: true, features: 0..3, label: 4)
                    split train 80%%, test 20%%
                    validation 10%%
                    normalize standard
                    shuffle false
                }

                network IrisNet {
                    input [4]
                    dense(8) -> relu
                    dense(3) -> softmax
                }

                train IrisNet on Iris {
                    loss cross_entropy
                    optimizer adam(lr: 1e-2)
                    batch 16
                    epochs 10
                    metrics accuracy, loss
                    seed 3
                }
                """.formatted(csv));
        check(ann, "IrisNet", "10");
    }

    /**
     * {@code init from}: both trainers start from the weights of an earlier run's model.ckpt (read by name and shape)
     * and train alike; with the earlier run's seed, data and network, only those weights make the first epoch differ.
     */
    @org.junit.jupiter.api.Test
    void sameLossesWhenStartingFromACheckpoint() throws Exception {
        String csv = EXAMPLES.resolve("iris.csv").toString().replace("\\", "/");
        String body = """
                dataset Iris {
                    csv("%s", header: true, features: 0..3, label: 4)
                    split train 80%%, test 20%%
                    validation 10%%
                    normalize standard
                }

                network IrisNet {
                    input [4]
                    dense(8) -> relu
                    dense(3) -> softmax
                }

                train IrisNet on Iris {
                    loss cross_entropy
                    optimizer adam(lr: 1e-2)
                    batch 16
                    epochs 4
                    metrics accuracy, loss
                    seed 3
                %s}
                """;
        Path pre = tmp.resolve("pre.ann");
        Files.writeString(pre, body.formatted(csv, ""));
        run(tmp.resolve("pre.log"), JAVA, "-cp", System.getProperty("java.class.path"), "dev.ann.cli.Main", "train", pre.toString(),
                "--out", tmp.resolve("pre").toString());
        Path tuned = tmp.resolve("tuned.ann");
        Files.writeString(tuned, body.formatted(csv, "    init from \"pre/model.ckpt\"\n"));
        check(tuned, "IrisNet", "4");
        double first = header(tmp.resolve("pre/model.ckpt")).getAsJsonArray("history").get(0).getAsJsonObject().get("train_loss").getAsDouble();
        double tunedFirst = header(tmp.resolve("gen/model.ckpt")).getAsJsonArray("history").get(0).getAsJsonObject().get("train_loss").getAsDouble();
        assertTrue(tunedFirst < first - 1e-3, "the trained weights start lower: " + tunedFirst + " vs " + first);
    }

    private void check(Path ann, String train, String epochs) throws Exception {
        String file = ann.getFileName().toString();
        Plan plan = Compiler.compile(ann).plan(train, null);

        // the generated trainer, compiled with ND4J alone on the class path
        String className = compileTrainer(plan);
        String generatedOut = run(tmp.resolve("gen.log"), JAVA, "-cp", tmp.resolve("classes") + File.pathSeparator + nd4jClassPath(), className,
                "--epochs", epochs, "--out", tmp.resolve("gen").toString());

        // ann train, the reference
        run(tmp.resolve("ann.log"), JAVA, "-cp", System.getProperty("java.class.path"), "dev.ann.cli.Main", "train", ann.toString(),
                "--train", train, "--epochs", epochs, "--out", tmp.resolve("ann").toString());

        JsonArray expected = header(tmp.resolve("ann/model.ckpt")).getAsJsonArray("history");
        JsonArray actual = header(tmp.resolve("gen/model.ckpt")).getAsJsonArray("history");
        assertEquals(Integer.parseInt(epochs), expected.size(), "ann train ran every epoch");
        assertEquals(expected.size(), actual.size(), "epochs run");
        for (int e = 0; e < expected.size(); e++) {
            JsonObject want = expected.get(e).getAsJsonObject(), got = actual.get(e).getAsJsonObject();
            for (String metric : List.of("train_loss", "train_accuracy", "val_loss", "val_accuracy")) {
                if (!want.has(metric)) continue;
                double w = want.get(metric).getAsDouble(), g = got.get(metric).getAsDouble();
                assertTrue(Math.abs(w - g) <= 1e-6 * Math.max(Math.abs(w), 1e-12),
                        file + " epoch " + (e + 1) + " " + metric + ": ann train " + w + ", generated " + g);
            }
        }
        JsonObject summary = JsonParser.parseString(Files.readString(tmp.resolve("ann/summary.json"))).getAsJsonObject();
        JsonObject test = summary.getAsJsonObject("test");
        Matcher m = Pattern.compile("test: accuracy .* over n = (\\d+) \\((\\d+) correct\\)").matcher(generatedOut);
        assertTrue(m.find(), "the generated trainer reports the test accuracy:\n" + generatedOut);
        assertEquals(test.get("n").getAsInt(), Integer.parseInt(m.group(1)), "test samples");
        assertEquals(test.get("accuracy").getAsDouble(), (double) Integer.parseInt(m.group(2)) / Integer.parseInt(m.group(1)), 1e-6,
                "test accuracy");

        // ann eval reads the generated model.ckpt (weights, normalisation, class names) and finds the same
        String eval = run(tmp.resolve("eval.log"), JAVA, "-cp", System.getProperty("java.class.path"), "dev.ann.cli.Main", "eval",
                ann.toString(), "--train", train, "--checkpoint", tmp.resolve("gen/model.ckpt").toString(), "--json");
        JsonObject evaluated = JsonParser.parseString(eval.substring(eval.indexOf('{'))).getAsJsonObject();
        assertEquals(test.get("accuracy").getAsDouble(), evaluated.get("accuracy").getAsDouble(), 1e-6, "ann eval of the generated checkpoint");
        assertEquals(test.get("loss").getAsDouble(), evaluated.get("loss").getAsDouble(), 1e-5, "ann eval of the generated checkpoint");
    }

    /**
     * Generates the trainer of a plan with the kernel sources beside it, as {@code ann generate} writes them, and
     * compiles them with ND4J alone on the class path into {@code tmp/classes}; returns the trainer's class name.
     */
    private String compileTrainer(Plan plan) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        TrainerGenerator.generate(plan, "").writeTo(src);
        List<String> sources = new ArrayList<>();
        String className = TrainerGenerator.className(plan);
        sources.add(src.resolve(className + ".java").toString());
        for (Path k : KernelSources.writeTo(src)) sources.add(k.toString());
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-Xlint:all,-path", "-Werror", "-classpath", nd4jClassPath(), "-d", classes.toString()));
        args.addAll(sources);
        // -path: the manifests of two jars ND4J pulls in here (openblas, jna-platform) name jars that do not exist;
        // the codegen module's GeneratedTrainerCompilesTest compiles every example with the full -Xlint:all -Werror
        int rc = javac.run(null, null, null, args.toArray(new String[0]));
        assertEquals(0, rc, "javac failed on the generated " + className);
        return className;
    }

    /** Runs a child JVM with the thread settings ann chooses; returns its output, failing on a non-zero exit. */
    static String run(Path log, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_WAIT_POLICY", "passive");
        int rc = pb.start().waitFor();
        String out = Files.readString(log);
        assertEquals(0, rc, String.join(" ", command) + "\n" + out);
        return out;
    }

    /** The JSON header of a checkpoint file (format ANNCKPT1). */
    static JsonObject header(Path ckpt) throws IOException {
        try (InputStream in = Files.newInputStream(ckpt)) {
            byte[] head = in.readNBytes(12);
            assertEquals("ANNCKPT1", new String(head, 0, 8, StandardCharsets.US_ASCII));
            int length = ByteBuffer.wrap(head, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            return JsonParser.parseString(new String(in.readNBytes(length), StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    /** The test class path minus ann's modules and the libraries only ann uses: ND4J and what it needs. */
    static String nd4jClassPath() {
        List<String> keep = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.contains(File.separator + "target" + File.separator) || e.endsWith(File.separator + "classes")) continue;
            if (Stream.of("javapoet", "antlr", "junit", "opentest4j", "apiguardian", "surefire", "picocli", "lsp4j", "ann-")
                    .anyMatch(e::contains)) continue;
            keep.add(e);
        }
        return keep.stream().collect(Collectors.joining(File.pathSeparator));
    }
}
