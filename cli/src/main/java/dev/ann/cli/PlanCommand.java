package dev.ann.cli;

import dev.ann.plan.Plan;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Show what training would run: shapes, parameters and FLOPs per layer.",
            "Then the loss, optimiser (every hyper-parameter), schedule, data and loop settings.",
            "--json prints the Plan (IR) that ann train and ann generate read."})
final class PlanCommand implements Callable<Integer> {

    @CommandLine.Mixin
    PlanSource source;

    @Option(names = "--json", description = "print the Plan as JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int[] exit = new int[1];
        Plan plan = source.plan(spec, exit);
        if (plan == null) return exit[0];
        out.println(json ? plan.toJson() : PlanTable.render(plan));
        out.flush();
        return Main.OK;
    }
}
