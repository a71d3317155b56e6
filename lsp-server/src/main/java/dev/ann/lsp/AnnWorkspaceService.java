package dev.ann.lsp;

import dev.ann.lsp.features.WorkspaceSymbolProvider;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.FileEvent;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.WorkspaceSymbol;
import org.eclipse.lsp4j.WorkspaceSymbolParams;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.services.WorkspaceService;

final class AnnWorkspaceService implements WorkspaceService {
    private final AnnLanguageServer server;

    AnnWorkspaceService(AnnLanguageServer server) {
        this.server = server;
    }

    @Override
    public CompletableFuture<Object> executeCommand(ExecuteCommandParams params) {
        return server.commands().execute(params);
    }

    @Override
    public CompletableFuture<Either<List<? extends SymbolInformation>, List<? extends WorkspaceSymbol>>> symbol(
            WorkspaceSymbolParams params) {
        return server.async("workspace symbols", c -> Either.forRight(
                WorkspaceSymbolProvider.symbols(server.analysis(), params.getQuery())));
    }

    @Override
    public void didChangeConfiguration(DidChangeConfigurationParams params) {
        server.configure(params.getSettings());
    }

    @Override
    public void didChangeWatchedFiles(DidChangeWatchedFilesParams params) {
        for (FileEvent e : params.getChanges()) server.analysis().changedOnDisk(Lsp.path(e.getUri()));
    }
}
