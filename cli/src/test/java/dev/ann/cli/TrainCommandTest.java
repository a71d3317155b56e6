package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ann train / eval / predict end to end, in-process: exit codes and messages. */
class TrainCommandTest {
    @TempDir Path tmp;

    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    record Run(int code, String out, String err) {}

    static Run ann(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** iris.ann and iris.csv copied into dir and trained there with the options, into dir/run; the .ann's path. */
    static Path trainedIris(Path dir, String... options) throws Exception {
        Path ann = dir.resolve("iris.ann");
        Files.copy(EXAMPLES.resolve("iris.ann"), ann);
        Files.copy(EXAMPLES.resolve("iris.csv"), dir.resolve("iris.csv"));
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", ann.toString()));
        args.addAll(java.util.List.of(options));
        args.addAll(java.util.List.of("--out", dir.resolve("run").toString()));
        Run r = ann(args.toArray(String[]::new));
        org.junit.jupiter.api.Assertions.assertEquals(0, r.code(), r.err());
        return ann;
    }

    Path copyIris(String csv) throws Exception {
        Path ann = tmp.resolve("iris.ann");
        Files.writeString(ann, Files.readString(EXAMPLES.resolve("iris.ann")));
        Files.writeString(tmp.resolve("iris.csv"), csv);
        return ann;
    }

    @Test
    void trainEvalPredictIris() throws Exception {
        Path ann = copyIris(Files.readString(EXAMPLES.resolve("iris.csv")));
        Run r = ann("train", ann.toString(), "--profile", "dev", "--out", tmp.resolve("run").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch 5/5"), r.out());
        assertTrue(r.out().contains("== test (22 samples)"), r.out());
        Path ckpt = tmp.resolve("run/model.ckpt");
        assertTrue(Files.exists(ckpt));

        Run e = ann("eval", ann.toString(), "--profile", "dev", "--checkpoint", ckpt.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("\"accuracy_ci95\"") && e.out().contains("\"confusion\""), "out: " + e.out() + " err: " + e.err());

        Path in = tmp.resolve("new.csv");
        Files.writeString(in, "sepal_length,sepal_width,petal_length,petal_width\n5.0,3.4,1.5,0.2\n6.7,3.0,5.2,2.3\n");
        Run p = ann("predict", ann.toString(), "--profile", "dev", "--checkpoint", ckpt.toString(), "--input", in.toString(), "--top", "2");
        assertEquals(0, p.code(), p.err());
        String[] lines = p.out().trim().split("\n");
        assertEquals(2, lines.length, p.out());
        assertTrue(lines[0].matches("row 1: setosa \\(0\\.\\d+\\), \\w+ \\(0\\.\\d+\\)"), lines[0]);
    }

    @Test
    void dataMemoryZeroStreamsAndGivesTheSameReport() throws Exception {
        Path ann = copyIris(Files.readString(EXAMPLES.resolve("iris.csv")));
        Run mem = ann("train", ann.toString(), "--profile", "dev", "--out", tmp.resolve("mem").toString());
        Run str = ann("train", ann.toString(), "--profile", "dev", "--out", tmp.resolve("str").toString(), "--data-memory", "0");
        assertEquals(0, mem.code(), mem.err());
        assertEquals(0, str.code(), str.err());
        assertTrue(mem.out().contains("data: in memory"), mem.out());
        assertTrue(str.out().contains("data: streamed from disk"), str.out());
        // the test report (accuracy, per-class table, confusion matrix) is the same, number for number
        String a = mem.out().substring(mem.out().indexOf("== test")), b = str.out().substring(str.out().indexOf("== test"));
        assertEquals(a.substring(0, a.indexOf("wall time")), b.substring(0, b.indexOf("wall time")));
        Path ckpt = tmp.resolve("str/model.ckpt");
        Run e1 = ann("eval", ann.toString(), "--profile", "dev", "--checkpoint", ckpt.toString(), "--json");
        Run e2 = ann("eval", ann.toString(), "--profile", "dev", "--checkpoint", ckpt.toString(), "--json", "--data-memory", "0");
        assertEquals(0, e2.code(), e2.err());
        assertEquals(e1.out(), e2.out());
        Run bad = ann("train", ann.toString(), "--data-memory", "lots");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--data-memory takes a size such as 512m"), bad.err());
    }

    @Test
    void malformedCsvRowExitsOneWithFileLineColumn() throws Exception {
        String good = Files.readString(EXAMPLES.resolve("iris.csv"));
        String[] ls = good.split("\n");
        ls[7] = "4.6,3.4,x1.4,0.3,setosa";
        Path ann = copyIris(String.join("\n", ls) + "\n");
        for (String mem : new String[] {"1g", "0"}) {
            Run r = ann("train", ann.toString(), "--out", tmp.resolve("run").toString(), "--data-memory", mem);
            assertEquals(1, r.code());
            assertTrue(r.err().contains("iris.csv:8:9: expected a number in column 2 ('petal_length'), found 'x1.4'"), r.err());
            assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
        }
    }

    @Test
    void missingDataFileExitsOne() throws Exception {
        Path ann = copyIris("");
        Files.delete(tmp.resolve("iris.csv"));
        Run r = ann("train", ann.toString(), "--out", tmp.resolve("run").toString());
        assertTrue(r.code() == 1, r.code() + " " + r.err());
        assertTrue(r.err().contains("iris.csv"), r.err());
    }

    /**
     * Data at a URI without --cluster: `ann check` warns (W006) and exits 0; a local train reads file:// as its path
     * and refuses hdfs:// (Hadoop's FileSystem is ann-cluster's only) in one line that names --cluster, exit 1.
     */
    @Test
    void dataAtAUriTrainsLocallyFromFileAndIsRefusedFromHdfs() throws Exception {
        Path csv = tmp.resolve("data.csv");
        Files.writeString(csv, Files.readString(EXAMPLES.resolve("iris.csv")));
        Path ann = tmp.resolve("uri.ann");
        String text = Files.readString(EXAMPLES.resolve("iris.ann"));
        Files.writeString(ann, text.replace("\"iris.csv\"", "\"" + csv.toUri() + "\""));
        Run check = ann("check", ann.toString());
        assertEquals(0, check.code(), check.err() + check.out());
        assertTrue((check.out() + check.err()).contains("W006"), check.out() + check.err());
        Run r = ann("train", ann.toString(), "--profile", "dev", "--out", tmp.resolve("file-run").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("== test (22 samples)"), r.out());
        Files.writeString(ann, text.replace("\"iris.csv\"", "\"hdfs://127.0.0.1:9000/data/iris.csv\""));
        r = ann("train", ann.toString(), "--profile", "dev", "--out", tmp.resolve("hdfs-run").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("hdfs://127.0.0.1:9000/data/iris.csv: this run cannot read hdfs:// data") && r.err().contains("--cluster"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void checkpointOfAnotherArchitectureExitsOne() throws Exception {
        Path ann = copyIris(Files.readString(EXAMPLES.resolve("iris.csv")));
        assertEquals(0, ann("train", ann.toString(), "--profile", "dev", "--out", tmp.resolve("run").toString()).code());
        Path other = tmp.resolve("wider.ann");
        Files.writeString(other, Files.readString(ann).replace("dense(16)", "dense(24)"));
        Run r = ann("eval", other.toString(), "--checkpoint", tmp.resolve("run/model.ckpt").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("another architecture") && r.err().contains("hidden.weight was [4, 16], is now [4, 24]"), r.err());
    }

    @Test
    void gpuWithoutCudaBackendExitsOneWithoutStackTrace() throws Exception {
        Path ann = copyIris(Files.readString(EXAMPLES.resolve("iris.csv")));
        Run r = ann("train", ann.toString(), "--device", "gpu", "--out", tmp.resolve("run").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--device gpu: this build of ann has the CPU backend only")
                && r.err().contains("-Pcuda,cuda-natives") && r.err().contains("--device cpu"), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception") || r.out().contains("\tat "), r.err());
        assertFalse(Files.exists(tmp.resolve("run")), "no run folder for a run that did not start");
        assertEquals(2, ann("train", ann.toString(), "--device", "tpu").code());
    }

    @Test
    void autoSaysWhichDeviceAndWhy() throws Exception {
        Path ann = copyIris(Files.readString(EXAMPLES.resolve("iris.csv")));
        Run r = ann("train", ann.toString(), "--profile", "dev", "--device", "auto", "--out", tmp.resolve("run").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("device auto: CPU, this build has no CUDA backend\n"), r.out());
        assertTrue(r.out().contains("device cpu (nd4j native"), r.out());
    }

    /** An IDX file: the magic number, the dimensions (big-endian ints), then the bytes. */
    static byte[] idx(int magic, int[] dims, byte[] data) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    /** dir/train.csv and dir/test.csv with these rows, and dir/name with this text: the .ann file's path. */
    static Path withData(Path dir, CharSequence train, CharSequence test, String name, String text) throws Exception {
        Files.writeString(dir.resolve("train.csv"), train);
        Files.writeString(dir.resolve("test.csv"), test);
        return Files.writeString(dir.resolve(name), text);
    }

    /**
     * A trained model's eval and predict need no training data: pictures in IDX files, numbers in CSV files and
     * texts with test files of their own are scored from those alone (the training files deleted: E043 is a
     * warning, with what the command reads), and predict reads only its input. Where eval does need the training
     * file (a dataset split from one file), it stops with the file's name, exit 1, no stack trace.
     */
    @Test
    void evalAndPredictWithoutTheTrainingData() throws Exception {
        String[] words = {"corn", "wheat", "grain", "harvest", "stock", "bank", "rate", "profit"};
        java.util.Random rnd = new java.util.Random(3);
        StringBuilder train = new StringBuilder("text,label\n"), test = new StringBuilder("text,label\n");
        for (int i = 0; i < 120; i++) {
            int label = i % 2;
            StringBuilder t = new StringBuilder();
            for (int w = 0; w < 6; w++) t.append(w == 0 ? "" : " ").append(words[label * 4 + rnd.nextInt(4)]);
            (i < 90 ? train : test).append(t).append(',').append(label == 0 ? "crops" : "money").append('\n');
        }
        Path ann = withData(tmp, train, test, "texts.ann", "dataset Texts {\n"
                + "    train csv(\"train.csv\", header: true, text: 0, label: 1)\n"
                + "    test csv(\"test.csv\", header: true, text: 0, label: 1)\n"
                + "    tokens words, vocabulary 20, bag\n"
                + "}\n\nnetwork Bag {\n    input [20]\n    dense(2) -> softmax\n}\n\n"
                + "train Bag on Texts {\n    loss cross_entropy\n    optimizer adam(lr: 5e-2)\n    batch 16\n    epochs 10\n    seed 1\n}\n");
        Path ckpt = tmp.resolve("run").resolve("model.ckpt");
        Run t = ann("train", ann.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(0, t.code(), t.err());
        Run before = ann("eval", ann.toString(), "--checkpoint", ckpt.toString(), "--json");
        assertEquals(0, before.code(), before.err());

        Files.delete(tmp.resolve("train.csv"));
        assertEquals(1, ann("check", ann.toString()).code(), "check still wants every data file");
        Run eval = ann("eval", ann.toString(), "--checkpoint", ckpt.toString(), "--json");
        assertEquals(0, eval.code(), eval.err());
        assertEquals(before.out(), eval.out(), "the same scores from the test file alone");
        assertTrue(eval.err().contains("warning[E043]") && eval.err().contains("train.csv")
                && eval.err().contains("ann eval goes on"), eval.err());
        Run predict = ann("predict", ann.toString(), "--checkpoint", ckpt.toString(), "--input", "corn wheat harvest grain");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(predict.out().startsWith("text: crops"), predict.out());

        // pictures in IDX files with test files of their own: scored from those alone
        Path pics = tmp.resolve("pics");
        Files.createDirectories(pics);
        for (String split : new String[] {"train", "test"}) {
            int n = split.equals("train") ? 120 : 40;
            byte[] img = new byte[n * 36], lab = new byte[n];
            for (int i = 0; i < n; i++) {
                lab[i] = (byte) (i % 3);
                for (int j = 0; j < 36; j++) img[i * 36 + j] = (byte) (rnd.nextInt(120) + (j % 3 == i % 3 ? 120 : 0));
            }
            Files.write(pics.resolve(split + "-images.idx"), idx(0x803, new int[] {n, 6, 6}, img));
            Files.write(pics.resolve(split + "-labels.idx"), idx(0x801, new int[] {n}, lab));
        }
        Path picsAnn = pics.resolve("pics.ann");
        Files.writeString(picsAnn, "dataset Pics {\n"
                + "    train idx(\"train-images.idx\", \"train-labels.idx\")\n"
                + "    test idx(\"test-images.idx\", \"test-labels.idx\")\n"
                + "    scale 1/255\n    classes \"a\", \"b\", \"c\"\n"
                + "}\n\nnetwork Net {\n    input [1, 6, 6]\n    flatten\n    dense(3) -> softmax\n}\n\n"
                + "train Net on Pics {\n    loss cross_entropy\n    optimizer adam(lr: 1e-2)\n    batch 16\n    epochs 3\n    seed 1\n}\n");
        Path picsCkpt = pics.resolve("run").resolve("model.ckpt");
        assertEquals(0, ann("train", picsAnn.toString(), "--out", pics.resolve("run").toString()).code());
        Run picsBefore = ann("eval", picsAnn.toString(), "--checkpoint", picsCkpt.toString(), "--json");
        assertEquals(0, picsBefore.code(), picsBefore.err());
        Files.delete(pics.resolve("train-images.idx"));
        Files.delete(pics.resolve("train-labels.idx"));
        Run picsAfter = ann("eval", picsAnn.toString(), "--checkpoint", picsCkpt.toString(), "--json");
        assertEquals(0, picsAfter.code(), picsAfter.err());
        assertEquals(picsBefore.out(), picsAfter.out(), "the same scores from the test files alone");

        // numbers in CSV files with a test file of their own, whose labels miss a class the model knows: scored
        // from the test file alone, under the model's classes, as the trainer scored it with every file there
        Path nums = tmp.resolve("nums");
        Files.createDirectories(nums);
        StringBuilder numTrain = new StringBuilder("x,y,kind\n"), numTest = new StringBuilder("x,y,kind\n");
        String[] kinds = {"ant", "bee", "cat"};
        for (int i = 0; i < 150; i++) {
            int k = i % 3;
            String row = String.format(java.util.Locale.ROOT, "%.3f,%.3f,%s%n", 10 * k + rnd.nextGaussian() * 3, 100 + rnd.nextGaussian() * 20, kinds[k]);
            if (i < 120) numTrain.append(row);
            else if (k > 0) numTest.append(row); // no ant in the test file
        }
        Path numsAnn = withData(nums, numTrain, numTest, "nums.ann", "dataset Nums {\n"
                + "    train csv(\"train.csv\", header: true, features: 0..1, label: 2)\n"
                + "    test csv(\"test.csv\", header: true, features: 0..1, label: 2)\n"
                + "    normalize standard\n"
                + "}\n\nnetwork Net {\n    input [2]\n    dense(3) -> softmax\n}\n\n"
                + "train Net on Nums {\n    loss cross_entropy\n    optimizer adam(lr: 5e-2)\n    batch 16\n    epochs 8\n    seed 1\n}\n");
        assertEquals(0, ann("train", numsAnn.toString(), "--out", nums.resolve("run").toString()).code());
        com.google.gson.JsonObject trained = com.google.gson.JsonParser.parseString(
                Files.readString(nums.resolve("run").resolve("summary.json"))).getAsJsonObject().getAsJsonObject("test");
        Files.delete(nums.resolve("train.csv"));
        Run numsEval = ann("eval", numsAnn.toString(), "--checkpoint", nums.resolve("run").resolve("model.ckpt").toString(), "--json");
        assertEquals(0, numsEval.code(), numsEval.err());
        com.google.gson.JsonObject alone = com.google.gson.JsonParser.parseString(numsEval.out()).getAsJsonObject();
        for (String key : new String[] {"n", "loss", "accuracy", "per_class"}) {
            assertEquals(trained.get(key), alone.get(key), key + ": the trainer's scores of the test split, from the test file alone");
        }
        assertTrue(trained.get("accuracy").getAsDouble() > 0.6, "a model that learned something: " + trained);

        Path iris = tmp.resolve("iris").resolve("iris.ann");
        Files.createDirectories(iris.getParent());
        trainedIris(iris.getParent(), "--epochs", "2");
        Files.delete(iris.resolveSibling("iris.csv"));
        Run whole = ann("eval", iris.toString(), "--checkpoint", iris.resolveSibling("run").resolve("model.ckpt").toString());
        assertEquals(1, whole.code(), whole.err());
        assertTrue(whole.err().contains("iris.csv: no such file"), whole.err());
        assertFalse(whole.err().contains("Exception"), whole.err());
    }
}
