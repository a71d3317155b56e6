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
            // on the GPU the thread count is the backend's: relaunch with the CPU defaults only
            return RunSetup.run(c.spec, "gpu".equals(c.device) ? null : plan, RunSetup.DATA_MEMORY_ADVICE, () -> {
                List<dev.ann.runtime.train.Trainer.Result> rs = dev.ann.runtime.train.Trainer.train(plan, o);
                return rs.get(rs.size() - 1).interrupted() ? Main.FAILURE : Main.OK;
            });
        }
    }
}
