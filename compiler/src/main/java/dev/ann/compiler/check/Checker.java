package dev.ann.compiler.check;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Workspace;
import java.nio.file.Path;

/** Resolves, checks and plans. (Being written.) */
public final class Checker {
    private Checker() {}

    public static Compilation compile(Workspace workspace, Path root) {
        throw new UnsupportedOperationException("checker not written yet");
    }
}
