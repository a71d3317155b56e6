package dev.ann.lsp;

import dev.ann.lsp.features.CodeActionProvider;
import dev.ann.lsp.features.CodeLensProvider;
import dev.ann.lsp.features.CompletionProvider;
import dev.ann.lsp.features.DocumentSymbolProvider;
import dev.ann.lsp.features.FoldingRangeProvider;
import dev.ann.lsp.features.FormattingProvider;
import dev.ann.lsp.features.HoverProvider;
import dev.ann.lsp.features.InlayHintProvider;
import dev.ann.lsp.features.NavigationProvider;
import dev.ann.lsp.features.SemanticTokensProvider;
import dev.ann.lsp.features.SignatureHelpProvider;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.CodeLens;
import org.eclipse.lsp4j.CodeLensParams;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.DocumentRangeFormattingParams;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.FoldingRange;
import org.eclipse.lsp4j.FoldingRangeRequestParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InlayHint;
import org.eclipse.lsp4j.InlayHintParams;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.LocationLink;
import org.eclipse.lsp4j.PrepareRenameDefaultBehavior;
import org.eclipse.lsp4j.PrepareRenameParams;
import org.eclipse.lsp4j.PrepareRenameResult;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.RenameParams;
import org.eclipse.lsp4j.SemanticTokens;
import org.eclipse.lsp4j.SemanticTokensParams;
import org.eclipse.lsp4j.SemanticTokensRangeParams;
import org.eclipse.lsp4j.SignatureHelp;
import org.eclipse.lsp4j.SignatureHelpParams;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Either3;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.services.TextDocumentService;

/** Text sync and the per-document requests; each feature lives in its own class under features/. */
final class AnnTextDocumentService implements TextDocumentService {
    private final AnnLanguageServer server;
    private final Analysis analysis;

    AnnTextDocumentService(AnnLanguageServer server) {
        this.server = server;
        this.analysis = server.analysis();
    }

    // ---- sync -----------------------------------------------------------------------

    @Override
    public void didOpen(DidOpenTextDocumentParams params) {
        var d = params.getTextDocument();
        analysis.opened(Document.open(d.getUri(), d.getVersion(), d.getText()));
    }

    @Override
    public void didChange(DidChangeTextDocumentParams params) {
        String uri = params.getTextDocument().getUri();
        Document d = analysis.document(uri);
        if (d == null) {
            server.log("ann: a change to " + uri + ", which is not open, was ignored");
            return;
        }
        analysis.changed(d.apply(params.getTextDocument().getVersion(), params.getContentChanges()));
    }

    @Override
    public void didClose(DidCloseTextDocumentParams params) {
        analysis.closed(params.getTextDocument().getUri());
        server.client().publishDiagnostics(new org.eclipse.lsp4j.PublishDiagnosticsParams(
                params.getTextDocument().getUri(), List.of()));
    }

    @Override
    public void didSave(DidSaveTextDocumentParams params) {
        analysis.changedOnDisk(Lsp.path(params.getTextDocument().getUri()));
    }

    // ---- requests -------------------------------------------------------------------

