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
}
