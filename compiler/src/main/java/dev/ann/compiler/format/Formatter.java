package dev.ann.compiler.format;

import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.syntax.Parser;
import dev.ann.grammar.AnnLexer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * The one canonical layout of a .ann file, computed from the token stream so
 * that every comment is kept. Idempotent: formatting formatted text changes
 * nothing.
 *
 * <p>The layout: four spaces per brace level; one statement per line
 * ({@code ;} becomes a line break); an opening brace on the line of its
 * declaration; single spaces between words and around {@code =}, {@code ->},
 * {@code *}, {@code +} and binary {@code -}; none inside brackets, before
 * {@code ,} and {@code :}, around {@code /} and {@code ..} (fractions and
 * ranges read as one value: {@code 1/255}, {@code 0..3}). Line breaks the
 * author put inside an argument list or after a {@code ,} are kept, and the
 * continuation lines are aligned: after the opening bracket, or under the
 * first value of a setting ({@code classes "a",} / {@code "b"}). At most one
 * blank line in a row, none at the start or end of a body. A body written on
 * one line ({@code branch { conv2d(c, kernel: 1) -> relu }}) stays on one line.
 * A trailing comment keeps its column when there is room for it, so that
 * comments aligned by hand stay aligned.
 *
 * <p>A file with syntax errors is not formatted: the result carries the errors.
 */
public final class Formatter {

    private static final String INDENT = "    ";

    private Formatter() {}

