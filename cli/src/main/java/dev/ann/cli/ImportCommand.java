package dev.ann.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Turn an ONNX model into a .ann network and a checkpoint of its weights.",
            "Writes DIR/<Network>.ann (each statement with a `// from` comment: the ONNX node and the shape) and DIR/<Network>.ckpt;"
                + " import the network into a file with your dataset and train block, then eval, predict or export it"
                + " with --checkpoint DIR/<Network>.ckpt. See docs/export.md."})
final class ImportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "the .onnx file")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the folder to write the .ann file and the checkpoint to")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(model)) {
            err.println("error: " + model + ": no such file");
            return Main.USAGE;
        }
        return Runner.run(this);
    }

    /** Runtime-touching code, loaded only when this command runs (see RunSetup). */
    static final class Runner {
        private Runner() {}

        static int run(ImportCommand c) {
            PrintWriter out = c.spec.commandLine().getOut();
            PrintWriter err = c.spec.commandLine().getErr();
            return RunSetup.guard(err, RunSetup.INPUT_ADVICE, () -> {
                dev.ann.onnx.OnnxImport.Result r = dev.ann.onnx.OnnxImport.read(c.model);
                Files.createDirectories(c.out);
                Path ann = c.out.resolve(r.network() + ".ann");
                Path ckpt = c.out.resolve(r.network() + ".ckpt");
                Files.writeString(ann, r.source());
                r.checkpoint().write(ckpt);
                // the network must check clean as written
                if (CheckCommand.compileOrReport(ann, err) == null) {
                    err.println("error: " + ann + ": the imported network does not check (above); please report it with the model");
                    return Main.ERRORS;
                }
                out.printf("wrote %s (network %s) and %s (%d arrays)%n", ann, r.network(), ckpt, r.checkpoint().arrays.size());
                out.flush();
                return Main.OK;
            });
        }
    }
}
