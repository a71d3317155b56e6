package dev.ann.kernels;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Text to token ids, the same in {@code ann train}, {@code ann predict} and a
 * generated trainer. Id 0 is padding, id 1 an unknown token, and ids 2.. the
 * most frequent tokens of the training texts (ties broken by the token's text,
 * in {@link String#compareTo} order), so that the id space is exactly
 * {@code vocabulary} ids. A text becomes {@code length} ids: truncated after
 * {@code length} tokens, or padded with 0 at the end.
 *
 * <p>Words are maximal runs of letters and digits (Unicode); characters are
 * code points, with each run of white space read as one space and the ends
 * trimmed. {@code lowercase} lower-cases in the root locale first.
 */
public final class Tokenizer {
    public static final int PAD = 0;
    public static final int UNKNOWN = 1;

    public final boolean words;
    public final boolean lowercase;
    public final int vocabulary;
    public final int length;
    /** The tokens of ids 2, 3, ... in order. */
    public final List<String> tokens;
    private final Map<String, Integer> ids;

    /** A tokenizer with a known token list (from a checkpoint): {@code tokens.get(k)} has id k + 2. */
    public Tokenizer(boolean words, boolean lowercase, int vocabulary, int length, List<String> tokens) {
        if (vocabulary < 2) throw new IllegalArgumentException("the vocabulary holds at least the padding and unknown ids (2); got " + vocabulary);
        if (length < 1) throw new IllegalArgumentException("the length is at least 1; got " + length);
        if (tokens.size() > vocabulary - 2) throw new IllegalArgumentException(tokens.size() + " tokens do not fit a vocabulary of " + vocabulary);
        this.words = words;
        this.lowercase = lowercase;
        this.vocabulary = vocabulary;
        this.length = length;
        this.tokens = List.copyOf(tokens);
        this.ids = new HashMap<>();
        for (int k = 0; k < tokens.size(); k++) {
            if (ids.put(tokens.get(k), k + 2) != null) throw new IllegalArgumentException("token '" + tokens.get(k) + "' is listed twice");
        }
    }

    /** Fits the token list on the training texts: the {@code vocabulary - 2} most frequent tokens. */
    public static Tokenizer fit(Iterable<String> texts, boolean words, boolean lowercase, int vocabulary, int length) {
        Map<String, long[]> counts = new HashMap<>();
        Tokenizer empty = new Tokenizer(words, lowercase, vocabulary, length, List.of());
        for (String t : texts) {
            for (String tok : empty.split(t)) counts.computeIfAbsent(tok, k -> new long[1])[0]++;
        }
        List<Map.Entry<String, long[]>> all = new ArrayList<>(counts.entrySet());
        all.sort((a, b) -> a.getValue()[0] != b.getValue()[0] ? Long.compare(b.getValue()[0], a.getValue()[0]) : a.getKey().compareTo(b.getKey()));
        List<String> keep = new ArrayList<>();
        for (int k = 0; k < Math.min(all.size(), vocabulary - 2); k++) keep.add(all.get(k).getKey());
        return new Tokenizer(words, lowercase, vocabulary, length, keep);
    }

    /** The tokens of a text, in order (all of them, before truncation). */
    public List<String> split(String text) {
        String s = lowercase ? text.toLowerCase(Locale.ROOT) : text;
        List<String> out = new ArrayList<>();
        if (words) {
            int i = 0, n = s.length();
            while (i < n) {
                int cp = s.codePointAt(i);
                if (!Character.isLetterOrDigit(cp)) {
                    i += Character.charCount(cp);
                    continue;
                }
                int b = i;
                while (i < n && Character.isLetterOrDigit(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
                out.add(s.substring(b, i));
            }
        } else {
            boolean space = false;
            for (int i = 0; i < s.length(); ) {
                int cp = s.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.isWhitespace(cp)) {
                    space = !out.isEmpty();
                    continue;
                }
                if (space) out.add(" ");
                space = false;
                out.add(new String(Character.toChars(cp)));
            }
        }
        return out;
    }

    /** The id of one token: 2.. when it is in the vocabulary, else {@link #UNKNOWN}. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? UNKNOWN : id;
    }

    /** Writes the text's {@link #length} ids (as floats) into {@code dst[off..]}; returns the number of real (non-padding) ids. */
    public int encode(String text, float[] dst, int off) {
        List<String> toks = split(text);
        int n = Math.min(length, toks.size());
        for (int i = 0; i < n; i++) dst[off + i] = id(toks.get(i));
        for (int i = n; i < length; i++) dst[off + i] = PAD;
        return n;
    }

    /** A bag of words: {@code vocabulary} counts, one per id, of every token of the text (padding excluded, not truncated). */
    public void counts(String text, float[] dst, int off) {
        java.util.Arrays.fill(dst, off, off + vocabulary, 0f);
        for (String t : split(text)) dst[off + id(t)]++;
    }
}
