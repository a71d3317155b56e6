package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ann.runtime.train.Checkpoint;
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
     * A checkpoint whose saved vocabulary (header) holds more ids than the embedding (a damaged or edited
     * header; the weights still fit): refused with both tokens lines and exit 1, not a kernel's
     * IllegalArgumentException about a token id outside the embedding's vocabulary.
     */
    @Test
    void aCheckpointVocabularyLargerThanTheEmbeddingIsRefused() throws Exception {
        StringBuilder csv = new StringBuilder("review,mood\n");
        for (int i = 0; i < 40; i++) csv.append(i % 2 == 0 ? "\"a great film\",pos\n" : "\"an awful plot\",neg\n");
        Files.writeString(tmp.resolve("reviews.csv"), csv);
        Path ann = Files.writeString(tmp.resolve("mood.ann"), """
                dataset Reviews {
                    train csv("reviews.csv", header: true, text: 0, label: 1)
                    tokens words, vocabulary 12, length 4
                }
                network Mood {
                    input [4]
                    embedding(4)
                    globalavgpool
                    dense(2) -> softmax
                }
                train Mood on Reviews {
                    loss cross_entropy
                    epochs 2
                    batch 8
                }
                """);
        Run t = Run.of("train", ann.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(0, t.exit(), t.out() + t.err());
        Path ckpt = tmp.resolve("run/model.ckpt");
        assertEquals(0, Run.of("predict", ann.toString(), "--checkpoint", ckpt.toString(), "--input", "great").exit());
        Checkpoint c = Checkpoint.read(ckpt);
        JsonObject text = c.header.getAsJsonObject("text");
        text.addProperty("vocabulary", 40);
        for (int i = 0; i < 30; i++) text.getAsJsonArray("ids_from_2").add("zz" + i);
        Path edited = tmp.resolve("edited.ckpt");
        new Checkpoint(c.header, c.arrays, c.shapes).write(edited);
        Run p = Run.of("predict", ann.toString(), "--checkpoint", edited.toString(), "--input", "great zz25");
        String said = p.out() + p.err();
        assertEquals(1, p.exit(), said);
        assertTrue(said.contains("`tokens words, vocabulary 40, length 4`") && said.contains("`tokens words, vocabulary 12, length 4`")
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
