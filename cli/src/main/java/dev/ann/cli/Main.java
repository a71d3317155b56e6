package dev.ann.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ann} command. Exit codes: 0 success, 1 the .ann file has errors
 * (or a run failed on bad data), 2 usage errors, 3 runtime failures.
 *
 * <p>Commands that do not train never touch the runtime module, so ND4J's
 * native backend is only loaded by train, eval, predict and doctor.
 */
@Command(
        name = "ann",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Check, plan, train, evaluate and generate code for .ann neural-network files.",
        subcommands = {
            CheckCommand.class,
            PlanCommand.class,
            TrainCommand.class,
            EvalCommand.class,
            PredictCommand.class,
            GenerateCommand.class,
            DoctorCommand.class,
            ExportCommand.class,
            ImportCommand.class,
            CommandLine.HelpCommand.class,
            FmtCommand.class,
            LspCommand.class,
        })
public final class Main implements Runnable {

    public static final int OK = 0;
    public static final int ERRORS = 1;
    public static final int USAGE = 2;
    public static final int FAILURE = 3;

    /**
     * Set by {@link RunSetup#run} when a signal stopped training: the JVM is
     * shutting down and exits with the signal's status (a plain field, so that
     * check and plan load nothing of the runtime).
     */
    static volatile boolean haltPending;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : FAILURE);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            return USAGE;
        });
        return cl;
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (haltPending) awaitHalt();
        System.exit(code);
    }

    /**
     * A signal stopped training and the JVM is already shutting down: it halts
     * with the signal's status (130 after SIGINT, 143 after SIGTERM) once the
     * stop hook returns. Calling {@code System.exit} here instead would race it,
     * and a non-zero status given in the gap after the hooks wins (exit 3).
     */
    private static void awaitHalt() {
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // keep waiting: the halt is on its way
            }
        }
    }
}
