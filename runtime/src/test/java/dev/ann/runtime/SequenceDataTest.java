package dev.ann.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.kernels.Tokenizer;
import dev.ann.plan.Plan;
import dev.ann.runtime.data.Dataset;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.train.Checkpoint;
import dev.ann.runtime.train.Model;
import dev.ann.runtime.train.Predictor;
import dev.ann.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ARFF tables and texts, the vocabulary fitted on train and kept by the checkpoint, windows split by time. */
class SequenceDataTest {
    @TempDir
    Path dir;

    static { Backend.init(); }

    Plan plan(String text) throws Exception {
        Workspace ws = new Workspace();
        Path file = dir.resolve("t.ann");
        ws.open(file, text);
        Compilation c = Compiler.compile(ws, file);
        assertEquals(List.of(), c.diagnostics().stream().filter(d -> d.code().startsWith("E")).toList());
        return c.plan(null, null);
    }

    Trainer.Result train(Plan p) {
        Trainer.Options o = new Trainer.Options();
        o.out = dir.resolve("run");
        o.log = new PrintStream(new ByteArrayOutputStream(), true);
        return Trainer.train(p, o).get(0);
    }

    /** good/bad reviews: the class is whether "good" or "bad" is in the text; "zebra" is only in the test file. */
    void reviews() throws Exception {
        Random r = new Random(1);
        String[] filler = {"the", "film", "was", "plot", "actors", "quite", "really", "music"};
        StringBuilder tr = new StringBuilder("% reviews\n@relation reviews\n@attribute text string\n@attribute mood {neg, pos}\n@data\n");
        for (int i = 0; i < 120; i++) {
            boolean pos = i % 2 == 0;
            tr.append("'").append(filler[r.nextInt(8)]).append(' ').append(pos ? "Good" : "bad").append(' ').append(filler[r.nextInt(8)])
                    .append("',").append(pos ? "pos" : "neg").append('\n');
        }
        Files.writeString(dir.resolve("train.arff"), tr);
        Files.writeString(dir.resolve("test.arff"), "@relation reviews\n@attribute text string\n@attribute mood {neg, pos}\n@data\n"
                + "'zebra good','pos'\n'a bad zebra',neg\n'good',pos\n'plot bad',neg\n");
    }

    /** The reviews as a bag of 12 words (a test file, a line more for the dataset) and a dense layer trained with Adam. */
    static String bagOfWords(String testFile, String datasetLine, int epochs) {
        return """
                dataset D {
                    train arff("train.arff", label: "mood", text: "text")
                    test arff("%s", label: "mood", text: "text")
                    tokens words, vocabulary 12, lowercase, bag
                    %s
                }
                network N {
                    input [12]
                    dense(2) -> softmax
                }
                train N on D {
                    loss cross_entropy
                    optimizer adam(lr: 0.05)
                    batch 16
                    epochs %d
                }
                """.formatted(testFile, datasetLine, epochs);
    }

    @Test
    void theVocabularyIsFittedOnTrainingTextsAndTravelsWithTheCheckpoint() throws Exception {
        reviews();
        Plan p = plan("""
                dataset D {
                    train arff("train.arff", label: "mood", text: "text")
                    test arff("test.arff", label: "mood", text: "text")
                    tokens words, vocabulary 8, length 3, lowercase
                }
                network N {
                    input [3]
                    dense(2) -> softmax
                }
                train N on D {
                    loss cross_entropy
                    epochs 1
                }
                """);
        try (Pipeline.Splits s = Pipeline.load(p.data())) {
            Tokenizer tok = s.transform().tokenizer();
            assertEquals(6, tok.tokens.size(), "vocabulary 8: padding, unknown and the 6 most frequent training words");
            assertEquals(List.of("bad", "good"), tok.tokens.subList(0, 2), "60 each: the most frequent, ties in text order");
            assertFalse(tok.tokens.contains("zebra"), "a word of the test texts only is not in the vocabulary");
            Dataset te = (Dataset) s.test();
            assertArrayEquals(new int[] {3}, te.sampleShape);
            // 'zebra good' -> unknown, good, padding; 'a bad zebra' -> unknown, bad, unknown
            assertArrayEquals(new float[] {1, 3, 0, 1, 2, 1}, java.util.Arrays.copyOf(te.x, 6));
            assertArrayEquals(new int[] {1, 0, 1, 0}, te.labels);
            assertEquals(List.of("neg", "pos"), s.classNames());
            assertEquals(120, s.train().n);
        }
    }

