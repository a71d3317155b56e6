package dev.ann.runtime.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.runtime.RunException;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.data.Samples;
import dev.ann.kernels.Loss;
import dev.ann.kernels.Metrics;
import dev.ann.kernels.Network;
import dev.ann.kernels.Seeds;
import dev.ann.kernels.Optimizer;
import dev.ann.kernels.Schedule;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains a Plan: the epoch loop and its metrics, resume and NaN detection.
 * Its concerns live beside it: {@link BestTracker} (the best epoch, early
 * stopping), {@link Checkpoints} (when and how checkpoints are written),
 * {@link StopSignal} (Ctrl-C, SIGTERM), {@link Report} (the run folder).
 *
 * <p>Randomness: parameters are initialised from {@code new Random(seed)};
 * the training order of epoch e is a Fisher-Yates permutation from
 * {@code new Random(Seeds.mix(seed, e))}; dropout masks of batch b of epoch e come
 * from ND4J's generator reseeded with {@code Seeds.mix(seed, e, b)}. So the state of
 * every generator is a function of (seed, epoch, batch), which is all a
 * checkpoint needs to record to resume bit for bit.
 */
public final class Trainer {

    public static final class Options {
        public Integer epochs;
        public Long seed;
        public String device;
        /** run folder; default runs/<train>/<timestamp> */
        public Path out;
        public Path runsRoot = Path.of("runs");
        public boolean resume;
        public PrintStream log = System.out;
        public boolean terminal;
        /** install a Ctrl-C handler that checkpoints */
        public boolean handleSignals;
        /** tests: behave as if interrupted before batch {@code interruptBatch} of epoch {@code interruptEpoch} (0-based) */
        public int interruptEpoch = -1, interruptBatch = 0;
        /** bytes of decoded samples that may be held in memory before the data streams from disk; null: a quarter of the heap; 0: always stream */
        public Long dataMemory;
        /** ann train --events json: the run as JSON lines (start, batch, epoch, end...); null: none */
        public Events events;
        /** trains the epochs' batches elsewhere (data-parallel workers); null: here */
        public Remote remote;
    }

    /** What a run produced. */
    public record Result(Path runDir, Evaluation test, String testSplit, int epochsRun, int bestEpoch, String bestMetric,
                         double wallSeconds, double samplesPerSecond, boolean interrupted, Network net, Pipeline.Splits data,
                         String device, long seed, List<Map<String, Double>> history) {}

    private final Plan plan;
    private final Options o;

    private Trainer(Plan plan, Options o) {
        this.plan = plan;
        this.o = o;
    }

    /**
     * True once SIGINT, SIGTERM or the parent watch's {@code System.exit} began
     * the JVM's shutdown during a run with {@link Options#handleSignals}. The
     * JVM then ends with that status (130, 143) when the stop hook returns; a
     * caller must not race it with an exit code of its own.
     */
    public static boolean shutdownStarted() {
        return StopSignal.shutdownStarted();
    }

