package dev.ann.kernels;

/**
 * The logistic σ and tanh of the recurrent layers' Java loops, over whole arrays in loops the JIT vectorises.
 *
 * <p>Both are one formula, {@code (P + Q E) / (2 + E)} with {@code E = exp(S x) - 1}:
 * <ul>
 * <li>σ(x) = 1 / (1 + e^-x) = 1 / (2 + E(-x)): S = -1, P = 1, Q = 0;</li>
 * <li>tanh(x) = (1 - e^-2x) / (1 + e^-2x) = -E(-2x) / (2 + E(-2x)): S = -2, P = 0, Q = -1.</li>
 * </ul>
 * E is taken from y = S x / 1024 (S x clamped to ±88, where σ is under float's smallest normal number and
 * tanh is ±1 in double): a Taylor polynomial of e^y - 1 to y^9 (|y| < 0.086: the rest is under 1e-17 of it),
 * then squared up ten times by {@code E ← E (E + 2)}, as e^2y - 1 = (e^y - 1)(e^y + 1). Unlike e^y itself,
 * E keeps its relative accuracy near 0, so tanh of a tiny x keeps its digits. Against Math.exp the results
 * differ by under 1e-13, relative (SquashTest): far below float's rounding, and double-precision gradient checks
 * see the same function.
 *
 * <p>Why not Math.exp: it is a call the JIT cannot vectorise. An LSTM step takes five per unit; for co2's
 * LSTM(32) at batch 32 they were a sixth of a training step's samples (perf, bench/peers/profiles). Each stage
 * below is a loop of its own because C2 unrolls, and so vectorises, only loops of up to LoopUnrollLimit (60)
 * nodes: the whole formula in one loop ran scalar, 7.5 times slower.
 */
final class Squash {
    /** The largest |S x| taken: e^88 is finite in float; σ(-88) = 6e-39 is below float's smallest normal. */
    static final double CLAMP = 88;
    /** y = S x / 2^SQUARINGS. */
    private static final int SQUARINGS = 10;
    private static final double SCALE = 1.0 / (1 << SQUARINGS);

    /** Per element of a row of {@link #columns}: S, P, Q, repeated for {@link #rows} rows. */
    private final double[] s, p, q;
    /** Scratch: E. */
    private final double[] e;
    final int rows, columns;

    /**
     * For arrays of up to {@code rows} rows of {@code columns}, where column c is squashed by tanh if
     * {@code tanh[c / (columns / tanh.length)]}, else by σ (an LSTM's gates: {@code {false, false, true, false}}).
     */
    Squash(int rows, int columns, boolean... tanh) {
        if (tanh.length == 0 || columns % tanh.length != 0) {
            throw new IllegalArgumentException(columns + " columns do not split into " + tanh.length + " blocks");
        }
        this.rows = rows;
        this.columns = columns;
        int n = rows * columns, block = columns / tanh.length;
        s = new double[n];
        p = new double[n];
        q = new double[n];
        e = new double[n];
        for (int k = 0; k < n; k++) {
            boolean t = tanh[(k % columns) / block];
            s[k] = t ? -2 : -1;
            p[k] = t ? 0 : 1;
            q[k] = t ? -1 : 0;
        }
    }

    /** x[0, len) = σ or tanh of itself, column by column as this was made; len is whole rows. */
    void apply(double[] x, int len) {
        apply(x, x, len);
    }

    /** y[0, len) = σ or tanh of x[0, len), column by column as this was made; len is whole rows. */
    void apply(double[] x, double[] y, int len) {
        if (len > s.length || len % columns != 0) throw new IllegalArgumentException(len + " elements for " + rows + " rows of " + columns);
        double[] s = this.s, p = this.p, q = this.q, e = this.e;
        for (int k = 0; k < len; k++) e[k] = arg(s[k], x[k]);
        for (int k = 0; k < len; k++) e[k] = taylor(e[k]);
        for (int k = 0; k < len; k++) e[k] = square5(e[k]);
        for (int k = 0; k < len; k++) e[k] = square5(e[k]);
        for (int k = 0; k < len; k++) y[k] = result(p[k], q[k], e[k]);
    }

    /** σ(x), as {@link #apply} computes it for one element (SquashTest's reference for the loops). */
    static double sigmoid(double x) {
        return result(1, 0, square5(square5(taylor(arg(-1, x)))));
    }

    /** tanh(x), as {@link #apply} computes it for one element (SquashTest's reference for the loops). */
    static double tanh(double x) {
        return result(0, -1, square5(square5(taylor(arg(-2, x)))));
    }

    private static double arg(double s, double x) {
        return Math.max(-CLAMP, Math.min(CLAMP, s * x)) * SCALE;
    }

    /** e^y - 1 to y^9. */
    private static double taylor(double y) {
        return y * (1 + y * (1.0 / 2 + y * (1.0 / 6 + y * (1.0 / 24 + y * (1.0 / 120 + y * (1.0 / 720
                + y * (1.0 / 5040 + y * (1.0 / 40320 + y * (1.0 / 362880)))))))));
    }

    /** From e^y - 1 to e^32y - 1. */
    private static double square5(double e) {
        e = e * (e + 2);
        e = e * (e + 2);
        e = e * (e + 2);
        e = e * (e + 2);
        return e * (e + 2);
    }

    private static double result(double p, double q, double e) {
        return (p + q * e) / (2 + e);
    }
}