    @Test
    void aBagOfWordsModelLearnsAndPredictsRawText() throws Exception {
        reviews();
        Plan p = plan(bagOfWords("test.arff", "", 30));
        Trainer.Result r = train(p);
        assertEquals(1.0, r.test().accuracy(), 1e-9, "the test texts are told apart by good/bad, whatever else they hold");
        Path ckpt = r.runDir().resolve("model.ckpt");
        Checkpoint c = Checkpoint.read(ckpt);
        assertEquals(r.data().transform().tokenizer().tokens, Model.tokenizer(c).tokens);
        Predictor pr = new Predictor(p, ckpt);
        assertEquals("pos", pr.predict("A GOOD zebra", 1).get(0).classes().get(0));
        assertEquals("neg", pr.predict("bad, really", 1).get(0).classes().get(0));
        Path texts = dir.resolve("texts.csv");
        Files.writeString(texts, "\"good, good\"\nbad\n");
        var ps = pr.predict(texts.toString(), 1);
        assertEquals(List.of("pos", "neg"), ps.stream().map(x -> x.classes().get(0)).toList());
        // evaluation reads the data again with the checkpoint's vocabulary
        assertEquals(1.0, pr.evaluate(new String[1]).accuracy(), 1e-9);
    }

    /**
     * Scoring a text model reads the test texts alone (Pipeline.loadTest) with the checkpoint's vocabulary: the
     * same test split as the whole load, also once the training file is gone; where the classes are not the
     * model's, it says so (null) and the whole load runs.
     */
    @Test
    void theTestTextsReadAloneAreTheWholeLoadsTestSplit() throws Exception {
        reviews();
        Plan p = plan(bagOfWords("test.arff", "validation 20%", 5));
        Trainer.Result r = train(p);
        Path ckpt = r.runDir().resolve("model.ckpt");
        double before = new Predictor(p, ckpt).evaluate(new String[1]).accuracy();
        try (Pipeline.Splits whole = Pipeline.load(p.data())) {
            Pipeline.Transform fitted = Model.transform(Checkpoint.read(ckpt), p);
            for (boolean deleted : new boolean[] {false, true}) {
                if (deleted) Files.delete(dir.resolve("train.arff"));
                try (Pipeline.Splits alone = Pipeline.loadTest(p.data(), null, fitted, whole.classNames())) {
                    assertNotNull(alone, "texts with a test source of their own and the model's vocabulary");
                    assertNull(alone.train());
                    assertNull(alone.validation());
                    StreamTest.assertSame(whole.test(), alone.test());
                    assertEquals(whole.classNames(), alone.classNames());
                    assertEquals(whole.transform().tokenizer().tokens, alone.transform().tokenizer().tokens);
                }
            }
            assertThrows(RunException.class, () -> Pipeline.load(p.data()), "the whole load reads the deleted training file");
            assertEquals(before, new Predictor(p, ckpt).evaluate(new String[1]).accuracy(), 1e-12, "ann eval without the training file");
            // classes other than the model's, or no vocabulary: null, and the whole load runs
            assertNull(Pipeline.loadTest(p.data(), null, fitted, List.of("pos", "neg")));
            assertNull(Pipeline.loadTest(p.data(), null, new Pipeline.Transform(null, 1f, null, null), whole.classNames()));
        }
        reviews(); // the checker wants the training file back
        Files.writeString(dir.resolve("test2.arff"), "@relation reviews\n@attribute text string\n@attribute mood {pos, neg}\n@data\n'good',pos\n");
        Plan other = plan(bagOfWords("test2.arff", "validation 20%", 5));
        try (Pipeline.Splits alone = Pipeline.loadTest(other.data(), null, Model.transform(Checkpoint.read(ckpt), other), List.of("neg", "pos"))) {
            // the plan's classes come from the training file's declaration: a test file declaring them in another
            // order has its labels mapped by name
            assertArrayEquals(new int[] {1}, alone.test().labels, "pos is the model's class 1");
        }
    }

