package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ann.codegen.TrainerGenerator;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.plan.Kind;
import dev.ann.plan.Op;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every layer kind, activation, loss, optimiser and schedule: for each train
 * block of {@code src/test/resources/generate/every_*.ann}, {@code ann train}
 * (the runtime's Trainer) and the generated trainer (compiled against the
 * kernel classes of this class path and loaded into this JVM) train for a few
 * epochs with the same seed (train block {@code two}: several sources per role; {@code Sequences}: the sequence layers)
 * and give the same losses every epoch and the same
 * weights and optimiser state in {@code model.ckpt}, bit for bit. The whole
 * trainer in its own JVM is {@link GeneratedTrainerMatchesAnnTrainTest}'s.
 */
class GeneratedTrainerEveryKindTest {
    static final Path RESOURCES = Path.of("src", "test", "resources", "generate").toAbsolutePath();
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @TempDir static Path tmp;
    static final List<Plan> plans = new ArrayList<>();

    /** The .ann files, with their data paths made absolute, written to the temporary folder and planned. */
    @BeforeAll
    static void plan() throws Exception {
        for (String name : List.of("every_layer.ann", "every_loss.ann", "every_sequence.ann")) {
            String text = Files.readString(RESOURCES.resolve(name)).replace("../../../../../examples/",
                    EXAMPLES.toString().replace('\\', '/') + "/");
            Path ann = tmp.resolve(name);
            Files.writeString(ann, text);
            Compilation c = Compiler.compile(ann);
            for (String train : c.trainNames()) plans.add(c.plan(train, null));
        }
    }

    /** The files use every kind there is: a kind added to the language without a case here fails this test. */
    @Test
    void theFilesUseEveryKind() {
        Set<String> layers = new TreeSet<>(), activations = new TreeSet<>(), losses = new TreeSet<>(), optimizers = new TreeSet<>(),
                schedules = new TreeSet<>();
        for (Plan p : plans) {
            for (Op op : p.ops()) {
                if (op.layer() instanceof Kind.Activation a) activations.add(a.function().languageName());
                else layers.add(op.kind());
            }
            losses.add(p.loss().kind());
            optimizers.add(p.optimizer().kind());
            schedules.add(p.schedule() == null ? "constant" : p.schedule().kind());
        }
        Set<String> allActivations = new TreeSet<>();
        for (Kind.Function f : Kind.Function.values()) allActivations.add(f.languageName());
        assertEquals(allActivations, activations);
        assertEquals(new TreeSet<>(List.of("input", "dense", "conv2d", "maxpool", "avgpool", "globalavgpool", "reshape", "flatten",
                "dropout", "batchnorm", "layernorm", "concat", "add",
                // sequences (every_sequence.ann); embedding needs a text dataset's token ids
                "lstm", "gru", "conv1d", "maxpool1d", "avgpool1d", "globalmaxpool", "attention", "positional")), layers);
        assertEquals(new TreeSet<>(enumNames(dev.ann.kernels.Loss.Fn.values())), losses);
        assertEquals(new TreeSet<>(enumNames(dev.ann.kernels.Optimizer.Fn.values())), optimizers);
        assertEquals(new TreeSet<>(enumNames(dev.ann.kernels.Schedule.Fn.values())), schedules);
    }

    private static List<String> enumNames(Enum<?>[] values) {
        List<String> out = new ArrayList<>();
        for (Enum<?> v : values) out.add(v.name().toLowerCase(Locale.ROOT));
        return out;
    }

    @ParameterizedTest
    @CsvSource({"Every", "sgd", "adamw", "rmsprop", "adagrad", "mse", "mae", "huber", "bce", "logits", "two", "Sequences", "Halves"})
    void sameLossesAndWeightsAsAnnTrain(String train) throws Exception {
        Plan plan = plans.stream().filter(p -> p.train().equals(train)).findFirst().orElseThrow();
        assertEquals(train.equals("Halves"), plan.trainsInHalves(), train + ": trains in halves");
        assertSameAsAnnTrain(plan, Files.createDirectories(tmp.resolve(train)));
    }

