package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.kernels.Tokenizer;
import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.train.Checkpoint;
import dev.ann.runtime.train.Evaluation;
import dev.ann.runtime.train.Model;
import dev.ann.runtime.train.Predictor;
import dev.ann.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code init from} a checkpoint that keeps a vocabulary, under a dataset with a tokens line: the run reads the
 * texts with the checkpoint's vocabulary (not one fitted on its own training split), in ann train and in the
 * generated trainer, so that fine-tuning starts from the source model's loss; a vocabulary that does not fit is
 * an error at the line of {@code init from}; a checkpoint without one is a warning.
 */
class InitFromVocabularyTest {
    @TempDir static Path tmp;
    static Path file;

    static final String NETWORK = """
            network Mood {
                input [8]
                embedding(6)
                lstm(5)
                dense(2) -> softmax
            }
            """;

    @BeforeAll
    static void sourceModel() throws Exception {
        System.setProperty("ann.noRelaunch", "true");
        String[] filler = {"the", "film", "was", "plot", "actors", "music", "long", "very"};
        Random r = new Random(3);
        StringBuilder reviews = new StringBuilder("review,mood\n");
        for (int i = 0; i < 60; i++) {
            StringBuilder t = new StringBuilder();
            for (int k = 0, n = 2 + r.nextInt(7); k < n; k++) t.append(filler[r.nextInt(filler.length)]).append(' ');
            t.append(i % 2 == 0 ? "great" : "awful");
            reviews.append('"').append(t).append("\",").append(i % 2 == 0 ? "pos" : "neg").append('\n');
        }
        Files.writeString(tmp.resolve("reviews.csv"), reviews);
        // the same reviews and more, whose words (zebra, canoe, ...) a vocabulary fitted on them would rank first
        StringBuilder more = new StringBuilder(reviews);
        String[] fresh = {"zebra", "canoe", "opera", "lemon"};
        for (int i = 0; i < 40; i++) {
            StringBuilder t = new StringBuilder();
            for (int k = 0; k < 6; k++) t.append(fresh[r.nextInt(fresh.length)]).append(' ');
            t.append(i % 2 == 0 ? "great" : "awful");
            more.append('"').append(t).append("\",").append(i % 2 == 0 ? "pos" : "neg").append('\n');
        }
        Files.writeString(tmp.resolve("more.csv"), more);
        file = tmp.resolve("tune.ann");
        Files.writeString(file, """
                dataset Reviews {
                    train csv("reviews.csv", header: true, text: 0, label: 1)
                    tokens words, vocabulary 12, length 8, lowercase
                    validation 20%
                }
                dataset More {
                    train csv("more.csv", header: true, text: 0, label: 1)
                    tokens words, vocabulary 12, length 8, lowercase
                    validation 25%
                }
                dataset MoreCased {
                    train csv("more.csv", header: true, text: 0, label: 1)
                    tokens words, vocabulary 12, length 8
                    validation 25%
                }
                """ + NETWORK + """
                network Small {
                    input [8]
                    embedding(6, vocabulary: 8)
                    lstm(5)
                    dense(2) -> softmax
                }
                dataset MoreSmall {
                    train csv("more.csv", header: true, text: 0, label: 1)
                    tokens words, vocabulary 8, length 8, lowercase
                    validation 25%
                }
                train src = Mood on Reviews {
                    loss cross_entropy
                    optimizer adam(lr: 0.02)
                    epochs 3
                    batch 16
                }
                train still = Mood on More {
                    loss cross_entropy
                    optimizer sgd(lr: 0.000000000001)
                    epochs 1
                    batch 16
                    init from "src/model.ckpt"
                }
                train fresh = Mood on More {
                    loss cross_entropy
                    epochs 1
                    batch 16
                }
                train tune = Mood on More {
                    loss cross_entropy
                    optimizer adam(lr: 0.01)
                    epochs 2
                    batch 16
                    init from "src/model.ckpt"
                }
                train cased = Mood on MoreCased {
                    loss cross_entropy
                    epochs 1
                    init from "src/model.ckpt"
                }
                train small = Small on MoreSmall {
                    loss cross_entropy
                    epochs 1
                    init from "src/model.ckpt"
                }
                train bare = Mood on More {
                    loss cross_entropy
                    epochs 1
                    batch 16
                    init from "bare.ckpt"
                }
                """);
        Trainer.Options o = new Trainer.Options();
        o.out = tmp.resolve("src");
        o.log = new PrintStream(OutputStream.nullOutputStream());
        Trainer.train(compile().plan("src", null), o);
    }

    static Compilation compile() throws Exception {
        Compilation c = Compiler.compile(file);
        assertEquals("[]", c.diagnostics().stream().filter(d -> d.code().startsWith("E")).map(d -> d.line() + 1 + ": " + d.message()).toList().toString());
        return c;
    }

