package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ann.plan.Plan;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {

    @Test
    void irisTable() throws IOException {
        Run r = Run.of("plan", "../examples/iris.ann");
        assertEquals(Main.OK, r.exit(), r.err());
        Golden.assertMatches("plan-iris.txt", r.out());
    }

    @Test
    void fashionCnnTableUnderTheDevProfile() throws IOException {
        Run r = Run.of("plan", "../examples/fashion_cnn.ann", "--profile", "dev");
        assertEquals(Main.OK, r.exit(), r.err());
        Golden.assertMatches("plan-fashion_cnn-dev.txt", r.out());
        assertTrue(r.out().contains("[32, 7, 7]"), "resize [14, 14] halves the feature maps:\n" + r.out());
    }

    @Test
    void jsonIsThePlanAndReadsBack() throws IOException {
        Run r = Run.of("plan", "../examples/inception.ann", "--json");
        assertEquals(Main.OK, r.exit(), r.err());
        Golden.assertMatches("plan-inception.json", r.out().replaceAll("\"file\": \".*?\"", "\"file\": \"<file>\"")
                .replaceAll("\"(images|labels|path|folder)\": \"/.*?\"", "\"$1\": \"<path>\""));
        Plan plan = Plan.fromJson(r.out());
        assertEquals(Plan.hashArchitecture(plan.ops(), plan.params()), plan.architectureHash());
        assertTrue(plan.ops().stream().anyMatch(o -> o.kind().equals("concat")));
        assertTrue(plan.ops().stream().anyMatch(o -> o.kind().equals("add")));
    }

    /** The transformer example, a network on its own: [T, F] shapes and vocabulary × dim parameters in the table. */
    @Test
    void transformerTableShowsSequenceShapesAndTheEmbeddingsParameters() throws IOException {
        assumeTrue(Files.exists(Path.of("/usr/share/doc/weka/examples/ReutersCorn-train.arff")),
                "the transformer example trains on Weka's Reuters corn ARFF files: apt-get install weka");
        Run c = Run.of("check", "../examples/transformer.ann");
        assertEquals(Main.OK, c.exit(), c.err());
        Run r = Run.of("plan", "../examples/transformer.ann");
        assertEquals(Main.OK, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*embedding_1 +embedding +\\[100, 64\\] +640,000 .*"), r.out());
        assertTrue(r.out().matches("(?s).*attention_1 +attention +\\[100, 64\\] +16,640 .*"), r.out());
        assertTrue(r.out().matches("(?s).*globalavgpool_1 +globalavgpool +\\[64\\] .*"), r.out());
        assertTrue(r.out().contains("parameters: 713,474 trainable"), r.out());
    }

    /** Two networks, no dataset, no train block: what a user writes first. */
    static final String NETWORKS = """
            network Small {
                input [4]
                hidden = dense(8) -> relu
                dense(3) -> softmax
            }

            block ConvBlock(filters: int) {
                conv2d(filters, kernel: 3, padding: same)
                batchnorm
                relu
            }

            network Tiny {
                input [1, 8, 8]
                ConvBlock(4)
                maxpool(2)
                flatten
                dense(2)
            }
            """;

    static Path networks(Path dir) throws IOException {
        Path f = dir.resolve("nets.ann");
        Files.writeString(f, NETWORKS);
        return f;
    }

    @Test
    void networksWithoutATrainBlockShowTheirLayerTables(@TempDir Path dir) throws IOException {
        Run r = Run.of("plan", networks(dir).toString());
        assertEquals(Main.OK, r.exit(), r.err());
        assertEquals("", r.err());
        Golden.assertMatches("plan-networks.txt", r.out());
        // Small: dense 4->8 (32 weights + 8 biases), dense 8->3 (24 + 3).
        assertTrue(r.out().contains("network Small: input [4] → output [3]"), r.out());
        assertTrue(r.out().contains("parameters: 67 trainable (268 B as float32)"), r.out());
        // Tiny: conv 1->4 3x3 (36 + 4), batchnorm (4 + 4 trainable, 8 running), dense 64->2 (128 + 2).
        assertTrue(r.out().contains("network Tiny: input [1, 8, 8] → output [2]"), r.out());
        assertTrue(r.out().contains("parameters: 178 trainable (712 B as float32), 8 non-trainable"), r.out());
        assertTrue(r.out().indexOf("network Small") < r.out().indexOf("network Tiny"), "in source order:\n" + r.out());
    }

    @Test
    void networkPicksOneAndJsonPrintsTheSame(@TempDir Path dir) throws IOException {
        Path f = networks(dir);
        Run text = Run.of("plan", f.toString(), "--network", "Tiny");
        assertEquals(Main.OK, text.exit(), text.err());
        assertTrue(text.out().startsWith("network Tiny:") && !text.out().contains("Small"), text.out());
        Run json = Run.of("plan", f.toString(), "--network", "Tiny", "--json");
        assertEquals(Main.OK, json.exit(), json.err());
        JsonObject o = JsonParser.parseString(json.out()).getAsJsonObject();
        assertEquals("Tiny", o.get("network").getAsString());
        assertEquals("[1,8,8]", o.get("input").toString());
        assertEquals("[2]", o.get("output").toString());
        JsonArray layers = o.getAsJsonArray("layers");
        long params = 0;
        long flops = 0;
        for (var l : layers) {
            JsonObject layer = l.getAsJsonObject();
            params += layer.get("params").getAsLong();
            flops += layer.get("flops").getAsLong();
            // every row of the table is in the JSON, with the same shape, parameters and FLOPs
            String row = layer.get("name").getAsString() + ".*" + layer.get("layer").getAsString() + ".*"
                    + java.util.regex.Pattern.quote(layer.get("outputShape").toString().replace(",", ", "))
                    + " +" + PlanTable.group(layer.get("params").getAsLong()) + " +" + PlanTable.group(layer.get("flops").getAsLong());
            assertTrue(text.out().lines().anyMatch(line -> line.matches(row)), row + " in\n" + text.out());
        }
        assertEquals(text.out().lines().filter(line -> line.matches(".*\\[[0-9, ]+\\] .*")).count() - 1, layers.size(),
                "one JSON layer per table row (the header line names the input shape)");
        assertEquals(178, o.get("trainableParams").getAsLong());
        assertEquals(8, o.get("nonTrainableParams").getAsLong());
        assertEquals(params, o.get("trainableParams").getAsLong(), "the layers' parameters add up to the total");
        assertEquals(flops, o.get("flops").getAsLong());
        assertTrue(text.out().contains("FLOPs per sample: " + PlanTable.group(flops) + " forward"), text.out());
        assertEquals("maxpool", layers.get(4).getAsJsonObject().get("layer").getAsString(), json.out());
        assertEquals("[4,4,4]", layers.get(4).getAsJsonObject().get("outputShape").toString());

        Run all = Run.of("plan", f.toString(), "--json");
        assertEquals(Main.OK, all.exit(), all.err());
        JsonArray both = JsonParser.parseString(all.out()).getAsJsonArray();
        assertEquals(2, both.size());
        assertEquals("Small", both.get(0).getAsJsonObject().get("network").getAsString());
        assertEquals(o, both.get(1).getAsJsonObject());
    }

    @Test
    void anUnknownNetworkOrANetworkWithATrainBlockIsAClearError(@TempDir Path dir) throws IOException {
        Run unknown = Run.of("plan", networks(dir).toString(), "--network", "Big");
        assertEquals(Main.ERRORS, unknown.exit());
        assertEquals("", unknown.out());
        assertEquals("error: no network named Big; the networks are Small, Tiny", unknown.err().strip());
        Run both = Run.of("plan", "../examples/iris.ann", "--network", "IrisNet", "--train", "IrisNet");
        assertEquals(Main.USAGE, both.exit());
        assertTrue(both.err().contains("give one or the other"), both.err());
        // a file with train blocks: --network still shows the network alone
        Run iris = Run.of("plan", "../examples/iris.ann", "--network", "IrisNet");
        assertEquals(Main.OK, iris.exit(), iris.err());
        assertTrue(iris.out().startsWith("network IrisNet: input [4] → output [3]") && !iris.out().contains("optimizer"), iris.out());
        Path empty = dir.resolve("empty.ann");
        Files.writeString(empty, "const width = 4\n");
        Run none = Run.of("plan", empty.toString());
        assertEquals(Main.ERRORS, none.exit());
        assertTrue(none.err().contains("no train block"), none.err());
    }

    @Test
    void missingDataFilesDoNotStopPlanning(@TempDir Path dir) throws IOException {
        Path examples = FashionFixture.examples(dir, false);
        Run without = Run.of("plan", examples.resolve("fashion_cnn.ann").toString(), "--profile", "dev");
        assertEquals(Main.OK, without.exit(), without.err());
        assertEquals(4, without.err().lines().filter(l -> l.contains("warning[E043]: IDX")).count(), without.err());
        assertTrue(without.err().contains("note: 4 data files are missing"), without.err());
        assertFalse(without.err().contains("error"), without.err());
        FashionFixture.examples(dir, true);
        Run with = Run.of("plan", examples.resolve("fashion_cnn.ann").toString(), "--profile", "dev");
        assertEquals(Main.OK, with.exit(), with.err());
        assertEquals("", with.err());
        assertEquals(with.out(), without.out(), "the same plan: the samples are what the network takes");
        Files.delete(dir.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz"));
        Run train = Run.of("train", examples.resolve("fashion_cnn.ann").toString(), "--profile", "dev");
        assertEquals(Main.ERRORS, train.exit(), "training needs the data");
        assertTrue(train.err().contains("error[E043]: IDX label file not found"), train.err());
    }

    @Test
    void unknownTrainOrProfileIsAnErrorThatNamesTheChoices() {
        Run r = Run.of("plan", "../examples/iris.ann", "--profile", "fast");
        assertEquals(Main.ERRORS, r.exit());
        assertTrue(r.err().contains("fast") && r.err().contains("dev"), r.err());
    }
}