    /**
     * {@code images(...)} sources: a picture folder of three classes (PNG and JPEG, of several sizes, drawn
     * here from a seeded generator), split and scaled, RGB and grey, with a profile that resizes and takes a
     * subset, and a second folder as the test source. ann train and the generated trainer give the same losses
     * and weights.
     */
    @ParameterizedTest
    @CsvSource({"rgb,", "grey,small"})
    void pictureFoldersSameLossesAndWeightsAsAnnTrain(String train, String profile) throws Exception {
        Path pics = tmp.resolve("pictures");
        if (!Files.exists(pics)) {
            java.util.Random r = new java.util.Random(11);
            String[] classes = {"circle", "cross", "square"};
            for (String folder : List.of("all", "test")) {
                for (int c = 0; c < classes.length; c++) {
                    Path dir = Files.createDirectories(pics.resolve(folder).resolve(classes[c]));
                    for (int i = 0; i < (folder.equals("all") ? 12 : 4); i++) {
                        int w = 8 + r.nextInt(6), h = 8 + r.nextInt(6);
                        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
                        for (int y = 0; y < h; y++) {
                            for (int x = 0; x < w; x++) {
                                int base = (c + 1) * 60 + r.nextInt(40);
                                img.setRGB(x, y, (base << (8 * c)) | r.nextInt(50));
                            }
                        }
                        String format = i % 3 == 2 ? "jpg" : "png";
                        javax.imageio.ImageIO.write(img, format, dir.resolve(String.format(Locale.ROOT, "p%02d.%s", i, format)).toFile());
                    }
                }
            }
            String folder = pics.toString().replace('\\', '/');
            Files.writeString(tmp.resolve("pictures.ann"), """
                    dataset Shapes {
                        images("%1$s/all", size: [3, 10, 10])
                        split train 70%%, validation 30%%
                        scale 1/255
                        shuffle(seed: 4)
                    }

                    dataset GreyShapes {
                        train images("%1$s/all", size: [1, 10, 10])
                        test images("%1$s/test", size: [1, 10, 10])
                        validation 25%%
                        normalize minmax
                        shuffle(seed: 6)
                    }

                    network Rgb {
                        input [3, 10, 10]
                        conv2d(4, kernel: 3) -> relu
                        maxpool(2)
                        flatten
                        dense(3)
                    }

                    network Grey {
                        input [1, 10, 10]
                        conv2d(4, kernel: 3, padding: same) -> relu
                        globalavgpool
                        dense(3)
                    }

                    profile small {
                        subset 80%%
                        resize [8, 8]
                    }

                    train rgb = Rgb on Shapes {
                        loss cross_entropy
                        optimizer adam(lr: 1e-2)
                        batch 8
                        epochs 3
                        seed 3
                    }

                    train grey = Grey on GreyShapes {
                        loss cross_entropy
                        optimizer sgd(lr: 5e-2, momentum: 0.9)
                        batch 8
                        epochs 3
                        seed 9
                    }
                    """.formatted(folder));
        }
        Compilation c = Compiler.compile(tmp.resolve("pictures.ann"));
        Plan plan = c.plan(train, profile);
        assertEquals("images", plan.data().sources().get(0).kind());
        assertSameAsAnnTrain(plan, Files.createDirectories(tmp.resolve("pictures-" + train)));
    }

    /**
     * Trains the plan with ann train and with the generated trainer in this JVM; every epoch's metrics and every
     * array of model.ckpt must be equal.
     */
    private static void assertSameAsAnnTrain(Plan plan, Path dir) throws Exception {
        String train = plan.train();
        int epochs = plan.loop().epochs();
        // ann train, in this JVM
        Trainer.Options o = new Trainer.Options();
        o.out = dir.resolve("ann");
        o.log = new PrintStream(OutputStream.nullOutputStream());
        Trainer.train(plan, o);

        // the generated trainer, compiled against the kernel classes here and run in this JVM
        runGenerated(plan, dir, "--out", dir.resolve("gen").toString());

        Checkpoint want = Checkpoint.read(dir.resolve("ann/model.ckpt")), got = Checkpoint.read(dir.resolve("gen/model.ckpt"));
        JsonArray wh = want.header.getAsJsonArray("history"), gh = got.header.getAsJsonArray("history");
        assertEquals(wh.size(), gh.size(), train + ": epochs run");
        assertTrue(wh.size() >= 1 && wh.size() <= epochs);
        for (int e = 0; e < wh.size(); e++) {
            JsonObject w = wh.get(e).getAsJsonObject(), g = gh.get(e).getAsJsonObject();
            for (String m : w.keySet()) {
                if (m.equals("seconds") || m.equals("samples_per_s")) continue;
                assertTrue(g.has(m), train + " epoch " + (e + 1) + ": the generated trainer has no " + m);
                assertEquals(w.get(m).getAsDouble(), g.get(m).getAsDouble(), 0.0, train + " epoch " + (e + 1) + " " + m);
            }
        }
        assertEquals(want.arrays.keySet(), got.arrays.keySet(), train + ": the arrays of model.ckpt");
        for (String name : want.arrays.keySet()) {
            assertArrayEquals(want.array(name), got.array(name), train + ": " + name);
        }
        assertEquals(want.header.getAsJsonObject("optimizer").get("step").getAsLong(),
                got.header.getAsJsonObject("optimizer").get("step").getAsLong(), train + ": optimiser steps");
    }