    record Logged(List<Trainer.Result> results, String log) {}

    static Logged train(Plan plan, Path out) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Trainer.Options o = new Trainer.Options();
        o.out = out;
        o.log = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        List<Trainer.Result> r = Trainer.train(plan, o);
        return new Logged(r, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void fineTuningStartsFromTheSourceModelsLoss() throws Exception {
        Compilation c = compile();
        Path src = tmp.resolve("src/model.ckpt");
        Tokenizer saved = Model.tokenizer(Checkpoint.read(src));
        // the fine-tuning data's own training split would fit another vocabulary (its new words rank first)
        Plan fresh = c.plan("fresh", null);
        try (Pipeline.Splits s = Pipeline.load(fresh.data(), null)) {
            assertNotEquals(saved.tokens, s.transform().tokenizer().tokens, "the test needs data that would fit another vocabulary");
        }
        Plan still = c.plan("still", null);
        Logged run = train(still, tmp.resolve("still"));
        Trainer.Result r = run.results().get(0);
        assertEquals(saved.tokens, r.data().transform().tokenizer().tokens, "the run's vocabulary is the checkpoint's");
        assertTrue(run.log().contains("vocabulary: 10 tokens from " + src), run.log());
        // a learning rate of 1e-12 leaves the weights as they were: the first epoch's validation loss is the
        // loss the source model has on those texts (ann eval's way: the checkpoint's own vocabulary)
        Evaluation want = new Predictor(still, src).evaluate(null);
        double got = r.history().get(0).get("val_loss");
        assertEquals(want.loss, got, 1e-5 * Math.abs(want.loss), run.log());
        double trainLoss = r.history().get(0).get("train_loss");
        assertTrue(Double.isFinite(trainLoss) && trainLoss > 0, run.log());
    }

    @Test
    void theGeneratedTrainerUsesTheCheckpointsVocabularyToo() throws Exception {
        Plan tune = compile().plan("tune", null);
        PrintStream was = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Path dir = Files.createDirectories(tmp.resolve("generated"));
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            GeneratedTrainerSequenceDataTest.assertSameAsAnnTrain(tune, dir, 2);
        } finally {
            System.setOut(was);
        }
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("vocabulary: 10 tokens from " + tmp.resolve("src/model.ckpt")),
                bytes.toString(StandardCharsets.UTF_8));
        Tokenizer saved = Model.tokenizer(Checkpoint.read(tmp.resolve("src/model.ckpt")));
        // (the generated trainer's checkpoints keep no vocabulary; the same losses and weights above show it used this one)
        assertEquals(saved.tokens, Model.tokenizer(Checkpoint.read(dir.resolve("ann/model.ckpt"))).tokens);
    }

    @Test
    void otherTokensOptionsStopAtTheLineOfInitFrom() throws Exception {
        Compilation c = compile();
        int line = lineOf("init from \"src/model.ckpt\"", 3);
        Plan cased = c.plan("cased", null);
        RunException e = assertThrows(RunException.class, () -> train(cased, tmp.resolve("cased")));
        assertTrue(e.getMessage().startsWith(file + ":" + line + ":") && e.getMessage().contains("lowercase"), e.getMessage());
        assertEquals(RunException.BAD_INPUT, e.exitCode);
    }

    @Test
    void aVocabularyLargerThanTheEmbeddingStops() throws Exception {
        Compilation c = compile();
        int line = lineOf("init from \"src/model.ckpt\"", 4);
        Plan small = c.plan("small", null);
        RunException e = assertThrows(RunException.class, () -> train(small, tmp.resolve("small")));
        assertTrue(e.getMessage().startsWith(file + ":" + line + ":") && e.getMessage().contains("12 ids")
                && e.getMessage().contains("vocabulary 8"), e.getMessage());
    }

    @Test
    void aCheckpointWithoutAVocabularyIsAWarning() throws Exception {
        Checkpoint c = Checkpoint.read(tmp.resolve("src/model.ckpt"));
        c.header.remove("text");
        c.write(tmp.resolve("bare.ckpt"));
        Logged run = train(compile().plan("bare", null), tmp.resolve("bare"));
        assertTrue(run.log().contains("warning: " + file + ":" + lineOf("init from \"bare.ckpt\"", 1) + ":")
                && run.log().contains("keeps no vocabulary"), run.log());
        // it then fits one on the training texts, as without init from
        try (Pipeline.Splits s = Pipeline.load(compile().plan("fresh", null).data(), null)) {
            assertEquals(s.transform().tokenizer().tokens, run.results().get(0).data().transform().tokenizer().tokens);
        }
    }

    /** The 1-based line of the n-th occurrence of a text in the .ann file. */
    static int lineOf(String text, int nth) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0, seen = 0; i < lines.size(); i++) if (lines.get(i).contains(text) && ++seen == nth) return i + 1;
        throw new AssertionError(text + " #" + nth);
    }
}
