package dev.ann.compiler.model;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.Range;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.spec.ArgSpec;
import dev.ann.compiler.spec.Category;
import dev.ann.compiler.spec.Registry;
import dev.ann.compiler.spec.Spec;
import dev.ann.compiler.spec.Type;
import dev.ann.compiler.syntax.Parser;
import dev.ann.grammar.AnnLexer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.antlr.v4.runtime.Token;

/**
 * Where the cursor is, read from the tokens around it: what may be written
 * there ({@link #contextAt}) and which call's arguments it is in
 * ({@link #callAt}). Purely syntactic, so that it works on half-typed lines
 * the parser cannot make sense of ({@code dense(10) -> }, {@code conv2d(32, ker}).
 *
 * <p>Only the top-level declaration around the cursor is lexed: the lexer's
 * state is empty at a declaration's start, and a completion request then costs
 * the size of one declaration, not of the file.
 */
public final class Cursor {

    private Cursor() {}

    /** What may be written at the offset (drives completion). */
    public static CompletionContext contextAt(AnnFile file, int offset) {
        String text = file.source().text();
        int at = Math.max(0, Math.min(offset, text.length()));
        int wordStart = at;
        while (wordStart > 0 && isWordChar(text.charAt(wordStart - 1))) wordStart--;
        int wordEnd = at;
        while (wordEnd < text.length() && isWordChar(text.charAt(wordEnd))) wordEnd++;
        String prefix = text.substring(wordStart, at);
        Range replace = new Range(wordStart, wordEnd);
        if (!prefix.isEmpty() && Character.isDigit(prefix.charAt(0))) return none(prefix, replace);

        Scan s = Scan.of(file, at, at);
        if (s.insideCommentOrString(at)) return none(prefix, replace);
        s.walk(wordStart);
        String section = s.frameKind();

        Paren p = s.parens.peek();
        if (p != null) {
            if (p.bracket) return ctx(CompletionContext.Kind.EXPRESSION, prefix, replace, null, null, section);
            if (s.statementStartsWith(AnnLexer.BLOCK) && s.braces.isEmpty()) return none(prefix, replace);
            Token prev = p.last(1);
            if (prev == null || prev.getType() == AnnLexer.LPAREN || prev.getType() == AnnLexer.COMMA) {
                return ctx(CompletionContext.Kind.ARGUMENT, prefix, replace, p.callee, null, section);
            }
            if (prev.getType() == AnnLexer.COLON) {
                Token name = p.last(2);
                Token before = p.last(3);
                if (name != null && isName(name) && (before == null || before.getType() == AnnLexer.LPAREN
                        || before.getType() == AnnLexer.COMMA)) {
                    return ctx(CompletionContext.Kind.ARGUMENT_VALUE, prefix, replace, p.callee, name.getText(), section);
                }
            }
            if (isOperator(prev)) return ctx(CompletionContext.Kind.EXPRESSION, prefix, replace, p.callee, null, section);
            return none(prefix, replace);
        }

        List<Token> st = s.stmt;
        Token prev = st.isEmpty() ? null : st.get(st.size() - 1);
        switch (section == null ? "" : section) {
            case "" -> {
                if (st.isEmpty()) return ctx(CompletionContext.Kind.TOP_LEVEL, prefix, replace, null, null, null);
                int first = st.get(0).getType();
                if (first == AnnLexer.TRAIN) {
                    if (prev.getType() == AnnLexer.ON) {
                        return ctx(CompletionContext.Kind.DATASET_NAME, prefix, replace, null, null, null);
                    }
                    if (prev.getType() == AnnLexer.TRAIN || (prev.getType() == AnnLexer.ASSIGN && st.size() == 3)) {
                        return ctx(CompletionContext.Kind.NETWORK_NAME, prefix, replace, null, null, null);
                    }
                    return none(prefix, replace);
                }
                if (first == AnnLexer.CONST && st.size() >= 3 && (prev.getType() == AnnLexer.ASSIGN || isOperator(prev))) {
                    return ctx(CompletionContext.Kind.EXPRESSION, prefix, replace, null, null, null);
                }
                return none(prefix, replace);
            }
            case "network", "block", "layers" -> {
                if (st.isEmpty() || (st.size() == 2 && st.get(1).getType() == AnnLexer.ASSIGN)) {
                    return ctx(CompletionContext.Kind.LAYER, prefix, replace, null, null, section);
                }
                if (prev.getType() == AnnLexer.ARROW) {
                    return ctx(CompletionContext.Kind.ACTIVATION, prefix, replace, null, null, section);
                }
                boolean input = st.get(0).getType() == AnnLexer.INPUT
                        || (st.size() > 2 && st.get(1).getType() == AnnLexer.ASSIGN && st.get(2).getType() == AnnLexer.INPUT);
                if ((input && (prev.getType() == AnnLexer.INPUT)) || isOperator(prev)) {
                    return ctx(CompletionContext.Kind.EXPRESSION, prefix, replace, null, null, section);
                }
                return none(prefix, replace);
            }
            case "parallel" -> {
                if (st.isEmpty()) return ctx(CompletionContext.Kind.LAYER, prefix, replace, null, null, section);
                return none(prefix, replace);
            }
            case "dataset", "train", "profile" -> {
                if (st.isEmpty()) return ctx(CompletionContext.Kind.SETTING_START, prefix, replace, null, null, section);
                return ctx(CompletionContext.Kind.SETTING_VALUE, prefix, replace, st.get(0).getText(), null, section);
            }
            default -> {
                return none(prefix, replace);
            }
        }
    }

