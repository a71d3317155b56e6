package dev.ann.compiler.syntax;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Codes;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.diag.Severity;
import dev.ann.compiler.ast.Range;
import dev.ann.grammar.AnnLexer;
import dev.ann.grammar.AnnParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;

/**
 * Text to AST. Never throws: syntax errors become diagnostics, and the AST
 * holds every declaration that could be built.
 */
public final class Parser {

    private Parser() {}

    public static AnnFile parse(SourceFile source) {
        List<Diagnostic> errors = new ArrayList<>();
        try {
            Lexed lexed = lex(source, errors);
            AnnParser parser = new AnnParser(lexed.tokens());
            parser.removeErrorListeners();
            parser.addErrorListener(new Listener(source, lexed.offsets(), errors));
            parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
            AnnParser.FileContext tree = parser.file();
            var decls = new AstBuilder(source, lexed.tokens(), lexed.offsets()).file(tree);
            return new AnnFile(source, decls, errors);
        } catch (RuntimeException | StackOverflowError e) {
            // The grammar is built not to get here; if it does, the user still gets a diagnostic.
            errors.add(new Diagnostic(Severity.ERROR, Codes.SYNTAX,
                    "the parser could not read this file (" + e.getClass().getSimpleName() + "); "
                            + "check the statement near the start of the highlighted range",
                    source, new Range(0, Math.min(1, source.text().length())), List.of(), List.of()));
            return new AnnFile(source, List.of(), errors);
        }
    }

    /** The token stream of a file, for the formatter and semantic tokens. */
    public static Lexed lex(SourceFile source, List<Diagnostic> errors) {
        Offsets offsets = Offsets.of(source.text());
        AnnLexer lexer = new AnnLexer(CharStreams.fromString(source.text()));
        lexer.removeErrorListeners();
        lexer.addErrorListener(new Listener(source, offsets, errors));
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill();
        Range run = null;           // a run of unexpected characters is one error, not one per character
        for (Token t : tokens.getTokens()) {
            if (t.getType() != AnnLexer.ERROR_CHAR && run != null) {
                errors.add(unexpected(source, run));
                run = null;
            }
            if (t.getType() == AnnLexer.UNTERMINATED_STRING) {
                errors.add(syntax(source, offsets.range(t), "this string has no closing '\"'; add one at the end of the string"));
            } else if (t.getType() == AnnLexer.ERROR_CHAR) {
                Range r = offsets.range(t);
                run = run != null && run.end() == r.start() ? new Range(run.start(), r.end()) : r;
            } else if (t.getType() == AnnLexer.BLOCK_COMMENT && !t.getText().endsWith("*/")) {
                errors.add(syntax(source, offsets.range(t), "this comment is not closed; add '*/'"));
            }
        }
        if (run != null) errors.add(unexpected(source, run));
        return new Lexed(tokens, offsets);
    }

    private static Diagnostic unexpected(SourceFile source, Range run) {
        String text = source.slice(run);
        return syntax(source, run, text.codePointCount(0, text.length()) == 1
                ? "unexpected character '" + text + "'; remove it"
                : "unexpected characters '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'; remove them");
    }

    public record Lexed(CommonTokenStream tokens, Offsets offsets) {}

    static Diagnostic syntax(SourceFile source, Range range, String message) {
        return new Diagnostic(Severity.ERROR, Codes.SYNTAX, message, source, range, List.of(), List.of());
    }

    private static final class Listener extends BaseErrorListener {
        private final SourceFile source;
        private final Offsets offsets;
        private final List<Diagnostic> errors;

        /** Where the errors so far start (a list scan here made 16,000 errors take seconds). */
        private final java.util.Set<Integer> starts = new java.util.HashSet<>();

        Listener(SourceFile source, Offsets offsets, List<Diagnostic> errors) {
            this.source = source;
            this.offsets = offsets;
            this.errors = errors;
            for (Diagnostic d : errors) starts.add(d.range().start());
        }

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col,
                                String msg, RecognitionException e) {
            if (recognizer instanceof AnnLexer) return; // lexer problems are reported from the token stream
            Range range;
            String found;
            if (offending instanceof Token t && t.getType() != Token.EOF) {
                range = offsets.range(t);
                found = describe(t);
            } else {
                int end = source.text().length();
                range = new Range(Math.max(0, end - 1), end);
                found = "the end of the file";
            }
            if (offending instanceof Token t && t.getType() == AnnLexer.UNTERMINATED_STRING) return;
            if (offending instanceof Token t && t.getType() == AnnLexer.ERROR_CHAR) return;
            // Avoid a cascade of errors at one spot.
            if (!starts.add(range.start())) return;
            errors.add(syntax(source, range, friendly(msg, found)));
        }

        private static String describe(Token t) {
            return switch (t.getType()) {
                case AnnLexer.NL -> "the end of the line";
                default -> "'" + t.getText() + "'";
            };
        }

        private static String friendly(String msg, String found) {
            String expecting = null;
            int i = msg.indexOf(" expecting ");
            if (i >= 0) expecting = msg.substring(i + " expecting ".length());
            if (msg.startsWith("missing ")) {
                String what = msg.substring("missing ".length(), msg.indexOf(" at ") > 0 ? msg.indexOf(" at ") : msg.length());
                return "expected " + tidy(what) + " before " + found;
            }
            if (msg.startsWith("extraneous input") || msg.startsWith("mismatched input") || msg.startsWith("no viable")) {
                if (expecting != null && !expecting.startsWith("{")) return "expected " + tidy(expecting) + ", found " + found;
                if (expecting != null && expecting.length() < 80) return "unexpected " + found + "; expected one of " + tidy(expecting);
                return "unexpected " + found + " here";
            }
            if (msg.startsWith("token recognition error")) return "unexpected character";
            return msg;
        }

        private static String tidy(String s) {
            if (s.startsWith("{") && s.endsWith("}")) s = s.substring(1, s.length() - 1);
            if (s.contains("IDENT") && s.contains("'import'")) {
                // Soft keywords are names too: list "a name" once, not every keyword.
                StringBuilder out = new StringBuilder("a name");
                for (String part : s.split(", ")) {
                    if (!part.equals("IDENT") && !part.matches("'[a-z]+'")) out.append(", ").append(part);
                }
                s = out.toString();
            }
            return s.replace("NL", "a new line").replace("IDENT", "a name").replace("<EOF>", "the end of the file")
                    .replace("STRING", "a string").replace("INT", "an integer");
        }
    }
}
