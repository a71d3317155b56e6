package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.CompileException;
import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.NetworkLayers;
import dev.ann.compiler.Workspace;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import dev.ann.plan.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PlanBuilder fills every Plan record from a checked train block. */
class PlanTest {
    static final Path DATA = FixtureTest.ROOT.resolve("data");

    static Compilation compile(String text) {
        Workspace ws = new Workspace();
        Path file = FixtureTest.ROOT.resolve("plan_test.ann");   // in the fixtures folder, so "data/..." resolves
        ws.open(file, text);
        return Compiler.compile(ws, file);
    }

    static final String CNN = """
            dataset Digits {
                train idx("data/digits-images.idx", "data/digits-labels.idx")
                test idx("data/digits-images.idx.gz", "data/digits-labels.idx.gz")
                scale 1/255
                validation 10%
                classes "a", "b", "c", "d", "e"
            }
            block Conv(f: int) {
                conv2d(f, kernel: 3, padding: same)
                batchnorm
                relu
            }
            network Net {
                input [1, 8, 8]
                Conv(4)
                maxpool(2)
                parallel concat {
                    branch { conv2d(2, kernel: 1) }
                    branch { conv2d(3, kernel: 3, padding: same, init: xavier, bias: false) }
                }
                globalavgpool
                features = dense(6, init: normal(0.02)) -> relu
                residual {
                    dense(6)
                }
                dropout(0.5)
                dense(5) -> softmax
            }
            train Net on Digits {
                loss cross_entropy
                optimizer sgd(lr: 0.05, momentum: 0.9)
                schedule step(every: 2, gamma: 0.5)
                batch 3
                epochs 4
                metrics accuracy, loss
                early_stopping(monitor: val_accuracy, patience: 2)
                checkpoint "runs/net" every 2, keep best(val_loss)
                seed 9
                device cpu
                repeat 2
            }
            profile dev {
                epochs 1
                subset 50%
                resize [4, 4]
                batch 2
            }
            """;

    @Test
    void opsAreTopologicalWithResolvedArgsAndNames() throws CompileException {
        Compilation c = compile(CNN);
        assertEquals(List.of(), c.diagnostics(), () -> c.diagnostics().toString());
        Plan plan = c.plan(null, null);
        List<String> kinds = plan.ops().stream().map(Op::kind).toList();
        assertEquals(List.of("input", "conv2d", "batchnorm", "relu", "maxpool", "conv2d", "conv2d", "concat", "globalavgpool",
                "dense", "relu", "dense", "add", "dropout", "dense", "softmax"), kinds);
        for (Op op : plan.ops()) {
            assertEquals(plan.ops().indexOf(op), op.id());
            for (int in : op.inputs()) assertTrue(in < op.id(), "inputs come first: " + op);
        }
        Op concat = plan.ops().get(7);
        assertEquals(List.of(5, 6), concat.inputs());
        assertEquals(Shape.of(5, 4, 4), concat.outShape());
        Op add = plan.ops().get(12);
        assertEquals(List.of(10, 11), add.inputs(), "residual: the input and the body's end");
        assertEquals("features", plan.ops().get(9).name());
        assertEquals("input", plan.ops().get(0).name());
        assertEquals("conv2d_1", plan.ops().get(1).name());
        Op pool = plan.ops().get(4);
        assertEquals(Map.of("size", 2, "stride", 2, "padding", "valid"), pool.args().values(), "stride defaults to size");
        assertEquals(Map.of("filters", 4, "kernel", 3, "stride", 1, "padding", "same", "dilation", 1, "bias", true, "init", "he"),
                plan.ops().get(1).args().values());
        assertEquals(Shape.of(1, 8, 8), plan.inputShape());
        assertEquals(Shape.of(5), plan.outputShape());
        assertTrue(plan.ops().get(1).source().line() > 0);
    }