    @Test
    void anArffTableIsOneHotAndNumbers() throws Exception {
        Files.writeString(dir.resolve("t.arff"), "@relation t\n@attribute a numeric\n@attribute c {x, y}\n@attribute s string\n@attribute k {no, yes}\n@data\n"
                + "1.5,y,'w',yes\n?,x,'w',no\n2,?,'w',yes\n");
        Plan p = plan("dataset D {\n    train arff(\"t.arff\", label: \"k\")\n    shuffle false\n}\n"
                + "network N {\n    input [3]\n    dense(2) -> softmax\n}\ntrain N on D {\n    loss cross_entropy\n    epochs 1\n}\n");
        try (Pipeline.Splits s = Pipeline.load(p.data())) {
            Dataset d = (Dataset) s.train();
            assertArrayEquals(new float[] {1.5f, 0, 1, 0, 1, 0, 2, 0, 0}, d.x);
            assertArrayEquals(new int[] {1, 0, 1}, d.labels);
        }
        Files.writeString(dir.resolve("t.arff"), "@relation t\n@attribute a numeric\n@attribute c {x, y}\n@attribute s string\n@attribute k {no, yes}\n@data\n"
                + "1.5,y,'w',yes\n1,z,'w',no\n");
        RunException e = assertThrows(RunException.class, () -> Pipeline.load(p.data()));
        assertTrue(e.getMessage().contains("t.arff:8:3: 'z' is not a value of attribute 'c'"), e.getMessage());
    }

    @Test
    void windowsAreSplitByTimeAndNormalisedWithTrainingRowsOnly() throws Exception {
        StringBuilder csv = new StringBuilder("t,v\n");
        int rows = 50;
        for (int i = 0; i < rows; i++) csv.append(i).append(',').append(i == 7 ? "" : String.valueOf(10 + i)).append('\n');
        Files.writeString(dir.resolve("s.csv"), csv);
        Plan p = plan("""
                dataset D {
                    csv("s.csv", header: true, features: [1], target: [1])
                    window 4, horizon 2
                    split train 60%, validation 20%, test 20%
                    normalize standard
                }
                network N {
                    input [4, 1]
                    flatten
                    dense(2)
                }
                train N on D {
                    loss mse
                    optimizer adam(lr: 0.05)
                    epochs 200
                }
                """);
        try (Pipeline.Splits s = Pipeline.load(p.data())) {
            // rows 0..29 train, 30..39 validation, 40..49 test; each part r rows gives r - 4 - 2 + 1 windows
            assertEquals(25, s.train().n);
            assertEquals(5, s.validation().n);
            assertEquals(5, s.test().n);
            // the training rows' values are 10..39 (row 7 interpolated to 17): mean 24.5, std sqrt((30^2 - 1) / 12)
            double std = Math.sqrt((30 * 30 - 1) / 12.0);
            assertEquals(24.5f, s.transform().shift()[0], 1e-4);
            assertEquals(1 / std, s.transform().mul()[0], 1e-5);
            Dataset te = (Dataset) s.test();
            assertArrayEquals(new int[] {4, 1}, te.sampleShape);
            for (int t = 0; t < 4; t++) assertEquals((50 + t - 24.5) / std, te.x[t], 1e-5, "test window 0 is rows 40..43");
            assertEquals((54 - 24.5) / std, te.targets[0], 1e-5);
            assertEquals((55 - 24.5) / std, te.targets[1], 1e-5);
            assertEquals((17 - 24.5) / std, s.train().materialize().x[19], 1e-5, "the gap at row 7 (window 4's last step) is interpolated");
            assertNull(s.transform().tokenizer());
        }
        Trainer.Result r = train(p);
        Path ckpt = r.runDir().resolve("model.ckpt");
        Path in = dir.resolve("recent.csv");
        Files.writeString(in, "t,v\n0,30\n1,31\n2,32\n3,33\n4,34\n");
        var ps = new Predictor(p, ckpt).predict(in.toString(), 1);
        assertEquals(2, ps.size(), "a forecast after each of the two windows of 4 rows");
        // a straight line: the next two values after 31..34 are 35 and 36, in the data's units (not normalised)
        assertEquals(35, ps.get(1).values()[0], 1.5);
        assertEquals(36, ps.get(1).values()[1], 1.5);
        assertTrue(ps.get(1).id().contains("2..5"), ps.get(1).id());
    }

