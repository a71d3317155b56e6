package dev.ann.cli;

import dev.ann.plan.Plan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a checkpoint on the train block's test split (validation if there is no test split).",
            "Classification: accuracy with standard error and 95%% interval, per-class precision/recall/F1,",
            "confusion matrix. Regression: MSE, MAE, R²."})
final class EvalCommand implements Callable<Integer> {

    @CommandLine.Mixin
    PlanSource source;

    @Option(names = "--checkpoint", required = true, paramLabel = "PATH", description = "a .ckpt file (e.g. runs/<train>/<time>/model.ckpt)")
    Path checkpoint;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @CommandLine.Mixin
    DataMemoryOption dataMemory;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!dataMemory.parse(spec.commandLine().getErr())) return Main.USAGE;
        RunSetup.startNd4jEarly(true);
        int[] exit = new int[1];
        Plan plan = source.planReadingPart(spec, exit, "ann eval goes on (the test files alone are enough for pictures in IDX files, numbers in CSV files and texts)");
        if (plan == null) return exit[0];
        return Runner.eval(this, plan);
    }

    /** Runtime-touching code, loaded only when this command runs (see TrainCommand.Runner and RunSetup). */
    static final class Runner {
        private Runner() {}

        static int eval(EvalCommand c, Plan plan) {
            PrintWriter out = c.spec.commandLine().getOut();
            return RunSetup.runInference(c.spec, plan, RunSetup.DATA_MEMORY_ADVICE, () -> {
                String[] split = new String[1];
                dev.ann.runtime.train.Evaluation e = new dev.ann.runtime.train.Predictor(plan, c.checkpoint)
                        .evaluate(split, c.dataMemory.bytes);
                if (c.json) {
                    com.google.gson.JsonObject o = e.toJson();
                    o.addProperty("split", split[0]);
                    out.println(new com.google.gson.GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o));
                } else {
                    out.println("== " + split[0] + " split of " + plan.data().dataset() + ", checkpoint " + c.checkpoint);
                    out.print(e.text());
                }
                out.flush();
                return Main.OK;
            });
        }
    }
}
