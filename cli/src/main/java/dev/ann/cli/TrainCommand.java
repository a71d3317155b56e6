package dev.ann.cli;

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

    @Option(names = "--cluster", paramLabel = "URL", description = {"train data-parallel on Apache Spark: local[N] (N cores here) or spark://HOST:PORT;",
            "runs with the ann-cluster module (docs/cluster.md)"})
    String cluster;

    @Option(names = "--combine-every", paramLabel = "K", description = "with --cluster: steps each worker takes between parameter averages (default 1)")
    int combineEvery = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (device != null && !List.of("cpu", "gpu", "auto").contains(device)) {
            err.println("error: --device takes cpu, gpu or auto, not '" + device + "'");
            return Main.USAGE;
        }
        if (epochs != null && epochs < 1) {
            err.println("error: --epochs must be at least 1");
            return Main.USAGE;
        }
        if (!dataMemory.parse(err)) return Main.USAGE;
        if (combineEvery < 1) {
            err.println("error: --combine-every must be at least 1");
            return Main.USAGE;
        }
        int[] exit = new int[1];
        Plan plan = source.plan(spec, exit);
        if (plan == null) return exit[0];
        return Runner.train(this, plan);
    }

    /**
     * Everything that touches the runtime (and so ND4J) lives in nested classes,
     * loaded only when train, eval or predict runs: `ann check` and `ann plan`
     * never load them. Their common setup is {@link RunSetup}.
     */
    static final class Runner {
        private Runner() {}

        static int train(TrainCommand c, Plan plan) {
            if (c.cluster != null) {
                var provider = java.util.ServiceLoader.load(dev.ann.runtime.train.Remote.Provider.class).findFirst();
                // Spark is not on this JVM's classpath: run the same command line with ann-cluster's
                if (provider.isEmpty()) return Cluster.relaunch(c.spec);
                return RunSetup.run(c.spec, null, RunSetup.DATA_MEMORY_ADVICE, () -> {
                    dev.ann.runtime.train.Trainer.Options o = options(c);
                    try (dev.ann.runtime.train.Remote r = provider.get().open(c.cluster, plan, o.dataMemory, c.combineEvery, o.log)) {
                        o.remote = r;
                        List<dev.ann.runtime.train.Trainer.Result> rs = dev.ann.runtime.train.Trainer.train(plan, o);
                        return rs.get(rs.size() - 1).interrupted() ? Main.FAILURE : Main.OK;
                    }
                });
            }
            dev.ann.runtime.train.Trainer.Options o = options(c);
            // on the GPU the thread count is the backend's: relaunch with the CPU defaults only
            return RunSetup.run(c.spec, "gpu".equals(c.device) ? null : plan, RunSetup.DATA_MEMORY_ADVICE, () -> {
                List<dev.ann.runtime.train.Trainer.Result> rs = dev.ann.runtime.train.Trainer.train(plan, o);
                return rs.get(rs.size() - 1).interrupted() ? Main.FAILURE : Main.OK;
            });
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
            o.log = RunSetup.printStream(c.spec.commandLine().getOut());
            return o;
        }
    }
}