    /**
     * {@code checkpoint "checkpoints-adamw" every 1, keep best(val_loss)}: the generated trainer writes last.ckpt,
     * best.ckpt and epoch-NNNN.ckpt, and {@code --resume} after 1 epoch ends where 2 epochs in one go end.
     */
    @Test
    void checkpointsEveryEpochKeepBestAndResume() throws Exception {
        Plan plan = plans.stream().filter(p -> p.train().equals("adamw")).findFirst().orElseThrow();
        Path dir = Files.createDirectories(tmp.resolve("resume"));
        Path ck = Path.of(plan.loop().checkpoint().dir());
        runGenerated(plan, dir, "--epochs", "2", "--out", dir.resolve("whole").toString());
        for (String f : List.of("last.ckpt", "best.ckpt", "epoch-0001.ckpt", "epoch-0002.ckpt")) {
            assertTrue(Files.exists(ck.resolve(f)), f + " in " + ck);
        }
        Checkpoint whole = Checkpoint.read(dir.resolve("whole/model.ckpt"));
        runGenerated(plan, dir, "--epochs", "1", "--out", dir.resolve("part").toString());
        runGenerated(plan, dir, "--epochs", "2", "--out", dir.resolve("part").toString(), "--resume");
        Checkpoint resumed = Checkpoint.read(dir.resolve("part/model.ckpt"));
        assertEquals(whole.header.getAsJsonArray("history").size(), resumed.header.getAsJsonArray("history").size());
        assertEquals(withoutTimes(whole), withoutTimes(resumed), "the history of 1 epoch, then 1 more after --resume");
        for (String name : whole.arrays.keySet()) assertArrayEquals(whole.array(name), resumed.array(name), "resumed: " + name);
    }

    /** The history of a checkpoint without the timings, which differ between runs. */
    private static String withoutTimes(Checkpoint c) {
        return c.header.get("history").toString().replaceAll("\"(seconds|samples_per_s)\":\\s*[-0-9.eE+]+,?", "");
    }

    private static final java.util.Map<String, Class<?>> compiled = new java.util.HashMap<>();

    /** Generates, compiles (once per train block) and runs the trainer's Options.parse, loadData and train in this JVM. */
    private static void runGenerated(Plan plan, Path dir, String... args) throws Exception {
        Class<?> c = compiled.get(plan.train());
        if (c == null) {
            Path src = Files.createDirectories(dir.resolve("src")), classes = Files.createDirectories(dir.resolve("classes"));
            String pkg = "every." + plan.train().toLowerCase(Locale.ROOT);
            TrainerGenerator.generate(plan, pkg).writeTo(src);
            String className = pkg + "." + TrainerGenerator.className(plan);
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            int rc = javac.run(null, null, null, "-Xlint:all,-path", "-Werror", "-classpath", System.getProperty("java.class.path"),
                    "-d", classes.toString(), src.resolve(className.replace('.', File.separatorChar) + ".java").toString());
            assertEquals(0, rc, "javac failed on " + className);
            URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                    GeneratedTrainerEveryKindTest.class.getClassLoader());
            c = loader.loadClass(className);
            compiled.put(plan.train(), c);
        }
        Class<?> options = c.getClassLoader().loadClass(c.getName() + "$Options");
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
