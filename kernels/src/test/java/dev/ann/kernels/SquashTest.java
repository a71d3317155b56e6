package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Squash's σ and tanh against Math.exp, over the whole range a gate's pre-activation takes and beyond. */
class SquashTest {
    private static double sigmoidRef(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** A value as the recurrent layers store it in a float array: rounded, and 0 below float's smallest normal number (Flat.View). */
    private static float stored(double v) {
        float f = (float) v;
        return Math.abs(f) < Float.MIN_NORMAL ? 0f : f;
    }

    /** Arguments from 1e-12 to 300 in magnitude, both signs, log-uniform, plus the edges. */
    private static double[] arguments(int n) {
        Random r = new Random(3);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (r.nextBoolean() ? 1 : -1) * Math.pow(10, -12 + r.nextDouble() * 14.5);
        double[] edges = {0, -0.0, 1e-300, -1e-300, 44, -44, 87.9, -87.9, 88, -88, 88.1, -88.1, 1e6, -1e6};
        System.arraycopy(edges, 0, x, 0, edges.length);
        return x;
    }

    @Test
    void sigmoidAndTanhMatchMathExpToTheirRoundingInDouble() {
        double worstSigmoid = 0, worstTanh = 0;
        for (double x : arguments(400_000)) {
            double s = Squash.sigmoid(x), t = Squash.tanh(x), sr = sigmoidRef(x), tr = Math.tanh(x);
            assertTrue(s >= 0 && s <= 1 && t >= -1 && t <= 1, "in range at " + x);
            if (Math.abs(x) < 88) worstSigmoid = Math.max(worstSigmoid, Math.abs(s - sr) / sr);
            else assertEquals(stored(sr), stored(s), x + ": as the layers store it, σ is 0 or 1 beyond ±88 either way");
            worstTanh = Math.max(worstTanh, tr == 0 ? Math.abs(t) : Math.abs(t - tr) / Math.abs(tr));
        }
        assertTrue(worstSigmoid < 1e-13, "σ's worst relative error " + worstSigmoid);
        assertTrue(worstTanh < 1e-13, "tanh's worst relative error " + worstTanh);
        assertEquals(0.5, Squash.sigmoid(0));
        assertEquals(0.0, Squash.tanh(0));
        assertEquals(1e-300, Squash.tanh(1e-300), 1e-313, "a tiny tanh keeps its digits");
        assertTrue(Double.isNaN(Squash.sigmoid(Double.NaN)) && Double.isNaN(Squash.tanh(Double.NaN)), "NaN stays NaN, so a diverging loss is seen");
    }

    @Test
    void arraysTakeTheirColumnsFunctionAndEqualTheScalarBitForBit() {
        int rows = 5, units = 7;
        Squash lstm = new Squash(rows, 4 * units, false, false, true, false);
        double[] x = arguments(rows * 4 * units), y = new double[x.length];
        for (int k = 0; k < x.length; k++) x[k] = x[k] % 20; // the whole row pattern, with values where σ and tanh differ
        lstm.apply(x, y, 3 * 4 * units);                    // three rows of five
        for (int k = 0; k < x.length; k++) {
            boolean g = (k % (4 * units)) / units == 2;
            double want = k < 3 * 4 * units ? (g ? Squash.tanh(x[k]) : Squash.sigmoid(x[k])) : 0;
            assertEquals(want, y[k], 0.0, "element " + k + (g ? " (tanh)" : " (σ)"));
        }
        double[] in = x.clone();
        lstm.apply(in, rows * 4 * units);
        for (int k = 0; k < x.length; k++) assertEquals((k % (4 * units)) / units == 2 ? Squash.tanh(x[k]) : Squash.sigmoid(x[k]), in[k], 0.0);
        assertThrows(IllegalArgumentException.class, () -> lstm.apply(x, 4 * units + 1), "whole rows only");
        assertThrows(IllegalArgumentException.class, () -> lstm.apply(new double[x.length + 28], x.length + 28), "no more rows than made for");
        assertThrows(IllegalArgumentException.class, () -> new Squash(2, 10, false, false, true, false), "10 columns are not four blocks");
    }
}
