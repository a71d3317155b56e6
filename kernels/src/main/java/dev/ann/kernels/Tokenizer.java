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

    /**
     * The vocabulary a checkpoint's header keeps under {@code "text"} (tokens, lowercase, vocabulary, length and
     * {@code ids_from_2}, the tokens in id order from id 2), or null when the header has none; an
     * IllegalArgumentException naming the file (when not null) when it cannot be read.
     */
    public static Tokenizer fromHeader(String header, String file) {
        try {
            org.nd4j.shade.jackson.databind.JsonNode h = new org.nd4j.shade.jackson.databind.ObjectMapper().readTree(header);
            org.nd4j.shade.jackson.databind.JsonNode t = h == null ? null : h.get("text");
            if (t == null || t.isNull()) return null;
            List<String> toks = new ArrayList<>();
            org.nd4j.shade.jackson.databind.JsonNode ids = t.get("ids_from_2");
            if (ids == null || !ids.isArray()) throw new IllegalArgumentException("no ids_from_2 list");
            for (org.nd4j.shade.jackson.databind.JsonNode e : ids) toks.add(e.asText());
            return new Tokenizer(t.get("tokens").asText().equals("words"), t.get("lowercase").asBoolean(), t.get("vocabulary").asInt(),
                    t.get("length").asInt(), toks);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException((file == null ? "" : file + ": ") + "damaged checkpoint: its vocabulary ('text') cannot be read (" + e.getMessage()
                    + "); use another checkpoint or train anew");
        }
    }

    /**
     * This vocabulary as a checkpoint's header keeps it under {@code "text"}, as JSON: what {@link #fromHeader}
     * reads back. ann train and the generated trainer both write it, so that {@code ann predict} reads texts
     * with either's checkpoint.
     */
    public String headerJson() {
        org.nd4j.shade.jackson.databind.ObjectMapper m = new org.nd4j.shade.jackson.databind.ObjectMapper();
        org.nd4j.shade.jackson.databind.node.ObjectNode o = m.createObjectNode();
        o.put("tokens", words ? "words" : "characters");
        o.put("lowercase", lowercase);
        o.put("vocabulary", vocabulary);
        o.put("length", length);
        org.nd4j.shade.jackson.databind.node.ArrayNode ids = o.putArray("ids_from_2");
        tokens.forEach(ids::add);
        try {
            return m.writeValueAsString(o);
        } catch (java.io.IOException e) { // Jackson's JsonProcessingException, caught by a JDK type: the compiler loads
            // this class (readsNumbers) without ND4J, and the verifier loads the classes a catch names
            throw new IllegalStateException("the vocabulary cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** Whether the tokens are the ids written as numbers ("2", "3", ...): the vocabulary of a model imported without its words. */
    public boolean readsNumbers() {
        return readsNumbers(tokens);
    }

    /** Whether tokens of ids 2, 3, ... are those ids written as numbers (the checker asks it of a checkpoint's header). */
    public static boolean readsNumbers(List<String> tokens) {
        for (int k = 0; k < tokens.size(); k++) if (!tokens.get(k).equals(String.valueOf(k + 2))) return false;
        return !tokens.isEmpty();
    }

    /**
     * The vocabulary a training run with {@code init from} a checkpoint uses, so that the embedding's rows meet the
     * ids they were trained on: the checkpoint's tokens under the dataset's tokens line (its length and vocabulary
     * size), or null when the checkpoint keeps no vocabulary (the run then fits one, and {@link Init#warning} says
     * that its ids will not match). {@code where} says where {@code init from} is written ("file:line:col: init from
     * x.ckpt"); {@code rows} is the fewest rows of the network's embeddings, or -1 without one. An
     * IllegalArgumentException when the checkpoint's vocabulary does not fit the embedding or was read with other
     * tokens options.
     */
    public static Init forInit(Tokenizer saved, String checkpoint, String where, boolean words, boolean lowercase, int vocabulary,
                               int length, int rows) {
        if (saved == null) {
            return new Init(null, null, "warning: " + where + ": " + checkpoint + " keeps no vocabulary, so the training texts get the ids of a "
                    + "vocabulary fitted anew, which do not match the rows of its embedding; fine-tune from a checkpoint that keeps its "
                    + "vocabulary (ann train's, or ann import's with the model's .vocab.json beside the .onnx), or write the texts as the "
                    + "model's ids and import it again, or train anew");
        }
        int ids = saved.tokens.size() + 2;
        int room = rows > 0 ? Math.min(rows, vocabulary) : vocabulary;
        if (ids > room) {
            throw new IllegalArgumentException(where + ": the vocabulary of " + checkpoint + " has " + ids + " ids (" + saved.tokens.size()
                    + " tokens, padding, unknown) but " + (rows > 0 && rows < vocabulary ? "the embedding has " + rows + " rows"
                    : "the dataset's tokens line says vocabulary " + vocabulary) + "; give the embedding and the tokens line vocabulary "
                    + saved.vocabulary + ", as the checkpoint's model has");
        }
        boolean numbers = saved.readsNumbers();
        if (saved.words != words || (!numbers && saved.lowercase != lowercase)) {
            throw new IllegalArgumentException(where + ": " + checkpoint + " was trained on `tokens " + (saved.words ? "words" : "characters")
                    + (saved.lowercase ? ", lowercase" : "") + "`, the dataset says `tokens " + (words ? "words" : "characters")
                    + (lowercase ? ", lowercase" : "") + "`; its vocabulary only matches texts split the same way: write the tokens line as the "
                    + "checkpoint's");
        }
        Tokenizer t = new Tokenizer(words, lowercase, vocabulary, length, saved.tokens);
        String log = String.format(Locale.ROOT, "vocabulary: %,d tokens from %s", saved.tokens.size(), checkpoint);
        String warning = !numbers ? null : "warning: " + where + ": " + checkpoint + " keeps no vocabulary of words: it reads ids written as "
                + "numbers (\"17\" is id 17; a model imported without its .vocab.json); texts of words would all be the unknown id 1 and "
                + "not match the rows of its embedding: write the texts as the model's ids, or put the model's .vocab.json beside the .onnx "
                + "and import it again";
        return new Init(t, log, warning);
    }

    /** What {@link #forInit} decided: the tokenizer (null: fit one), a line for the training log, a warning (each may be null). */
    public record Init(Tokenizer tokenizer, String log, String warning) {}

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
