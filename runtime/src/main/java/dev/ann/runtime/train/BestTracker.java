package dev.ann.runtime.train;

import dev.ann.kernels.Metrics;
import dev.ann.plan.Plan;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The best epoch and early stopping. The best is chosen by {@code keep
 * best(...)}, else by the early-stopping monitor; its checkpoint is held here
 * until {@link Checkpoints#commit} writes it (at once under {@code keep best},
 * else with the next last.ckpt), and its weights become the final model.
 */
final class BestTracker {
    final String metric;
    private final boolean max;
    /** keep best(...): best.ckpt is written as soon as the best improves */
    final boolean eager;
    private final Plan.EarlyStopping es;
    private Checkpoint best;
    private boolean pending;

    BestTracker(Plan.Loop loop) {
        es = loop.earlyStopping();
        Plan.Checkpoint ck = loop.checkpoint();
        eager = ck != null && ck.keepBest() != null;
        metric = eager ? ck.keepBest() : es != null ? es.monitor() : null;
        max = metric != null && (eager ? "max".equals(ck.mode()) : "max".equals(es.mode()));
    }

    /** The best checkpoint found on resume (null: none). */
    void restore(Checkpoint c) {
        best = c;
        pending = false;
    }

    /** After an epoch: whether its row beats the best; then {@code snapshot} (taken after the state is updated) becomes the best. */
    boolean update(Map<String, Double> row, Trainer.State st, int epoch, Supplier<Checkpoint> snapshot) {
        if (metric == null || !row.containsKey(metric)) return false;
        double v = row.get(metric);
        if (!Metrics.improves(v, st.bestValue, max, 0)) return false;
        st.bestValue = v;
        st.bestEpoch = epoch;
        best = snapshot.get();
        pending = true;
        return true;
    }

    /** Early stopping: sets {@code st.stopped} after {@code patience} epochs without improvement. */
    void earlyStop(Map<String, Double> row, Trainer.State st, PrintStream log) {
        if (es == null || !row.containsKey(es.monitor())) return;
        double v = row.get(es.monitor());
        if (Metrics.improves(v, st.esBest, "max".equals(es.mode()), es.minDelta())) {
            st.esBest = v;
            st.esBad = 0;
        } else if (++st.esBad >= es.patience()) {
            st.stopped = true;
            log.printf("early stopping: %s has not improved for %d epochs (best %.4f)%n", es.monitor(), es.patience(), st.esBest);
        }
    }

    /** The best not yet on disk, once (null: nothing new). */
    Checkpoint takePending() {
        if (!pending) return null;
        pending = false;
        return best;
    }

    /** The best checkpoint so far (null: none tracked). */
    Checkpoint best() {
        return best;
    }
}
