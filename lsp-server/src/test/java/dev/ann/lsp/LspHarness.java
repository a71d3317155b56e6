package dev.ann.lsp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.ProgressParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.WorkDoneProgressCreateParams;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

/**
 * A real LSP4J client talking JSON-RPC to the server over piped streams, as an
 * editor would; tests call the server only through {@link #server}, the
 * client's remote proxy.
 */
final class LspHarness implements AutoCloseable {

    final TestClient client = new TestClient();
    final LanguageServer server;
    final AnnLanguageServer impl = new AnnLanguageServer();
    final InitializeResult init;
    private final Future<Void> serverLoop;
    private final Future<Void> clientLoop;
    private final java.io.OutputStream toServer;
    private final java.io.OutputStream toClient;
    private final java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
    private final Map<String, Integer> versions = new ConcurrentHashMap<>();
    private final Map<String, String> texts = new ConcurrentHashMap<>();

    LspHarness() throws Exception {
        this(null);
    }

    LspHarness(JsonObject initOptions) throws Exception {
        Pipe a = new Pipe();
        Pipe b = new Pipe();
        toServer = a.out;
        toClient = b.out;
        java.io.OutputStream tap = new java.io.OutputStream() { // what the server sends, as JSON text, for raw checks
            @Override public void write(int x) throws IOException { toClient.write(x); synchronized (sent) { sent.write(x); } }
            @Override public void write(byte[] buf, int off, int len) throws IOException {
                toClient.write(buf, off, len);
                synchronized (sent) { sent.write(buf, off, len); }
            }
            @Override public void flush() throws IOException { toClient.flush(); }
        };
        Launcher<LanguageClient> s = ServerLauncher.start(impl, a.in, tap);
        serverLoop = s.startListening();
        Launcher<LanguageServer> c = LSPLauncher.createClientLauncher(client, b.in, toServer);
        clientLoop = c.startListening();
        server = c.getRemoteProxy();
        InitializeParams params = new InitializeParams();
        params.setCapabilities(new ClientCapabilities());
        JsonObject opts = initOptions == null ? new JsonObject() : initOptions;
        if (!opts.has("debounceMs")) opts.addProperty("debounceMs", 30);
        params.setInitializationOptions(opts);
        init = server.initialize(params).get(10, TimeUnit.SECONDS);
        server.initialized(new InitializedParams());
    }

    /** Opens a document; the text may carry a {@code <|>} mark, whose position is returned. */
    Position open(Path path, String fixture) {
        Fixture f = Fixture.of(fixture);
        String uri = Lsp.uri(path);
        versions.put(uri, 1);
        texts.put(uri, f.text());
        server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "ann", 1, f.text())));
        return f.position();
    }

    /** Everything the server has sent so far, as the text on the wire (headers and JSON). */
    String sent() {
        synchronized (sent) {
            return sent.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Replaces a range with new text, as an incremental change. */
    void edit(Path path, Range range, String newText) {
        String uri = Lsp.uri(path);
        int v = versions.merge(uri, 1, Integer::sum);
        server.getTextDocumentService().didChange(new DidChangeTextDocumentParams(
                new VersionedTextDocumentIdentifier(uri, v), List.of(new TextDocumentContentChangeEvent(range, newText))));
    }

    static TextDocumentIdentifier id(Path path) {
        return new TextDocumentIdentifier(Lsp.uri(path));
    }

    /** The next diagnostics published for a file (waits up to 10 s). */
    PublishDiagnosticsParams diagnostics(Path path) throws InterruptedException {
        PublishDiagnosticsParams p = client.diagnostics(Lsp.uri(path)).poll(10, TimeUnit.SECONDS);
        assertTrue(p != null, "no diagnostics published for " + path);
        return p;
    }

    @Override
    public void close() throws Exception {
        try {
            server.shutdown().get(5, TimeUnit.SECONDS);
            server.exit();
        } finally {
            serverLoop.cancel(true);
            clientLoop.cancel(true);
            closeQuietly(toServer);
            closeQuietly(toClient);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // the other side may have gone already
        }
    }

    /** Records what the server sends. */
    static final class TestClient implements LanguageClient {
        final Map<String, BlockingQueue<PublishDiagnosticsParams>> diagnostics = new ConcurrentHashMap<>();
        final List<String> logs = new CopyOnWriteArrayList<>();
        final BlockingQueue<ProgressParams> progress = new LinkedBlockingQueue<>();
        final List<String> createdTokens = new CopyOnWriteArrayList<>();

        BlockingQueue<PublishDiagnosticsParams> diagnostics(String uri) {
            return diagnostics.computeIfAbsent(uri, k -> new LinkedBlockingQueue<>());
        }

        @Override
        public void telemetryEvent(Object object) {
        }

        @Override
        public void publishDiagnostics(PublishDiagnosticsParams p) {
            diagnostics(p.getUri()).add(p);
        }

        @Override
        public void showMessage(MessageParams p) {
            logs.add(p.getMessage());
        }

        @Override
        public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams p) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void logMessage(MessageParams p) {
            logs.add(p.getMessage());
        }

        @Override
        public CompletableFuture<Void> createProgress(WorkDoneProgressCreateParams p) {
            createdTokens.add(p.getToken().getLeft());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void notifyProgress(ProgressParams p) {
            progress.add(p);
        }
    }
}
