package dev.ann.lsp.features;

import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.syntax.Parser;
import dev.ann.grammar.AnnLexer;
import dev.ann.lsp.Document;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.antlr.v4.runtime.Token;
import org.eclipse.lsp4j.FoldingRange;
import org.eclipse.lsp4j.FoldingRangeKind;

/** Bodies in braces, runs of comment lines, and runs of imports; from the token stream. */
public final class FoldingRangeProvider {
    private FoldingRangeProvider() {}

    public static List<FoldingRange> ranges(Document doc) {
        SourceFile src = doc.source();
        List<FoldingRange> out = new ArrayList<>();
        Deque<Integer> open = new ArrayDeque<>();
        int commentStart = -1, commentEnd = -1;
        int importStart = -1, importEnd = -1;
        boolean lineStart = true;
        for (Token t : Parser.lex(src, new ArrayList<>()).tokens().getTokens()) {
            int type = t.getType();
            if (type == Token.EOF) break;
            int line = src.line(t.getStartIndex());
            switch (type) {
                case AnnLexer.LBRACE -> open.push(line);
                case AnnLexer.RBRACE -> {
                    if (!open.isEmpty()) {
                        int from = open.pop();
                        if (line - 1 > from) out.add(new FoldingRange(from, line - 1));
                    }
                }
                case AnnLexer.LINE_COMMENT, AnnLexer.DOC_COMMENT -> {
                    if (lineStart) {
                        if (commentStart >= 0 && line == commentEnd + 1) {
                            commentEnd = line;
                        } else {
                            flush(out, commentStart, commentEnd, FoldingRangeKind.Comment);
                            commentStart = commentEnd = line;
                        }
                    }
                }
                case AnnLexer.BLOCK_COMMENT -> {
                    int end = src.line(t.getStopIndex());
                    if (end > line) out.add(kind(new FoldingRange(line, end), FoldingRangeKind.Comment));
                }
                case AnnLexer.IMPORT -> {
                    if (lineStart && open.isEmpty()) {
                        if (importStart >= 0 && line <= importEnd + 2) {
                            importEnd = line;
                        } else {
                            flush(out, importStart, importEnd, FoldingRangeKind.Imports);
                            importStart = importEnd = line;
                        }
                    }
                }
                default -> { }
            }
            if (type == AnnLexer.NL) lineStart = true;
            else if (type != AnnLexer.WS) lineStart = false;
        }
        flush(out, commentStart, commentEnd, FoldingRangeKind.Comment);
        flush(out, importStart, importEnd, FoldingRangeKind.Imports);
        out.sort((a, b) -> Integer.compare(a.getStartLine(), b.getStartLine()));
        return out;
    }

    private static void flush(List<FoldingRange> out, int start, int end, String kind) {
        if (start >= 0 && end > start) out.add(kind(new FoldingRange(start, end), kind));
    }

    private static FoldingRange kind(FoldingRange r, String kind) {
        r.setKind(kind);
        return r;
    }
}
