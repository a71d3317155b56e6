package dev.ann.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    @Test
    void wordsByFrequencyThenTextWithPadAndUnknown() {
        // counts: the 3, cat 2, a 2, dog 1, sat 1 -> ids the 2, a 3 (tie with cat: "a" < "cat"), cat 4; vocabulary 5 keeps 3 words
        Tokenizer t = Tokenizer.fit(List.of("The cat sat.", "the CAT, the dog!", "a a"), true, true, 5, 6);
        assertEquals(List.of("the", "a", "cat"), t.tokens);
        float[] x = new float[8];
        int real = t.encode("A dog and the cat", x, 1);
        assertEquals(5, real);
        assertArrayEquals(new float[] {0, 3, 1, 1, 2, 4, 0, 0}, x);
        // truncated after `length` tokens
        assertEquals(6, t.encode("the the the the the the the the", x, 0));
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, java.util.Arrays.copyOf(x, 6));
        // a fresh fit on the same texts in another order gives the same vocabulary
        assertEquals(t.tokens, Tokenizer.fit(List.of("a a", "the CAT, the dog!", "The cat sat."), true, true, 5, 6).tokens);
    }

    @Test
    void caseKeptWhenAskedAndUnicodeWords() {
        Tokenizer t = Tokenizer.fit(List.of("Été été x2 x2 x2"), true, false, 10, 3);
        assertEquals(List.of("x2", "Été", "été"), t.tokens);   // ties by String order: "É" (U+00C9) before "é" (U+00E9)
        assertEquals(List.of("naïve", "café", "42"), Tokenizer.fit(List.of(), true, true, 4, 1).split("Naïve--CAFÉ 42"));
    }

    @Test
    void charactersCollapseWhiteSpace() {
        Tokenizer t = Tokenizer.fit(List.of("ab  ba\n"), false, true, 10, 8);
        assertEquals(List.of("a", "b", " "), t.tokens);
        assertEquals(List.of("a", "b", " ", "b", "a"), t.split("  AB \t BA  "));
        float[] x = new float[8];
        t.encode("abc", x, 0);
        assertArrayEquals(new float[] {2, 3, 1, 0, 0, 0, 0, 0}, x);
    }

    @Test
    void countsAndLimits() {
        Tokenizer t = new Tokenizer(true, true, 4, 2, List.of("b", "a"));
        float[] c = new float[4];
        t.counts("a b b zz a a", c, 0);
        assertArrayEquals(new float[] {0, 1, 2, 3}, c);
        assertThrows(IllegalArgumentException.class, () -> new Tokenizer(true, true, 3, 2, List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> new Tokenizer(true, true, 5, 2, List.of("a", "a")));
        assertThrows(IllegalArgumentException.class, () -> new Tokenizer(true, true, 1, 2, List.of()));
    }

    @Test
    void initFromKeepsTheCheckpointsTokensUnderTheDatasetsLine() {
        String header = "{\"version\": 1, \"text\": {\"tokens\": \"words\", \"lowercase\": true, \"vocabulary\": 6, \"length\": 4,"
                + " \"ids_from_2\": [\"the\", \"\\\"quoted\\\"\", \"caf\\u00e9\"]}}";
        Tokenizer saved = Tokenizer.fromHeader(header, "a.ckpt");
        assertEquals(List.of("the", "\"quoted\"", "café"), saved.tokens);
        assertEquals(false, saved.readsNumbers());
        // a larger id space and another length: the checkpoint's ids, the dataset's length
        Tokenizer.Init init = Tokenizer.forInit(saved, "a.ckpt", "t.ann:3:5: init from a.ckpt", true, true, 10, 2, 10);
        assertEquals(saved.tokens, init.tokenizer().tokens);
        assertEquals(10, init.tokenizer().vocabulary);
        assertEquals(2, init.tokenizer().length);
        assertEquals("vocabulary: 3 tokens from a.ckpt", init.log());
        assertEquals(null, init.warning());
        float[] x = new float[2];
        init.tokenizer().encode("Café THE", x, 0);
        assertArrayEquals(new float[] {4, 2}, x);
        // more ids than the embedding's rows, other options: errors that say where init from is
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> Tokenizer.forInit(saved, "a.ckpt", "t.ann:3:5: init from a.ckpt", true, true, 10, 2, 4));
        assertEquals(true, rows.getMessage().startsWith("t.ann:3:5: init from a.ckpt: the vocabulary of a.ckpt has 5 ids")
                && rows.getMessage().contains("the embedding has 4 rows"), rows.getMessage());
        IllegalArgumentException chars = assertThrows(IllegalArgumentException.class,
                () -> Tokenizer.forInit(saved, "a.ckpt", "t.ann:3:5: init from a.ckpt", false, true, 10, 2, -1));
        assertEquals(true, chars.getMessage().contains("`tokens words, lowercase`, the dataset says `tokens characters, lowercase`"), chars.getMessage());
        // none kept: fit one, with a warning
        assertEquals(null, Tokenizer.fromHeader("{\"version\": 1}", "b.ckpt"));
        Tokenizer.Init none = Tokenizer.forInit(null, "b.ckpt", "t.ann:3:5: init from b.ckpt", true, true, 10, 2, 10);
        assertEquals(null, none.tokenizer());
        assertEquals(true, none.warning().startsWith("warning: t.ann:3:5: init from b.ckpt: b.ckpt keeps no vocabulary"), none.warning());
        // ids written as numbers (an import without its words): kept, lowercase or not, with a warning
        Tokenizer numbers = new Tokenizer(true, false, 5, 3, List.of("2", "3", "4"));
        assertEquals(true, numbers.readsNumbers());
        Tokenizer.Init n = Tokenizer.forInit(numbers, "c.ckpt", "t.ann:3:5: init from c.ckpt", true, true, 5, 3, 5);
        assertEquals(numbers.tokens, n.tokenizer().tokens);
        assertEquals(true, n.warning().contains("reads ids written as numbers"), n.warning());
        // a damaged vocabulary names the file
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromHeader("{\"text\": {\"tokens\": \"words\"}}", "d.ckpt"));
        assertEquals(true, bad.getMessage().startsWith("d.ckpt: damaged checkpoint"), bad.getMessage());
    }
}
