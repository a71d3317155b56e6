package dev.ann.kernels;

/**
 * Bilinear resize of pictures stored as [c, h, w] floats, pixel centres
 * aligned (an exact 2x shrink averages 2x2 blocks): the data's {@code resize}
 * in {@code ann train}, in a generated trainer and in an exported model.
 */
public final class Resize {
    private Resize() {}

    /** Resizes one [c, h, w] sample at {@code src[so..]} into {@code dst[doff..]} as [c, nh, nw]. */
    public static void bilinear(float[] src, int so, int[] shape, float[] dst, int doff, int nh, int nw) {
        int c = shape[0], h = shape[1], w = shape[2];
        for (int ch = 0; ch < c; ch++) {
            int s0 = so + ch * h * w, d0 = doff + ch * nh * nw;
            for (int y = 0; y < nh; y++) {
                double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * h / nh - 0.5));
                int y0 = (int) Math.floor(sy), y1 = Math.min(h - 1, y0 + 1);
                double fy = sy - y0;
                for (int x = 0; x < nw; x++) {
                    double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * w / nw - 0.5));
                    int x0 = (int) Math.floor(sx), x1 = Math.min(w - 1, x0 + 1);
                    double fx = sx - x0;
                    double v = (1 - fy) * ((1 - fx) * src[s0 + y0 * w + x0] + fx * src[s0 + y0 * w + x1])
                            + fy * ((1 - fx) * src[s0 + y1 * w + x0] + fx * src[s0 + y1 * w + x1]);
                    dst[d0 + y * nw + x] = (float) v;
                }
            }
        }
    }

    /** Resizes n samples of [c, h, w] one after the other to [c, nh, nw]; the array itself when the size is unchanged. */
    public static float[] bilinear(float[] x, int n, int[] shape, int nh, int nw) {
        int c = shape[0], h = shape[1], w = shape[2];
        if (h == nh && w == nw) return x;
        float[] out = new float[n * c * nh * nw];
        for (int i = 0; i < n; i++) bilinear(x, i * c * h * w, shape, out, i * c * nh * nw, nh, nw);
        return out;
    }
}