    @Test
    void missingDataFilesStopTrainingButNotPlanning() throws CompileException {
        Compilation withData = compile(CNN);
        Compilation c = compile(CNN.replace("data/digits-", "data/no-such-"));
        assertEquals(4, c.missingData().size(), () -> c.diagnostics().toString());
        assertTrue(c.missingData().stream().allMatch(d -> d.code().equals("E043")));
        assertEquals(List.of(), c.planningErrors());
        assertThrows(CompileException.class, () -> c.plan(null, null), "training needs the data");
        for (String profile : new String[] {null, "dev"}) {
            Plan expected = withData.plan(null, profile);
            Plan plan = c.planWithoutData(null, profile);
            assertEquals(expected.ops(), plan.ops(), profile);
            assertEquals(expected.architectureHash(), plan.architectureHash());
            assertEquals(expected.data().sampleShape(), plan.data().sampleShape(), "the samples are what the network takes");
            assertEquals(expected.data().labels(), plan.data().labels(), "the declared classes");
            assertTrue(plan.data().sources().get(0).args().values().get("images").toString().endsWith("data/no-such-images.idx"));
        }
        assertEquals(Shape.of(1, 4, 4), c.planWithoutData(null, "dev").data().sampleShape(), "resize applies");
    }

    /**
     * A source at a URI (hdfs://, s3a://, file://) is not read when checking (W006, not E043): the plan keeps the URI as
     * written, the samples' shape comes from features:, the classes from the network's output; training reads it.
     */
    @Test
    void aDataUriIsKeptAsWrittenAndNotRead() throws CompileException {
        String text = """
                dataset Iris {
                    csv("hdfs://127.0.0.1:9000/data/iris.csv", header: true, features: 0..3, label: 4)
                    split train 70%, validation 15%, test 15%
                }
                network Net {
                    input [4]
                    dense(3) -> softmax
                }
                train Net on Iris {
                    loss cross_entropy
                    optimizer adam(lr: 1e-2)
                    epochs 1
                }
                """;
        Compilation c = compile(text);
        assertTrue(c.diagnostics().stream().noneMatch(d -> d.isError()), c.diagnostics().toString());
        var w = c.diagnostics().stream().filter(d -> d.code().equals("W006")).toList();
        assertEquals(1, w.size(), c.diagnostics().toString());
        assertTrue(w.get(0).message().contains("hdfs://127.0.0.1:9000/data/iris.csv is not read now"), w.get(0).message());
        Plan plan = c.plan(null, null);
        assertEquals("hdfs://127.0.0.1:9000/data/iris.csv", plan.data().sources().get(0).args().getString("path"));
        assertEquals(Shape.of(4), plan.data().sampleShape());
        assertEquals(3, plan.data().labels().numClasses());
        // a URI that is not one: an error where it is written
        Compilation bad = compile(text.replace("127.0.0.1:9000/data", "name node/data"));
        assertEquals(List.of("E043"), bad.diagnostics().stream().filter(d -> d.isError()).map(d -> d.code()).toList());
        assertTrue(DataPipeline.isUri("s3a://bucket/iris.csv") && DataPipeline.isUri("file:///data/iris.csv"));
        assertFalse(DataPipeline.isUri("data/iris.csv") || DataPipeline.isUri("C:\\data\\iris.csv") || DataPipeline.isUri("/data/a://b"));
    }

    /** A classification over train.csv and test.csv, labels in column 1; the network has three outputs. */
    static final String NUMS = """
            dataset Nums {
                train csv("train.csv", header: true, features: [0], label: 1)
                test csv("test.csv", header: true, features: [0], label: 1)
            }
            network Net {
                input [1]
                dense(3) -> softmax
            }
            train Net on Nums {
                loss cross_entropy
                optimizer adam(lr: 1e-2)
                batch 2
                epochs 1
            }
            """;

