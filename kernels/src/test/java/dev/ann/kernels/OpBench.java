package dev.ann.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The single-op measurements behind the runtime's choices (docs/training.md):
 * each way ND4J offers against the way ann does it, on fashion_cnn's and
 * fashion_mlp's shapes, run alternately in one JVM so that both see the same
 * machine load; prints the median and 10th percentile milliseconds. Not a
 * test: bench/training/ops.sh runs it and records the results.
 */
public final class OpBench {
    private OpBench() {}

    public static void main(String[] a) {
        // the oneDNN build of nd4j-native, as ann train loads it
        System.setProperty("org.bytedeco.javacpp.platform.extension", "-onednn");
        int reps = a.length > 0 ? Integer.parseInt(a[0]) : 60;
        if (a.length > 1 && a[1].equals("conv1d")) { conv1d(reps); return; }
        if (a.length > 1 && a[1].equals("flat")) { flat(reps); return; }
        if (a.length > 1 && a[1].equals("conv2d")) { conv2d(reps); return; }
        if (a.length > 1 && a[1].equals("dense")) { dense(reps); return; }
        if (a.length > 1 && a[1].equals("firstconv")) { firstConv(reps); return; }
        if (a.length > 1 && a[1].equals("sparse")) { sparse(reps); return; }
        int n = 64, c = 32, h = 28, w = 28;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, c, h, w), g = Nd4j.rand(DataType.FLOAT, n, c, h, w);
        INDArray gamma = Nd4j.rand(DataType.FLOAT, c), beta = Nd4j.rand(DataType.FLOAT, c);
        INDArray rmean = Nd4j.zeros(DataType.FLOAT, c), rvar = Nd4j.ones(DataType.FLOAT, c);
        INDArray mean = rmean.ulike(), var = rmean.ulike(), gm = rmean.ulike(), gv = rmean.ulike(), gg = rmean.ulike(), gb = rmean.ulike();
        INDArray out = x.ulike(), gx = x.ulike(), d = x.ulike(), inv = rmean.ulike();
        long[] bn = {1, 1, 1};
        double[] eps = {1e-5};
        compare("batchnorm [64,32,28,28], forward + backward", reps,
                () -> {
                    x.mean(mean, 0, 2, 3);
                    Nd4j.exec(new Variance(x, var, false, 0, 2, 3));
                    K.exec("batchnorm", new INDArray[] {x, mean, var, gamma, beta}, new INDArray[] {out}, bn, eps);
                    K.exec("batchnorm_bp", new INDArray[] {x, mean, var, gamma, beta, g}, new INDArray[] {gx, gm, gv, gg, gb}, bn, eps);
                },
                () -> {
                    Layers.BatchNorm.train(x, gamma, beta, rmean, rvar, 0.9, 1e-5, d, inv, out);
                    Layers.BatchNorm.backward(g, d, inv, gamma, gg, gb, gx);
                },
                "ND4J mean, Variance, batchnorm, batchnorm_bp", "Layers.BatchNorm (plain ops)");

        INDArray p = Nd4j.create(DataType.FLOAT, n, c, h / 2, w / 2), gp = Nd4j.rand(DataType.FLOAT, n, c, h / 2, w / 2);
        INDArray xn = Nd4j.create(DataType.FLOAT, n, h, w, c), pn = Nd4j.create(DataType.FLOAT, n, h / 2, w / 2, c);
        INDArray gpn = pn.ulike(), gxn = xn.ulike();
        long[] nchw = {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0}, nhwc = {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 1};
        compare("maxpool 2 over [64,32,28,28], forward + backward", reps,
                () -> {
                    K.exec("maxpool2d", new INDArray[] {x}, new INDArray[] {p}, nchw, null);
                    K.exec("maxpool2d_bp", new INDArray[] {x, gp}, new INDArray[] {gx}, nchw, null);
                },
                () -> {
                    xn.assign(x.permute(0, 2, 3, 1));
                    K.exec("maxpool2d", new INDArray[] {xn}, new INDArray[] {pn}, nhwc, null);
                    p.assign(pn.permute(0, 3, 1, 2));
                    gpn.assign(gp.permute(0, 2, 3, 1));
                    K.exec("maxpool2d_bp", new INDArray[] {xn, gpn}, new INDArray[] {gxn}, nhwc, null);
                    gx.assign(gxn.permute(0, 3, 1, 2));
                },
                "NCHW maxpool2d, maxpool2d_bp", "NHWC copies (Layers.Pool)");

