package dev.ann.lsp.features;

import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.LayerStmt;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.syntax.Parser;
import dev.ann.grammar.AnnLexer;
import dev.ann.lsp.Analysis;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.Token;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.SemanticTokens;
import org.eclipse.lsp4j.SemanticTokensLegend;

/**
 * Semantic tokens from the token stream, with names classified by the
 * declarations of the file and its imports: keywords only where they act as
 * keywords (they are soft), declared names by what they name, layer kinds and
 * activations as library functions, settings as properties, named arguments
 * as parameters, bare values ({@code same}, {@code adam}) as enum members.
 */
public final class SemanticTokensProvider {
    private SemanticTokensProvider() {}

    public static final List<String> TYPES = List.of("namespace", "class", "struct", "function", "parameter",
            "variable", "property", "enumMember", "keyword", "comment", "string", "number", "operator", "event");
    public static final List<String> MODIFIERS = List.of("declaration", "readonly", "defaultLibrary", "documentation");
    public static final SemanticTokensLegend LEGEND = new SemanticTokensLegend(TYPES, MODIFIERS);

    private static final int NAMESPACE = 0, CLASS = 1, STRUCT = 2, FUNCTION = 3, PARAMETER = 4, VARIABLE = 5,
            PROPERTY = 6, ENUM_MEMBER = 7, KEYWORD = 8, COMMENT = 9, STRING = 10, NUMBER = 11, OPERATOR = 12, EVENT = 13;
    private static final int DECLARATION = 1, READONLY = 2, DEFAULT_LIBRARY = 4, DOCUMENTATION = 8;