    /** The innermost call whose parentheses contain the offset, and which argument the cursor is on. */
    public static Optional<CallSite> callAt(AnnFile file, Registry registry, int offset) {
        String text = file.source().text();
        int at = Math.max(0, Math.min(offset, text.length()));
        Scan s = Scan.of(file, at, -1);
        if (s.insideCommentOrString(at)) return Optional.empty();
        s.walk(at);
        Paren p = null;
        for (Paren q : s.parens) {
            if (!q.bracket) {
                p = q;
                break;
            }
        }
        if (p == null || p.callee == null) return Optional.empty();
        if (s.braces.isEmpty()) return Optional.empty(); // a block's parameter list, not a call

        // The whole argument list: split at the commas of its own level.
        List<List<Token>> segments = new ArrayList<>();
        segments.add(new ArrayList<>());
        int activeIndex = 0;
        int level = 0;
        int closeEnd = -1;
        int lastEnd = s.start(p.open) + 1;
        for (int i = p.open.getTokenIndex() + 1; i < s.tokens.size(); i++) {
            Token t = s.tokens.get(i);
            int type = t.getType();
            if (type == Token.EOF || type == AnnLexer.LBRACE || type == AnnLexer.RBRACE) break;
            if (t.getChannel() != Token.DEFAULT_CHANNEL) continue;
            if (type == AnnLexer.LPAREN || type == AnnLexer.LBRACK) level++;
            if (type == AnnLexer.RPAREN || type == AnnLexer.RBRACK) {
                if (level == 0) {
                    closeEnd = s.end(t);
                    break;
                }
                level--;
            }
            lastEnd = s.end(t);
            if (level == 0 && type == AnnLexer.COMMA) {
                if (s.end(t) <= at) activeIndex++;
                segments.add(new ArrayList<>());
                continue;
            }
            segments.get(segments.size() - 1).add(t);
        }
        if (closeEnd >= 0 && at >= closeEnd) return Optional.empty();
        Range parens = new Range(s.start(p.open), closeEnd >= 0 ? closeEnd : Math.max(lastEnd, at));

        Spec spec = resolve(registry, s, p);
        Set<String> given = new LinkedHashSet<>();
        String activeName = null;
        int positional = 0;
        int activePositional = -1;
        for (int i = 0; i < segments.size(); i++) {
            List<Token> seg = segments.get(i);
            boolean named = seg.size() >= 2 && isName(seg.get(0)) && seg.get(1).getType() == AnnLexer.COLON;
            if (named) {
                if (i == activeIndex) activeName = seg.get(0).getText();
                given.add(seg.get(0).getText());
            } else if (!seg.isEmpty() || i == activeIndex) {
                if (i == activeIndex) activePositional = positional;
                else if (spec != null && positional < spec.args().size()) given.add(spec.args().get(positional).name());
                positional++;
            }
        }
        if (activePositional >= 0 && spec != null) {
            // the positional argument under the cursor: the spec's argument at that index, or the
            // first one not given yet when that one was given by name
            if (activePositional < spec.args().size() && !given.contains(spec.args().get(activePositional).name())) {
                activeName = spec.args().get(activePositional).name();
            } else {
                activeName = spec.args().stream().map(ArgSpec::name).filter(n -> !given.contains(n)).findFirst().orElse(null);
            }
            if (activeName != null && !segments.get(activeIndex).isEmpty()) given.add(activeName);
        }
        return Optional.of(new CallSite(p.callee, spec, parens, activeIndex, activeName, given));
    }