        compare("relu backward over [64,32,28,28]", reps,
                () -> K.exec("relu_bp", new INDArray[] {x, g}, new INDArray[] {gx}, null, new double[] {0.0}),
                () -> {
                    Nd4j.exec(new Step(x, gx, 0.0));
                    Nd4j.exec(new MulOp(gx, g, gx));
                },
                "relu_bp", "step(z) * g (Activation)");

        int len = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10; // fashion_mlp's parameters
        INDArray pa = Nd4j.rand(DataType.FLOAT, len), ga = Nd4j.rand(DataType.FLOAT, len).subi(0.5);
        INDArray m = Nd4j.zeros(DataType.FLOAT, len), v = m.dup(), u = m.dup(), m2 = m.dup(), v2 = m.dup();
        compare("Adam over 235,146 parameters", reps,
                () -> {
                    Nd4j.exec(new AdamUpdater(ga, v, m, u, v, m, 1e-3, 0.9, 0.999, 1e-8, 5));
                    pa.subi(u);
                },
                () -> Optimizer.adam(pa, ga, m2, v2, 1e-3, 0.9, 0.999, 1e-8),
                "adam_updater + subi", "Optimizer.adam (one loop)");
        INDArray m3 = m.dup(), v3 = v.dup();
        compare("Adam over 235,146 parameters, the loop before and now", reps,
                () -> adamElementwise(pa, ga, m3, v3, 1e-3, 0.9, 0.999, 1e-8),
                () -> Optimizer.adam(pa, ga, m2, v2, 1e-3, 0.9, 0.999, 1e-8, true),
                "element by element over the buffers", "Optimizer.adam (chunks, 2 threads)");
        compare("Adam over 235,146 parameters, in chunks on one thread and on two", reps,
                () -> Optimizer.adam(pa, ga, m3, v3, 1e-3, 0.9, 0.999, 1e-8, false),
                () -> Optimizer.adam(pa, ga, m2, v2, 1e-3, 0.9, 0.999, 1e-8, true),
                "Optimizer.adam (chunks, 1 thread)", "Optimizer.adam (chunks, 2 threads)");
        conv1d(reps);
    }

    /** Optimizer.adam's float loop until 2026-12-02: element by element over the NIO buffers. */
    static void adamElementwise(INDArray p, INDArray g, INDArray m, INDArray v, double stepSize, double beta1, double beta2, double eps) {
        java.nio.FloatBuffer pb = p.data().asNioFloat(), gb = g.data().asNioFloat(), mb = m.data().asNioFloat(), vb = v.data().asNioFloat();
        float b1 = (float) beta1, b2 = (float) beta2, c1 = 1 - b1, c2 = 1 - b2, lr = (float) stepSize, e = (float) eps;
        for (int i = 0, n = (int) p.length(); i < n; i++) {
            float gi = gb.get(i);
            float mi = b1 * mb.get(i) + c1 * gi;
            float vi = b2 * vb.get(i) + c2 * gi * gi;
            mb.put(i, mi);
            vb.put(i, vi);
            pb.put(i, pb.get(i) - lr * mi / ((float) Math.sqrt(vi) + e));
        }
    }

    /**
     * conv1d over [64, 128, 64] (batch, steps, features), 64 filters of width 5, same: ND4J's conv1d, whose
     * 1.0.0-M2.1 build takes weights only as [kW, iC, oC] (so the [oC, iC, kW] parameter is permuted into a copy
     * and its gradient back), against conv2d of height 1 on NHWC views of the data and of the weight
     * (Sequence.Conv1d, no copy).
     */
    static void conv1d(int reps) {
        int n = 64, t = 128, f = 64, o = 64, k = 5;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, t, f), g = Nd4j.rand(DataType.FLOAT, n, t, o);
        INDArray w = Nd4j.rand(DataType.FLOAT, o, f, k), b = Nd4j.rand(DataType.FLOAT, o);
        INDArray y = Nd4j.create(DataType.FLOAT, n, t, o), gx = x.ulike(), gw = w.ulike(), gb = b.ulike();
        INDArray wk = Nd4j.create(DataType.FLOAT, k, f, o), gwk = wk.ulike();
        long[] c1 = {k, 1, 0, 1, 1, 1, 0};
        long[] c2 = {1, k, 1, 1, 0, 0, 1, 1, 1, 1, 1};
        INDArray x4 = x.reshape(n, 1, t, f), y4 = y.reshape(n, 1, t, o), g4 = g.reshape(n, 1, t, o), gx4 = gx.reshape(n, 1, t, f);
        INDArray w4 = w.reshape(o, f, 1, k), gw4 = gw.reshape(o, f, 1, k);
        compare("conv1d [64,128,64] -> 64 filters, kernel 5, same, forward + backward", reps,
                () -> {
                    wk.assign(w.permute(2, 1, 0));
                    K.exec("conv1d", new INDArray[] {x, wk, b}, new INDArray[] {y}, c1, null);
                    K.exec("conv1d_bp", new INDArray[] {x, wk, b, g}, new INDArray[] {gx, gwk, gb}, c1, null);
                    gw.assign(gwk.permute(2, 1, 0));
                },
                () -> {
                    K.exec("conv2d", new INDArray[] {x4, w4, b}, new INDArray[] {y4}, c2, null);
                    K.exec("conv2d_bp", new INDArray[] {x4, w4, b, g4}, new INDArray[] {gx4, gw4, gb}, c2, null);
                },
                "conv1d NWC, weights copied to [kW, iC, oC]", "conv2d height 1, NHWC views (Sequence.Conv1d)");
    }

    /** The plain Java batchnorm (+ relu) and pooling of the layers against the ND4J ops they replaced, on fashion_cnn's first shapes. */
    private static void flat(int reps) {
        int n = 64, c = 32, h = 28, w = 28;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, c, h, w), g = Nd4j.rand(DataType.FLOAT, n, c, h, w);
        INDArray gamma = Nd4j.rand(DataType.FLOAT, c), beta = Nd4j.rand(DataType.FLOAT, c);
        INDArray rmean = Nd4j.zeros(DataType.FLOAT, c), rvar = Nd4j.ones(DataType.FLOAT, c);
        INDArray gg = rmean.ulike(), gb = rmean.ulike(), out = x.ulike(), gx = x.ulike(), d = x.ulike(), inv = rmean.ulike();
        INDArray gr = x.ulike();
        float[] scales = new float[c], means = new float[c];
        Activation relu = new Activation(Activation.Fn.RELU, 0);
        compare("batchnorm + relu [64,32,28,28], forward + backward", reps,
                () -> {
                    Layers.BatchNorm.train(x, gamma, beta, rmean, rvar, 0.9, 1e-5, d, inv, out);
                    relu.forward(out, out);
                    relu.backward(out, out, g, gr, null);
                    Layers.BatchNorm.backward(gr, d, inv, gamma, gg, gb, gx);
                },
                () -> {
                    Layers.BatchNorm.trainFlat(x, gamma, beta, rmean, rvar, 0.9, 1e-5, inv, out, true, scales, means);
                    Layers.BatchNorm.backwardFlat(g, true, scales, means, beta, x, inv, gamma, gg, gb, gx);
                },
                "ND4J ops (Layers.BatchNorm.train, backward, relu)", "plain Java (trainFlat, backwardFlat)");
        Network nd = new Network(DataType.FLOAT), fl = new Network(DataType.FLOAT);
        Layers.Pool pn = new Layers.Pool(true, 2, 2, 2, 2, false), pf = new Layers.Pool(true, 2, 2, 2, 2, false);
        nd.add("pool", pn, new long[] {c, h / 2, w / 2}, nd.input(c, h, w));
        fl.add("pool", pf, new long[] {c, h / 2, w / 2}, fl.input(c, h, w));
        nd.build(Loss.Fn.MSE);
        fl.build(Loss.Fn.MSE);
        INDArray xf = x.dup('f'), gp = Nd4j.rand(DataType.FLOAT, n, c, h / 2, w / 2), gpf = gp.dup('f');
        compare("maxpool 2 over [64,32,28,28], forward + backward", reps,
                () -> { nd.forward(xf, true); pn.backward(gpf); },
                () -> { fl.forward(x, true); pf.backward(gp); },
                "ND4J (NHWC copies, maxpool2d, maxpool2d_bp)", "plain Java (Layers.Pool)");
    }

    /**
     * A dense layer's forward pass, ND4J's xw_plus_b against a gemm and the bias (Layers.Dense's way when the
     * inputs do not count a multiple of 16), for inputs that do (784, 1008, 1024) and that do not (1000, 5000).
     */
    static void dense(int reps) {
        for (int k : new int[] {784, 1000, 1008, 1024, 5000}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 32, k), w = Nd4j.rand(DataType.FLOAT, k, 64), b = Nd4j.rand(DataType.FLOAT, 64);
            INDArray z = Nd4j.create(DataType.FLOAT, 32, 64), z2 = z.ulike();
            compare("dense [32, " + k + "] x [" + k + ", 64] + bias, forward", reps,
                    () -> K.exec("xw_plus_b", new INDArray[] {x, w, b}, new INDArray[] {z}, null, null),
                    () -> {
                        Nd4j.gemm(x, w, z2, false, false, 1.0, 0.0);
                        z2.addiRowVector(b);
                    },
                    "ND4J xw_plus_b", "gemm, then the bias");
        }
    }

    /**
     * A dense layer's two products with a batch mostly of zeros, x W and xᵀ g for {@code [32, 5000] x [5000, 64]}
     * (reuters_corn's bag of words): the BLAS's (K.gemm, one thread) against SparseBatch's (reading the batch
     * included), on 130 words a row drawn by Zipf's law (like the stories: 1-2% nonzero, frequent words shared)
     * and on 1%, 2%, 3% and 5% nonzero at random (SparseBatch takes batches up to 1/32). The Java side is run
     * 3,000 times first, for the JIT.
     */
    static void sparse(int reps) {
        int n = 32, k = 5000, u = 64;
        INDArray w = Nd4j.rand(DataType.FLOAT, k, u), g = Nd4j.rand(DataType.FLOAT, n, u);
        INDArray z = Nd4j.create(DataType.FLOAT, n, u), gw = Nd4j.create(DataType.FLOAT, k, u);
        java.util.Random r = new java.util.Random(1);
        double harmonic = 0;
        for (int j = 0; j < k; j++) harmonic += 1.0 / (j + 1);
        float[] zipf = new float[n * k];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < 130; t++) {
                double q = r.nextDouble() * harmonic;
                int j = 0;
                while (q > 1.0 / (j + 1) && j < k - 1) q -= 1.0 / (++j);
                zipf[i * k + j] += 1;
            }
        }
        String[] names = {"words by Zipf's law", "1% at random", "2% at random", "3% at random", "5% at random"};
        double[] density = {0, 0.01, 0.02, 0.03, 0.05};
        for (int c = 0; c < names.length; c++) {
            float[] v = zipf;
            if (density[c] > 0) {
                v = new float[n * k];
                for (int i = 0; i < v.length; i++) if (r.nextDouble() < density[c]) v[i] = 1 + r.nextInt(3);
            }
            INDArray x = Nd4j.create(v, new long[] {n, k});
            long nonzero = 0;
            for (float f : v) if (f != 0) nonzero++;
            SparseBatch sb = new SparseBatch();
            Runnable sparse = () -> {
                if (!sb.hold(x, 16)) throw new IllegalStateException("not held");
                sb.times(w, z);
                sb.transposeTimes(g, gw);
            };
            for (int i = 0; i < 3000; i++) sparse.run();
            compare(String.format("dense [32, 5000] x [5000, 64], x W and xT g, %s (%.1f%% nonzero)", names[c], 100.0 * nonzero / v.length), reps,
                    () -> {
                        K.gemm(x, w, z, false, false);
                        K.gemm(x, g, gw, true, false);
                    },
                    sparse, "the BLAS (K.gemm), two products", "SparseBatch (reading the batch, two products)");
        }
    }

    /** fashion_cnn's first convolution (1 -> 32 channels, 3x3, same, 28x28, batch 64): Im2col and the gemm against FirstConv. */
    static void firstConv(int reps) {
        int n = 64, c = 1, h = 28, f = 32;
        long[] iargs = {3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 1};
        INDArray x = Nd4j.rand(DataType.FLOAT, n, c, h, h), w = Nd4j.rand(DataType.FLOAT, f, c, 3, 3), b = Nd4j.rand(DataType.FLOAT, f);
        INDArray z = Nd4j.create(DataType.FLOAT, n, f, h, h), g = Nd4j.rand(DataType.FLOAT, n, f, h, h), gw = w.ulike(), gb = b.ulike();
        FirstConv fc = new FirstConv(new long[] {c, h, h}, new long[] {f, h, h}, iargs);
        Im2col ic = new Im2col(new long[] {c, h, h}, new long[] {f, h, h}, iargs);
        INDArray col = Nd4j.create(DataType.FLOAT, ic.colRows(), n * h * h), wb = Nd4j.create(DataType.FLOAT, f, ic.colRows());
        INDArray prod = Nd4j.create(DataType.FLOAT, f, n * h * h), gwb = wb.ulike();
        compare("conv2d 1->32 at 28x28, batch 64, forward + backward (weight, bias)", reps,
                () -> {
                    ic.columns(x, col);
                    ic.joined(w, b, wb);
                    ic.forward(col, wb, prod, z);
                    ic.backward(g, col, wb, prod, gwb, gw, gb, null, null);
                },
                () -> {
                    fc.forward(x, w, b, z);
                    fc.backward(g, gw, gb);
                },
                "Im2col (columns, one gemm each way)", "FirstConv (plain Java, a loop per tap)");
    }

    /** fashion_cnn's convolutions (3x3, same): NCHW with PyTorch's weight layout against NHWC with [oC, kH, kW, iC] weights. */
    static void conv2d(int reps) {
        int n = 64;
        int[][] shapes = {{1, 32, 28}, {32, 32, 28}, {32, 64, 14}, {64, 64, 14}};
        for (int[] sh : shapes) {
            int c = sh[0], f = sh[1], h = sh[2];
            INDArray x = Nd4j.rand(DataType.FLOAT, n, c, h, h), w = Nd4j.rand(DataType.FLOAT, f, c, 3, 3), b = Nd4j.rand(DataType.FLOAT, f);
            INDArray z = Nd4j.create(DataType.FLOAT, n, f, h, h), g = Nd4j.rand(DataType.FLOAT, n, f, h, h);
            INDArray gx = x.ulike(), gw = w.ulike(), gb = b.ulike();
            INDArray xn = x.permute(0, 2, 3, 1).dup('c'), wn = w.permute(0, 2, 3, 1).dup('c'), zn = Nd4j.create(DataType.FLOAT, n, h, h, f);
            INDArray gn = g.permute(0, 2, 3, 1).dup('c'), gxn = xn.ulike(), gwn = wn.ulike();
            long[] nchw = {3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 1}, nhwc = {3, 3, 1, 1, 0, 0, 1, 1, 1, 1, 2};
            if (Im2col.suits(new long[] {c, h, h}, nchw)) {
                Im2col ic = new Im2col(new long[] {c, h, h}, new long[] {f, h, h}, nchw);
                INDArray col = Nd4j.create(DataType.FLOAT, ic.colRows(), n * h * h), wb = Nd4j.create(DataType.FLOAT, f, ic.colRows());
                INDArray gwb = wb.ulike(), prod = Nd4j.create(DataType.FLOAT, f, n * h * h);
                compare("conv2d " + c + "->" + f + " at " + h + "x" + h + ", forward + backward (weight, bias)", reps,
                        () -> {
                            K.exec("conv2d", new INDArray[] {x, w, b}, new INDArray[] {z}, nchw, null);
                            K.exec("conv2d_bp", new INDArray[] {x, w, b, g}, new INDArray[] {gx, gw, gb}, nchw, null);
                        },
                        () -> {
                            ic.columns(x, col);
                            ic.joined(w, b, wb);
                            ic.forward(col, wb, prod, z);
                            ic.backward(g, col, wb, prod, gwb, gw, gb, null, null);
                        },
                        "ND4J conv2d, conv2d_bp", "Im2col (Java columns, one gemm each way)");
            }
            INDArray wn2 = wn.ulike();
            compare("conv2d " + c + "->" + f + " at " + h + "x" + h + ", forward, NHWC with the copies in and out", reps,
                    () -> K.exec("conv2d", new INDArray[] {x, w, b}, new INDArray[] {z}, nchw, null),
                    () -> {
                        xn.assign(x.permute(0, 2, 3, 1));
                        wn2.assign(w.permute(0, 2, 3, 1));
                        K.exec("conv2d", new INDArray[] {xn, wn2, b}, new INDArray[] {zn}, nhwc, null);
                        z.assign(zn.permute(0, 3, 1, 2));
                    },
                    "NCHW [oC,iC,kH,kW]", "NHWC copies + conv2d");
            compare("conv2d " + c + "->" + f + " at " + h + "x" + h + ", forward", reps,
                    () -> K.exec("conv2d", new INDArray[] {x, w, b}, new INDArray[] {z}, nchw, null),
                    () -> K.exec("conv2d", new INDArray[] {xn, wn, b}, new INDArray[] {zn}, nhwc, null),
                    "NCHW [oC,iC,kH,kW]", "NHWC [oC,kH,kW,iC]");
            compare("conv2d " + c + "->" + f + " at " + h + "x" + h + ", backward", reps,
                    () -> K.exec("conv2d_bp", new INDArray[] {x, w, b, g}, new INDArray[] {gx, gw, gb}, nchw, null),
                    () -> K.exec("conv2d_bp", new INDArray[] {xn, wn, b, gn}, new INDArray[] {gxn, gwn, gb}, nhwc, null),
                    "NCHW [oC,iC,kH,kW]", "NHWC [oC,kH,kW,iC]");
        }
    }

    private static void compare(String what, int reps, Runnable nd4j, Runnable ann, String nd4jName, String annName) {
        for (int i = 0; i < Math.max(5, reps / 5); i++) { nd4j.run(); ann.run(); }
        long[] tn = new long[reps], ta = new long[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            nd4j.run();
            long t1 = System.nanoTime();
            ann.run();
            ta[i] = System.nanoTime() - t1;
            tn[i] = t1 - t0;
        }
        Arrays.sort(tn);
        Arrays.sort(ta);
        System.out.printf("%s%n  %-46s p50 %7.2f ms  p10 %7.2f ms%n  %-46s p50 %7.2f ms  p10 %7.2f ms%n", what,
                nd4jName, tn[reps / 2] / 1e6, tn[reps / 10] / 1e6, annName, ta[reps / 2] / 1e6, ta[reps / 10] / 1e6);
    }
}
