package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.runtime.RunException;
import dev.ann.runtime.data.IdxLoader;
import dev.ann.runtime.data.IdxSamples;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, points 3 and 10: hostile data and inputs are refused with a message, never answered wrongly. */
class HostileInputTest {
    @TempDir Path tmp;

    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    /** An IDX file: the header as given, then {@code bytes} data bytes. */
    static byte[] idx(int magic, int[] dims, int bytes) throws Exception {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bo);
        d.writeInt(magic);
        for (int v : dims) d.writeInt(v);
        for (int i = 0; i < bytes; i++) d.writeByte(i % 2);
        return bo.toByteArray();
    }

    static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(b);
        }
        return bo.toByteArray();
    }

    Path tinyIdx(byte[] images, byte[] labels) throws Exception {
        Files.write(tmp.resolve("images.idx"), images);
        Files.write(tmp.resolve("labels.idx"), labels);
        return Files.writeString(tmp.resolve("tiny.ann"), """
                dataset Tiny {
                    train idx("images.idx", "labels.idx")
                    validation 25%
                }

                network Net {
                    input [1, 4, 4]
                    flatten
                    dense(2) -> softmax
                }

                train Net on Tiny {
                    loss cross_entropy
                    optimizer adam(lr: 1e-2)
                    batch 4
                    epochs 1
                }
                """);
    }

    @Test
    void idxCountsBeyondTheFileAreRefusedAtCheckTime() throws Exception {
        for (int count : new int[] {0x80000000, 0xFFFFFFFF, 1000}) {
            Path ann = tinyIdx(idx(0x803, new int[] {count, 4, 4}, 16 * 8), idx(0x801, new int[] {8}, 8));
            String claim = Integer.toUnsignedString(count) + " items";
            Run r = Run.of("check", ann.toString());
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("tiny.ann:2:") && r.out().contains("error[E044]") && r.out().contains(claim), r.out());
            Run t = Run.of("train", ann.toString(), "--out", tmp.resolve("run").toString());
            assertEquals(1, t.exit(), t.err());
            // the runtime's own reading says the same, before allocating anything
            RunException e = assertThrows(RunException.class, () -> IdxSamples.open(tmp.resolve("images.idx"), tmp.resolve("labels.idx")));
            assertTrue(e.getMessage().contains(claim.replace(" items", "")) && e.getMessage().contains("images.idx"), e.getMessage());
        }
        // gzip: bounded by the trailer's size
        Files.write(tmp.resolve("big.idx.gz"), gzip(idx(0x803, new int[] {1000, 4, 4}, 16 * 8)));
        RunException e = assertThrows(RunException.class, () -> IdxLoader.read(tmp.resolve("big.idx.gz")));
        assertTrue(e.getMessage().contains("ends early") && e.getMessage().contains("claims 1000 items of 4×4 bytes"), e.getMessage());
        Run r = Run.of("check", Files.writeString(tmp.resolve("gz.ann"), Files.readString(tinyIdx(idx(0x803, new int[] {8, 4, 4}, 128),
                idx(0x801, new int[] {8}, 8))).replace("images.idx", "big.idx.gz")).toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("at most 128 bytes of data uncompressed"), r.out());
    }

    @Test
    void anIdxFileOfNoItemsIsRefused() throws Exception {
        Path ann = tinyIdx(idx(0x803, new int[] {0, 4, 4}, 0), idx(0x801, new int[] {0}, 0));
        Run r = Run.of("check", ann.toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("holds no items"), r.out());
        RunException e = assertThrows(RunException.class, () -> IdxLoader.read(tmp.resolve("labels.idx")));
        assertTrue(e.getMessage().contains("holds no items"), e.getMessage());
        // and a good one trains
        Path good = tinyIdx(idx(0x803, new int[] {8, 4, 4}, 128), idx(0x801, new int[] {8}, 8));
        assertEquals(0, Run.of("train", good.toString(), "--out", tmp.resolve("ok").toString()).exit());
    }

    Path iris(String csv, String normalize) throws Exception {
        Path ann = tmp.resolve("iris-" + normalize + ".ann");
        Files.writeString(ann, Files.readString(EXAMPLES.resolve("iris.ann")).replace("normalize standard", "normalize " + normalize));
        Files.writeString(tmp.resolve("iris.csv"), csv);
        return ann;
    }

    @Test
    void anEmptyLabelCellIsPointedAtByLine() throws Exception {
        String[] ls = Files.readString(EXAMPLES.resolve("iris.csv")).split("\n");
        ls[9] = ls[9].substring(0, ls[9].lastIndexOf(',') + 1);
        Path ann = iris(String.join("\n", ls) + "\n", "standard");
        Run r = Run.of("check", ann.toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("line 10 has an empty label (column 4)"), r.out());
        assertFalse(r.out().contains("has 4 classes"), r.out());
    }

    @Test
    void predictAndEvalRefuseOrFixSilentWrongAnswers() throws Exception {
        Path ann = iris(Files.readString(EXAMPLES.resolve("iris.csv")), "standard");
        Run t = Run.of("train", ann.toString(), "--profile", "dev", "--out", tmp.resolve("run").toString());
        assertEquals(0, t.exit(), t.err());
        String ckpt = tmp.resolve("run/model.ckpt").toString();

        // a CSV wider than the network's input, and not laid out like the training file
        Path wide = Files.writeString(tmp.resolve("wide.csv"), "a,b,c,d,e,f\n5.0,3.4,1.5,0.2,1,2\n");
        Run p = Run.of("predict", ann.toString(), "--profile", "dev", "--checkpoint", ckpt, "--input", wide.toString());
        assertEquals(1, p.exit(), p.out());
        assertTrue(p.err().contains("rows of 6 columns, but network IrisNet takes 4 features") && p.err().contains("(5 columns"), p.err());
        // laid out like the training file (label column included): accepted
        Path like = Files.writeString(tmp.resolve("like.csv"), "a,b,c,d,e\n5.0,3.4,1.5,0.2,setosa\n");
        Run ok = Run.of("predict", ann.toString(), "--profile", "dev", "--checkpoint", ckpt, "--input", like.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().startsWith("row 1: setosa"), ok.out());

        // not a file: refused at once, with no advice about options predict does not have
        if (Files.exists(Path.of("/dev/zero"))) {
            Run z = Run.of("predict", ann.toString(), "--profile", "dev", "--checkpoint", ckpt, "--input", "/dev/zero");
            assertEquals(1, z.exit(), z.err());
            assertTrue(z.err().contains("/dev/zero: not a regular file") && !z.err().contains("--data-memory"), z.err());
        }

        // eval under a file whose normalize changed: the checkpoint's fitted normalisation is used, the result is the same
        Run same = Run.of("eval", ann.toString(), "--profile", "dev", "--checkpoint", ckpt, "--json");
        Run other = Run.of("eval", iris(Files.readString(EXAMPLES.resolve("iris.csv")), "minmax").toString(), "--profile", "dev",
                "--checkpoint", ckpt, "--json");
        assertEquals(0, other.exit(), other.err());
        assertEquals(same.out(), other.out());
    }
}