    /** text as dir/nums.ann, compiled in ws. */
    static Compilation compileAt(Workspace ws, Path dir, String text) {
        Path file = dir.resolve("nums.ann");
        ws.open(file, text);
        return Compiler.compile(ws, file);
    }

    /**
     * With a data file missing (E043), the classes are not counted from the files that are there (a test file
     * may lack a class): the network's output gives them, as for a source that is not read, so a trained model's
     * eval goes on, and no E046 says that the output is wrong.
     */
    @Test
    void aMissingFileLeavesTheClassesToTheNetwork(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("test.csv"), "x,kind\n1.0,bee\n2.0,cat\n");
        Workspace ws = new Workspace();
        Compilation c = compileAt(ws, dir, NUMS);
        assertEquals(List.of("E043"), c.diagnostics().stream().filter(d -> d.isError()).map(d -> d.code()).toList(), () -> c.diagnostics().toString());
        assertEquals(3, c.planWithoutData(null, null).data().labels().numClasses(), "the network's three outputs");
        java.nio.file.Files.writeString(dir.resolve("train.csv"), "x,kind\n1.0,bee\n2.0,cat\n");
        Compilation whole = compileAt(ws, dir, NUMS);
        assertEquals(List.of("E046"), whole.diagnostics().stream().filter(d -> d.isError()).map(d -> d.code()).toList(),
                "with every file there, two classes against three outputs is an error");
    }

    /** Class names in CSV files: the classes are those of every file together, not those of the file with the most. */
    @Test
    void csvClassesAreEveryFilesLabels(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("train.csv"), "x,kind\n1.0,ant\n2.0,bee\n1.5,ant\n");
        java.nio.file.Files.writeString(dir.resolve("test.csv"), "x,kind\n1.0,bee\n2.0,cat\n");
        Workspace ws = new Workspace();
        Compilation c = compileAt(ws, dir, NUMS);
        assertFalse(c.hasErrors(), () -> c.diagnostics().toString());
        assertEquals(List.of("ant", "bee", "cat"), c.plan(null, null).data().labels().classNames());
        Compilation two = compileAt(ws, dir, NUMS.replace("dense(3)", "dense(2)"));
        assertTrue(two.diagnostics().stream().anyMatch(d -> d.code().equals("E046") && d.message().contains("has 3 classes")),
                () -> two.diagnostics().toString());
    }

    @Test
    void otherErrorsStillStopPlanningWithoutData() {
        Compilation c = compile(CNN.replace("data/digits-", "data/no-such-").replace("maxpool(2)", "maxpool(2, nope: 1)"));
        assertFalse(c.planningErrors().isEmpty());
        CompileException e = assertThrows(CompileException.class, () -> c.planWithoutData(null, null));
        assertFalse(e.diagnostics().isEmpty());
        assertTrue(e.diagnostics().stream().noneMatch(d -> d.code().equals("E043")), e.diagnostics().toString());
    }

    @Test
    void aNetworkOnItsOwnHasThePlansOps() throws CompileException {
        Compilation c = compile(CNN);
        assertEquals(List.of("Net"), c.networkNames());
        NetworkLayers net = c.network("Net");
        Plan plan = c.plan(null, null);
        assertEquals(plan.ops(), net.ops());
        assertEquals(plan.params(), net.params());
        assertEquals(Shape.of(1, 8, 8), net.input());
        assertEquals(Shape.of(5), net.output());
        CompileException unknown = assertThrows(CompileException.class, () -> c.network("Digits"));
        assertEquals("no network named Digits; the networks are Net", unknown.getMessage());
        Compilation alone = compile("""
                network A {
                    input [3]
                    dense(2)
                }
                network B {
                    input [2]
                    dense(1) -> sigmoid
                }
                """);
        assertEquals(List.of(), alone.diagnostics());
        assertEquals(List.of("A", "B"), alone.networkNames());
        assertEquals(List.of(), alone.trainNames());
        assertEquals(8, alone.network("A").ops().get(1).paramCount(), "3 x 2 weights and 2 biases");
        assertEquals(List.of("input", "dense", "sigmoid"), alone.network("B").ops().stream().map(Op::kind).toList());
    }

    @Test
    void paramsAreNamedShapedAndInitialised() throws CompileException {
        Plan plan = compile(CNN).plan(null, null);
        Map<String, Param> byName = new java.util.LinkedHashMap<>();
        for (Param p : plan.params()) byName.put(p.name(), p);
        Param w = byName.get("conv2d_1.weight");
        assertEquals(Shape.of(4, 1, 3, 3), w.shape());
        assertEquals("he", w.init().kind());
        assertEquals(Math.sqrt(2.0 / 9), w.init().std(), 1e-12, "he: sqrt(2 / fan_in), fan_in = 1*3*3");
        assertEquals("zeros", byName.get("conv2d_1.bias").init().kind());
        assertTrue(byName.get("batchnorm_1.gamma").trainable());
        assertEquals("ones", byName.get("batchnorm_1.gamma").init().kind());
        assertFalse(byName.get("batchnorm_1.running_mean").trainable());
        assertFalse(byName.get("batchnorm_1.running_var").trainable());
        assertEquals("xavier", byName.get("conv2d_3.weight").init().kind());
        assertNull(byName.get("conv2d_3.bias"), "bias: false");
        Param dense = byName.get("features.weight");
        assertEquals(Shape.of(5, 6), dense.shape(), "dense weight is [in, out]");
        assertEquals("normal", dense.init().kind());
        assertEquals(0.02, dense.init().std(), 1e-12);
        long trainable = plan.params().stream().filter(Param::trainable).mapToLong(p -> p.shape().size()).sum();
        assertEquals(plan.ops().stream().mapToLong(Op::paramCount).sum(), trainable);
        for (Op op : plan.ops()) for (String p : op.params()) assertEquals(op.id(), byName.get(p).op());
    }

    @Test
    void lossOptimiserScheduleMetricsLoopAndData() throws CompileException {
        Plan plan = compile(CNN).plan("Net", null);
        assertEquals(Plan.Task.CLASSIFICATION, plan.task());
        assertEquals("cross_entropy", plan.loss().kind());
        assertEquals(false, plan.loss().args().getBool("from_logits"), "a final softmax: the runtime fuses");
        assertEquals("sgd", plan.optimizer().kind());
        assertEquals(0.05, plan.optimizer().args().getDouble("lr"));
        assertEquals(0.9, plan.optimizer().args().getDouble("momentum"));
        assertEquals(false, plan.optimizer().args().getBool("nesterov"), "defaults are filled in");
        assertEquals("step", plan.schedule().kind());
        assertEquals(2, plan.schedule().args().getInt("every"));
        assertEquals(List.of("accuracy", "loss"), plan.metrics());
        assertEquals(new Plan.EarlyStopping("val_accuracy", 2, 0.0, "max"), plan.loop().earlyStopping());
        assertEquals(FixtureTest.ROOT.resolve("runs/net").toString(), plan.loop().checkpoint().dir());
        assertEquals("min", plan.loop().checkpoint().mode());
        assertEquals(3, plan.loop().batch());
        assertEquals(4, plan.loop().epochs());
        assertEquals(2, plan.loop().repeat());
        assertEquals("cpu", plan.loop().device());
        assertEquals(9, plan.seed());
        DataPipeline d = plan.data();
        assertEquals("Digits", d.dataset());
        assertEquals(List.of("train", "test"), d.sources().stream().map(DataPipeline.Source::role).toList());
        assertEquals(DATA.resolve("digits-images.idx").toString(), d.sources().get(0).args().getString("images"));
        assertTrue(Path.of(d.sources().get(1).args().getString("labels")).isAbsolute());
        assertEquals(new DataPipeline.Labels("classes", List.of("a", "b", "c", "d", "e"), 5, 0), d.labels());
        assertEquals(1.0 / 255, d.scale(), 1e-15);
        assertEquals(0.1, d.validation(), 1e-15);
        assertEquals(9, d.shuffleSeed(), "the train block's seed when the dataset gives none");
        assertEquals(1.0, d.subset());
        assertNull(d.resize());
        assertNull(d.split());
    }

    @Test
    void aProfileIsAppliedWhenThePlanIsMade() throws CompileException {
        Compilation c = compile(CNN);
        Plan base = c.plan("Net", null);
        Plan dev = c.plan("Net", "dev");
        assertEquals("dev", dev.profile());
        assertEquals(1, dev.loop().epochs());
        assertEquals(2, dev.loop().batch());
        assertEquals(0.5, dev.data().subset());
        assertEquals(List.of(4, 4), dev.data().resize());
        assertEquals(Shape.of(1, 4, 4), dev.inputShape());
        assertEquals(Shape.of(1, 4, 4), dev.data().sampleShape());
        assertEquals(Shape.of(4, 2, 2), dev.ops().get(4).outShape(), "maxpool after the resize");
        assertEquals(base.params().size(), dev.params().size());
        assertNotEquals(base.architectureHash(), dev.architectureHash(), "shapes changed");
        assertEquals("sgd", dev.optimizer().kind(), "what the profile does not override stays");
    }

    @Test
    void jsonRoundTripGivesAnEqualPlan() throws CompileException {
        Plan plan = compile(CNN).plan(null, "dev");
        String json = plan.toJson();
        Plan back = Plan.fromJson(json);
        assertEquals(plan, back);
        assertEquals(json, back.toJson());
        assertEquals(plan.architectureHash(), Plan.hashArchitecture(back.ops(), back.params()));
    }

    @Test
    void theHashIsStableAndSeesTheArchitectureOnly() throws CompileException {
        Plan a = compile(CNN).plan(null, null);
        Plan b = compile(CNN.replace("epochs 4", "epochs 40")).plan(null, null);
        Plan wider = compile(CNN.replace("conv2d(2, kernel: 1)", "conv2d(3, kernel: 1)")).plan(null, null);
        assertEquals(a.architectureHash(), b.architectureHash());
        assertNotEquals(a.architectureHash(), wider.architectureHash());
    }

    @Test
    void logitsBinaryRegressionAndDefaults() throws CompileException {
        Compilation c = compile("""
                dataset Gates { csv("data/gates.csv", header: true, features: 0..1, label: 2) }
                dataset Houses { csv("data/houses.csv", header: true, features: 0..2, target: 3..4)
                                 split train 60%, test 40% }
                network Logit { input [2]; dense(1) }
                network Prob { input [2]; dense(1) -> sigmoid }
                network Value { input [3]; dense(2) }
                network Scores { input [2]; dense(2) }
                train logit = Logit on Gates { loss binary_cross_entropy }
                train prob = Prob on Gates { loss binary_cross_entropy }
                train value = Value on Houses { loss huber }
                train scores = Scores on Gates { loss cross_entropy }
                """);
        assertEquals(List.of(), c.diagnostics(), () -> c.diagnostics().toString());
        Plan logit = c.plan("logit", null);
        assertEquals(Plan.Task.BINARY, logit.task());
        assertEquals(true, logit.loss().args().getBool("from_logits"));
        assertEquals(false, c.plan("prob", null).loss().args().getBool("from_logits"));
        assertEquals(true, c.plan("scores", null).loss().args().getBool("from_logits"));
        Plan value = c.plan("value", null);
        assertEquals(Plan.Task.REGRESSION, value.task());
        assertEquals(new DataPipeline.Labels("targets", List.of(), 0, 2), value.data().labels());
        assertEquals(List.of(3, 4), value.data().sources().get(0).args().getInts("target"));
        assertEquals(new DataPipeline.Split(0.6, 0.0, 0.4), value.data().split());
        assertEquals(1.0, value.loss().args().getDouble("delta"));
        assertEquals("adam", value.optimizer().kind(), "default optimiser");
        assertEquals(1e-3, value.optimizer().args().getDouble("lr"));
        assertEquals("constant", value.schedule().kind());
        assertEquals(List.of("loss", "mae"), value.metrics());
        assertEquals(PlanBuilder.DEFAULT_BATCH, value.loop().batch());
        assertEquals("auto", value.loop().device());
        assertEquals(List.of("0", "1"), List.of("0", "1"));
        assertEquals(2, logit.data().labels().numClasses());
    }

    @Test
    void plansAreRefusedWithErrorsOrUnknownNames() {
        Compilation broken = compile(CNN.replace("dense(5)", "dense(0)"));
        CompileException e = assertThrows(CompileException.class, () -> broken.plan(null, null));
        assertFalse(e.diagnostics().isEmpty());
        Compilation ok = compile(CNN);
        assertTrue(assertThrows(CompileException.class, () -> ok.plan("Nope", null)).getMessage().contains("Net"));
        assertTrue(assertThrows(CompileException.class, () -> ok.plan(null, "fast")).getMessage().contains("dev"));
        assertEquals(List.of("Net"), ok.trainNames());
        assertEquals(List.of("dev"), ok.profileNames());
    }

    /** Plan.trainsInHalves: recurrent or attention layers, batches of 250 MFLOP or more, neither batchnorm nor a dilated convolution; one thread per half. */
    @Test
    void sequenceNetworksTrainInHalves() {
        String data = CNN.substring(CNN.indexOf("dataset"), CNN.indexOf("block Conv"));
        java.util.function.BiFunction<String, Integer, Plan> plan = (layers, batch) -> {
            try {
                return compile(data + """
                network Seq {
                    input [1, 8, 8]
                %s
                    dense(5) -> softmax
                }
                train Seq on Digits {
                    loss cross_entropy
                    optimizer adam(lr: 0.01)
                    batch %d
                    epochs 1
                }
                """.formatted(layers, batch)).plan(null, null);
            } catch (CompileException e) {
                throw new AssertionError(layers + ": " + e.getMessage(), e);
            }
        };
        String R = "    reshape([8, 8])\n";
        Plan lstm = plan.apply(R + "    lstm(256)", 64);
        assertTrue(lstm.trainsInHalves(), "an lstm");
        assertTrue(lstm.trainsBestOnOneThread(), "each half on one thread");
        assertTrue(plan.apply(R + "    gru(256)", 128).trainsInHalves(), "a gru");
        assertTrue(plan.apply(R + "    dense(512)\n    attention(2)\n    flatten", 16).trainsInHalves(), "attention");
        assertFalse(plan.apply(R + "    lstm(4)", 32).trainsInHalves(), "a small lstm: under the FLOPs a second thread needs");
        assertTrue(plan.apply(R + "    lstm(4)", 32).trainsBestOnOneThread(), "a small lstm: one thread");
        assertFalse(plan.apply(R + "    flatten\n    dense(2048) -> relu\n    dense(2048) -> relu", 64).trainsInHalves(), "dense layers alone");
        assertFalse(plan.apply(R + "    lstm(256)", 1).trainsInHalves(), "a batch of one sample");
        assertFalse(plan.apply("    batchnorm\n" + R + "    lstm(256)", 64).trainsInHalves(), "batchnorm: the statistics of the whole batch");
        assertFalse(plan.apply(R + "    conv1d(8, kernel: 2, dilation: 2)\n    lstm(256)", 128).trainsInHalves(), "a dilated convolution");
        assertTrue(plan.apply(R + "    conv1d(8, kernel: 2)\n    lstm(256)", 128).trainsInHalves(), "an undilated convolution");
    }
}
