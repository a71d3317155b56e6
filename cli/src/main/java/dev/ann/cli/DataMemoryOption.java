package dev.ann.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --data-memory SIZE}, shared by train and eval: how much decoded data may stay in memory. */
final class DataMemoryOption {
    @Option(names = "--data-memory", paramLabel = "SIZE", description = {
        "memory for decoded samples (e.g. 512m, 2g); larger data streams from disk in batches",
        "(default: a quarter of the maximum heap; 0 always streams)"})
    String size;

    /** The budget in bytes: null when the option is not given (or not valid). */
    Long bytes;

    /** Parses the option once; false, with a message on err, when it is not a size. */
    boolean parse(PrintWriter err) {
        if (size == null) return true;
        bytes = dev.ann.runtime.data.Budget.parse(size);
        if (bytes == null) err.println("error: --data-memory takes a size such as 512m, 2g or 0 (always stream), not '" + size + "'");
        return bytes != null;
    }
}