    /** Trains once, or once per seed under {@code repeat K}. */
    public static List<Result> train(Plan plan, Options o) {
        String device = Devices.resolve(o.device != null ? o.device : plan.loop().device(), o.log);
        int k = Math.max(1, plan.loop().repeat());
        long seed = o.seed != null ? o.seed : plan.seed();
        List<Result> results = new ArrayList<>();
        Pipeline.Splits data = null;
        Path base = o.out != null ? o.out : o.runsRoot.resolve(plan.train()).resolve(
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        for (int r = 0; r < k; r++) {
            Options ro = copy(o);
            ro.seed = seed + r;
            ro.out = k == 1 ? base : base.resolve("seed-" + (seed + r));
            if (k > 1) o.log.printf("== run %d of %d, seed %d%n", r + 1, k, seed + r);
            Trainer t = new Trainer(plan, ro);
            if (data == null) {
                // the JIT compiles the step's kernels on a made-up batch while the data loads (Warmup)
                try (Warmup w = Warmup.start(plan, device)) {
                    data = Pipeline.load(plan.data(), o.dataMemory, Model.initVocabulary(plan, o.log));
                }
                if (o.remote != null) o.remote.data(data.transform(), data.train().n);
            }
            Result res;
            try {
                res = t.run(data, device);
            } catch (RuntimeException | Error e) {
                data.close();
                throw e;
            }
            results.add(res);
            if (res.interrupted()) break;
        }
        // streamed splits release their files (and decompressed caches) here; in-memory ones hold nothing to release
        if (data != null) data.close();
        if (results.size() > 1) Report.writeRepeat(base, plan, results, o.log);
        return results;
    }

    static Options copy(Options o) {
        Options c = new Options();
        c.epochs = o.epochs; c.seed = o.seed; c.device = o.device; c.out = o.out; c.runsRoot = o.runsRoot;
        c.resume = o.resume; c.log = o.log; c.terminal = o.terminal; c.handleSignals = o.handleSignals;
        c.interruptEpoch = o.interruptEpoch; c.interruptBatch = o.interruptBatch; c.dataMemory = o.dataMemory;
        c.events = o.events;
        c.remote = o.remote;
        return c;
    }

    // one run's working set, filled by run()
    private Pipeline.Splits data;
    private long seed;
    private int epochs, batch;
    private Network net;
    private Loss loss;
    private Optimizer opt;
    private Schedule sched;
    private Step step;
    private final State st = new State();
    private Path runDir;
    private Checkpoints ckpts;
    private BestTracker best;
    private Progress progress;
    /** when the wall time was last added to st.wall */
    private long t0;

    /** One run: set up (or resume), the epoch loop, then the final model and report, or what an interruption leaves. */
    private Result run(Pipeline.Splits data, String device) {
        this.data = data;
        seed = o.seed;
        epochs = o.epochs != null ? o.epochs : plan.loop().epochs();
        batch = plan.loop().batch();
        Samples train = data.train();
        Samples val = data.validation();
        step = new Step(plan, seed);
        net = step.net;
        loss = step.loss;
        opt = step.opt;
        sched = step.sched;
        best = new BestTracker(plan.loop());
        runDir = o.out;
        if (!o.resume && plan.loop().initFrom() != null) {
            Path from = Path.of(plan.loop().initFrom());
            Model.initFrom(Checkpoint.read(from), net, from);
            o.log.printf("starting from the weights of %s (the optimiser starts fresh)%n", from);
        }
        Checkpoint resumed = o.resume ? resume() : null;
        ckpts = new Checkpoints(Checkpoints.dir(plan, runDir));
        try {
            Files.createDirectories(runDir);
        } catch (java.io.IOException e) {
            throw new RunException(RunException.FAILURE, runDir + ": cannot create the run folder: " + e.getMessage());
        }
        ckpts.clean(runDir, o.log);
        if (resumed != null) best.restore(ckpts.recoverBest(st, o.log));
        o.log.println(data.mode());
        o.log.printf("training %s (%s) on %s: %d train, %s validation, %s test samples; %,d parameters; device %s; seed %d%n",
                plan.train(), plan.network(), plan.data().dataset(), train.n, val == null ? "no" : String.valueOf(val.n),
                data.test() == null ? "no" : String.valueOf(data.test().n), net.trainableCount(), device, seed);
        o.log.printf("run folder %s%n", runDir);
        progress = new Progress(o.log, o.terminal, o.events);
        if (o.events != null) {
            o.events.start(plan, runDir, epochs, (train.n + batch - 1) / batch, train.n, val == null ? null : val.n,
                    data.test() == null ? null : data.test().n, data.classNames(), device, seed, net.trainableCount(), st.history);
        }
        boolean interrupted = false;
        t0 = System.nanoTime();
        try (StopSignal stop = StopSignal.install(o.handleSignals)) {
            try {
                interrupted = loop(stop);
            } finally {
                addWall();
                if (interrupted) stopped(device);
            }
        }
        double sps = st.trainSamples / Math.max(1e-9, st.trainSeconds);
        if (interrupted) return result(null, null, sps, true, device);
        return finish(device, sps);
    }

    /** --resume: loads the checkpoint into the net, optimiser and loop state; the run folder becomes the checkpoint's. */
    private Checkpoint resume() {
        Path from = Checkpoints.findResume(plan, o.out, o.runsRoot);
        Checkpoint c = Checkpoint.read(from);
        Model.checkCompatible(c, plan, from);
        Model.load(c, net);
        Model.loadOptimizer(c, opt);
        st.restore(c.header, from);
        if (c.header.has("run_dir") && Files.isDirectory(Path.of(c.header.get("run_dir").getAsString())) && o.out == null) {
            runDir = Path.of(c.header.get("run_dir").getAsString());
        }
        o.log.printf("resuming from %s: epoch %d%s%n", from, st.epoch + 1, st.batch > 0 ? ", batch " + (st.batch + 1) : "");
        return c;
    }

    /** The epochs; true when stopped by a signal (or the test hook) before the last one ended. */
    private boolean loop(StopSignal stop) {
        Samples train = data.train();
        int nb = (train.n + batch - 1) / batch;
        Batches feeder = new Batches(train, plan); // its buffers serve every epoch
        while (st.epoch < epochs && !st.stopped) {
            int e = st.epoch;
            long te = System.nanoTime();
            int startBatch = st.batch;
            boolean interrupted = trainEpoch(e, nb, feeder, stop, te);
            double secs = (System.nanoTime() - te) / 1e9;
            st.trainSeconds += secs;
            st.trainSamples += st.seen - (long) startBatch * batch;
            if (interrupted) return true;
            endEpoch(e, secs);
        }
        return false;
    }

    /** The batches of epoch e from st.batch on; true when a stop was asked for (st.batch is then the next batch). */
    private boolean trainEpoch(int e, int nb, Batches feeder, StopSignal stop, long te) {
        Samples train = data.train();
        Path last = ckpts.dir.resolve(Checkpoints.LAST);
        // the training order is reshuffled every epoch (seeded) unless the dataset says shuffle false
        int[] order = Seeds.order(plan.data().shuffle(), train.n, new Random(Seeds.mix(seed, e)));
        progress.startEpoch(e + 1, epochs, nb);
        int startBatch = st.batch;
        if (o.remote != null) return remoteEpoch(e, nb, stop, te, last, startBatch);
        // streamed data: the next batch is read and transformed on a background thread while this step runs
        try (Batches.Stream batches = feeder.stream(order, batch, st.batch)) {
            for (int b = st.batch; b < nb; b++) {
                if (stop.requested() || (e == o.interruptEpoch && b == o.interruptBatch)) {
                    st.batch = b;
                    return true;
                }
                int from = b * batch, n = Math.min(batch, train.n - from);
                INDArray[] xy = batches.next();
                Step.Outcome r = step.run(xy, seed, e, b, nb, epochs, train.isClassification());
                double l = r.loss();
                if (!Double.isFinite(l)) throw nonFinite(l, e, b, last);
                st.lr = r.lr();
                st.lossSum += l * n;
                st.seen += n;
                st.correct += r.correct();
                st.batch = b + 1;
                progress.batch(b + 1, st.seen, st.lossSum / st.seen, System.nanoTime() - te, st.seen - (long) startBatch * batch, st.lr);
            }
        }
        return false;
    }

    private RunException nonFinite(double l, int e, int b, Path last) {
        return new RunException(RunException.FAILURE, String.format(
                "the loss became %s at epoch %d, batch %d; training stopped. %s Try a lower learning rate (now lr: %g) or check the data for extreme values.",
                Double.isNaN(l) ? "NaN" : "infinite", e + 1, b + 1,
                Files.exists(last) ? "The last good checkpoint is " + last + "." : "No checkpoint was written yet.",
                opt.lr0));
    }

    /** The batches of epoch e trained by o.remote, one round (workers x steps between combines) at a time. */
    private boolean remoteEpoch(int e, int nb, StopSignal stop, long te, Path last, int startBatch) {
        for (int b = st.batch; b < nb; ) {
            if (stop.requested() || (e == o.interruptEpoch && b >= o.interruptBatch)) {
                st.batch = b;
                return true;
            }
            Remote.Round r = o.remote.round(seed, e, b, nb, epochs, net, opt);
            double l = r.lossSum() / Math.max(1, r.seen());
            if (!Double.isFinite(l)) throw nonFinite(l, e, b, last);
            st.lr = r.lr();
            st.lossSum += r.lossSum();
            st.seen += r.seen();
            st.correct += r.correct();
            b += r.batches();
            st.batch = b;
            progress.batch(b, st.seen, st.lossSum / st.seen, System.nanoTime() - te, st.seen - (long) startBatch * batch, st.lr);
        }
        return false;
    }

    /** End of epoch e: measure, track the best and early stopping, write checkpoints and metrics. */
    private void endEpoch(int e, double secs) {
        Samples train = data.train(), val = data.validation();
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("epoch", (double) (e + 1));
        row.put("lr", st.lr);
        row.put("train_loss", st.lossSum / Math.max(1, st.seen));
        if (train.isClassification()) row.put("train_accuracy", (double) st.correct / Math.max(1, st.seen));
        if (val != null) {
            Evaluation ev = Batches.evaluate(net, loss, val, plan, data.classNames());
            for (var m : ev.metrics().entrySet()) row.put("val_" + m.getKey(), m.getValue());
        }
        row.put("seconds", secs);
        row.put("samples_per_s", st.seen / Math.max(1e-9, secs));
        st.history.add(row);
        progress.endEpoch(row);
        st.epoch = e + 1;
        st.batch = 0;
        st.lossSum = 0;
        st.seen = 0;
        st.correct = 0;
        addWall();
        boolean improved = best.update(row, st, e + 1, this::snapshot);
        best.earlyStop(row, st, o.log);
        // checkpoints: every N epochs as declared, last.ckpt also at least every 30 s and at the end, best.ckpt as it improves
        Plan.Checkpoint ck = plan.loop().checkpoint();
        boolean every = ck != null && ck.every() > 0 && (e + 1) % ck.every() == 0;
        boolean end = st.epoch >= epochs || st.stopped;
        if (ckpts.due(every, end) || (improved && best.eager)) {
            Checkpoint c = snapshot();
            ckpts.commit(c, best.takePending());
            if (every) ckpts.writeEpoch(c, e + 1);
        }
        Report.writeHistory(runDir, st.history, end || secs > 2);
    }

    /** Stopped by a signal: checkpoint first, then the line that says so, the metrics, the plot and the report as far as the run got. */
    private void stopped(String device) {
        Path last = ckpts.dir.resolve(Checkpoints.LAST);
        ckpts.commit(snapshot(), best.takePending());
        o.log.printf("%ninterrupted at epoch %d, batch %d: checkpoint written to %s; continue with --resume%n",
                st.epoch + 1, st.batch + 1, last);
        if (o.events != null) o.events.interrupted(st.epoch + 1, st.batch + 1, last, runDir);
        Report.writeHistory(runDir, st.history, true);
        Report.writeStopped(result(null, null, st.trainSamples / Math.max(1e-9, st.trainSeconds), true, device), plan);
    }

    /** After the last epoch: the best epoch's weights, model.ckpt, the test evaluation and the report. */
    private Result finish(String device, double sps) {
        Checkpoint b = best.best();
        if (b != null && st.bestEpoch != st.epoch) {
            Model.load(b, net);
            o.log.printf("restored the weights of epoch %d (best %s %.4f)%n", st.bestEpoch, best.metric, st.bestValue);
        }
        snapshot().write(runDir.resolve("model.ckpt"));
        Samples test = data.test() != null ? data.test() : data.validation();
        String split = data.test() != null ? "test" : "validation";
        Evaluation ev = test == null ? null : Batches.evaluate(net, loss, test, plan, data.classNames());
        Result res = result(ev, split, sps, false, device);
        Report.write(res, plan, o.log);
        if (o.events != null) o.events.end(res, plan);
        return res;
    }

    private void addWall() {
        long now = System.nanoTime();
        st.wall += (now - t0) / 1e9;
        t0 = now;
    }

    private Checkpoint snapshot() {
        return Model.checkpoint(plan, net, opt, st, data, seed, runDir);
    }

    private Result result(Evaluation test, String split, double sps, boolean interrupted, String device) {
        return new Result(runDir, test, split, st.epoch, st.bestEpoch, best.metric, st.wall, sps, interrupted, net, data, device, seed, st.history);
    }

    static long correct(INDArray out, INDArray y, Network net, Plan plan) {
        return Metrics.correct(out, y, plan.loss().kind().equals("binary_cross_entropy"), Metrics.threshold(net));
    }

    /** Loop state; everything a checkpoint must carry besides arrays. */
    static final class State {
        int epoch, batch;
        double lossSum, lr;
        long seen, correct;
        Double bestValue, esBest;
        int bestEpoch, esBad;
        boolean stopped;
        double wall, trainSeconds;
        long trainSamples;
        List<Map<String, Double>> history = new ArrayList<>();

        JsonObject toJson() {
            JsonObject j = new JsonObject();
            j.addProperty("epoch", epoch);
            j.addProperty("batch", batch);
            JsonObject sums = new JsonObject();
            sums.addProperty("loss_sum", lossSum);
            sums.addProperty("seen", seen);
            sums.addProperty("correct", correct);
            sums.addProperty("lr", lr);
            j.add("epoch_sums", sums);
            JsonObject best = new JsonObject();
            if (bestValue != null) best.addProperty("value", bestValue);
            best.addProperty("epoch", bestEpoch);
            j.add("best", best);
            JsonObject es = new JsonObject();
            if (esBest != null) es.addProperty("best", esBest);
            es.addProperty("bad_epochs", esBad);
            es.addProperty("stopped", stopped);
            j.add("early_stopping", es);
            j.addProperty("wall_s", wall);
            j.addProperty("train_s", trainSeconds);
            j.addProperty("train_samples", trainSamples);
            JsonArray h = new JsonArray();
            for (var row : history) {
                JsonObject r = new JsonObject();
                for (var e : row.entrySet()) r.addProperty(e.getKey(), e.getValue());
                h.add(r);
            }
            j.add("history", h);
            return j;
        }

        /** From a checkpoint's header (its types checked by {@link Checkpoint#read}); refuses one without loop state. */
        void restore(JsonObject j, Path file) {
            for (String m : new String[] {"epoch", "batch", "epoch_sums", "best", "early_stopping", "wall_s", "train_s", "train_samples", "history"}) {
                if (!j.has(m)) {
                    throw new RunException(RunException.BAD_INPUT, file + ": this checkpoint has no training state ('" + m
                            + "' is missing; a generated trainer writes weights only): it can be evaluated, not resumed; train anew without --resume");
                }
            }
            try {
                restore(j);
            } catch (RuntimeException e) {
                throw new RunException(RunException.BAD_INPUT, file + ": damaged checkpoint: its training state is incomplete (" + e.getMessage()
                        + "); use another checkpoint or train anew without --resume");
            }
        }

        private void restore(JsonObject j) {
            epoch = j.get("epoch").getAsInt();
            batch = j.get("batch").getAsInt();
            JsonObject s = j.getAsJsonObject("epoch_sums");
            lossSum = s.get("loss_sum").getAsDouble();
            seen = s.get("seen").getAsLong();
            correct = s.get("correct").getAsLong();
            lr = s.get("lr").getAsDouble();
            JsonObject b = j.getAsJsonObject("best");
            bestValue = b.has("value") ? b.get("value").getAsDouble() : null;
            bestEpoch = b.get("epoch").getAsInt();
            JsonObject es = j.getAsJsonObject("early_stopping");
            esBest = es.has("best") ? es.get("best").getAsDouble() : null;
            esBad = es.get("bad_epochs").getAsInt();
            stopped = es.get("stopped").getAsBoolean();
            wall = j.get("wall_s").getAsDouble();
            trainSeconds = j.get("train_s").getAsDouble();
            trainSamples = j.get("train_samples").getAsLong();
            history.clear();
            for (JsonElement el : j.getAsJsonArray("history")) {
                Map<String, Double> row = new LinkedHashMap<>();
                for (var e : el.getAsJsonObject().entrySet()) row.put(e.getKey(), e.getValue().getAsDouble());
                history.add(row);
            }
        }
    }

    static String describe(Op op) {
        return op.kind() + " " + op.outShape();
    }

    static List<Param> paramsOf(Plan p) {
        return p.params();
    }
}
