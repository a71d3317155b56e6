package dev.ann.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.NetworkLayers;
import dev.ann.plan.Plan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Show what training would run: shapes, parameters and FLOPs per layer.",
            "Then the loss, optimiser (every hyper-parameter), schedule, data and loop settings.",
            "--json prints the Plan (IR) that ann train and ann generate read.",
            "A file with networks but no train block: each network's layer table (--network picks one).",
            "Data files need not be there: ann plan never reads them (missing ones are warnings)."})
final class PlanCommand implements Callable<Integer> {

    @CommandLine.Mixin
    PlanSource source;

    @Option(names = "--network", paramLabel = "NAME",
            description = "show this network's layers on its own (default, in a file without a train block: every network)")
    String network;

    @Option(names = "--json", description = "print the Plan as JSON; for networks on their own, their layer tables")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (network != null && (source.train != null || source.profile != null)) {
            err.println("error: --network shows a network on its own; --train and --profile choose a train block: give one or the other");
            return Main.USAGE;
        }
        int[] exit = new int[1];
        Compilation c = source.compile(spec, exit, true);
        if (c == null) return exit[0];
        if (network == null && (source.train != null || !c.trainNames().isEmpty() || c.networkNames().isEmpty())) {
            Plan plan = source.plan(c, spec, exit, true);
            if (plan == null) return exit[0];
            out.println(json ? plan.toJson() : PlanTable.render(plan));
            out.flush();
            return Main.OK;
        }
        List<NetworkLayers> networks = new ArrayList<>();
        try {
            for (String name : network != null ? List.of(network) : c.networkNames()) networks.add(c.network(name));
        } catch (CompileException e) {
            new DiagnosticPrinter(err, Cli.color(), Path.of("")).printAll(e.diagnostics());
            err.println("error: " + e.getMessage());
            err.flush();
            return Main.ERRORS;
        }
        if (json) {
            var gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
            if (network != null) {
                out.println(gson.toJson(PlanTable.json(networks.get(0))));
            } else {
                JsonArray all = new JsonArray();
                networks.forEach(n -> all.add(PlanTable.json(n)));
                out.println(gson.toJson(all));
            }
        } else {
            out.println(String.join("\n\n", networks.stream().map(PlanTable::render).toList()));
        }
        out.flush();
        return Main.OK;
    }
}
