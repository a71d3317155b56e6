package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.diag.Codes;
import dev.ann.kernels.CheckpointFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** W007: init from a checkpoint that keeps no vocabulary of words, under a dataset with a tokens line (the header is read, nothing else). */
class InitVocabularyWarningTest {
    @TempDir Path tmp;

    List<String> w006(String checkpointHeader) throws Exception {
        CheckpointFile.write(tmp.resolve("m.ckpt"), checkpointHeader, List.of());
        Files.writeString(tmp.resolve("t.csv"), "text,label\n\"a b\",x\n\"b c\",y\n");
        Path ann = tmp.resolve("t.ann");
        Files.writeString(ann, """
                dataset Texts {
                    train csv("t.csv", header: true, text: 0, label: 1)
                    tokens words, vocabulary 6, length 4
                }
                network Net {
                    input [4]
                    embedding(3)
                    lstm(2)
                    dense(2) -> softmax
                }
                train t = Net on Texts {
                    loss cross_entropy
                    init from "m.ckpt"
                }
                """);
        Compilation c = Compiler.compile(ann);
        return c.diagnostics().stream().filter(d -> d.code().equals(Codes.INIT_VOCABULARY)).map(d -> d.line() + 1 + ": " + d.message()).toList();
    }

    @Test
    void aCheckpointWithoutAVocabularyWarnsAtInitFrom() throws Exception {
        List<String> w = w006("{\"version\": 1, \"arrays\": []}");
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("13: ") && w.get(0).contains("keeps no vocabulary, so dataset Texts's texts"), w.get(0));
    }

    @Test
    void idsWrittenAsNumbersWarn() throws Exception {
        List<String> w = w006("{\"version\": 1, \"arrays\": [], \"text\": {\"tokens\": \"words\", \"lowercase\": false, \"vocabulary\": 6,"
                + " \"length\": 4, \"ids_from_2\": [\"2\", \"3\", \"4\", \"5\"]}}");
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("reads ids written as numbers"), w.get(0));
    }

    @Test
    void aVocabularyOfWordsIsQuiet() throws Exception {
        assertEquals(List.of(), w006("{\"version\": 1, \"arrays\": [], \"text\": {\"tokens\": \"words\", \"lowercase\": false, \"vocabulary\": 6,"
                + " \"length\": 4, \"ids_from_2\": [\"b\", \"a\", \"c\"]}}"));
    }
}