    private Document doc(String uri) {
        Document d = analysis.document(uri);
        if (d == null) {
            throw new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams,
                    "ann: " + uri + " is not open; send textDocument/didOpen first", null));
        }
        if (dev.ann.compiler.diag.Limits.tooLarge(d.text())) {
            // answered at once, not parsed: a 5 MB document would take the heap of every request thread
            throw new ResponseErrorException(new ResponseError(ResponseErrorCode.RequestFailed,
                    "ann: " + d.path().getFileName() + ": " + dev.ann.compiler.diag.Limits.TOO_LARGE, null));
        }
        return d;
    }

    @Override
    public CompletableFuture<Either<List<CompletionItem>, CompletionList>> completion(CompletionParams p) {
        return server.async("completion", c -> Either.forRight(
                CompletionProvider.complete(analysis, doc(p.getTextDocument().getUri()), p.getPosition())));
    }

    @Override
    public CompletableFuture<Hover> hover(HoverParams p) {
        return server.async("hover", c -> HoverProvider.hover(analysis.fresh(doc(p.getTextDocument().getUri()).uri()),
                p.getPosition()));
    }

    @Override
    public CompletableFuture<SignatureHelp> signatureHelp(SignatureHelpParams p) {
        return server.async("signature help", c -> SignatureHelpProvider.help(analysis,
                doc(p.getTextDocument().getUri()), p.getPosition()));
    }

    @Override
    public CompletableFuture<Either<List<? extends Location>, List<? extends LocationLink>>> definition(
            DefinitionParams p) {
        return server.async("definition", c -> Either.forLeft(NavigationProvider.definition(
                analysis.fresh(doc(p.getTextDocument().getUri()).uri()), p.getPosition())));
    }

    @Override
    public CompletableFuture<List<? extends Location>> references(ReferenceParams p) {
        return server.async("references", c -> NavigationProvider.references(
                analysis.fresh(doc(p.getTextDocument().getUri()).uri()), p.getPosition(),
                p.getContext() == null || p.getContext().isIncludeDeclaration()));
    }

    @Override
    public CompletableFuture<Either3<Range, PrepareRenameResult, PrepareRenameDefaultBehavior>> prepareRename(
            PrepareRenameParams p) {
        return server.async("prepare rename", c -> {
            PrepareRenameResult r = NavigationProvider.prepareRename(
                    analysis.fresh(doc(p.getTextDocument().getUri()).uri()), p.getPosition());
            return r == null ? null : Either3.forSecond(r);
        });
    }

    @Override
    public CompletableFuture<WorkspaceEdit> rename(RenameParams p) {
        return server.async("rename", c -> NavigationProvider.rename(
                analysis.fresh(doc(p.getTextDocument().getUri()).uri()), p.getPosition(), p.getNewName()));
    }

    @Override
    public CompletableFuture<List<Either<SymbolInformation, DocumentSymbol>>> documentSymbol(DocumentSymbolParams p) {
        return server.async("document symbols", c -> DocumentSymbolProvider.symbols(
                analysis.fresh(doc(p.getTextDocument().getUri()).uri())).stream()
                .map(s -> Either.<SymbolInformation, DocumentSymbol>forRight(s)).toList());
    }

    @Override
    public CompletableFuture<List<FoldingRange>> foldingRange(FoldingRangeRequestParams p) {
        return server.async("folding ranges", c -> FoldingRangeProvider.ranges(doc(p.getTextDocument().getUri())));
    }

    @Override
    public CompletableFuture<SemanticTokens> semanticTokensFull(SemanticTokensParams p) {
        return server.async("semantic tokens", c -> SemanticTokensProvider.tokens(
                analysis.fresh(doc(p.getTextDocument().getUri()).uri()), null));
    }

    @Override
    public CompletableFuture<SemanticTokens> semanticTokensRange(SemanticTokensRangeParams p) {
        return server.async("semantic tokens", c -> SemanticTokensProvider.tokens(
                analysis.fresh(doc(p.getTextDocument().getUri()).uri()), p.getRange()));
    }

    @Override
    public CompletableFuture<List<? extends TextEdit>> formatting(DocumentFormattingParams p) {
        return server.async("formatting", c -> FormattingProvider.format(doc(p.getTextDocument().getUri()), null));
    }

    @Override
    public CompletableFuture<List<? extends TextEdit>> rangeFormatting(DocumentRangeFormattingParams p) {
        return server.async("formatting", c -> FormattingProvider.format(doc(p.getTextDocument().getUri()),
                p.getRange()));
    }

    @Override
    public CompletableFuture<List<InlayHint>> inlayHint(InlayHintParams p) {
        return server.async("inlay hints", c -> InlayHintProvider.hints(
                analysis.fresh(doc(p.getTextDocument().getUri()).uri()), p.getRange()));
    }

    @Override
    public CompletableFuture<List<Either<Command, CodeAction>>> codeAction(CodeActionParams p) {
        return server.async("code actions", c -> CodeActionProvider.actions(
                analysis.fresh(doc(p.getTextDocument().getUri()).uri()), p.getRange()).stream()
                .map(a -> Either.<Command, CodeAction>forRight(a)).toList());
    }

    @Override
    public CompletableFuture<List<? extends CodeLens>> codeLens(CodeLensParams p) {
        return server.async("code lens", c -> CodeLensProvider.lenses(
                analysis.fresh(doc(p.getTextDocument().getUri()).uri())));
    }
}
