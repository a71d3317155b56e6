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
        if (args.length == 1 && args[0].equals("--warm-up")) {
            warmUpSession();
            System.exit(0);
        }
        System.exit(runStdio());
    }

    /**
     * A whole session in this process, over pipes, with nothing on stdio: a client
     * initializes the server, opens a file, waits for its diagnostics, asks for
     * completion and hover, and shuts it down. For making a class-data archive
     * ({@code java -XX:ArchiveClassesAtExit=ann-lsp.jsa -jar ann-lsp.jar --warm-up}):
     * the classes a session loads are then mapped, already parsed and verified,
     * when the server starts with {@code -XX:SharedArchiveFile=ann-lsp.jsa}.
     */
    public static void warmUpSession() {
        try {
            var toServer = new java.io.PipedOutputStream();
            var serverIn = new java.io.PipedInputStream(toServer, 1 << 16);
            var toClient = new java.io.PipedOutputStream();
            var clientIn = new java.io.PipedInputStream(toClient, 1 << 16);
            AnnLanguageServer server = new AnnLanguageServer();
            start(server, serverIn, toClient).startListening();
            var published = new java.util.concurrent.CompletableFuture<Void>();
            LanguageClient client = new LanguageClient() {
                public void telemetryEvent(Object o) { }
                public void publishDiagnostics(org.eclipse.lsp4j.PublishDiagnosticsParams p) { published.complete(null); }
                public void showMessage(org.eclipse.lsp4j.MessageParams p) { }
                public java.util.concurrent.CompletableFuture<org.eclipse.lsp4j.MessageActionItem> showMessageRequest(
                        org.eclipse.lsp4j.ShowMessageRequestParams p) {
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                }
                public void logMessage(org.eclipse.lsp4j.MessageParams p) { }
            };
            Launcher<org.eclipse.lsp4j.services.LanguageServer> c = LSPLauncher.createClientLauncher(client, clientIn, toServer);
            c.startListening();
            var remote = c.getRemoteProxy();
            var init = new org.eclipse.lsp4j.InitializeParams();
            init.setCapabilities(new org.eclipse.lsp4j.ClientCapabilities());
            remote.initialize(init).get(60, java.util.concurrent.TimeUnit.SECONDS);
            remote.initialized(new org.eclipse.lsp4j.InitializedParams());
            String uri = java.nio.file.Path.of("ann-warm-up", "session.ann").toAbsolutePath().toUri().toString();
            var docs = remote.getTextDocumentService();
            docs.didOpen(new org.eclipse.lsp4j.DidOpenTextDocumentParams(
                    new org.eclipse.lsp4j.TextDocumentItem(uri, "ann", 1, Analysis.WARM_UP)));
            published.get(60, java.util.concurrent.TimeUnit.SECONDS);
            var id = new org.eclipse.lsp4j.TextDocumentIdentifier(uri);
            var at = new org.eclipse.lsp4j.Position(11, 20);
            docs.completion(new org.eclipse.lsp4j.CompletionParams(id, at)).get(60, java.util.concurrent.TimeUnit.SECONDS);
            docs.hover(new org.eclipse.lsp4j.HoverParams(id, at)).get(60, java.util.concurrent.TimeUnit.SECONDS);
            remote.shutdown().get(60, java.util.concurrent.TimeUnit.SECONDS);
            server.stopAll();
        } catch (Exception e) {
            System.err.println("ann lsp --warm-up: " + e);
        }
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
        Launcher<LanguageClient> launcher = new FramedBuilder(server::log)
                .setLocalService(server)
                .setRemoteInterface(LanguageClient.class)
                .setInput(in)
                .setOutput(out)
                .setExceptionHandler(server::internalError)
                .create();
        server.connect(launcher.getRemoteProxy());
        return launcher;
    }

    /** LSP4J's launcher with our {@link Framing} reading the input in place of its StreamMessageProducer. */
    private static final class FramedBuilder extends LSPLauncher.Builder<LanguageClient> {
        private final java.util.function.Consumer<String> log;
        private org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler json;
        private org.eclipse.lsp4j.jsonrpc.RemoteEndpoint endpoint;

        FramedBuilder(java.util.function.Consumer<String> log) {
            this.log = log;
        }

        @Override
        protected org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler createJsonHandler() {
            json = super.createJsonHandler();
            return json;
        }

        @Override
        protected org.eclipse.lsp4j.jsonrpc.RemoteEndpoint createRemoteEndpoint(
                org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler handler) {
            endpoint = super.createRemoteEndpoint(handler);
            return endpoint;
        }

        @Override
        protected org.eclipse.lsp4j.jsonrpc.json.ConcurrentMessageProcessor createMessageProcessor(
                org.eclipse.lsp4j.jsonrpc.MessageProducer ignored, org.eclipse.lsp4j.jsonrpc.MessageConsumer consumer,
                LanguageClient proxy) {
            Framing framing = new Framing(input, json, endpoint, getSupportedMethods().keySet(), log);
            return super.createMessageProcessor(framing, consumer, proxy);
        }
    }
}
