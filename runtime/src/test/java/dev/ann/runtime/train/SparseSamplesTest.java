package dev.ann.runtime.train;

import static dev.ann.runtime.PlanBuilder.args;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ann.plan.Plan;
import dev.ann.runtime.Backend;
import dev.ann.runtime.PlanBuilder;
import dev.ann.runtime.data.Dataset;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Samples that are mostly zeros (a bag of words) are kept by their entries too, and the batches fed from them hand the
 * entries to the dense layer (kernels' BatchEntries) in place of its scan: the same numbers bit for bit.
 */
class SparseSamplesTest {
    static { Backend.init(); }

    /** n samples of k counts, about one in 60 nonzero (some -0.0, a value of zero bits' sign only), regression targets. */
    static Dataset bag(int n, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * k], y = new float[n];
        for (int i = 0; i < n * k; i++) {
            if (r.nextInt(60) != 0) continue;
            int v = r.nextInt(6);
            x[i] = v == 0 ? -0.0f : v;
        }
        for (int i = 0; i < n; i++) y[i] = (float) r.nextDouble();
        return new Dataset(n, new int[] {k}, x, null, y, 1, List.of());
    }

    @Test
    void mostlyZeroSamplesAreKeptByTheirEntriesAndOthersAreNot() {
        Dataset d = bag(50, 400, 1);
        d.x[7] = Float.NaN; // NaN counts as an entry, as the layer's scan counts it
        Dataset.Entries e = d.entries();
        assertNotNull(e, "a bag of words 1.7% nonzero");
        for (int i = 0; i < d.n; i++) {
            int p = e.rowStart()[i];
            for (int j = 0; j < d.sampleSize; j++) {
                float v = d.x[i * d.sampleSize + j];
                if (Float.floatToRawIntBits(v) == 0) continue;
                assertEquals(j, e.col()[p], "sample " + i + ": entry " + p + "'s column");
                assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits(e.val()[p]), "sample " + i + ", column " + j);
                p++;
            }
            assertEquals(e.rowStart()[i + 1], p, "sample " + i + ": no entry more");
        }

        float[] pixels = new float[50 * 400];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < pixels.length; i++) pixels[i] = r.nextInt(3) == 0 ? 0 : (float) r.nextDouble();
        assertNull(new Dataset(50, new int[] {400}, pixels, null, new float[50], 1, List.of()).entries(), "pixels");

        // sparse in the rows looked at first, dense after them: read whole, then let go
        float[] late = bag(200, 400, 3).x.clone();
        for (int i = 100 * 400; i < late.length; i++) late[i] = 1;
        assertNull(new Dataset(200, new int[] {400}, late, null, new float[200], 1, List.of()).entries(), "half dense");
    }

    /** A dense layer on the bag of words, trained on batches that Batches fills (entries given) and on copies (scanned). */
    @Test
    void batchesGiveTheEntriesAndTrainingTakesTheSameSteps() {
        Dataset d = bag(64, 600, 4);
        Plan p = new PlanBuilder(600).dense(24).act("relu").dropout(0.3).dense(1, "xavier")
                .loss("mse", args()).optimizer("adam", args("lr", 1e-2))
                .loop(new Plan.Loop(16, 2, null, null, 1, "cpu")).seed(5).build();
        Step given = new Step(p, 5), scanned = new Step(p, 5);
        Batches feeder = new Batches(d, p);
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int b = 0; b < 4; b++) {
                INDArray[] xy = feeder.fill(null, b * 16, 16);
                INDArray[] copy = {xy[0].dup(), xy[1].dup()};
                Step.Outcome a = given.run(xy, 5, epoch, b, 4, 2, false);
                Step.Outcome c = scanned.run(copy, 5, epoch, b, 4, 2, false);
                assertEquals(c.loss(), a.loss(), "epoch " + epoch + ", batch " + b);
            }
        }
        assertArrayEquals(scanned.net.params().data().asFloat(), given.net.params().data().asFloat(), "the weights, bit for bit");

        // and the layer does take them: a value written into the batch after it was filled is not seen
        INDArray[] xy = feeder.fill(null, 0, 16);
        INDArray[] copy = {xy[0].dup(), xy[1].dup()};
        for (INDArray x : new INDArray[] {xy[0], copy[0]}) {
            for (int j = 0; j < 600; j++) x.putScalar(0, j, 1f + j % 3);
        }
        double tookEntries = given.net.forward(xy[0], false).getDouble(0, 0);
        double scannedAfter = given.net.forward(copy[0], false).getDouble(0, 0);
        assertNotEquals(scannedAfter, tookEntries, "the layer multiplied the entries Batches gave, not the batch as it was changed after");
    }
}
