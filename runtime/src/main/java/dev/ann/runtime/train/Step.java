package dev.ann.runtime.train;

import dev.ann.kernels.BatchHalves;
import dev.ann.kernels.Loss;
import dev.ann.kernels.Network;
import dev.ann.kernels.Optimizer;
import dev.ann.kernels.Schedule;
import dev.ann.kernels.Seeds;
import dev.ann.plan.Plan;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One training step (forward, loss, backward, scheduled learning rate, optimiser update), the one place
 * it is written: {@link Trainer}'s loop and a data-parallel worker (ann-cluster) both call it, so a
 * worker's step is the local one bit for bit.
 */
public final class Step {
    public final Plan plan;
    public final Network net;
    public final Loss loss;
    public final Optimizer opt;
    public final Schedule sched;
    /** The loss gradient's buffer by batch rows (an epoch's last batch may be smaller): looked up every step. */
    private final Map<Long, INDArray> gbufs = new HashMap<>();
    /** the batch as two halves on two threads when the plan says so (Plan.trainsInHalves), else null */
    private final BatchHalves halves;

    /** The network, loss, optimiser and schedule of a Plan, parameters initialised from seed. */
    public Step(Plan plan, long seed) {
        this.plan = plan;
        net = dev.ann.runtime.nn.PlanKernels.network(plan, DataType.FLOAT);
        net.init(seed);
        loss = dev.ann.runtime.nn.PlanKernels.loss(plan, net);
        opt = dev.ann.runtime.nn.PlanKernels.optimizer(plan.optimizer(), net.params());
        sched = dev.ann.runtime.nn.PlanKernels.schedule(plan.schedule());
        halves = dev.ann.runtime.nn.PlanKernels.halves(plan, net, loss);
    }

    /** What one step did: its loss (not finite: nothing was updated), the learning rate, correct predictions. */
    public record Outcome(double loss, double lr, long correct) {}

    /** Trains batch b (of nb) of epoch e (of epochs) on xy; dropout masks are seeded from (seed, e, b). */
    public Outcome run(INDArray[] xy, long seed, int e, int b, int nb, int epochs, boolean classification) {
        Outcome g = gradient(xy, seed, e, b, classification);
        if (!Double.isFinite(g.loss())) return g;
        return new Outcome(g.loss(), update(net.grads(), e, b, nb, epochs), g.correct());
    }

    /**
     * Forward, loss and backward on xy (the mean loss over its samples): leaves the gradient in net.grads()
     * and updates nothing. A worker of synchronous gradient averaging (ann-cluster) runs this on its slice of
     * the batch; the lr of the outcome is NaN.
     */
    public Outcome gradient(INDArray[] xy, long seed, int e, int b, boolean classification) {
        long stepSeed = Seeds.mix(seed, e, b);
        Nd4j.getRandom().setSeed(stepSeed);
        if (halves != null) {
            double l = halves.gradient(xy[0], xy[1], stepSeed);
            if (!Double.isFinite(l) || !classification) return new Outcome(l, Double.NaN, 0);
            long correct = 0;
            for (int i = 0; i < halves.parts(); i++) correct += Trainer.correct(halves.out(i), halves.y(i), net, plan);
            return new Outcome(l, Double.NaN, correct);
        }
        INDArray out = net.forward(xy[0], true);
        INDArray g = gbufs.get(out.size(0));
        if (g == null || !Arrays.equals(g.shape(), out.shape()) || g.dataType() != out.dataType()) {
            gbufs.put(out.size(0), g = Nd4j.createUninitialized(out.dataType(), out.shape()));
        }
        double l = loss.compute(out, xy[1], g);
        if (!Double.isFinite(l)) return new Outcome(l, Double.NaN, 0);
        net.backward(g);
        return new Outcome(l, Double.NaN, classification ? Trainer.correct(out, xy[1], net, plan) : 0);
    }

    /** The optimiser step of batch b (of nb) of epoch e with grads at the scheduled learning rate, which it returns. */
    public double update(INDArray grads, int e, int b, int nb, int epochs) {
        return update(opt, sched, net.params(), grads, e, b, nb, epochs);
    }

    /** The same for an optimiser and schedule of their own (the driver of gradient averaging holds no Step). */
    public static double update(Optimizer opt, Schedule sched, INDArray params, INDArray grads, int e, int b, int nb, int epochs) {
        double lr = sched.lr(opt.lr0, e, (double) b / nb, epochs);
        opt.apply(params, grads, lr);
        return lr;
    }
}
