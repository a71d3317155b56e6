package dev.ann.runtime.bench;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.kernels.K;
import dev.ann.kernels.Network;
import dev.ann.kernels.Optimizer;
import dev.ann.plan.Plan;
import dev.ann.runtime.Backend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The least time a training step of a network of dense layers can take with the matrix products this machine's
 * libraries give: each of the step's products alone (forward {@code x W}, the weight gradient {@code xᵀ gz}, the
 * input gradient {@code gz Wᵀ} but for the first layer, whose input gradient nobody reads), timed as the step
 * calls it ({@link K#gemm}, under the thread settings {@code ann train} uses for the plan) and at the best of ND4J
 * on one and on two OpenMP threads, then the optimiser's step alone over the same parameters. Everything else a
 * step does (bias, activations, dropout, the loss) counts as free, so the sum is a floor: no step with these
 * products runs faster, and {@code batch / floor} is a ceiling on the samples/s.
 *
 * <pre>java -cp ... dev.ann.runtime.bench.ProductsFloor FILE [batch] [peer samples/s]</pre>
 *
 * With a peer's figure (PyTorch's samples/s from bench/peers/RESULTS.md) it also prints the ratio that the
 * ceiling allows. Layers other than dense ones are left out (and named), which lowers the floor further.
 * Not a test: bench/peers/floor.sh runs it beside the PyTorch twin and StepBench, results in bench/peers/floor.md.
 */
public final class ProductsFloor {
    private ProductsFloor() {}

    private record Product(String what, INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
        double mflop() {
            long k = transA ? a.size(0) : a.size(1);
            return 2.0 * c.size(0) * c.size(1) * k / 1e6;
        }
    }

    public static void main(String[] a) throws Exception {
        Backend.init();
        Compilation c = Compiler.compile(Path.of(a[0]));
        Plan plan = c.plan(System.getProperty("ann.train"), null);
        boolean oneThread = StepBench.threadsAsAnnTrain(plan);
        int batch = a.length > 1 ? Integer.parseInt(a[1]) : plan.loop().batch();
        double peer = a.length > 2 ? Double.parseDouble(a[2]) : 0;
        Network net = dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT);
        net.init(1);
        Optimizer opt = dev.ann.runtime.nn.PlanKernels.optimizer(plan.optimizer(), net.params());

        List<Product> products = new ArrayList<>();
        List<String> left = new ArrayList<>();
        boolean first = true;
        for (Network.Param p : net.trainableParams()) {
            String layer = net.layerLabel(p.op());
            if (!layer.contains("(Dense)")) {
                if (!left.contains(layer)) left.add(layer);
                continue;
            }
            if (!p.role().equals("weight") || p.shape().length != 2) continue;
            long in = p.shape()[0], units = p.shape()[1];
            INDArray x = Nd4j.rand(DataType.FLOAT, batch, in), w = Nd4j.rand(DataType.FLOAT, in, units);
            INDArray gz = Nd4j.rand(DataType.FLOAT, batch, units);
            products.add(new Product(layer + " forward x W", x, w, Nd4j.create(DataType.FLOAT, batch, units), false, false));
            products.add(new Product(layer + " weight gradient xT gz", x, gz, Nd4j.create(DataType.FLOAT, in, units), true, false));
            if (!first) products.add(new Product(layer + " input gradient gz WT", gz, w, Nd4j.create(DataType.FLOAT, batch, in), false, true));
            first = false;
        }
        var ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int threadsBefore = ops.ompGetMaxThreads();
        System.out.printf("%s batch %d (%s; %s)%n", Path.of(a[0]).getFileName(), batch, Backend.describe(),
                oneThread ? "one thread as ann train runs it, K.gemm takes two for large products" : "ND4J's threads");
        System.out.printf("  %-48s %8s %12s %12s %12s%n", "product", "MFLOP", "as ann (us)", "1 thr (us)", "2 thr (us)");
        // two passes over the products, each figure the better of the two: the first calls of a pass pay the
        // JIT's and OpenMP's start-up
        double[][] us = new double[products.size()][3];
        for (double[] row : us) java.util.Arrays.fill(row, Double.MAX_VALUE);
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < products.size(); i++) {
                Product p = products.get(i);
                us[i][0] = Math.min(us[i][0], time(() -> K.gemm(p.a, p.b, p.c, p.transA, p.transB)));
                ops.setOmpNumThreads(1);
                us[i][1] = Math.min(us[i][1], time(() -> Nd4j.gemm(p.a, p.b, p.c, p.transA, p.transB, 1.0, 0.0)));
                ops.setOmpNumThreads(2);
                us[i][2] = Math.min(us[i][2], time(() -> Nd4j.gemm(p.a, p.b, p.c, p.transA, p.transB, 1.0, 0.0)));
                ops.setOmpNumThreads(threadsBefore);
            }
        }
        double asAnn = 0, best = 0, mflop = 0;
        for (int i = 0; i < products.size(); i++) {
            Product p = products.get(i);
            System.out.printf("  %-48s %8.1f %12.0f %12.0f %12.0f%n", p.what, p.mflop(), us[i][0], us[i][1], us[i][2]);
            asAnn += us[i][0];
            best += Math.min(us[i][0], Math.min(us[i][1], us[i][2]));
            mflop += p.mflop();
        }
        INDArray g = Nd4j.rand(DataType.FLOAT, net.params().shape()).muli(1e-3);
        double to = time(() -> opt.apply(net.params(), g, 1e-9)); // a tiny rate: the parameters barely move
        System.out.printf("  %-48s %8s %12.0f%n", "optimiser step, " + net.trainableCount() + " parameters", "", to);
        double floorUs = best + to;
        System.out.printf("  products %.1f MFLOP a step: %.0f us as ann calls them, %.0f at the best of the three; with the optimiser %.0f us%n",
                mflop, asAnn, best, floorUs);
        double ceiling = batch / (floorUs / 1e6);
        System.out.printf("  floor %.2f ms a step: at most %,.0f samples/s", floorUs / 1e3, ceiling);
        if (peer > 0) System.out.printf("; against the peer's %,.0f: at most %.2fx", peer, ceiling / peer);
        System.out.println();
        if (!left.isEmpty()) System.out.println("  not counted (not dense): " + String.join(", ", left));
    }

    /** Microseconds a call: the best of seven rounds of 50 calls, after 20 untimed ones. */
    private static double time(Runnable r) {
        for (int i = 0; i < 20; i++) r.run();
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 7; round++) {
            long t = System.nanoTime();
            for (int i = 0; i < 50; i++) r.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e3 / 50);
        }
        return best;
    }
}
