package dev.ann.cli;

import com.squareup.javapoet.JavaFile;
import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compilation;
import dev.ann.codegen.KernelSources;
import dev.ann.codegen.ProjectPom;
import dev.ann.codegen.TrainerGenerator;
import dev.ann.plan.Plan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.lang.model.SourceVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Write a standalone Java trainer per train block that trains like ann train.",
            "One class per train block (e.g. IrisNetTrainer.java) plus the kernel sources it calls (dev/ann/kernels),",
            "needing only the JDK and ND4J.",
            "--project also writes a pom.xml: `mvn -q package` in DIR builds target/<name>-trainer.jar."})
final class GenerateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "the .ann file")
    Path file;

    @Option(names = "--train", paramLabel = "NAME", description = "only this train block (default: every one)")
    String train;

    @Option(names = "--profile", paramLabel = "P", description = "apply this profile's overrides")
    String profile;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "where the sources (and pom.xml) go")
    Path outDir;

    @Option(names = "--package", paramLabel = "P", description = "Java package of the generated classes (default: none)")
    String packageName = "";

    @Option(names = "--project", description = "also write a Maven pom.xml; sources go under DIR/src/main/java")
    boolean project;

    @Option(names = "--json", description = "print what was written as JSON: {\"files\": [absolute paths], \"kernels\": [absolute paths], \"pom\": path}")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String unreadable = dev.ann.compiler.Workspace.readDisk(file).problem();
        if (unreadable != null) {
            err.println("error: cannot read " + file + ": " + unreadable);
            return Main.USAGE;
        }
        if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
            err.println("error: --package '" + packageName + "' is not a Java package name (e.g. com.example.training)");
            return Main.USAGE;
        }
        // Generating never reads the data: missing data files are warnings here (the trainer reads them when it runs).
        Compilation c = CheckCommand.compileOrReport(file, err, true);
        if (c == null) return Main.ERRORS;
        List<String> trains = train != null ? List.of(train) : c.trainNames();
        if (trains.isEmpty()) {
            err.println("error: " + file + " has no train block; nothing to generate");
            return Main.ERRORS;
        }
        List<JavaFile> files = new ArrayList<>();
        try {
            for (String t : trains) {
                Plan plan = c.planWithoutData(t, profile);
                files.add(TrainerGenerator.generate(plan, packageName));
            }
        } catch (CompileException e) {
            new DiagnosticPrinter(err, Cli.color(), Path.of("")).printAll(e.diagnostics());
            err.println("error: " + e.getMessage());
            return Main.ERRORS;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Main.ERRORS;
        }
        Path sources = project ? outDir.resolve("src/main/java") : outDir;
        com.google.gson.JsonArray written = new com.google.gson.JsonArray();
        com.google.gson.JsonObject result = new com.google.gson.JsonObject();
        result.add("files", written);
        try {
            Files.createDirectories(sources);
            for (JavaFile f : files) {
                Path w = f.writeToPath(sources, StandardCharsets.UTF_8);
                written.add(w.toAbsolutePath().normalize().toString());
                if (!json) out.println("wrote " + w);
            }
            // the kernels the trainers call, unchanged: the trainers need nothing of ann besides them
            List<Path> kernels = KernelSources.writeTo(sources);
            com.google.gson.JsonArray kernelFiles = new com.google.gson.JsonArray();
            kernels.forEach(k -> kernelFiles.add(k.toAbsolutePath().normalize().toString()));
            result.add("kernels", kernelFiles);
            if (!json) out.println("wrote " + kernels.size() + " kernel sources under " + sources.resolve("dev/ann/kernels"));
            if (project) {
                String base = file.getFileName().toString().replaceFirst("\\.ann$", "").toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9]+", "-");
                String artifact = base + "-trainer";
                JavaFile main = files.get(0);
                String mainClass = (main.packageName.isEmpty() ? "" : main.packageName + ".") + main.typeSpec.name;
                Path pom = outDir.resolve("pom.xml");
                Files.writeString(pom, ProjectPom.render(packageName.isEmpty() ? "generated" : packageName, artifact, mainClass),
                        StandardCharsets.UTF_8);
                result.addProperty("pom", pom.toAbsolutePath().normalize().toString());
                if (!json) {
                    out.println("wrote " + pom + " (mvn -q package, then java -jar target/" + artifact + ".jar runs "
                            + main.typeSpec.name + ")");
                }
            }
            // for tools (the language server's ann.generate): paths as they are, spaces and all
            if (json) out.println(new com.google.gson.GsonBuilder().disableHtmlEscaping().create().toJson(result));
        } catch (IOException e) {
            err.println("error: " + outDir + ": cannot write: " + e.getMessage());
            return Main.FAILURE;
        }
        out.flush();
        return Main.OK;
    }
}