    // ---- resolving a callee by where it is written -------------------------------

    private static Spec resolve(Registry registry, Scan s, Paren p) {
        if (registry == null) return null;
        List<Category> order = new ArrayList<>();
        String section = s.frameKind();
        Paren outer = null;
        boolean seen = false;
        for (Paren q : s.parens) {
            if (seen && !q.bracket) {
                outer = q;
                break;
            }
            if (q == p) seen = true;
        }
        if (outer != null) {
            // a call inside another call's argument: `init: normal(0.01)`, `keep best(val_loss)`
            Token argName = outer.argNameBefore(p.open);
            if (argName != null && argName.getText().equals("init")) order.add(Category.INITIALIZER);
            Spec outerSpec = resolve(registry, s, outer);
            if (outerSpec != null && argName != null) {
                outerSpec.arg(argName.getText()).filter(a -> a.type() == Type.INIT).ifPresent(a -> order.add(0, Category.INITIALIZER));
            }
        }
        switch (section == null ? "" : section) {
            case "network", "block", "layers", "parallel" -> {
                Token before = s.before(p.calleeToken);
                if (before != null && before.getType() == AnnLexer.ARROW) {
                    order.add(Category.ACTIVATION);
                    order.add(Category.LAYER);
                } else {
                    order.add(Category.LAYER);
                    order.add(Category.ACTIVATION);
                }
            }
            case "dataset", "train", "profile" -> {
                Token first = s.stmt.isEmpty() ? null : s.stmt.get(0);
                Category settings = switch (section) {
                    case "dataset" -> Category.DATASET_SETTING;
                    case "train" -> Category.TRAIN_SETTING;
                    default -> Category.PROFILE_SETTING;
                };
                if (first == p.calleeToken) {
                    order.add(settings);
                    if (section.equals("dataset")) order.add(Category.DATA_SOURCE);
                } else if (first != null) {
                    switch (first.getText()) {
                        case "loss" -> order.add(Category.LOSS);
                        case "optimizer", "optimiser" -> order.add(Category.OPTIMIZER);
                        case "schedule" -> order.add(Category.SCHEDULE);
                        case "metrics" -> order.add(Category.METRIC);
                        default -> { }
                    }
                    if (section.equals("dataset")) order.add(Category.DATA_SOURCE);
                }
            }
            default -> { }
        }
        for (Category c : Category.values()) if (!order.contains(c)) order.add(c);
        for (Category c : order) {
            Optional<Spec> found = registry.find(c, p.callee);
            if (found.isPresent()) return found.get();
        }
        return null;
    }

    // ---- the token walk -------------------------------------------------------------

    /** An open {@code (} or {@code [} and the tokens written inside it so far (its own level only). */
    private static final class Paren {
        final Token open;
        final boolean bracket;
        final String callee;
        final Token calleeToken;
        final List<Token> inside = new ArrayList<>();

        Paren(Token open, Token calleeToken) {
            this.open = open;
            this.bracket = open.getType() == AnnLexer.LBRACK;
            this.calleeToken = bracket ? null : calleeToken;
            this.callee = calleeToken == null || bracket ? null : calleeToken.getText();
        }

        /** The n-th last token inside, counting {@code (} itself as the first one. */
        Token last(int n) {
            int i = inside.size() - n;
            if (i == -1) return open;
            return i >= 0 ? inside.get(i) : null;
        }

        /** The argument name (`name:`) of the argument that contains a token, or null. */
        Token argNameBefore(Token t) {
            Token name = null;
            for (int i = 0; i < inside.size(); i++) {
                Token x = inside.get(i);
                if (x.getTokenIndex() >= t.getTokenIndex()) break;
                if (x.getType() == AnnLexer.COMMA) name = null;
                if (x.getType() == AnnLexer.COLON && i > 0 && isName(inside.get(i - 1))) name = inside.get(i - 1);
            }
            return name;
        }
    }

    private static final class Scan {
        final List<Token> tokens;
        final int base;
        final dev.ann.compiler.syntax.Offsets offsets;
        final Deque<String> braces = new ArrayDeque<>();
        final Deque<Paren> parens = new ArrayDeque<>();
        List<Token> stmt = new ArrayList<>();
        List<Token> lastStmt = new ArrayList<>();

        private Scan(List<Token> tokens, int base, dev.ann.compiler.syntax.Offsets offsets) {
            this.tokens = tokens;
            this.base = base;
            this.offsets = offsets;
        }

