package dev.ann.cli;

import dev.ann.lsp.ServerLauncher;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ann lsp}: the language server, speaking LSP over stdin and stdout. */
@Command(name = "lsp", mixinStandardHelpOptions = true, description = {
        "Run the language server on stdin/stdout (for editors; see docs/editors.md)."})
public final class LspCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        return ServerLauncher.runStdio();
    }
}