    /** The formatted text, or the syntax errors that prevent formatting. */
    public record Result(String text, List<Diagnostic> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    public static Result format(SourceFile source) {
        var parsed = Parser.parse(source);
        if (!parsed.syntaxErrors().isEmpty()) return new Result(null, parsed.syntaxErrors());
        List<Diagnostic> errors = new ArrayList<>();
        Parser.Lexed lexed = Parser.lex(source, errors);
        if (!errors.isEmpty()) return new Result(null, errors);
        String text = new Run(source, lexed).run();
        if (source.text().contains("\r\n")) text = text.replace("\n", "\r\n");
        return new Result(text, List.of());
    }

    /** One formatting pass over the tokens. */
    private static final class Run {
        private final SourceFile source;
        private final Parser.Lexed lexed;
        private final List<Token> tokens;
        private final StringBuilder out = new StringBuilder();
        private final StringBuilder line = new StringBuilder();

        private int depth;                              // brace depth
        private final Deque<Brace> braces = new ArrayDeque<>();
        private final Deque<int[]> parens = new ArrayDeque<>(); // per open ( or [: {continuation column, indent of its line}
        private Token prev;                             // previous significant token emitted
        private boolean prevUnaryMinus;
        private int breaks;                             // line breaks seen since prev
        private int lastTrailingOrigCol = -1, lastTrailingNewCol = -1, lastTrailingOrigLine = -1;
        private int lineIndent;                         // indentation of the current output line
        private int stmtValueCol = -1;                  // column of a setting's first value
        private int stmtTokens;                         // significant tokens of the statement at paren level 0

        Run(SourceFile source, Parser.Lexed lexed) {
            this.source = source;
            this.lexed = lexed;
            this.tokens = lexed.tokens().getTokens();
        }

        private record Brace(boolean oneLine) {}

        String run() {
            for (int i = 0; i < tokens.size(); i++) {
                Token t = tokens.get(i);
                int type = t.getType();
                if (type == Token.EOF) break;
                if (type == AnnLexer.WS) continue;
                if (type == AnnLexer.NL) {
                    breaks++;
                    continue;
                }
                if (type == AnnLexer.SEMI) {
                    if (parens.isEmpty()) {
                        if (!braces.isEmpty() && braces.peek().oneLine()) {
                            emitInline(t, i);   // `{ a; b }` written on one line stays so
                        } else {
                            breaks = Math.max(breaks, 1);
                        }
                        continue;
                    }
                }
                if (type == AnnLexer.LINE_COMMENT || type == AnnLexer.DOC_COMMENT || type == AnnLexer.BLOCK_COMMENT) {
                    comment(t);
                    continue;
                }
                token(t, i);
            }
            endLine();
            // no blank lines at the end; exactly one final newline
            int end = out.length();
            while (end > 0 && out.charAt(end - 1) == '\n') end--;
            out.setLength(end);
            if (end > 0) out.append('\n');
            return out.toString();
        }

        private void token(Token t, int index) {
            int type = t.getType();
            boolean inOneLine = !braces.isEmpty() && braces.peek().oneLine();
            if (type == AnnLexer.LBRACE && prev != null) {
                breaks = 0;                           // `network X\n{` joins its declaration's line
            }
            if (lineEndsInComment) breaks = Math.max(breaks, 1);
            if (type == AnnLexer.RBRACE && !inOneLine && prev != null && prev.getType() != AnnLexer.LBRACE) {
                breaks = Math.max(breaks, 1);
            }
            if (prev != null && prev.getType() == AnnLexer.LBRACE && !braces.isEmpty() && !braces.peek().oneLine()
                    && type != AnnLexer.RBRACE) {
                breaks = Math.max(breaks, 1);
            }
            if (prev != null && prev.getType() == AnnLexer.RBRACE && type != AnnLexer.RBRACE && parens.isEmpty()
                    && !inOneLine) {
                breaks = Math.max(breaks, 1);        // nothing follows a closing brace on its line
            }
            if (breaks > 0 && (line.length() > 0 || out.length() > 0)) {
                boolean blank = breaks >= 2 && parens.isEmpty()
                        && (prev == null || prev.getType() != AnnLexer.LBRACE) && type != AnnLexer.RBRACE;
                endLine();
                if (blank) out.append('\n');
                startLine(indentFor(t));
            } else if (line.length() == 0 && out.length() == 0) {
                startLine(indentFor(t));
            } else {
                if (space(prev, t)) line.append(' ');
            }
            emitText(t);
            after(t, index);
        }

        /** A `;` inside a one-line body: kept as written. */
        private void emitInline(Token t, int index) {
            line.append(t.getText());
            prev = t;
            breaks = 0;
            stmtTokens = 0;
        }

        private void emitText(Token t) {
            int type = t.getType();
            if (type == AnnLexer.MINUS) prevUnaryMinus = isUnary(t);
            if (parens.isEmpty() && type != AnnLexer.LBRACE && type != AnnLexer.RBRACE) {
                if (isNewStatement()) {
                    stmtTokens = 0;
                    stmtValueCol = -1;
                }
                if (type != AnnLexer.LPAREN && type != AnnLexer.RPAREN && type != AnnLexer.COMMA) {
                    stmtTokens++;
                    if (stmtTokens == 2 && stmtValueCol < 0) stmtValueCol = line.length();
                }
            }
            line.append(t.getText());
        }

        private boolean startsLine() {
            return line.toString().isBlank();
        }

        private boolean isNewStatement() {
            // A statement starts on a fresh line that does not continue the previous one.
            if (prev == null) return true;
            if (!startsLine()) return false;
            return !(prev.getType() == AnnLexer.COMMA || prev.getType() == AnnLexer.ARROW);
        }

        private void after(Token t, int index) {
            int type = t.getType();
            switch (type) {
                case AnnLexer.LBRACE -> {
                    braces.push(new Brace(isOneLine(index)));
                    depth++;
                    parens.clear();
                    stmtTokens = 0;
                    stmtValueCol = -1;
                }
                case AnnLexer.RBRACE -> {
                    if (!braces.isEmpty()) braces.pop();
                    depth = Math.max(0, depth - 1);
                    parens.clear();
                    stmtTokens = 0;
                    stmtValueCol = -1;
                }
                case AnnLexer.LPAREN, AnnLexer.LBRACK -> {
                    // continuation lines align after the bracket, or one level in when it ends its line
                    int next = nextSignificant(index + 1);
                    boolean breakAfter = next >= 0 && hasLineBreak(index + 1, next);
                    parens.push(new int[] {breakAfter ? lineIndent + INDENT.length() : line.length(), lineIndent});
                }
                case AnnLexer.RPAREN, AnnLexer.RBRACK -> {
                    if (!parens.isEmpty()) parens.pop();
                }
                default -> { }
            }
            prev = t;
            breaks = 0;
        }

        private int indentFor(Token t) {
            int type = t.getType();
            if (!parens.isEmpty()) {
                if (type == AnnLexer.RPAREN || type == AnnLexer.RBRACK) return parens.peek()[1];
                return parens.peek()[0];
            }
            if (type == AnnLexer.RBRACE) return Math.max(0, depth - 1) * INDENT.length();
            if (prev != null && (prev.getType() == AnnLexer.COMMA || prev.getType() == AnnLexer.ARROW)) {
                if (prev.getType() == AnnLexer.COMMA && stmtValueCol > 0) return stmtValueCol;
                return (depth + 1) * INDENT.length();
            }
            return depth * INDENT.length();
        }

        private void startLine(int indent) {
            line.setLength(0);
            line.append(" ".repeat(indent));
            lineIndent = indent;
            lineEndsInComment = false;
        }

        private void endLine() {
            int end = line.length();
            while (end > 0 && line.charAt(end - 1) == ' ') end--;
            line.setLength(end);
            out.append(line).append('\n');
            line.setLength(0);
        }

        private void comment(Token t) {
            String text = t.getText();
            int type = t.getType();
            if (type != AnnLexer.BLOCK_COMMENT) text = stripTrailing(text);
            int origCol = source.column(lexed.offsets().toUtf16(t.getStartIndex()));
            int origLine = source.line(lexed.offsets().toUtf16(t.getStartIndex()));
            boolean trailing = breaks == 0 && (line.length() > 0 && !startsLine());
            if (trailing) {
                String origLineText = source.lineText(origLine);
                int origIndent = origLineText.length() - origLineText.stripLeading().length();
                int col = Math.max(line.length() + 1, origCol + lineIndent - origIndent);
                line.append(" ".repeat(col - line.length())).append(text);
                lastTrailingOrigCol = origCol;
                lastTrailingNewCol = col;
                lastTrailingOrigLine = origLine;
            } else {
                boolean blank = breaks >= 2 && out.length() + line.length() > 0
                        && (prev == null || prev.getType() != AnnLexer.LBRACE);
                if (line.length() > 0 || out.length() > 0) endLine();
                if (blank) out.append('\n');
                int indent;
                if (lastTrailingOrigLine == origLine - 1 && lastTrailingOrigCol == origCol && breaks == 1) {
                    indent = lastTrailingNewCol;     // a comment that continues the trailing comment above
                    lastTrailingOrigLine = origLine;
                } else {
                    indent = commentIndent();
                    lastTrailingOrigLine = -1;
                }
                startLine(indent);
                line.append(text);
            }
            breaks = 0;
            lineEndsInComment = type != AnnLexer.BLOCK_COMMENT;
        }

        /** The current line ends in a line comment: whatever comes next starts a new line. */
        private boolean lineEndsInComment;

        private int commentIndent() {
            // a comment before a closing brace sits at the level of the body it ends
            if (!parens.isEmpty()) return parens.peek()[0];
            return depth * INDENT.length();
        }

        private boolean isOneLine(int lbrace) {
            int level = 0;
            boolean any = false;
            for (int i = lbrace; i < tokens.size(); i++) {
                Token t = tokens.get(i);
                int type = t.getType();
                if (type == Token.EOF) return false;
                if (type == AnnLexer.NL || type == AnnLexer.LINE_COMMENT || type == AnnLexer.DOC_COMMENT
                        || type == AnnLexer.BLOCK_COMMENT) {
                    return false;
                }
                if (type == AnnLexer.LBRACE) level++;
                if (type == AnnLexer.RBRACE) {
                    level--;
                    if (level == 0) return any;
                }
                if (i > lbrace && type != AnnLexer.WS && type != AnnLexer.RBRACE) any = true;
            }
            return false;
        }

        private int nextSignificant(int from) {
            for (int i = from; i < tokens.size(); i++) {
                int type = tokens.get(i).getType();
                if (type != AnnLexer.WS && type != AnnLexer.NL) return i;
            }
            return -1;
        }

        private boolean hasLineBreak(int from, int to) {
            for (int i = from; i < to; i++) if (tokens.get(i).getType() == AnnLexer.NL) return true;
            return false;
        }

        /** Whether a space goes between two tokens on one line. */
        private boolean space(Token a, Token b) {
            if (a == null) return false;
            int x = a.getType();
            int y = b.getType();
            if (x == AnnLexer.LPAREN || x == AnnLexer.LBRACK) return false;
            if (y == AnnLexer.RPAREN || y == AnnLexer.RBRACK || y == AnnLexer.COMMA || y == AnnLexer.COLON) return false;
            if (y == AnnLexer.SEMI) return false;
            if (x == AnnLexer.DOTDOT || y == AnnLexer.DOTDOT) return false;
            if (x == AnnLexer.SLASH || y == AnnLexer.SLASH) return false;
            if (y == AnnLexer.LPAREN) return !isName(a);
            if (x == AnnLexer.MINUS && prevUnaryMinus) return false;
            if (x == AnnLexer.LBRACE && y == AnnLexer.RBRACE) return false;
            return true;
        }

        private boolean isUnary(Token minus) {
            if (prev == null) return true;
            int p = prev.getType();
            boolean operand = isName(prev) || p == AnnLexer.INT || p == AnnLexer.FLOAT || p == AnnLexer.PERCENT
                    || p == AnnLexer.STRING || p == AnnLexer.RPAREN || p == AnnLexer.RBRACK;
            if (!operand) return true;
            // `seed -1`, `lr -0.5`: a setting's value; written with a space before and none after
            int i = minus.getTokenIndex();
            boolean spaceBefore = i > 0 && tokens.get(i - 1).getType() == AnnLexer.WS;
            boolean spaceAfter = i + 1 < tokens.size() && tokens.get(i + 1).getType() == AnnLexer.WS;
            return spaceBefore && !spaceAfter;
        }

        private static boolean isName(Token t) {
            int type = t.getType();
            return type == AnnLexer.IDENT || (type >= AnnLexer.IMPORT && type <= AnnLexer.FALSE);
        }

        private static String stripTrailing(String s) {
            int end = s.length();
            while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) end--;
            return s.substring(0, end);
        }
    }
}
