package dev.ann.lsp;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;

/** {@code java -jar ann-lsp.jar} and {@code ann lsp}: the server over stdin and stdout. */
public final class ServerLauncher {

    private ServerLauncher() {}

    public static void main(String[] args) {
        System.exit(runStdio());
    }

    /** Serves on stdin/stdout until the client exits; returns the process exit code. */
    public static int runStdio() {
        InputStream in = System.in;
        OutputStream out = System.out;
        // stdout carries the protocol: anything else printed must go to stderr
        System.setOut(new PrintStream(System.err, true));
        AnnLanguageServer server = new AnnLanguageServer();
        // `exit` ends the process (0 after `shutdown`, 1 without), whatever the client does with stdin
        server.onExit(() -> {
            System.out.flush();
            System.exit(server.exitCode());
        });
        Launcher<LanguageClient> launcher = start(server, in, out);
        Future<Void> listening = launcher.startListening();
        try {
            listening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            System.err.println("ann lsp: the connection failed: " + e.getCause());
        }
        server.stopAll();
        return server.exitCode();
    }

    /** Connects a server to a pair of streams (stdio, or pipes in tests); call startListening on the result. */
    public static Launcher<LanguageClient> start(AnnLanguageServer server, InputStream in, OutputStream out) {
        Launcher<LanguageClient> launcher = new LSPLauncher.Builder<LanguageClient>()
                .setLocalService(server)
                .setRemoteInterface(LanguageClient.class)
                .setInput(in)
                .setOutput(out)
                .setExceptionHandler(server::internalError)
                .create();
        server.connect(launcher.getRemoteProxy());
        return launcher;
    }
}
