package dev.ann.compiler.syntax;

import dev.ann.compiler.ast.Range;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * ANTLR counts code points; the rest of ann (and LSP) counts UTF-16 units.
 * This maps one to the other, and is the identity for text without surrogates.
 */
public final class Offsets {
    private final int[] utf16; // code point index -> UTF-16 offset, or null for identity

    private Offsets(int[] utf16) {
        this.utf16 = utf16;
    }

    public static Offsets of(String text) {
        boolean surrogates = false;
        for (int i = 0; i < text.length() && !surrogates; i++) surrogates = Character.isSurrogate(text.charAt(i));
        if (!surrogates) return new Offsets(null);
        int n = text.codePointCount(0, text.length());
        int[] map = new int[n + 1];
        int off = 0;
        for (int cp = 0; cp < n; cp++) {
            map[cp] = off;
            off += Character.charCount(text.codePointAt(off));
        }
        map[n] = off;
        return new Offsets(map);
    }

    public int toUtf16(int codePointIndex) {
        if (utf16 == null) return codePointIndex;
        return utf16[Math.max(0, Math.min(codePointIndex, utf16.length - 1))];
    }

    public Range range(Token t) {
        return new Range(toUtf16(t.getStartIndex()), toUtf16(t.getStopIndex() + 1));
    }

    /** From the first token to the last; a context with no tokens gets an empty range at its start. */
    public Range range(ParserRuleContext ctx) {
        Token a = ctx.getStart();
        Token b = ctx.getStop();
        if (a == null) return Range.NONE;
        int start = toUtf16(a.getStartIndex());
        if (a.getType() == Token.EOF) return new Range(start, start);
        if (b == null || b.getStopIndex() < a.getStartIndex()) return new Range(start, start);
        return new Range(start, toUtf16(b.getStopIndex() + 1));
    }
}