        /** Lexes from the start of the declaration around {@code at} up to {@code end} (-1: to the next one). */
        static Scan of(AnnFile file, int at, int end) {
            String text = file.source().text();
            int base = 0;
            int next = text.length();
            for (Decl d : file.decls()) {
                if (d.range().start() <= at && d.range().end() >= 0) base = Math.max(base, d.range().start());
                else if (d.range().start() > at) {
                    next = Math.min(next, d.range().start());
                }
            }
            if (base > at) base = 0;
            int stop = end >= 0 ? Math.min(text.length(), end) : next;
            stop = Math.max(stop, at);
            SourceFile part = new SourceFile(file.source().path(), text.substring(base, stop));
            Parser.Lexed lexed = Parser.lex(part, new ArrayList<>());
            return new Scan(lexed.tokens().getTokens(), base, lexed.offsets());
        }

        int start(Token t) {
            return base + offsets.toUtf16(t.getStartIndex());
        }

        int end(Token t) {
            return base + offsets.toUtf16(t.getStopIndex() + 1);
        }

        boolean insideCommentOrString(int at) {
            for (Token t : tokens) {
                int type = t.getType();
                if (type == Token.EOF) break;
                int s = start(t);
                int e = end(t);
                if (s >= at) break;
                switch (type) {
                    case AnnLexer.LINE_COMMENT, AnnLexer.DOC_COMMENT -> {
                        if (at <= e) return true;
                    }
                    case AnnLexer.BLOCK_COMMENT -> {
                        if (at < e || (at == e && !t.getText().endsWith("*/"))) return true;
                    }
                    case AnnLexer.STRING -> {
                        if (at < e) return true;
                    }
                    case AnnLexer.UNTERMINATED_STRING -> {
                        if (at <= e) return true;
                    }
                    default -> { }
                }
            }
            return false;
        }

        /** Walks the tokens that end at or before {@code upTo}. */
        void walk(int upTo) {
            Token prevSig = null;
            for (Token t : tokens) {
                int type = t.getType();
                if (type == Token.EOF || end(t) > upTo) break;
                if (t.getChannel() != Token.DEFAULT_CHANNEL) continue;
                switch (type) {
                    case AnnLexer.NL, AnnLexer.SEMI -> {
                        boolean continues = prevSig != null
                                && (prevSig.getType() == AnnLexer.COMMA || prevSig.getType() == AnnLexer.ARROW);
                        if (!continues) endStatement();
                        continue;
                    }
                    case AnnLexer.LBRACE -> {
                        List<Token> header = stmt.isEmpty() ? lastStmt : stmt;
                        braces.push(kindOf(header));
                        parens.clear();
                        stmt = new ArrayList<>();
                        lastStmt = new ArrayList<>();
                        prevSig = t;
                        continue;
                    }
                    case AnnLexer.RBRACE -> {
                        if (!braces.isEmpty()) braces.pop();
                        parens.clear();
                        stmt = new ArrayList<>();
                        lastStmt = new ArrayList<>();
                        prevSig = t;
                        continue;
                    }
                    default -> { }
                }
                if (type == AnnLexer.RPAREN || type == AnnLexer.RBRACK) {
                    if (!parens.isEmpty()) parens.pop();
                    if (!parens.isEmpty()) parens.peek().inside.add(t);
                    else stmt.add(t);
                } else if (type == AnnLexer.LPAREN || type == AnnLexer.LBRACK) {
                    Token callee = prevSig != null && isName(prevSig) ? prevSig : null;
                    if (!parens.isEmpty()) parens.peek().inside.add(t);
                    else stmt.add(t);
                    parens.push(new Paren(t, callee));
                } else if (!parens.isEmpty()) {
                    parens.peek().inside.add(t);
                } else {
                    stmt.add(t);
                }
                prevSig = t;
            }
        }

        private void endStatement() {
            if (!parens.isEmpty()) return;
            if (!stmt.isEmpty()) lastStmt = stmt;
            stmt = new ArrayList<>();
        }

