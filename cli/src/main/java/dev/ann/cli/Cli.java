package dev.ann.cli;

/** Small facts about the terminal the CLI runs in. */
final class Cli {
    private Cli() {}

    /** Colours only on a terminal, and never when NO_COLOR is set (no-color.org). */
    static boolean color() {
        return System.console() != null && System.getenv("NO_COLOR") == null
                && !"dumb".equals(System.getenv("TERM"));
    }
}
