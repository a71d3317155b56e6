package dev.ann.cli;

import dev.ann.plan.Plan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Run a trained model on new inputs: a CSV file (one sample per row), a picture, or a folder of pictures;",
            "for a model of text also the text itself (--input \"some text\"); for windows over a series, a CSV laid out like the series (one forecast per window).",
            "One line per sample: the predicted class and its probability (--top K for more), or the regression value."})
final class PredictCommand implements Callable<Integer> {

    @CommandLine.Mixin
    PlanSource source;

    @Option(names = "--checkpoint", required = true, paramLabel = "PATH", description = "a .ckpt file")
    Path checkpoint;

    @Option(names = "--input", required = true, paramLabel = "PATH|TEXT", description = "CSV file, picture (.png/.jpg) or folder of pictures; "
            + "for a model of text, a text (when no such file exists)")
    String input;

    @Option(names = "--top", paramLabel = "K", defaultValue = "1", description = "show the K most likely classes (default 1)")
    int top;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (top < 1) {
            err.println("error: --top must be at least 1");
            return Main.USAGE;
        }
        RunSetup.startNd4jEarly(true);
        int[] exit = new int[1];
        Plan plan = source.planReadingPart(spec, exit, "ann predict reads only its inputs");
        if (plan == null) return exit[0];
        return Runner.predict(this, plan);
    }

    /** Runtime-touching code, loaded only when this command runs (see TrainCommand.Runner and RunSetup). */
    static final class Runner {
        private Runner() {}

        static int predict(PredictCommand c, Plan plan) {
            PrintWriter out = c.spec.commandLine().getOut();
            return RunSetup.runInference(c.spec, plan, RunSetup.INPUT_ADVICE, () -> {
                List<dev.ann.runtime.train.Predictor.Prediction> ps = new dev.ann.runtime.train.Predictor(plan, c.checkpoint).predict(c.input, c.top);
                if (c.json) out.println(new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(dev.ann.runtime.train.Predictor.toJson(ps)));
                else for (dev.ann.runtime.train.Predictor.Prediction p : ps) out.println(dev.ann.runtime.train.Predictor.line(p));
                out.flush();
                return Main.OK;
            });
        }
    }
}