        private String kindOf(List<Token> header) {
            String frame = braces.peek();
            int first = header.isEmpty() ? -1 : header.get(0).getType();
            if (frame == null) {
                return switch (first) {
                    case AnnLexer.NETWORK -> "network";
                    case AnnLexer.BLOCK -> "block";
                    case AnnLexer.DATASET -> "dataset";
                    case AnnLexer.TRAIN -> "train";
                    case AnnLexer.PROFILE -> "profile";
                    default -> "?";
                };
            }
            // a labelled form: `mixed = parallel concat {`
            if (header.size() > 2 && header.get(1).getType() == AnnLexer.ASSIGN) first = header.get(2).getType();
            if (frame.equals("network") || frame.equals("block") || frame.equals("layers")) {
                if (first == AnnLexer.PARALLEL) return "parallel";
                if (first == AnnLexer.RESIDUAL) return "layers";
            }
            if (frame.equals("parallel") && first == AnnLexer.BRANCH) return "layers";
            return "?";
        }

        String frameKind() {
            return braces.peek();
        }

        boolean statementStartsWith(int type) {
            return !stmt.isEmpty() && stmt.get(0).getType() == type;
        }

        Token before(Token t) {
            if (t == null) return null;
            for (int i = t.getTokenIndex() - 1; i >= 0; i--) {
                Token x = tokens.get(i);
                if (x.getChannel() == Token.DEFAULT_CHANNEL && x.getType() != AnnLexer.NL) return x;
            }
            return null;
        }
    }

    // ---- helpers ----------------------------------------------------------------------

    private static CompletionContext ctx(CompletionContext.Kind kind, String prefix, Range replace, String owner,
                                         String argument, String section) {
        return new CompletionContext(kind, prefix, replace, owner, argument, "?".equals(section) ? null : section);
    }

    private static CompletionContext none(String prefix, Range replace) {
        return new CompletionContext(CompletionContext.Kind.NONE, prefix, replace, null, null, null);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    static boolean isName(Token t) {
        int type = t.getType();
        return type == AnnLexer.IDENT || (type >= AnnLexer.IMPORT && type <= AnnLexer.BRANCH);
    }

    private static boolean isOperator(Token t) {
        int type = t.getType();
        return type == AnnLexer.PLUS || type == AnnLexer.MINUS || type == AnnLexer.STAR || type == AnnLexer.SLASH
                || type == AnnLexer.DOTDOT || type == AnnLexer.ASSIGN;
    }

    /** The spec's argument of a name, for callers that hold a CallSite. */
    public static Optional<ArgSpec> argument(CallSite site, String name) {
        return site.spec() == null || name == null ? Optional.empty() : site.spec().arg(name);
    }

    /**
     * The layer statement whose output flows into a statement written at the offset (the one before it in
     * its body; for the first statement of a branch or a residual, the one before the parallel or residual),
     * as the checker saw it; empty when there is none or its shape is unknown. Completion offers the layers
     * that take this shape.
     */
    public static Optional<LayerInfo> incoming(AnnFile file, List<LayerInfo> layers, int offset) {
        for (dev.ann.compiler.ast.Decl d : file.decls()) {
            if (!d.range().contains(offset) && d.range().end() != offset) continue;
            List<dev.ann.compiler.ast.LayerStmt> body = d instanceof dev.ann.compiler.ast.Decl.Network n ? n.body()
                    : d instanceof dev.ann.compiler.ast.Decl.Block b ? b.body() : null;
            if (body == null) return Optional.empty();
            dev.ann.compiler.ast.LayerStmt before = before(body, offset, null);
            if (before == null) return Optional.empty();
            Range r = before instanceof dev.ann.compiler.ast.LayerStmt.Chain c && !c.calls().isEmpty()
                    ? c.calls().get(c.calls().size() - 1).range() : before.range();
            for (LayerInfo l : layers) {
                if (l.file().equals(file.source().path()) && l.range().equals(r) && l.outShape() != null) return Optional.of(l);
            }
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static dev.ann.compiler.ast.LayerStmt before(List<dev.ann.compiler.ast.LayerStmt> body, int offset,
                                                         dev.ann.compiler.ast.LayerStmt outer) {
        dev.ann.compiler.ast.LayerStmt before = outer;
        for (dev.ann.compiler.ast.LayerStmt st : body) {
            if (st.range().end() < offset) {
                before = st;
                continue;
            }
            if (st.range().start() <= offset) {
                if (st instanceof dev.ann.compiler.ast.LayerStmt.Parallel par) {
                    for (dev.ann.compiler.ast.LayerStmt.Branch b : par.branches()) {
                        if (b.range().contains(offset)) return before(b.body(), offset, before);
                    }
                } else if (st instanceof dev.ann.compiler.ast.LayerStmt.Residual res && res.keyword().range().end() < offset) {
                    return before(res.body(), offset, before);
                }
            }
            break;
        }
        return before;
    }
}
