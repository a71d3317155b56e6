package dev.ann.runtime.train;

import static dev.ann.runtime.PlanBuilder.args;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import dev.ann.runtime.Backend;
import dev.ann.runtime.Fixtures;
import dev.ann.runtime.PlanBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The JIT's warm-up while the data loads changes no number of the training, and runs only where it pays. */
class WarmupTest {
    @TempDir Path tmp;

    static { Backend.init(); }

    /** iris through dense layers, batchnorm and dropout (running statistics and dropout masks: state a warm-up could touch) */
    static Plan iris() {
        return new PlanBuilder(4).dense(32).norm("batchnorm").act("relu").dropout(0.2).dense(3, "xavier").act("softmax")
                .loss("cross_entropy", args("from_logits", false)).optimizer("adam", args("lr", 1e-2))
                .loop(new Plan.Loop(16, 4, null, null, 1, "cpu")).seed(3).data(Fixtures.iris().data()).build();
    }

    float[] train(Plan p, String name, boolean warmup) {
        String was = System.getProperty("ann.noWarmup");
        System.setProperty("ann.noWarmup", String.valueOf(!warmup));
        try {
            Trainer.Options o = new Trainer.Options();
            o.out = tmp.resolve(name);
            o.log = new PrintStream(new ByteArrayOutputStream(), true);
            Trainer.Result r = Trainer.train(p, o).get(0);
            float[] params = r.net().params().data().asFloat();
            float[] state = r.net().state().data().asFloat();
            float[] both = java.util.Arrays.copyOf(params, params.length + state.length);
            System.arraycopy(state, 0, both, params.length, state.length);
            return both;
        } finally {
            if (was == null) System.clearProperty("ann.noWarmup");
            else System.setProperty("ann.noWarmup", was);
        }
    }

    @Test
    void aWarmupBeforeTheTrainingChangesNoNumber() throws Exception {
        Plan p = iris();
        float[] cold = train(p, "cold", false);
        assertTrue(Warmup.wanted(p, "cpu (test)"));
        Warmup w = Warmup.start(p, "cpu (test)");
        long until = System.nanoTime() + 60_000_000_000L;
        while (w.steps() < 50 && System.nanoTime() < until) Thread.sleep(5);
        w.close();
        assertTrue(w.steps() >= 50, "the warm-up ran " + w.steps() + " steps");
        int after = w.steps();
        Thread.sleep(20);
        assertEquals(after, w.steps(), "closed, the warm-up takes no further step");
        assertArrayEquals(cold, train(p, "after", false));
        // and with the warm-up of its own while iris loads
        assertArrayEquals(cold, train(p, "warm", true));
    }

    @Test
    void onlyDenseNetworksOnTheCpuAreWarmedUp() throws Exception {
        // a dense network whose batch would be 6.4M made-up values (25 MB beside the data that loads): none
        Plan wide = new PlanBuilder(100_000).dense(2).act("softmax").loss("cross_entropy", args("from_logits", false))
                .optimizer("adam", args("lr", 1e-3)).loop(new Plan.Loop(64, 1, null, null, 1, "cpu")).data(Fixtures.iris().data()).build();
        assertFalse(Warmup.wanted(wide, "cpu (nd4j native)"));
        assertTrue(Warmup.wanted(new PlanBuilder(100_000).dense(2).act("softmax").loss("cross_entropy", args("from_logits", false))
                .optimizer("adam", args("lr", 1e-3)).loop(new Plan.Loop(32, 1, null, null, 1, "cpu")).data(Fixtures.iris().data()).build(),
                "cpu (nd4j native)"));
        // the examples, each where its Debian package's data is installed (their checks need the files)
        Path ex = Fixtures.EXAMPLES;
        assertTrue(Warmup.wanted(plan(ex.resolve("fashion_mlp.ann"), null), "cpu (nd4j native)"));
        assertFalse(Warmup.wanted(plan(ex.resolve("fashion_mlp.ann"), null), "gpu (nd4j cuda)"));
        assertFalse(Warmup.wanted(plan(ex.resolve("fashion_cnn.ann"), null), "cpu (nd4j native)"));
        assertTrue(Warmup.wanted(plan(ex.resolve("reuters_corn.ann"), "BagOfWords"), "cpu (nd4j native)"));
        assertFalse(Warmup.wanted(plan(ex.resolve("reuters_corn.ann"), "conv"), "cpu (nd4j native)"));
        assertFalse(Warmup.wanted(plan(ex.resolve("transformer.ann"), null), "cpu (nd4j native)"));
        assertFalse(Warmup.wanted(plan(ex.resolve("co2.ann"), "lstm"), "cpu (nd4j native)"));
    }

    @Test
    void aMadeUpBagOfWordsIsAsSparseAsARealOne() throws Exception {
        Plan bag = plan(Fixtures.EXAMPLES.resolve("reuters_corn.ann"), "BagOfWords");
        INDArray[] xy = Warmup.batch(bag, 32, new SplittableRandom(1));
        assertArrayEquals(new long[] {32, 5000}, xy[0].shape());
        double nonzero = xy[0].neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).meanNumber().doubleValue();
        assertTrue(nonzero > 0.01 && nonzero < 0.03, "nonzero share " + nonzero);
        assertArrayEquals(new long[] {32, 2}, xy[1].shape());
        assertEquals(32.0, xy[1].sumNumber().doubleValue(), "one-hot labels");
    }

    /**
     * An example's plan; the test is skipped, saying what to install, where the data files it or the file it imports
     * names are missing (the compiler checks them): dataset-fashion-mnist, weka, python3-statsmodels.
     */
    static Plan plan(Path file, String train) throws Exception {
        String text = java.nio.file.Files.readString(file);
        java.util.regex.Matcher imports = java.util.regex.Pattern.compile("import \"([^\"]+)\"").matcher(text);
        while (imports.find()) text += java.nio.file.Files.readString(file.resolveSibling(imports.group(1)));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(/usr/[^\"]+)\"").matcher(text);
        while (m.find()) {
            String path = m.group(1);
            assumeTrue(java.nio.file.Files.exists(Path.of(path)), file.getFileName() + " reads " + path + ": apt-get install "
                    + (path.contains("fashion") ? "dataset-fashion-mnist" : path.contains("weka") ? "weka" : "python3-statsmodels"));
        }
        var c = Compiler.compile(file);
        return c.plan(train, null);
    }
}
