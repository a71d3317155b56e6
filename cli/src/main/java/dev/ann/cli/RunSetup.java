package dev.ann.cli;

import dev.ann.plan.Plan;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * The one setup of the commands that run a model (train, eval, predict):
 * relaunch with the OpenMP settings when needed, then run the body and turn
 * what it throws into one line on stderr and an exit code, never a stack
 * trace. Loaded only from their Runner classes, so check, plan, fmt and lsp
 * never load it (nor ND4J).
 */
final class RunSetup {
    private RunSetup() {}

    /** What to do when the heap is too small, per command. */
    static final String DATA_MEMORY_ADVICE = "Let the data stream from disk: leave --data-memory unset or give a smaller size;"
            + " or raise the heap, e.g. ANN_JAVA_OPTS=-Xmx8g";
    static final String INPUT_ADVICE = "Pass a smaller input (fewer rows or pictures at a time), or raise the heap, e.g. ANN_JAVA_OPTS=-Xmx8g";

    /**
     * Relaunches in a child JVM when the OpenMP settings are missing (for
     * {@code plan}'s training when given, else the defaults) and returns its
     * exit code; else runs body here.
     */
    static int run(CommandLine.Model.CommandSpec spec, Plan plan, String memoryAdvice, Callable<Integer> body) {
        return run(spec, plan, memoryAdvice, body, null);
    }

    /** The same; {@code failed} (when not null) also gets the message and exit code of a failure. */
    static int run(CommandLine.Model.CommandSpec spec, Plan plan, String memoryAdvice, Callable<Integer> body,
                   java.util.function.ObjIntConsumer<String> failed) {
        List<String> args = originalArgs(spec);
        Integer rc = plan != null ? dev.ann.runtime.Relaunch.ifNeeded(args, Main.class.getName(), plan)
                : dev.ann.runtime.Relaunch.ifNeeded(args, Main.class.getName());
        if (rc != null) return rc;
        int code = guard(spec.commandLine().getErr(), memoryAdvice, body, failed);
        if (dev.ann.runtime.train.Trainer.shutdownStarted()) Main.haltPending = true;
        return code;
    }

    /**
     * Starts ND4J on a background thread (Backend.startInBackground) while the command compiles its .ann file and
     * reads its data, where this JVM is the one that will run: a relaunched child, no relaunch wanted, or
     * OpenMP set up by the user; {@code inference}: eval and predict, which also run here for every network
     * small enough for one thread (runInference), so they start it unless the user set OpenMP's thread count
     * alone (then they relaunch). A parent that relaunches after all (eval of a convolutional network) has
     * spent a core for half a second beside its child's start.
     */
    static void startNd4jEarly(boolean inference) {
        boolean here = dev.ann.runtime.Relaunch.isChild() || dev.ann.runtime.Relaunch.turnedOff()
                || System.getenv("OMP_WAIT_POLICY") != null || inference && System.getenv("OMP_NUM_THREADS") == null;
        if (here) dev.ann.runtime.Backend.startInBackground();
    }

    /**
     * {@link #run} for eval and predict of {@code plan}'s network: a network small enough for one thread runs in
     * this JVM on one OpenMP thread, without the relaunch's second JVM ({@code Relaunch.infersInProcess}); any
     * other relaunches when the OpenMP settings are missing, as training does. {@code ANN_NO_RELAUNCH} keeps its
     * meaning: no relaunch and OpenMP as it is.
     */
    static int runInference(CommandLine.Model.CommandSpec spec, Plan plan, String memoryAdvice, Callable<Integer> body) {
        if (dev.ann.runtime.Relaunch.turnedOff() || dev.ann.runtime.Relaunch.isChild()
                || !dev.ann.runtime.Relaunch.infersInProcess(plan, System.getenv())) {
            return run(spec, null, memoryAdvice, body);
        }
        return guard(spec.commandLine().getErr(), memoryAdvice, () -> {
            dev.ann.runtime.Backend.oneThread();
            return body.call();
        });
    }

    /** Runs the body; a RunException prints its message (no stack trace) and gives its exit code. */
    static int guard(PrintWriter err, String memoryAdvice, Callable<Integer> body) {
        return guard(err, memoryAdvice, body, null);
    }

    /** The same; {@code failed} (when not null) also gets the message and exit code of a failure. */
    static int guard(PrintWriter err, String memoryAdvice, Callable<Integer> body, java.util.function.ObjIntConsumer<String> failed) {
        String message;
        int code;
        try {
            return body.call();
        } catch (dev.ann.runtime.RunException e) {
            message = e.getMessage();
            code = e.exitCode;
            err.println("error: " + message);
        } catch (OutOfMemoryError e) {
            message = "out of memory (" + e.getMessage() + "; the Java heap is at most "
                    + dev.ann.runtime.data.Budget.format(Runtime.getRuntime().maxMemory()) + "). " + memoryAdvice;
            code = Main.FAILURE;
            err.println("error: " + message);
        } catch (Exception | LinkageError e) {
            message = "the run failed: " + e;
            code = Main.FAILURE;
            err.println("error: " + message);
            if (System.getenv("ANN_DEBUG") != null) e.printStackTrace(err);
            else err.println("(set ANN_DEBUG=1 to see where)");
        }
        err.flush();
        if (failed != null) failed.accept(message, code);
        return code;
    }

    /** The command's output writer as a PrintStream (the trainer logs to a PrintStream). */
    static java.io.PrintStream printStream(PrintWriter w) {
        java.io.OutputStream os = new java.io.OutputStream() {
            private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            @Override public void write(int b) { buf.write(b); }
            @Override public void write(byte[] b, int off, int len) { buf.write(b, off, len); }
            @Override public void flush() {
                w.write(buf.toString(java.nio.charset.StandardCharsets.UTF_8));
                buf.reset();
                w.flush();
            }
        };
        return new java.io.PrintStream(os, true, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The command line as typed (for the relaunch). */
    static List<String> originalArgs(CommandLine.Model.CommandSpec spec) {
        CommandLine root = spec.root().commandLine();
        return root.getParseResult() != null ? root.getParseResult().originalArgs() : List.of();
    }
}
