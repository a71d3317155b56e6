import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.plan.Plan;
import dev.ann.runtime.data.Dataset;
import dev.ann.runtime.data.Pipeline;
import dev.ann.runtime.data.Samples;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The prepared data of a train block, written once by ann's own code for the peers' twins (bench/peers/run.sh):
 * the file compiled and planned as `ann train FILE --train NAME` does, then the data loaded by the runtime's
 * Pipeline (ARFF, tokenizer fitted on the training split, validation hold-out after the seeded shuffle; or
 * windows split by time, relative, normalised on the training rows), so the twins see exactly ann's samples.
 *
 * <pre>java -cp cli/target/ann-cli.jar bench/peers/prepare/PeersData.java FILE TRAIN|- OUTDIR</pre>
 *
 * writes into OUTDIR: train_x.f32 and test_x.f32 (float32, little-endian, samples one after another; token ids
 * as floats, as ann feeds them), train_y / test_y (int32 class indices, or float32 targets), and meta.json
 * (counts, sample shape, classes or target width, the vocabulary's size for texts).
 */
public final class PeersData {
    public static void main(String[] a) throws IOException {
        if (a.length != 3) {
            System.err.println("usage: PeersData FILE TRAIN|- OUTDIR");
            System.exit(2);
        }
        Compilation c = Compiler.compile(Path.of(a[0]));
        if (c.hasErrors()) {
            System.err.println(a[0] + ": does not compile; run `ann check " + a[0] + "`");
            System.exit(1);
        }
        Plan plan;
        try {
            plan = c.plan(a[1].equals("-") ? null : a[1], null);
        } catch (dev.ann.compiler.CompileException e) {
            System.err.println(a[0] + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Path out = Path.of(a[2]);
        Files.createDirectories(out);
        try (Pipeline.Splits s = load(plan)) {
            Dataset tr = s.train().materialize(), te = s.test().materialize();
            write(out, "train", tr);
            write(out, "test", te);
            int vocabulary = s.transform().tokenizer() == null ? 0 : s.transform().tokenizer().vocabulary;
            String json = String.format(Locale.ROOT,
                    "{\"file\": \"%s\", \"train_block\": \"%s\", \"n\": %d, \"test_n\": %d, \"shape\": %s, \"classes\": %d, \"target_width\": %d, "
                            + "\"vocabulary\": %d, \"mode\": \"%s\"}%n",
                    a[0], plan.train(), tr.n, te.n, Arrays.toString(tr.sampleShape), tr.isClassification() ? tr.classNames.size() : 0,
                    tr.targetWidth, vocabulary, s.mode().replace("\"", "'"));
            Files.writeString(out.resolve("meta.json"), json);
            System.out.print(json);
        }
    }

    /** The data as `ann train` loads it; a data error (a missing file, a bad row) as ann words it, and exit 1. */
    static Pipeline.Splits load(Plan plan) {
        try {
            return Pipeline.load(plan.data());
        } catch (dev.ann.runtime.RunException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return null;
        }
    }

    static void write(Path out, String part, Samples d) throws IOException {
        Dataset m = d.materialize();
        ByteBuffer x = ByteBuffer.allocate(m.x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        x.asFloatBuffer().put(m.x);
        Files.write(out.resolve(part + "_x.f32"), x.array());
        if (m.labels != null) {
            ByteBuffer y = ByteBuffer.allocate(m.labels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            y.asIntBuffer().put(m.labels);
            Files.write(out.resolve(part + "_y.i32"), y.array());
        } else {
            ByteBuffer y = ByteBuffer.allocate(m.targets.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            y.asFloatBuffer().put(m.targets);
            Files.write(out.resolve(part + "_y.f32"), y.array());
        }
    }
}
