package dev.ann.lsp.features;

/** Test access to the epoch-line parser. */
public final class CommandsProbe {
    private CommandsProbe() {}

    public static String message(String line) {
        return Commands.epochMessage(line);
    }
}
