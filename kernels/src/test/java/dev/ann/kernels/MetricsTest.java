package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The metric rules on small cases worked out by hand. */
class MetricsTest {
    @Test
    void confusionAccuracyPrecisionRecallF1() {
        // truth 0 0 1 1 2, predicted 0 1 1 1 0
        Metrics.Classes m = Metrics.Classes.of(5, 0.5, 3, new int[] {0, 0, 1, 1, 2}, new int[] {0, 1, 1, 1, 0});
        assertArrayEquals(new long[] {1, 1, 0}, m.confusion[0]);
        assertArrayEquals(new long[] {0, 2, 0}, m.confusion[1]);
        assertArrayEquals(new long[] {1, 0, 0}, m.confusion[2]);
        assertEquals(3, m.correct());
        assertEquals(0.6, m.accuracy(), 1e-12);
        assertEquals(Math.sqrt(0.6 * 0.4 / 5), m.standardError(), 1e-12);
        assertEquals(Math.max(0, 0.6 - 1.96 * m.standardError()), m.ci95()[0], 1e-12);
        assertEquals(0.5, m.precision(0), 1e-12);   // column 0: 1 of 2
        assertEquals(2.0 / 3, m.precision(1), 1e-12);
        assertEquals(0, m.precision(2), 1e-12);     // never predicted
        assertEquals(0.5, m.recall(0), 1e-12);
        assertEquals(1, m.recall(1), 1e-12);
        assertEquals(0.8, m.f1(1), 1e-12);
        assertEquals(0, m.f1(2), 1e-12);
        assertEquals(2, m.support(1));
        Map<String, Double> all = m.asMap();
        assertEquals(Metrics.CLASSIFICATION, List.copyOf(all.keySet()));
        assertEquals(0.5, all.get("loss"));
        assertEquals((0.5 + 2.0 / 3) / 3, all.get("precision"), 1e-12);
        assertEquals((0.5 + 1) / 3, all.get("recall"), 1e-12);
        // a label above the named classes widens the matrix
        assertEquals(4, Metrics.Classes.of(1, 0, 2, new int[] {3}, new int[] {0}).classes());
    }

    @Test
    void regressionErrorsAndR2() {
        Metrics.Regression r = Metrics.Regression.of(2, 0.25, new float[] {1, 3}, new float[] {2, 3});
        assertEquals(0.5, r.mse(), 1e-12);
        assertEquals(0.5, r.mae(), 1e-12);
        assertEquals(1 - 1.0 / 2, r.r2(), 1e-12);   // SSE 1, SST 2
        assertEquals(Metrics.REGRESSION, List.copyOf(r.asMap().keySet()));
        assertTrue(Double.isNaN(Metrics.Regression.of(2, 0, new float[] {1, 1}, new float[] {1, 2}).r2()));
    }

    @Test
    void predictionsAndTheBestEpochRule() {
        var out = Nd4j.createFromArray(new float[][] {{0.1f, 0.7f, 0.2f}, {0.5f, 0.2f, 0.3f}});
        int[] p = new int[3];
        Metrics.predict(out, false, 0.5, p, 1);
        assertArrayEquals(new int[] {0, 1, 0}, p);
        var y = Nd4j.createFromArray(new float[][] {{0, 1, 0}, {0, 0, 1}});
        assertEquals(1, Metrics.correct(out, y, false, 0.5));
        var logits = Nd4j.createFromArray(new float[][] {{0.3f}, {-0.2f}});
        Metrics.predict(logits, true, 0.0, p, 0);
        assertArrayEquals(new int[] {1, 0}, new int[] {p[0], p[1]});
        assertEquals(2, Metrics.correct(logits, Nd4j.createFromArray(new float[][] {{1}, {0}}), true, 0.0));
        assertEquals(1, Metrics.correct(logits, Nd4j.createFromArray(new float[][] {{1}, {0}}), true, 0.5));

        assertTrue(Metrics.improves(0.3, null, false, 0));
        assertTrue(Metrics.improves(0.3, 0.4, false, 0));
        assertFalse(Metrics.improves(0.4, 0.4, false, 0));
        assertFalse(Metrics.improves(0.35, 0.4, false, 0.1));
        assertTrue(Metrics.improves(0.9, 0.8, true, 0.05));
        assertFalse(Metrics.improves(0.8, 0.8, true, 0));
    }
}
