package dev.ann.lsp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ann.lsp.features.Commands;
import dev.ann.lsp.features.SemanticTokensProvider;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CodeActionOptions;
import org.eclipse.lsp4j.CodeLensOptions;
import org.eclipse.lsp4j.CompletionOptions;
import org.eclipse.lsp4j.ExecuteCommandOptions;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.RenameOptions;
import org.eclipse.lsp4j.SemanticTokensWithRegistrationOptions;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.ServerInfo;
import org.eclipse.lsp4j.SignatureHelpOptions;
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.TextDocumentSyncOptions;
import org.eclipse.lsp4j.WorkDoneProgressCancelParams;
import org.eclipse.lsp4j.jsonrpc.CancelChecker;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/**
 * The ann language server. Requests run on a small pool, each in isolation: an
 * exception becomes an error response and a log line, and the server lives on.
 */
public final class AnnLanguageServer implements LanguageServer, LanguageClientAware {

    private volatile LanguageClient client;
    private final Analysis analysis;
    private final AnnTextDocumentService text;
    private final AnnWorkspaceService workspace;
    private final Commands commands;
    private final ExecutorService requests = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "ann-request-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private static final AtomicInteger COUNT = new AtomicInteger();
    private volatile boolean shutdown;
    private volatile Runnable onExit = () -> { };
    private volatile String annPath;

    public AnnLanguageServer() {
        analysis = new Analysis((doc, diags) -> publish(doc, diags), this::log);
        text = new AnnTextDocumentService(this);
        workspace = new AnnWorkspaceService(this);
        commands = new Commands(this);
    }

    @Override
    public void connect(LanguageClient client) {
        this.client = client;
    }

    public LanguageClient client() {
        return client;
    }

    public Analysis analysis() {
        return analysis;
    }

    public Commands commands() {
        return commands;
    }

    /** The ann command line as configured (initializationOptions or settings `annPath`), or null. */
    public String annPath() {
        return annPath;
    }

    void configure(Object settings) {
        JsonObject o = settings instanceof JsonObject j ? j : null;
        if (o == null) return;
        if (o.has("ann") && o.get("ann").isJsonObject()) o = o.getAsJsonObject("ann");
        JsonElement p = o.get("annPath");
        if (p != null && p.isJsonPrimitive() && !p.getAsString().isBlank()) annPath = p.getAsString();
        JsonElement d = o.get("debounceMs");
        if (d != null && d.isJsonPrimitive()) analysis.setDebounceMs(Math.max(0, d.getAsLong()));
    }

    public void onExit(Runnable r) {
        onExit = r;
    }

    @Override
    public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
        configure(params.getInitializationOptions());
        ServerCapabilities caps = new ServerCapabilities();
        TextDocumentSyncOptions sync = new TextDocumentSyncOptions();
        sync.setOpenClose(true);
        sync.setChange(TextDocumentSyncKind.Incremental);
        sync.setSave(true);
        caps.setTextDocumentSync(sync);
        caps.setCompletionProvider(new CompletionOptions(false, List.of(">", "(", ",", ":", " ")));
        caps.setHoverProvider(true);
        caps.setSignatureHelpProvider(new SignatureHelpOptions(List.of("(", ","), List.of(" ")));
        caps.setDefinitionProvider(true);
        caps.setReferencesProvider(true);
        caps.setRenameProvider(new RenameOptions(true));
        caps.setDocumentSymbolProvider(true);
        caps.setWorkspaceSymbolProvider(true);
        caps.setFoldingRangeProvider(true);
        caps.setDocumentFormattingProvider(true);
        caps.setDocumentRangeFormattingProvider(true);
        caps.setInlayHintProvider(true);
        caps.setCodeActionProvider(new CodeActionOptions(List.of(CodeActionKind.QuickFix)));
        caps.setCodeLensProvider(new CodeLensOptions(false));
        caps.setExecuteCommandProvider(new ExecuteCommandOptions(Commands.ALL));
        SemanticTokensWithRegistrationOptions tokens = new SemanticTokensWithRegistrationOptions(
                SemanticTokensProvider.LEGEND, true, true);
        caps.setSemanticTokensProvider(tokens);
        return CompletableFuture.completedFuture(new InitializeResult(caps, new ServerInfo("ann", "0.1.0")));
    }

    @Override
    public CompletableFuture<Object> shutdown() {
        shutdown = true;
        commands.stopAll();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void exit() {
        stopAll();
        onExit.run();
    }

    /** LSP: exit code 0 after shutdown, 1 when exit comes without it. */
    public int exitCode() {
        return shutdown ? 0 : 1;
    }

    void stopAll() {
        commands.stopAll();
        analysis.shutdown();
        requests.shutdownNow();
    }

    @Override
    public void cancelProgress(WorkDoneProgressCancelParams params) {
        commands.cancel(params.getToken());
    }

    @Override
    public TextDocumentService getTextDocumentService() {
        return text;
    }

    @Override
    public WorkspaceService getWorkspaceService() {
        return workspace;
    }

    // ---- plumbing ---------------------------------------------------------------------

    private void publish(Document doc, List<dev.ann.compiler.diag.Diagnostic> diagnostics) {
        LanguageClient c = client;
        if (c == null) return;
        var params = new org.eclipse.lsp4j.PublishDiagnosticsParams(doc.uri(), Lsp.diagnostics(doc, diagnostics));
        params.setVersion(doc.version());
        c.publishDiagnostics(params);
    }

    public void log(String message) {
        LanguageClient c = client;
        if (c != null) c.logMessage(new MessageParams(MessageType.Log, message));
        else System.err.println(message);
    }

    /** Runs a request on the pool; any failure becomes an error response and a log line. */
    public <T> CompletableFuture<T> async(String what, Function<CancelChecker, T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CancelChecker cancelled = () -> {
            if (result.isCancelled()) throw new CancellationException();
        };
        try {
            requests.execute(() -> {
                if (result.isDone()) return;
                try {
                    result.complete(work.apply(cancelled));
                } catch (CancellationException e) {
                    result.cancel(false);
                } catch (ResponseErrorException e) {
                    result.completeExceptionally(e);
                } catch (RuntimeException | Error e) {
                    // an OutOfMemoryError or a StackOverflowError too: the request is answered, the server lives on
                    result.completeExceptionally(internalError(what, e));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(internalError(what, e));
        }
        return result;
    }

    ResponseErrorException internalError(String what, Throwable e) {
        log("ann: " + what + " failed: " + e);
        return new ResponseErrorException(new ResponseError(ResponseErrorCode.InternalError,
                "ann: " + what + " failed (" + e.getClass().getSimpleName() + "); the server keeps running", null));
    }

    /** The exception handler of the JSON-RPC layer: the error goes to the log and into the response. */
    ResponseError internalError(Throwable e) {
        Throwable cause = e;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) cause = cause.getCause();
        if (cause instanceof ResponseErrorException r) return r.getResponseError();
        for (Throwable t = e; t != null; t = t.getCause()) {
            // LSP4J's default for a method the server does not implement (documentHighlight...)
            if (t instanceof UnsupportedOperationException) {
                return new ResponseError(ResponseErrorCode.MethodNotFound, "ann: the server does not implement this method", null);
            }
            if (t.getCause() == t) break;
        }
        log("ann: a request failed: " + e);
        return new ResponseError(ResponseErrorCode.InternalError,
                "ann: internal error (" + e.getClass().getSimpleName() + "); the server keeps running", null);
    }
}
