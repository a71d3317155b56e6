package dev.ann.compiler.syntax;

import dev.ann.compiler.ast.AnnFile;
import dev.ann.compiler.ast.Decl;
import dev.ann.compiler.ast.SourceFile;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-parses only the top-level declarations an edit touches.
 *
 * <p>A file without syntax errors is cut into <em>chunks</em>: a chunk ends at
 * the line break right after a declaration (only spaces may come between), so
 * it holds the blank lines, comments and {@code ///} docs before its
 * declaration, the declaration, and that line break. At such a cut the lexer
 * is in its initial state (no open parenthesis or bracket) and the parser is
 * between declarations, so parsing the chunks one by one gives what parsing
 * the whole file gives. After an edit, the chunks the edit touches (or
 * borders), and the chunk after them, are parsed again as one piece (a
 * declaration's doc is the {@code ///} lines before it, which an edit just
 * before its chunk can change); the chunks before it are kept as they
 * are and those after it are moved by the edit's change in length. When the
 * old file had syntax errors, or the re-parsed piece has any, the whole file is
 * parsed instead: error recovery can reach across declarations.
 */
public final class IncrementalParser {

    /** A parse of one text with its chunks; {@code chunks} is null when the text had syntax errors. */
    public record State(AnnFile file, List<Chunk> chunks) {}

    /** [start, end) of the text and the declarations in it (absolute offsets). */
    public record Chunk(int start, int end, List<Decl> decls) {}

    /** How the last call went (for logs and tests): true when it re-parsed only part of the file. */
    private static final ThreadLocal<int[]> LAST = ThreadLocal.withInitial(() -> new int[2]);

    private IncrementalParser() {}

    /** Parses the whole text. */
    public static State full(SourceFile source) {
        AnnFile f = Parser.parse(source);
        LAST.get()[0] = source.text().length();
        return new State(f, f.syntaxErrors().isEmpty() ? chunks(source.text(), f.decls(), 0, source.text().length()) : null);
    }

    /** Characters parsed by this thread's last call to {@link #full} or {@link #update}. */
    public static int lastParsedChars() {
        return LAST.get()[0];
    }

    /** The parse of {@code source}, re-using what it can of {@code old} (the parse of an earlier text of the same file). */
    public static State update(State old, SourceFile source) {
        String now = source.text();
        if (old == null || old.chunks() == null || old.chunks().isEmpty()) return full(source);
        String before = old.file().source().text();
        if (before.equals(now)) return new State(new AnnFile(source, old.file().decls(), List.of()), old.chunks());
        int min = Math.min(before.length(), now.length());
        int p = 0;
        while (p < min && before.charAt(p) == now.charAt(p)) p++;
        int s = 0;
        while (s < min - p && before.charAt(before.length() - 1 - s) == now.charAt(now.length() - 1 - s)) s++;
        int oldEditEnd = before.length() - s;
        int delta = now.length() - before.length();
        List<Chunk> chunks = old.chunks();
        int first = -1;
        int last = -1;
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            // a chunk that touches the edited span is parsed again (its neighbours' bytes may matter to the lexer)
            if (c.end() >= p && c.start() <= oldEditEnd) {
                if (first < 0) first = i;
                last = i;
            }
        }
        if (first < 0) return full(source);
        // the chunk after the edit too: the edit may have changed the `///` lines above its declaration (they
        // end the piece re-parsed when the edit removed the declaration they belonged to)
        if (last + 1 < chunks.size()) last++;
        int from = chunks.get(first).start();
        int to = chunks.get(last).end() + delta;
        if (from < 0 || to > now.length() || to < from) return full(source);
        String piece = now.substring(from, to);
        AnnFile part = Parser.parse(new SourceFile(source.path(), piece));
        if (!part.syntaxErrors().isEmpty()) return full(source);
        LAST.get()[0] = piece.length();
        List<Chunk> out = new ArrayList<>(chunks.size() + 2);
        List<Decl> decls = new ArrayList<>(old.file().decls().size() + 2);
        for (int i = 0; i < first; i++) {
            out.add(chunks.get(i));
            decls.addAll(chunks.get(i).decls());
        }
        List<Decl> moved = new ArrayList<>(part.decls().size());
        for (Decl d : part.decls()) moved.add(Relocate.decl(d, from));
        for (Chunk c : chunks(now, moved, from, to)) {
            out.add(c);
            decls.addAll(c.decls());
        }
        for (int i = last + 1; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            if (delta == 0) {
                out.add(c);
            } else {
                List<Decl> ds = new ArrayList<>(c.decls().size());
                for (Decl d : c.decls()) ds.add(Relocate.decl(d, delta));
                out.add(new Chunk(c.start() + delta, c.end() + delta, ds));
            }
            decls.addAll(out.get(out.size() - 1).decls());
        }
        return new State(new AnnFile(source, decls, List.of()), out);
    }

    /** Cuts text[from, to), whose declarations are {@code decls} (absolute offsets), into chunks. */
    static List<Chunk> chunks(String text, List<Decl> decls, int from, int to) {
        List<Chunk> out = new ArrayList<>();
        int start = from;
        List<Decl> pending = new ArrayList<>();
        for (Decl d : decls) {
            pending.add(d);
            int i = d.range().end();
            while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\r' || text.charAt(i) == '\f')) i++;
            if (i < to && text.charAt(i) == '\n') {
                out.add(new Chunk(start, i + 1, List.copyOf(pending)));
                pending.clear();
                start = i + 1;
            }
        }
        if (start < to || !pending.isEmpty() || out.isEmpty()) out.add(new Chunk(start, to, List.copyOf(pending)));
        return out;
    }
}
