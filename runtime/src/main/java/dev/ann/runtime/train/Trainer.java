package dev.ann.runtime.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ann.compiler.plan.Op;
import dev.ann.compiler.plan.Param;
import dev.ann.compiler.plan.Plan;
import dev.ann.runtime.Backend;
import dev.ann.runtime.RunException;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.data.Samples;
import dev.ann.runtime.nn.Loss;
import dev.ann.runtime.nn.Net;
import dev.ann.runtime.nn.Optimizer;
import dev.ann.runtime.nn.Schedule;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a Plan: the epoch loop, metrics, early stopping, checkpoints,
 * resume, Ctrl-C, NaN detection and the run folder.
 *
 * <p>Randomness: parameters are initialised from {@code new Random(seed)};
 * the training order of epoch e is a Fisher-Yates permutation from
 * {@code new Random(mix(seed, e))}; dropout masks of batch b of epoch e come
 * from ND4J's generator reseeded with {@code mix(seed, e, b)}. So the state of
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
    }

    /** What a run produced. */
    public record Result(Path runDir, Evaluation test, String testSplit, int epochsRun, int bestEpoch, String bestMetric,
                         double wallSeconds, double samplesPerSecond, boolean interrupted, Net net, Pipeline.Splits data,
                         String device, long seed, List<Map<String, Double>> history) {}

    private final Plan plan;
    private final Options o;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);

    private Trainer(Plan plan, Options o) {
        this.plan = plan;
        this.o = o;
    }

    public static long mix(long... v) {
        long h = 0x9E3779B97F4A7C15L;
        for (long x : v) {
            h ^= x + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }

    /** Trains once, or once per seed under {@code repeat K}. */
    public static List<Result> train(Plan plan, Options o) {
        Backend.init();
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
            if (data == null) data = Pipeline.load(plan.data(), o.dataMemory);
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
        return c;
    }

    private Path checkpointDir(Path runDir) {
        return plan.loop().checkpoint() != null ? Path.of(plan.loop().checkpoint().dir()) : runDir.resolve("checkpoints");
    }

    /** The checkpoint --resume continues from. */
    private Path findResume() {
        if (plan.loop().checkpoint() != null) {
            Path p = Path.of(plan.loop().checkpoint().dir()).resolve("last.ckpt");
            if (Files.exists(p)) return p;
        }
        if (o.out != null && Files.exists(o.out.resolve("checkpoints/last.ckpt"))) return o.out.resolve("checkpoints/last.ckpt");
        Path root = o.runsRoot.resolve(plan.train());
        if (Files.isDirectory(root)) {
            try (var s = Files.list(root)) {
                var found = s.map(d -> d.resolve("checkpoints/last.ckpt")).filter(Files::exists).sorted().toList();
                if (!found.isEmpty()) return found.get(found.size() - 1);
            } catch (java.io.IOException e) {
                // fall through
            }
        }
        throw new RunException(RunException.BAD_INPUT, "--resume: no checkpoint to resume from (looked for last.ckpt in "
                + (plan.loop().checkpoint() != null ? plan.loop().checkpoint().dir() + " and " : "") + root
                + "/*/checkpoints); train without --resume first");
    }

    private Result run(Pipeline.Splits data, String device) {
        long seed = o.seed;
        int epochs = o.epochs != null ? o.epochs : plan.loop().epochs();
        int batch = plan.loop().batch();
        Samples train = data.train();
        Samples val = data.validation();
        Net net = new Net(plan, DataType.FLOAT);
        net.init(seed);
        Loss loss = new Loss(plan, net.fusion());
        Optimizer opt = new Optimizer(plan.optimizer(), net.params());
        Schedule sched = new Schedule(plan.schedule());
        Plan.EarlyStopping es = plan.loop().earlyStopping();
        Plan.Checkpoint ck = plan.loop().checkpoint();
        String bestMetric = ck != null && ck.keepBest() != null ? ck.keepBest() : es != null ? es.monitor() : null;
        boolean bestMax = bestMetric != null && (ck != null && ck.keepBest() != null ? "max".equals(ck.mode()) : "max".equals(es.mode()));

        State st = new State();
        Path runDir = o.out;
        if (o.resume) {
            Path from = findResume();
            Checkpoint c = Checkpoint.read(from);
            Model.checkCompatible(c, plan, from);
            Model.load(c, net);
            Model.loadOptimizer(c, opt);
            st.restore(c.header);
            if (c.header.has("run_dir") && Files.isDirectory(Path.of(c.header.get("run_dir").getAsString())) && o.out == null) {
                runDir = Path.of(c.header.get("run_dir").getAsString());
            }
            o.log.printf("resuming from %s: epoch %d%s%n", from, st.epoch + 1, st.batch > 0 ? ", batch " + (st.batch + 1) : "");
        }
        Path ckDir = checkpointDir(runDir);
        try {
            Files.createDirectories(runDir);
        } catch (java.io.IOException e) {
            throw new RunException(RunException.FAILURE, runDir + ": cannot create the run folder: " + e.getMessage());
        }
        Thread hook = null;
        if (o.handleSignals) {
            hook = new Thread(() -> {
                stopRequested = true;
                try {
                    finished.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ann-ctrl-c");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        o.log.println(data.mode());
        o.log.printf("training %s (%s) on %s: %d train, %s validation, %s test samples; %,d parameters; device %s; seed %d%n",
                plan.train(), plan.network(), plan.data().dataset(), train.n, val == null ? "no" : String.valueOf(val.n),
                data.test() == null ? "no" : String.valueOf(data.test().n), net.trainableCount(), device, seed);
        o.log.printf("run folder %s%n", runDir);
        Progress progress = new Progress(o.log, o.terminal, o.events);
        if (o.events != null) {
            o.events.start(plan, runDir, epochs, (train.n + batch - 1) / batch, train.n, val == null ? null : val.n,
                    data.test() == null ? null : data.test().n, data.classNames(), device, seed, net.trainableCount(), st.history);
        }
        boolean interrupted = false;
        INDArray bestParams = null, bestState = null;
        if (st.bestValue != null && Files.exists(ckDir.resolve("best.ckpt"))) {
            Checkpoint b = Checkpoint.read(ckDir.resolve("best.ckpt"));
            bestParams = Model.flat(b, net.trainableParams());
            bestState = Model.flat(b, net.stateParams());
        }
        long t0 = System.nanoTime();
        long lastWrite = t0;
        try {
            int nb = (train.n + batch - 1) / batch;
            Batches feeder = new Batches(train, plan); // its buffers serve every epoch
            while (st.epoch < epochs && !st.stopped) {
                int e = st.epoch;
                // the training order is reshuffled every epoch (seeded) unless the dataset says shuffle false
                int[] order = Pipeline.order(plan.data(), train.n, new Random(mix(seed, e)));
                progress.startEpoch(e + 1, epochs, nb);
                long te = System.nanoTime();
                int startBatch = st.batch;
                // streamed data: the next batch is read and transformed on a background thread while this step runs
                try (Batches.Stream batches = feeder.stream(order, batch, st.batch)) {
                    for (int b = st.batch; b < nb; b++) {
                        if (stopRequested || (e == o.interruptEpoch && b == o.interruptBatch)) {
                            st.batch = b;
                            interrupted = true;
                            break;
                        }
                        int from = b * batch, n = Math.min(batch, train.n - from);
                        INDArray[] xy = batches.next();
                        Nd4j.getRandom().setSeed(mix(seed, e, b));
                        INDArray out = net.forward(xy[0], true);
                        INDArray g = gradBuf(out);
                        double l = loss.compute(out, xy[1], g);
                        if (!Double.isFinite(l)) {
                            throw new RunException(RunException.FAILURE, String.format(
                                    "the loss became %s at epoch %d, batch %d; training stopped. %s Try a lower learning rate (now lr: %g) or check the data for extreme values.",
                                    Double.isNaN(l) ? "NaN" : "infinite", e + 1, b + 1,
                                    Files.exists(ckDir.resolve("last.ckpt")) ? "The last good checkpoint is " + ckDir.resolve("last.ckpt") + "." : "No checkpoint was written yet.",
                                    opt.lr0));
                        }
                        net.backward(g);
                        double lr = sched.lr(opt.lr0, e, (double) b / nb, epochs);
                        opt.apply(net.params(), net.grads(), lr);
                        st.lr = lr;
                        st.lossSum += l * n;
                        st.seen += n;
                        if (train.isClassification()) st.correct += correct(out, xy[1], net, plan);
                        st.batch = b + 1;
                        progress.batch(b + 1, st.seen, st.lossSum / st.seen, System.nanoTime() - te, st.seen - (long) startBatch * batch, st.lr);
                    }
                }
                double secs = (System.nanoTime() - te) / 1e9;
                st.trainSeconds += secs;
                st.trainSamples += st.seen - (long) startBatch * batch;
                if (interrupted) break;
                // end of epoch: measure
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
                // best, early stopping
                boolean improved = false;
                if (bestMetric != null && row.containsKey(bestMetric)) {
                    double v = row.get(bestMetric);
                    if (st.bestValue == null || (bestMax ? v > st.bestValue : v < st.bestValue)) {
                        st.bestValue = v;
                        st.bestEpoch = e + 1;
                        improved = true;
                        bestParams = net.params().dup();
                        bestState = net.state().dup();
                    }
                }
                if (es != null && row.containsKey(es.monitor())) {
                    double v = row.get(es.monitor());
                    boolean better = st.esBest == null || ("max".equals(es.mode()) ? v > st.esBest + es.minDelta() : v < st.esBest - es.minDelta());
                    if (better) { st.esBest = v; st.esBad = 0; }
                    else if (++st.esBad >= es.patience()) {
                        st.stopped = true;
                        o.log.printf("early stopping: %s has not improved for %d epochs (best %.4f)%n", es.monitor(), es.patience(), st.esBest);
                    }
                }
                // checkpoints: every N epochs as declared, last.ckpt also at least every 30 s and at the end
                st.wall += (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                boolean every = ck != null && ck.every() > 0 && (e + 1) % ck.every() == 0;
                boolean end = st.epoch >= epochs || st.stopped;
                boolean timely = System.nanoTime() - lastWrite > 30_000_000_000L;
                if (every || end || timely || (improved && ck != null && ck.keepBest() != null)) {
                    Checkpoint c = Model.checkpoint(plan, net, opt, st, data, seed, runDir);
                    if (every || end || timely) {
                        c.write(ckDir.resolve("last.ckpt"));
                        lastWrite = System.nanoTime();
                    }
                    if (every) c.write(ckDir.resolve(String.format("epoch-%04d.ckpt", e + 1)));
                    if (improved && ck != null && ck.keepBest() != null) c.write(ckDir.resolve("best.ckpt"));
                }
                Report.writeHistory(runDir, st.history, end || secs > 2);
            }
        } finally {
            st.wall += (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            if (interrupted) {
                Checkpoint c = Model.checkpoint(plan, net, opt, st, data, seed, runDir);
                c.write(ckDir.resolve("last.ckpt"));
                Report.writeHistory(runDir, st.history, true);
                o.log.printf("%ninterrupted at epoch %d, batch %d: checkpoint written to %s; continue with --resume%n",
                        st.epoch + 1, st.batch + 1, ckDir.resolve("last.ckpt"));
                if (o.events != null) o.events.interrupted(st.epoch + 1, st.batch + 1, ckDir.resolve("last.ckpt"), runDir);
            }
            finished.countDown();
            if (hook != null && !stopRequested) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // the JVM is already shutting down
                }
            }
        }
        double sps = st.trainSamples / Math.max(1e-9, st.trainSeconds);
        if (interrupted) {
            return new Result(runDir, null, null, st.epoch, st.bestEpoch, bestMetric, st.wall, sps, true, net, data, device, seed, st.history);
        }
        // final model: the best epoch's weights when a best metric is tracked
        if (bestParams != null && st.bestEpoch != st.epoch) {
            net.params().assign(bestParams);
            net.state().assign(bestState);
            o.log.printf("restored the weights of epoch %d (best %s %.4f)%n", st.bestEpoch, bestMetric, st.bestValue);
        }
        Model.checkpoint(plan, net, opt, st, data, seed, runDir).write(runDir.resolve("model.ckpt"));
        Samples test = data.test() != null ? data.test() : val;
        String split = data.test() != null ? "test" : "validation";
        Evaluation ev = test == null ? null : Batches.evaluate(net, loss, test, plan, data.classNames());
        Result res = new Result(runDir, ev, split, st.epoch, st.bestEpoch, bestMetric, st.wall, sps, false, net, data, device, seed, st.history);
        Report.write(res, plan, o.log);
        if (o.events != null) o.events.end(res, plan);
        return res;
    }

    private final Map<String, INDArray> gbufs = new java.util.HashMap<>();

    private INDArray gradBuf(INDArray like) {
        return gbufs.computeIfAbsent(java.util.Arrays.toString(like.shape()), k -> Nd4j.createUninitialized(like.dataType(), like.shape()));
    }

    private static long correct(INDArray out, INDArray y, Net net, Plan plan) {
        if (plan.loss().kind().equals("binary_cross_entropy")) {
            float[] o = out.data().asFloat(), t = y.data().asFloat();
            double thr = net.fusion() == Net.OutputFusion.SIGMOID ? 0.0 : 0.5;
            long c = 0;
            int w = (int) out.size(1);
            for (int i = 0; i < out.size(0); i++) if ((o[i * w] > thr ? 1f : 0f) == t[i * w]) c++;
            return c;
        }
        // both argmax at once: equal where the target's argmax is the output's
        int[] a = out.argMax(1).toIntVector(), b = y.argMax(1).toIntVector();
        long c = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) c++;
        return c;
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

        void restore(JsonObject j) {
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
