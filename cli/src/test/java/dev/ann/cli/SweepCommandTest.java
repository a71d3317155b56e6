package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ann train --profile P` where P has sweep lines: here, one run after another, then the ranked report. */
class SweepCommandTest {
    @TempDir Path tmp;

    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @BeforeAll
    static void noRelaunch() {
        System.setProperty("ann.noRelaunch", "true");
    }

    Path iris(String profile) throws Exception {
        Path ann = tmp.resolve("iris.ann");
        Files.writeString(ann, Files.readString(EXAMPLES.resolve("iris.ann")) + "\n" + profile);
        Files.copy(EXAMPLES.resolve("iris.csv"), tmp.resolve("iris.csv"));
        return ann;
    }

    @Test
    void aSweepRunsEveryCombinationHereAndRanksThem() throws Exception {
        Path ann = iris("""
                profile tune {
                    epochs 8
                    sweep optimizer adam(lr: 3e-2), sgd(lr: 1e-4)
                    sweep batch 16, 64
                }
                """);
        Path out = tmp.resolve("run");
        Run r = Run.of("train", ann.toString(), "--profile", "tune", "--out", out.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("sweep: 4 combinations x 1 seed = 4 runs, one after another"), r.out());
        assertTrue(r.out().contains("==== 4 of 4: optimizer sgd(lr: 1e-4), batch 64"), r.out());
        assertTrue(r.out().contains("== sweep ranked by test accuracy (higher first)"), r.out());
        JsonArray ranking = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject().getAsJsonArray("ranking");
        assertEquals(4, ranking.size());
        double prev = 2;
        for (var e : ranking) {
            double acc = e.getAsJsonObject().getAsJsonObject("accuracy").get("mean").getAsDouble();
            assertTrue(acc <= prev, ranking.toString());
            prev = acc;
        }
        // adam at 3e-2 learns iris in 8 epochs; sgd at 1e-4 barely moves: the last is an sgd combination
        assertTrue(ranking.get(3).getAsJsonObject().get("combination").getAsString().startsWith("optimizer sgd"), ranking.toString());
        assertTrue(ranking.get(0).getAsJsonObject().get("combination").getAsString().startsWith("optimizer adam"), ranking.toString());
        for (int i = 1; i <= 4; i++) assertTrue(Files.isRegularFile(out.resolve(String.format("sweep-%02d/model.ckpt", i))));
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| 1 | `optimizer adam"), md);
    }

    @Test
    void resumeIsRefusedForASweep() throws Exception {
        Path ann = iris("""
                profile tune {
                    sweep batch 16, 32
                }
                """);
        Run r = Run.of("train", ann.toString(), "--profile", "tune", "--resume");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--resume does not apply to a sweep"), r.err());
    }

    @Test
    void aBadClusterAddressIsAUsageError() throws Exception {
        Path ann = iris("");
        Run r = Run.of("train", ann.toString(), "--cluster", "spark:host");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--cluster: 'spark:host' is not a cluster address"), r.err());
    }

    @Test
    void anUnknownCombineModeOrStepsBetweenGradientCombinesIsAUsageError() throws Exception {
        Path ann = iris("");
        Run r = Run.of("train", ann.toString(), "--cluster", "local[2]", "--combine", "weights");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--combine takes gradients or parameters, not 'weights'"), r.err());
        r = Run.of("train", ann.toString(), "--cluster", "local[2]", "--combine", "gradients", "--combine-every", "4");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--combine-every applies to --combine parameters"), r.err());
    }
}
