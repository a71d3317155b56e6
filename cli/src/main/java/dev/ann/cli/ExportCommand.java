package dev.ann.cli;

import dev.ann.plan.Plan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a trained model as a standard ONNX model (opset 17, a dynamic batch dimension).",
            "The graph takes raw inputs (the dataset's resize, scale and normalize are part of it) and gives the class"
                + " probabilities (class names in metadata_props) or the regression values. See docs/export.md."})
final class ExportCommand implements Callable<Integer> {

    @CommandLine.Mixin
    PlanSource source;

    @Option(names = "--checkpoint", required = true, paramLabel = "PATH", description = "a .ckpt file written by 'ann train'")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the .onnx file to write")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        int[] exit = new int[1];
        Plan plan = source.plan(spec, exit);
        if (plan == null) return exit[0];
        return Runner.export(this, plan);
    }

    /** Runtime-touching code, loaded only when this command runs (see RunSetup). */
    static final class Runner {
        private Runner() {}

        static int export(ExportCommand c, Plan plan) {
            PrintWriter out = c.spec.commandLine().getOut();
            return RunSetup.guard(c.spec.commandLine().getErr(), RunSetup.INPUT_ADVICE, () -> {
                var model = dev.ann.onnx.OnnxExport.export(plan, c.checkpoint);
                dev.ann.onnx.OnnxExport.write(model, c.out);
                out.printf("wrote %s: %s, %d nodes, %d parameter tensors, opset %d; input '%s', output '%s'%n", c.out,
                        plan.network(), model.getGraph().getNodeCount(), model.getGraph().getInitializerCount(),
                        dev.ann.onnx.OnnxExport.OPSET, model.getGraph().getInput(0).getName(),
                        model.getGraph().getOutput(0).getName());
                java.nio.file.Path vocabulary = dev.ann.onnx.OnnxExport.writeVocabulary(c.checkpoint, c.out);
                if (vocabulary != null) out.printf("wrote %s: the vocabulary, token to id (the model takes token ids)%n", vocabulary);
                out.flush();
                return Main.OK;
            });
        }
    }
}
