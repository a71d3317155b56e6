package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ann.codegen.TrainerGenerator;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import dev.ann.runtime.train.Checkpoint;
import dev.ann.runtime.train.Trainer;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ARFF tables, texts (ARFF and CSV, token ids and bags of words) and windows over a series: the generated
 * trainer (compiled here, calling the kernels' Arff, Tokenizer and Windows) gives the same losses every
 * epoch and the same weights as {@code ann train}, bit for bit.
 */
class GeneratedTrainerSequenceDataTest {
    @TempDir static Path tmp;
    static Compilation compilation;

    @BeforeAll
    static void files() throws Exception {
        Random r = new Random(3);
        String[] words = {"corn", "wheat", "price", "rose", "fell", "bank", "rate", "crop", "ship", "oil"};
        StringBuilder arff = new StringBuilder("@relation news\n@attribute text string\n@attribute topic {other, grain}\n@data\n");
        StringBuilder csv = new StringBuilder("text,topic\n");
        StringBuilder table = new StringBuilder("@relation t\n@attribute a numeric\n@attribute c {x, y, z}\n@attribute k {no, yes}\n@data\n");
        for (int i = 0; i < 60; i++) {
            StringBuilder t = new StringBuilder();
            for (int k = 0; k < 3 + r.nextInt(6); k++) t.append(words[r.nextInt(words.length)]).append(' ');
            boolean grain = t.indexOf("corn") >= 0 || t.indexOf("wheat") >= 0;
            arff.append('\'').append(t.toString().strip()).append("',").append(grain ? "grain" : "other").append('\n');
            csv.append('"').append(t.toString().strip()).append("\",").append(grain ? "grain" : "other").append('\n');
            table.append(r.nextGaussian()).append(',').append("xyz".charAt(r.nextInt(3))).append(',').append(r.nextBoolean() ? "yes" : "no").append('\n');
        }
        Files.writeString(tmp.resolve("news.arff"), arff);
        Files.writeString(tmp.resolve("news.csv"), csv);
        Files.writeString(tmp.resolve("table.arff"), table);
        StringBuilder series = new StringBuilder("t,a,b\n");
        for (int i = 0; i < 80; i++) series.append(i).append(',').append(i == 9 ? "" : String.valueOf(Math.sin(i / 5.0))).append(',').append(i * 0.1).append('\n');
        Files.writeString(tmp.resolve("series.csv"), series);
        Path ann = tmp.resolve("seq.ann");
        Files.writeString(ann, """
                dataset Bag {
                    arff("news.arff", label: "topic", text: "text")
                    tokens words, vocabulary 8, bag
                    split train 60%, validation 20%, test 20%
                }
                dataset Ids {
                    train csv("news.csv", header: true, text: 0, label: 1)
                    tokens characters, vocabulary 12, length 10, lowercase
                    validation 25%
                }
                dataset WordIds {
                    arff("news.arff", label: "topic", text: "text")
                    tokens words, vocabulary 9, length 6
                    split train 60%, validation 20%, test 20%
                }
                dataset Table {
                    arff("table.arff", label: "k")
                    split train 70%, test 30%
                    normalize standard
                }
                dataset Series {
                    csv("series.csv", header: true, features: [1, 2], target: [1])
                    window 6, horizon 2
                    split train 60%, validation 20%, test 20%
                    normalize standard
                }
                dataset Changes {
                    csv("series.csv", header: true, features: [1, 2], target: [1])
                    window 6, horizon 2, relative
                    split train 60%, validation 20%, test 20%
                    normalize standard
                }
                network BagNet {
                    input [8]
                    dense(6) -> tanh
                    dense(2) -> softmax
                }
                network IdsNet {
                    input [10]
                    dense(6) -> tanh
                    dense(2) -> softmax
                }
                network TableNet {
                    input [4]
                    dense(6) -> tanh
                    dense(2) -> softmax
                }
                network Words {
                    input [6]
                    embedding(4)
                    conv1d(3, kernel: 2) -> relu
                    lstm(3, sequences: true, bidirectional: true)
                    globalmaxpool
                    dense(2) -> softmax
                }
                network Forecast {
                    input [6, 2]
                    flatten
                    dense(5) -> tanh
                    dense(2)
                }
                train bag = BagNet on Bag {
                    loss cross_entropy
                    epochs 3
                    batch 8
                }
                train ids = IdsNet on Ids {
                    loss cross_entropy
                    epochs 3
                    batch 8
                }
                train table = TableNet on Table {
                    loss cross_entropy
                    epochs 3
                    batch 8
                }
                train emb = Words on WordIds {
                    loss cross_entropy
                    epochs 3
                    batch 8
                }
                train series = Forecast on Series {
                    loss mse
                    epochs 3
                    batch 8
                }
                train changes = Forecast on Changes {
                    loss mse
                    epochs 3
                    batch 8
                }
                """);
        compilation = Compiler.compile(ann);
        assertEquals("[]", compilation.diagnostics().stream().filter(d -> d.code().startsWith("E")).map(d -> d.line() + 1 + ": " + d.message()).toList().toString());
    }

    @ParameterizedTest
    @CsvSource({"bag", "ids", "emb", "table", "series", "changes"})
    void sameLossesAndWeightsAsAnnTrain(String train) throws Exception {
        assertSameAsAnnTrain(compilation.plan(train, null), Files.createDirectories(tmp.resolve(train)), 3);
    }

    /**
     * The sequence examples' dev profiles on the Debian packages' data (weka: the Reuters corn ARFF files;
     * python3-statsmodels: co2.csv): an embedding + conv1d, the bag of words (a batch 98% zeros, which the dense
     * layer multiplies by its entries: SparseBatch), an LSTM forecast and the transformer encoder.
     */
    @ParameterizedTest
    @CsvSource({"reuters_corn.ann,conv,3", "reuters_corn.ann,BagOfWords,3", "co2.ann,lstm,5", "transformer.ann,Transformer,1"})
    void examplesDevProfilesSameAsAnnTrain(String file, String train, int epochs) throws Exception {
        Path example = Path.of("..", "examples", file).toAbsolutePath().normalize();
        String text = Files.readString(example);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(/usr/[^\"]+)\"").matcher(text);
        while (m.find()) {
            assumeTrue(Files.exists(Path.of(m.group(1))), file + " reads " + m.group(1) + ": apt-get install "
                    + (m.group(1).contains("weka") ? "weka" : "python3-statsmodels"));
        }
        Compilation c = Compiler.compile(example);
        assertEquals("[]", c.diagnostics().stream().filter(d -> d.code().startsWith("E")).map(d -> d.line() + 1 + ": " + d.message()).toList().toString());
        assertSameAsAnnTrain(c.plan(train, "dev"), Files.createDirectories(tmp.resolve("example-" + train)), epochs);
    }

    static void assertSameAsAnnTrain(Plan plan, Path dir, int epochs) throws Exception {
        String train = plan.train();
        Trainer.Options o = new Trainer.Options();
        o.out = dir.resolve("ann");
        o.log = new PrintStream(OutputStream.nullOutputStream());
        Trainer.train(plan, o);
        runGenerated(plan, dir, "--out", dir.resolve("gen").toString());

        Checkpoint want = Checkpoint.read(dir.resolve("ann/model.ckpt")), got = Checkpoint.read(dir.resolve("gen/model.ckpt"));
        JsonArray wh = want.header.getAsJsonArray("history"), gh = got.header.getAsJsonArray("history");
        assertEquals(epochs, wh.size());
        assertEquals(wh.size(), gh.size(), train + ": epochs run");
        for (int e = 0; e < wh.size(); e++) {
            JsonObject w = wh.get(e).getAsJsonObject(), g = gh.get(e).getAsJsonObject();
            for (String m : w.keySet()) {
                if (m.equals("seconds") || m.equals("samples_per_s")) continue;
                assertTrue(g.has(m), train + " epoch " + (e + 1) + ": the generated trainer has no " + m);
                assertEquals(w.get(m).getAsDouble(), g.get(m).getAsDouble(), 0.0, train + " epoch " + (e + 1) + " " + m);
            }
        }
        for (String name : want.arrays.keySet()) {
            // the targets' statistics (windows) are ann train's only: ann predict turns forecasts back into data units with them
            if (name.startsWith("data.target_")) continue;
            assertTrue(got.arrays.containsKey(name), train + ": the generated model.ckpt has no " + name);
            assertArrayEquals(want.array(name), got.array(name), train + ": " + name);
        }
        // a text dataset's vocabulary, which ann predict needs to read texts with the checkpoint
        if (plan.data().text() != null) assertTrue(got.header.has("text"), train + ": the generated model.ckpt keeps its vocabulary");
        assertEquals(want.header.get("text"), got.header.get("text"), train + ": the vocabulary in model.ckpt's header");
    }

    static void runGenerated(Plan plan, Path dir, String... args) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src")), classes = Files.createDirectories(dir.resolve("classes"));
        String pkg = "seq." + plan.train().toLowerCase(Locale.ROOT);
        TrainerGenerator.generate(plan, pkg).writeTo(src);
        String className = pkg + "." + TrainerGenerator.className(plan);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-Xlint:all,-path", "-Werror", "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), src.resolve(className.replace('.', File.separatorChar) + ".java").toString());
        assertEquals(0, rc, "javac failed on " + className);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, GeneratedTrainerSequenceDataTest.class.getClassLoader())) {
            Class<?> c = loader.loadClass(className);
            Class<?> options = loader.loadClass(c.getName() + "$Options");
            Method parse = options.getDeclaredMethod("parse", String[].class);
            parse.setAccessible(true);
            Object o = parse.invoke(null, (Object) args);
            Method load = c.getDeclaredMethod("loadData", options);
            load.setAccessible(true);
            Object data = load.invoke(null, o);
            Constructor<?> ctor = c.getDeclaredConstructor(options);
            ctor.setAccessible(true);
            Object trainer = ctor.newInstance(o);
            Method train = c.getDeclaredMethod("train", options, data.getClass());
            train.setAccessible(true);
            train.invoke(trainer, o, data);
        }
    }
}