    public static SemanticTokens tokens(Analysis.Snapshot snap, Range range) {
        SourceFile src = snap.source();
        Map<String, Integer> declared = new HashMap<>();
        List<Decl> decls = snap.compilation() != null ? snap.compilation().allDecls() : snap.parsed().decls();
        Map<Integer, Integer> declNameAt = new HashMap<>();
        Map<Integer, Integer> paramAt = new HashMap<>();
        for (Decl d : decls) {
            int type = typeOf(d);
            if (type < 0 || d.name() == null || d.name().text().isEmpty()) continue;
            declared.putIfAbsent(d.name().text(), type);
        }
        for (Decl d : snap.parsed().decls()) {
            int type = typeOf(d);
            if (type >= 0 && d.name() != null) declNameAt.put(d.name().range().start(), type);
            if (d instanceof Decl.Block b) for (Decl.Param p : b.params()) paramAt.put(p.name().range().start(), PARAMETER);
            if (d instanceof Decl.Block b) labels(b.body(), declNameAt);
            if (d instanceof Decl.Network n) labels(n.body(), declNameAt);
        }
        int fromLine = range == null ? 0 : range.getStart().getLine();
        int toLine = range == null ? Integer.MAX_VALUE : range.getEnd().getLine();

        List<Integer> data = new ArrayList<>();
        int[] last = {0, 0};
        Parser.Lexed lexed = Parser.lex(src, new ArrayList<>());
        List<Token> tokens = lexed.tokens().getTokens();
        Token prev = null;
        boolean lineStart = true;
        int braceDepth = 0;
        List<String> blockParams = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            int type = t.getType();
            if (type == Token.EOF) break;
            int kind = -1, mods = 0;
            switch (type) {
                case AnnLexer.LINE_COMMENT, AnnLexer.BLOCK_COMMENT -> kind = COMMENT;
                case AnnLexer.DOC_COMMENT -> {
                    kind = COMMENT;
                    mods = DOCUMENTATION;
                }
                case AnnLexer.STRING, AnnLexer.UNTERMINATED_STRING -> kind = STRING;
                case AnnLexer.INT, AnnLexer.FLOAT, AnnLexer.PERCENT -> kind = NUMBER;
                case AnnLexer.ARROW, AnnLexer.ASSIGN, AnnLexer.DOTDOT -> kind = OPERATOR;
                case AnnLexer.TRUE, AnnLexer.FALSE -> kind = KEYWORD;
                default -> { }
            }
            int start = lexed.offsets().toUtf16(t.getStartIndex());
            if (kind < 0 && isName(type)) {
                Token next = nextSignificant(tokens, i + 1);
                boolean keywordPlace = lineStart || (prev != null && prev.getType() == AnnLexer.ASSIGN && braceDepth > 0);
                Integer declType = declNameAt.get(start);
                Integer param = paramAt.get(start);
                if (declType != null) {
                    kind = declType;
                    mods = DECLARATION | (declType == VARIABLE ? READONLY : 0);
                } else if (param != null) {
                    kind = PARAMETER;
                    mods = DECLARATION;
                } else if (type != AnnLexer.IDENT && keywordPlace && isKeywordHere(type, braceDepth)) {
                    kind = KEYWORD;
                } else if (type == AnnLexer.ON && prev != null) {
                    kind = KEYWORD;
                } else if (next != null && next.getType() == AnnLexer.COLON) {
                    kind = PARAMETER;
                } else if (declared.containsKey(t.getText())) {
                    kind = declared.get(t.getText());
                    if (kind == VARIABLE) mods = READONLY;
                } else if (blockParams.contains(t.getText())) {
                    kind = PARAMETER;
                } else if (lineStart && braceDepth > 0 && isSettingsBody(tokens, i)) {
                    kind = PROPERTY;
                } else if ((next != null && next.getType() == AnnLexer.LPAREN) || lineStart
                        || (prev != null && prev.getType() == AnnLexer.ARROW)
                        || (prev != null && prev.getType() == AnnLexer.ASSIGN && braceDepth > 0)) {
                    kind = FUNCTION;
                    mods = DEFAULT_LIBRARY;
                } else {
                    kind = ENUM_MEMBER;
                }
            }
            if (type == AnnLexer.BLOCK && lineStart && braceDepth == 0) blockParams = paramsOf(snap, t);
            if (type == AnnLexer.LBRACE) braceDepth++;
            if (type == AnnLexer.RBRACE) braceDepth = Math.max(0, braceDepth - 1);
            if (kind >= 0) emit(src, start, lexed.offsets().toUtf16(t.getStopIndex() + 1), kind, mods, fromLine, toLine, data, last);
            if (type == AnnLexer.NL || type == AnnLexer.LBRACE || type == AnnLexer.RBRACE || type == AnnLexer.SEMI) {
                lineStart = type != AnnLexer.NL || prev == null
                        || (prev.getType() != AnnLexer.COMMA && prev.getType() != AnnLexer.ARROW);
            } else if (type != AnnLexer.WS && t.getChannel() == Token.DEFAULT_CHANNEL) {
                lineStart = false;
            }
            if (t.getChannel() == Token.DEFAULT_CHANNEL && type != AnnLexer.NL) prev = t;
        }
        return new SemanticTokens(data);
    }

    private static List<String> paramsOf(Analysis.Snapshot snap, Token blockKeyword) {
        for (Decl d : snap.parsed().decls()) {
            if (d instanceof Decl.Block b && b.range().start() == blockKeyword.getStartIndex()) // BMP: same offsets
                 {
                return b.params().stream().map(p -> p.name().text()).toList();
            }
        }
        return List.of();
    }

    private static void labels(List<LayerStmt> body, Map<Integer, Integer> at) {
        for (LayerStmt s : body) {
            if (s.label() != null) at.put(s.label().range().start(), PROPERTY);
            if (s instanceof LayerStmt.Residual r) labels(r.body(), at);
            if (s instanceof LayerStmt.Parallel p) for (LayerStmt.Branch b : p.branches()) labels(b.body(), at);
        }
    }

    private static boolean isSettingsBody(List<Token> tokens, int at) {
        // walk back to the brace that opens this body and look at its declaration's keyword
        int depth = 0;
        for (int i = at - 1; i >= 0; i--) {
            int type = tokens.get(i).getType();
            if (type == AnnLexer.RBRACE) depth++;
            if (type == AnnLexer.LBRACE) {
                if (depth == 0) {
                    for (int j = i - 1; j >= 0; j--) {
                        Token k = tokens.get(j);
                        if (k.getType() == AnnLexer.RBRACE || k.getType() == AnnLexer.LBRACE) return false;
                        if (k.getType() == AnnLexer.DATASET || k.getType() == AnnLexer.TRAIN || k.getType() == AnnLexer.PROFILE) {
                            if (j == 0 || isLineStart(tokens, j)) return true;
                        }
                        if (k.getType() == AnnLexer.NETWORK || k.getType() == AnnLexer.BLOCK) return false;
                    }
                    return false;
                }
                depth--;
            }
        }
        return false;
    }

    private static boolean isLineStart(List<Token> tokens, int i) {
        for (int j = i - 1; j >= 0; j--) {
            int type = tokens.get(j).getType();
            if (type == AnnLexer.WS) continue;
            return type == AnnLexer.NL || type == AnnLexer.RBRACE || type == AnnLexer.LINE_COMMENT
                    || type == AnnLexer.DOC_COMMENT || type == AnnLexer.BLOCK_COMMENT;
        }
        return true;
    }

    private static boolean isKeywordHere(int type, int depth) {
        return switch (type) {
            case AnnLexer.IMPORT, AnnLexer.CONST, AnnLexer.BLOCK, AnnLexer.NETWORK, AnnLexer.DATASET, AnnLexer.TRAIN,
                    AnnLexer.PROFILE -> depth == 0;
            case AnnLexer.INPUT, AnnLexer.PARALLEL, AnnLexer.RESIDUAL, AnnLexer.BRANCH -> depth > 0;
            default -> false;
        };
    }

    private static int typeOf(Decl d) {
        if (d instanceof Decl.Network) return CLASS;
        if (d instanceof Decl.Block) return FUNCTION;
        if (d instanceof Decl.Dataset) return STRUCT;
        if (d instanceof Decl.Const) return VARIABLE;
        if (d instanceof Decl.Profile) return NAMESPACE;
        if (d instanceof Decl.Train) return EVENT;
        return -1;
    }

    private static boolean isName(int type) {
        return type == AnnLexer.IDENT || (type >= AnnLexer.IMPORT && type <= AnnLexer.BRANCH);
    }

    private static Token nextSignificant(List<Token> tokens, int from) {
        for (int i = from; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.getChannel() == Token.DEFAULT_CHANNEL && t.getType() != AnnLexer.NL) return t;
        }
        return null;
    }

    /** Appends one token in LSP's relative encoding, split at line ends (comments may span lines). */
    private static void emit(SourceFile src, int start, int end, int kind, int mods, int fromLine, int toLine,
                             List<Integer> data, int[] last) {
        while (start < end) {
            int line = src.line(start);
            int lineEnd = Math.min(end, src.lineStart(line) + src.lineText(line).length());
            if (line > toLine) return;
            int col = src.column(start);
            int len = lineEnd - start;
            if (len > 0 && line >= fromLine) {
                int dl = line - last[0];
                int dc = dl == 0 ? col - last[1] : col;
                data.add(dl);
                data.add(dc);
                data.add(len);
                data.add(kind);
                data.add(mods);
                last[0] = line;
                last[1] = col;
            }
            if (line + 1 >= src.lineCount()) return;
            start = Math.max(lineEnd, src.lineStart(line + 1));
        }
    }
}
