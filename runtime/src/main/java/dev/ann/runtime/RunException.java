package dev.ann.runtime;

/**
 * A failure the user can act on: bad data, a wrong checkpoint, no GPU. The
 * message says what and where (file:line:column where it applies) and what to
 * do; the CLI prints it without a stack trace and exits with {@link #exitCode}.
 */
public class RunException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** exit code for bad input (data, checkpoints) */
    public static final int BAD_INPUT = 1;
    /** exit code for --device gpu on a machine that cannot run it (what is missing is in the message) */
    public static final int NO_DEVICE = 1;
    /** exit code for failures of the run itself (NaN loss, I/O) */
    public static final int FAILURE = 3;

    public final int exitCode;

    public RunException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public RunException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Bad data at a place in a file; line and column 1-based, 0 when unknown. */
    public static RunException data(String file, int line, int column, String message) {
        String where = file + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "");
        return new RunException(BAD_INPUT, where + ": " + message);
    }

    /** The kernels' bad-data error (file:line:column and what to do) as a RunException with the same message. */
    public static RunException of(dev.ann.kernels.BadData e) {
        return new RunException(BAD_INPUT, e.getMessage(), e);
    }

    /** Runs a kernel data call, turning its {@link dev.ann.kernels.BadData} into a RunException. */
    public static <T> T data(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (dev.ann.kernels.BadData e) {
            throw of(e);
        }
    }

    /** Runs a kernel data check, turning its {@link dev.ann.kernels.BadData} into a RunException. */
    public static void check(Runnable call) {
        try {
            call.run();
        } catch (dev.ann.kernels.BadData e) {
            throw of(e);
        }
    }
}
