package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ann predict on raw text (the checkpoint's vocabulary), a CSV of texts, and a bad ARFF file's message. */
class PredictTextTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    @Test
    void aTextModelPredictsTextsGivenOnTheCommandLine() throws Exception {
        StringBuilder csv = new StringBuilder("review,mood\n");
        String[] filler = {"the", "film", "was", "plot", "actors", "music"};
        for (int i = 0; i < 80; i++) {
            csv.append('"').append(filler[i % 6]).append(i % 2 == 0 ? " great " : " awful ").append(filler[(i / 2) % 6]).append("\",")
                    .append(i % 2 == 0 ? "pos" : "neg").append('\n');
        }
        Files.writeString(tmp.resolve("reviews.csv"), csv);
        Path ann = tmp.resolve("reviews.ann");
        Files.writeString(ann, """
                dataset Reviews {
                    train csv("reviews.csv", header: true, text: 0, label: 1)
                    tokens words, vocabulary 10, lowercase, bag
                }
                network Mood {
                    input [10]
                    dense(2) -> softmax
                }
                train Mood on Reviews {
                    loss cross_entropy
                    optimizer adam(lr: 0.05)
                    epochs 40
                    batch 16
                }
                """);
        Run t = Run.of("train", ann.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(0, t.exit(), t.out() + t.err());
        String ckpt = tmp.resolve("run/model.ckpt").toString();
        Run p = Run.of("predict", ann.toString(), "--checkpoint", ckpt, "--input", "What a GREAT plot");
        assertEquals(0, p.exit(), p.out() + p.err());
        assertTrue(p.out().startsWith("text: pos"), p.out());
        Path texts = tmp.resolve("new.csv");
        Files.writeString(texts, "review\n\"awful, awful music\"\ngreat\n");
        p = Run.of("predict", ann.toString(), "--checkpoint", ckpt, "--input", texts.toString());
        assertEquals(0, p.exit(), p.out() + p.err());
        assertTrue(p.out().contains("row 1: neg") && p.out().contains("row 2: pos"), p.out());
    }

    /**
     * A checkpoint of an embedding whose texts were made ids by another tokens line (here length 4, the file now
     * says 6; the weights still fit): refused with both lines, not fed to the embedding in a layout it was not
     * trained on (or, with another vocabulary, out of its range: a kernel's IllegalArgumentException).
     */
    @Test
    void aCheckpointOfAnotherTokensLineIsRefusedWithBothLines() throws Exception {
        StringBuilder csv = new StringBuilder("review,mood\n");
        for (int i = 0; i < 40; i++) csv.append(i % 2 == 0 ? "\"a great film\",pos\n" : "\"an awful plot\",neg\n");
        Files.writeString(tmp.resolve("reviews.csv"), csv);
        String program = """
                dataset Reviews {
                    train csv("reviews.csv", header: true, text: 0, label: 1)
                    tokens words, vocabulary 12, length LEN
                }
                network Mood {
                    input [LEN]
                    embedding(4)
                    globalavgpool
                    dense(2) -> softmax
                }
                train Mood on Reviews {
                    loss cross_entropy
                    epochs 2
                    batch 8
                }
                """;
        Path four = Files.writeString(tmp.resolve("four.ann"), program.replace("LEN", "4"));
        Path six = Files.writeString(tmp.resolve("six.ann"), program.replace("LEN", "6"));
        Run t = Run.of("train", four.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(0, t.exit(), t.out() + t.err());
        String ckpt = tmp.resolve("run/model.ckpt").toString();
        assertEquals(0, Run.of("predict", four.toString(), "--checkpoint", ckpt, "--input", "great").exit());
        Run p = Run.of("predict", six.toString(), "--checkpoint", ckpt, "--input", "great");
        String said = p.out() + p.err();
        assertEquals(1, p.exit(), said);
        assertTrue(said.contains("`tokens words, vocabulary 12, length 4`") && said.contains("`tokens words, vocabulary 12, length 6`")
                && said.contains("train anew"), said);
        assertTrue(!said.contains("\tat ") && !said.contains("Exception"), "no stack trace: " + said);
    }

    @Test
    void aMalformedArffFileIsRefusedWithItsPlace() throws Exception {
        Files.writeString(tmp.resolve("t.arff"), "@relation t\n@attribute a numeric\n@attribute k {no, yes}\n@data\n1,yes\nx,no\n");
        Path ann = tmp.resolve("t.ann");
        Files.writeString(ann, "dataset T {\n    train arff(\"t.arff\", label: \"k\")\n}\nnetwork N {\n    input [1]\n    dense(2) -> softmax\n}\n"
                + "train N on T {\n    loss cross_entropy\n    epochs 1\n}\n");
        Run t = Run.of("train", ann.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(1, t.exit(), t.out() + t.err());
        String said = t.out() + t.err();
        assertTrue(said.contains("t.arff:6:1: attribute 'a' is numeric; found 'x'"), said);
        assertTrue(!said.contains("\tat "), "no stack trace: " + said);
    }
}
