package dev.ann.compiler;

import java.nio.file.Path;

/** Entry point for tools that compile one file from disk (the CLI). */
public final class Compiler {
    private Compiler() {}

    /** Parses, resolves imports and checks the file. Never throws; problems are diagnostics. */
    public static Compilation compile(Path file) {
        return new Workspace().compile(file);
    }
}