    @Test
    void relativeWindowsForecastTheChangeAndPredictionAddsTheLastValueBack() throws Exception {
        StringBuilder csv = new StringBuilder("t,v\n");
        for (int i = 0; i < 50; i++) csv.append(i).append(',').append(10 + i).append('\n');
        Files.writeString(dir.resolve("s.csv"), csv);
        Plan p = plan("""
                dataset D {
                    csv("s.csv", header: true, features: [1], target: [1])
                    window 4, horizon 2, relative
                    split train 60%, validation 20%, test 20%
                    normalize standard
                }
                network N {
                    input [4, 1]
                    flatten
                    dense(2)
                }
                train N on D {
                    loss mse
                    optimizer adam(lr: 0.05)
                    epochs 200
                }
                """);
        double std = Math.sqrt((30 * 30 - 1) / 12.0);
        try (Pipeline.Splits s = Pipeline.load(p.data())) {
            assertEquals(25, s.train().n);
            // every window of a straight line, less its last row: -3, -2, -1, 0 steps; its targets +1 and +2 steps
            Dataset te = (Dataset) s.test();
            for (int t = 0; t < 4; t++) assertEquals((t - 3) / std, te.x[t], 1e-5);
            assertEquals(1 / std, te.targets[0], 1e-5);
            assertEquals(2 / std, te.targets[1], 1e-5);
        }
        Trainer.Result r = train(p);
        // far above every training row (10..39): the change is what was learnt, the level comes from the window
        Path in = dir.resolve("recent.csv");
        Files.writeString(in, "t,v\n0,1000\n1,1001\n2,1002\n3,1003\n");
        var ps = new Predictor(p, r.runDir().resolve("model.ckpt")).predict(in.toString(), 1);
        assertEquals(1, ps.size());
        assertEquals(1004, ps.get(0).values()[0], 0.5);
        assertEquals(1005, ps.get(0).values()[1], 0.5);
    }

    @Test
    void aTooShortSeriesIsRefusedInWords() throws Exception {
        Files.writeString(dir.resolve("s.csv"), "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
        Plan p = plan("dataset D {\n    csv(\"s.csv\", features: [0], target: [0])\n    window 8, horizon 1\n    split train 50%, test 50%\n}\n"
                + "network N {\n    input [8, 1]\n    flatten\n    dense(1)\n}\ntrain N on D {\n    loss mse\n    epochs 1\n}\n");
        RunException e = assertThrows(RunException.class, () -> Pipeline.load(p.data()));
        assertTrue(e.getMessage().contains("the training part has 5 rows, fewer than a window of 8 and a horizon of 1 need (9)"), e.getMessage());
    }

    static List<String> list(String... s) {
        return new ArrayList<>(List.of(s));
    }
}
