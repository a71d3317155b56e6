package dev.ann.cli;

import dev.ann.compiler.diag.Diagnostic;
import dev.ann.plan.Plan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a network as its train block says, then evaluate it on the test split.",
            "Writes a run folder: metrics.csv, summary.json, curves.png, report.md, model.ckpt and checkpoints.",
            "Ctrl-C writes a checkpoint; --resume continues from it.",
            "Exit 0 success, 1 errors in the .ann file or bad data/checkpoint, 2 usage, 3 run failure (NaN loss, no GPU)."})
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Mixin
    PlanSource source;

    @Option(names = "--epochs", paramLabel = "N", description = "train for N epochs instead of the train block's number")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "S", description = "seed for initialisation, shuffling and dropout")
    Long seed;

    @Option(names = "--device", paramLabel = "cpu|gpu|auto", description = "where to train (default: the train block's, else auto)")
    String device;

    @Option(names = "--out", paramLabel = "DIR", description = "run folder (default: runs/<train>/<timestamp>)")
    Path out;

    @Option(names = "--resume", description = "continue from the last checkpoint of this train block")
    boolean resume;

    @CommandLine.Mixin
    DataMemoryOption dataMemory;

    @Option(names = "--events", paramLabel = "json",
            description = {"for editors and tools: write what the run does as JSON lines to standard output (start, batch,"
                + " epoch, end, interrupted, error; docs/editors.md); the progress text then goes to standard error"})
    String events;

    @Option(names = "--cluster", paramLabel = "URL", description = {"train data-parallel on Apache Spark: local[N] (N cores here) or spark://HOST:PORT;",
            "runs with the ann-cluster module (docs/cluster.md)"})
    String cluster;

    @Option(names = "--combine-every", paramLabel = "K", description = "with --cluster: steps each worker takes between parameter averages (default 1)")
    int combineEvery = 1;

    @Option(names = "--combine", paramLabel = "MODE", description = {"with --cluster: gradients (each step the workers' gradients of their",
            "slices of the batch are summed: a local run's steps) or parameters (workers train --combine-every K steps, then",
            "parameters and optimiser state are averaged); default gradients, parameters when --combine-every is over 1"})
    String combine;

    /**
     * The combine mode: --combine, else parameters when --combine-every is over 1, else gradients. Returned as
     * its name, so that no method of this picocli command names a runtime type: picocli reads every method's
     * signature, and `ann check` / `ann plan` would load the runtime (NoNd4jTest).
     */
    String combineMode() {
        if (combine != null) return dev.ann.runtime.train.Remote.Combine.of(combine).name();
        return (combineEvery > 1 ? dev.ann.runtime.train.Remote.Combine.PARAMETERS : dev.ann.runtime.train.Remote.Combine.GRADIENTS).name();
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (events != null && !events.equals("json")) {
            err.println("error: --events takes json, not '" + events + "'");
            return Main.USAGE;
        }
        if (device != null && !List.of("cpu", "gpu", "auto").contains(device)) {
            return usage("--device takes cpu, gpu or auto, not '" + device + "'");
        }
        if (epochs != null && epochs < 1) {
            return usage("--epochs must be at least 1");
        }
        if (!dataMemory.parse(err)) {
            if (events != null) Runner.error(this, "--data-memory: '" + dataMemory.size + "' is not a size", Main.USAGE, null);
            return Main.USAGE;
        }
        if (combineEvery < 1) return usage("--combine-every must be at least 1");
        if (combine != null && dev.ann.runtime.train.Remote.Combine.of(combine) == null) {
            return usage("--combine takes gradients or parameters, not '" + combine + "'");
        }
        if (combineEvery > 1 && combineMode().equals(dev.ann.runtime.train.Remote.Combine.GRADIENTS.name())) {
            return usage("--combine-every applies to --combine parameters (gradients are combined every step)");
        }
        if (cluster != null) {
            var problem = dev.ann.compiler.spec.Registry.standard().clusterProblem(cluster);
            if (problem.isPresent()) return usage("--cluster: " + problem.get());
        }
        if (!"gpu".equals(device)) RunSetup.startNd4jEarly(false);
        int[] exit = new int[1];
        List<List<Diagnostic>> failed = new java.util.ArrayList<>();
        Plan plan = source.plan(spec, exit, failed::add);
        if (plan == null) {
            if (events != null) {
                String message = failed.isEmpty() ? source.file + ": no such file"
                        : DiagnosticPrinter.summary(failed.get(0)) + " in " + source.file + ": fix them first (ann check " + source.file + ")";
                Runner.error(this, message, exit[0], failed.isEmpty() ? null
                        : new DiagnosticPrinter(err, false, Path.of("")).jsonArray(failed.get(0)));
            }
            return exit[0];
        }
        List<dev.ann.compiler.Compilation.SweepPoint> sweep = source.sweep(spec);
        if (sweep == null) return Main.ERRORS;
        if (!sweep.isEmpty()) {
            if (resume) return usage("--resume does not apply to a sweep (profile " + source.profile + "): each combination is a"
                    + " run of its own; resume one with --out RUN_FOLDER/sweep-NN and a profile without the sweep lines");
            return Runner.sweep(this, sweep);
        }
        return Runner.train(this, plan);
    }

    /** A usage error: said on standard error, and as an error event with --events. */
    private int usage(String message) {
        spec.commandLine().getErr().println("error: " + message);
        if (events != null) Runner.error(this, message, Main.USAGE, null);
        return Main.USAGE;
    }

    /**
     * Everything that touches the runtime (and so ND4J) lives in nested classes,
     * loaded only when train, eval or predict runs: `ann check` and `ann plan`
     * never load them. Their common setup is {@link RunSetup}.
     */
    static final class Runner {
        private Runner() {}

        /** Where to train: --cluster, else the train block's or profile's {@code cluster} setting; null: here. */
        static String cluster(TrainCommand c, Plan plan) {
            return c.cluster != null ? c.cluster : plan.loop().cluster();
        }

        static int train(TrainCommand c, Plan plan) {
            String cluster = cluster(c, plan);
            if (cluster != null) {
                var provider = java.util.ServiceLoader.load(dev.ann.runtime.train.Remote.Provider.class).findFirst();
                // Spark is not on this JVM's classpath: run the same command line with ann-cluster's
                if (provider.isEmpty()) return Cluster.relaunch(c.spec);
                dev.ann.runtime.train.Trainer.Options o = options(c);
                return RunSetup.run(c.spec, null, RunSetup.DATA_MEMORY_ADVICE, () -> {
                    try (dev.ann.runtime.train.Remote r = provider.get().open(cluster, plan, o.dataMemory,
                            dev.ann.runtime.train.Remote.Combine.valueOf(c.combineMode()), c.combineEvery, o.log)) {
                        o.remote = r;
                        List<dev.ann.runtime.train.Trainer.Result> rs = dev.ann.runtime.train.Trainer.train(plan, o);
                        return rs.get(rs.size() - 1).interrupted() ? Main.FAILURE : Main.OK;
                    }
                }, failed(o));
            }
            dev.ann.runtime.train.Trainer.Options o = options(c);
            // on the GPU the thread count is the backend's: relaunch with the CPU defaults only
            return RunSetup.run(c.spec, "gpu".equals(c.device) ? null : plan, RunSetup.DATA_MEMORY_ADVICE, () -> {
                List<dev.ann.runtime.train.Trainer.Result> rs = dev.ann.runtime.train.Trainer.train(plan, o);
                return rs.get(rs.size() - 1).interrupted() ? Main.FAILURE : Main.OK;
            }, failed(o));
        }

        /** A profile's sweep: each combination trained here one after another, or as independent tasks with --cluster. */
        static int sweep(TrainCommand c, List<dev.ann.compiler.Compilation.SweepPoint> points) {
            List<dev.ann.runtime.train.Sweep.Point> pts = points.stream()
                    .map(p -> new dev.ann.runtime.train.Sweep.Point(p.label(), p.plan())).toList();
            Plan first = pts.get(0).plan();
            dev.ann.runtime.train.Trainer.Options o = options(c);
            String cluster = cluster(c, first);
            if (cluster != null) {
                var provider = java.util.ServiceLoader.load(dev.ann.runtime.train.Remote.Provider.class).findFirst();
                if (provider.isEmpty()) return Cluster.relaunch(c.spec);
                return RunSetup.run(c.spec, null, RunSetup.DATA_MEMORY_ADVICE, () -> {
                    try (dev.ann.runtime.train.Sweep.Runner r = provider.get().runs(cluster, "ann sweep " + first.train(), o.log)) {
                        var out = dev.ann.runtime.train.Sweep.run(pts, o, r);
                        return out.stream().allMatch(x -> x.error() == null) ? Main.OK : Main.FAILURE;
                    }
                }, failed(o));
            }
            return RunSetup.run(c.spec, "gpu".equals(c.device) ? null : first, RunSetup.DATA_MEMORY_ADVICE, () -> {
                var out = dev.ann.runtime.train.Sweep.run(pts, o, null);
                return out.stream().allMatch(x -> x.error() == null) ? Main.OK : Main.FAILURE;
            }, failed(o));
        }

        /** With --events json, a failure is an error event too. */
        private static java.util.function.ObjIntConsumer<String> failed(dev.ann.runtime.train.Trainer.Options o) {
            var events = o.events;
            return events == null ? null : (message, code) -> events.error(message, code, null);
        }

        static dev.ann.runtime.train.Trainer.Options options(TrainCommand c) {
            dev.ann.runtime.train.Trainer.Options o = new dev.ann.runtime.train.Trainer.Options();
            o.epochs = c.epochs;
            o.seed = c.seed;
            o.device = c.device;
            o.out = c.out;
            o.resume = c.resume;
            o.dataMemory = c.dataMemory.bytes;
            o.terminal = System.console() != null;
            o.handleSignals = true;
            if (c.events != null) {
                // --events json: standard output carries only the events, the progress text goes to standard error
                o.events = new dev.ann.runtime.train.Events(RunSetup.printStream(c.spec.commandLine().getOut()));
                o.terminal = false;
                o.log = RunSetup.printStream(c.spec.commandLine().getErr());
            } else {
                o.log = RunSetup.printStream(c.spec.commandLine().getOut());
            }
            return o;
        }

        /** An error event on standard output (--events json) for a run that did not start. */
        static void error(TrainCommand c, String message, int exitCode, com.google.gson.JsonArray diagnostics) {
            new dev.ann.runtime.train.Events(RunSetup.printStream(c.spec.commandLine().getOut())).error(message, exitCode, diagnostics);
        }
    }
}
