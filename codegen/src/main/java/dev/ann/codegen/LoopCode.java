package dev.ann.codegen;

import static dev.ann.codegen.Types.code;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeSpec;
import dev.ann.plan.Plan;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The training loop of the generated trainer, in the order of the runtime's
 * {@code Trainer.run}: per epoch the order from {@code Seeds.mix(seed, e)},
 * per batch ND4J's generator reseeded with {@code Seeds.mix(seed, e, b)},
 * {@code net.forward}, {@code loss.compute}, {@code net.backward}, the
 * schedule's rate, {@code opt.apply}; then validation, the best epoch, early
 * stopping and the checkpoints. Every op is a kernel call.
 */
final class LoopCode {
    private final Plan plan;
    private final DataCode data;
    private final KernelCalls kernels;
    private final boolean classification;
    private final ClassName options = ClassName.get("", "Options");
    private final ClassName samples = ClassName.get("", "Samples");
    private final ClassName splits = ClassName.get("", "Splits");
    static final ClassName BATCH = ClassName.get("", "Batch");
    static final ClassName STATE = ClassName.get("", "State");

    LoopCode(Plan plan, DataCode data, KernelCalls kernels) {
        this.plan = plan;
        this.data = data;
        this.kernels = kernels;
        this.classification = !data.regression;
    }

    /** The metric whose best epoch's weights are kept, as the runtime chooses it, or null. */
    String bestMetric() {
        Plan.Checkpoint ck = plan.loop().checkpoint();
        if (ck != null && ck.keepBest() != null) return ck.keepBest();
        return plan.loop().earlyStopping() != null ? plan.loop().earlyStopping().monitor() : null;
    }

    private boolean bestIsMax() {
        Plan.Checkpoint ck = plan.loop().checkpoint();
        if (ck != null && ck.keepBest() != null) return "max".equals(ck.mode());
        return plan.loop().earlyStopping() != null && "max".equals(plan.loop().earlyStopping().mode());
    }

    private boolean keepsBestFile() {
        Plan.Checkpoint ck = plan.loop().checkpoint();
        return ck != null && ck.keepBest() != null;
    }

    /** The network, loss, optimiser, schedule and batch buffers: the trainer's fields. */
    List<FieldSpec> fields() {
        List<FieldSpec> f = new java.util.ArrayList<>(List.of(
                FieldSpec.builder(KernelTypes.NETWORK, "net", Modifier.PRIVATE, Modifier.FINAL).initializer("network()").build(),
                FieldSpec.builder(KernelTypes.LOSS, "loss", Modifier.PRIVATE, Modifier.FINAL).initializer(kernels.loss()).build(),
                FieldSpec.builder(KernelTypes.OPTIMIZER, "opt", Modifier.PRIVATE, Modifier.FINAL).build(),
                FieldSpec.builder(KernelTypes.SCHEDULE, "schedule", Modifier.PRIVATE, Modifier.FINAL).initializer(kernels.schedule()).build(),
                FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(Integer.class), BATCH), "batches",
                                Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("The batch buffers by batch size, allocated once and reused on every step.\n")
                        .initializer("new $T<>()", HashMap.class).build()));
        if (plan.trainsInHalves()) {
            f.add(FieldSpec.builder(KernelTypes.BATCH_HALVES, "halves", Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("Each batch trains as two halves at once, the second through a twin of the network that reads its\n"
                            + "parameters (recurrent or attention layers keep one core busy each: ann's rule, Plan.trainsInHalves).\n")
                    .initializer("new $T(net, loss, network(), $L)", KernelTypes.BATCH_HALVES, kernels.loss()).build());
        }
        return f;
    }

    MethodSpec constructor() {
        return MethodSpec.constructorBuilder()
                .addJavadoc("The optimiser starts at the learning rate of the command line ({@code --lr}).\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(options, "options")
                .addStatement("opt = $L", kernels.optimizer("options.lr"))
                .build();
    }

    private String checkpointDir() {
        Plan.Checkpoint ck = plan.loop().checkpoint();
        return ck != null ? CodeBlock.of("$T.of($S)", java.nio.file.Path.class, ck.dir()).toString() : "options.out.resolve(\"checkpoints\")";
    }

    MethodSpec trainMethod() {
        String best = bestMetric();
        Plan.EarlyStopping es = plan.loop().earlyStopping();
        Plan.Checkpoint ck = plan.loop().checkpoint();
        boolean hasState = hasState();
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("$T st = new $T()", STATE, STATE);
        b.addStatement("net.init(options.seed)");
        if (plan.loop().initFrom() != null) {
            b.add("// init from: the weights of a checkpoint replace the initialisers' (--resume then replaces them again)\n");
            b.addStatement("if (!options.resume) initFrom($T.of($S))", java.nio.file.Path.class, plan.loop().initFrom());
        }
        b.addStatement("$T train = data.train", samples);
        b.addStatement("int batchCount = (train.n + options.batch - 1) / options.batch");
        b.addStatement("$T checkpoints = $L", java.nio.file.Path.class, CodeBlock.of(checkpointDir()));
        if (best != null) b.addStatement("$T bestParams = null$L", Nd4jTypes.INDARRAY, hasState ? ", bestState = null" : "");
        b.beginControlFlow("if (options.resume)");
        b.addStatement("resume(checkpoints.resolve($S), st)", "last.ckpt");
        if (best != null) {
            b.beginControlFlow("if (st.bestValue != null && $T.exists(checkpoints.resolve($S)))", java.nio.file.Files.class, "best.ckpt");
            b.addStatement("$T[] weights = readWeights(checkpoints.resolve($S))", Nd4jTypes.INDARRAY, "best.ckpt");
            b.addStatement("bestParams = weights[0]");
            if (hasState) b.addStatement("bestState = weights[1]");
            b.endControlFlow();
        }
        b.addStatement("System.out.printf($T.ROOT, \"resuming from %s: epoch %d%n\", checkpoints.resolve($S), st.epoch + 1)", Locale.class,
                "last.ckpt");
        b.endControlFlow();
        b.addStatement("long lastWrite = System.nanoTime()");
        b.beginControlFlow("while (st.epoch < options.epochs && !st.stopped)");
        b.addStatement("int epoch = st.epoch");
        b.add("// the order of the training samples: $L\n", plan.data().shuffle() ? "a new permutation every epoch, from the seed"
                : "their own order every epoch (shuffle false)");
        b.addStatement("int[] order = $T.order($L, train.n, new $T($T.mix(options.seed, epoch)))", KernelTypes.SEEDS,
                plan.data().shuffle(), java.util.Random.class, KernelTypes.SEEDS);
        b.addStatement("long start = System.nanoTime()");
        b.addStatement("double lossSum = 0, lr = 0");
        b.addStatement(classification ? "long seen = 0, correct = 0" : "long seen = 0");
        b.beginControlFlow("for (int batch = 0; batch < batchCount; batch++)");
        b.addStatement("int from = batch * options.batch");
        b.addStatement("Batch a = batch(Math.min(options.batch, train.n - from))");
        b.addStatement("fill(a, train, order, from)");
        boolean halves = plan.trainsInHalves();
        if (halves) {
            b.add("// dropout masks of this batch come from ND4J's generator, seeded from (seed, epoch, batch) (the second half's from it mixed with 1)\n");
            b.addStatement("long stepSeed = $T.mix(options.seed, epoch, batch)", KernelTypes.SEEDS);
            b.addStatement("$T.getRandom().setSeed(stepSeed)", Nd4jTypes.ND4J);
            b.add("// forward, loss and backward of the two halves at once; net.grads() holds the batch's gradient\n");
            b.addStatement("double l = halves.gradient(a.x, a.y, stepSeed)");
        } else {
            b.add("// dropout masks of this batch come from ND4J's generator, seeded from (seed, epoch, batch)\n");
            b.addStatement("$T.getRandom().setSeed($T.mix(options.seed, epoch, batch))", Nd4jTypes.ND4J, KernelTypes.SEEDS);
            b.addStatement("$T out = net.forward(a.x, true)", Nd4jTypes.INDARRAY);
            b.addStatement("double l = loss.compute(out, a.y, a.grad(out))");
        }
        b.beginControlFlow("if (!Double.isFinite(l))");
        b.addStatement("throw new ArithmeticException(String.format($T.ROOT,$W$S$W+ $S,$WDouble.isNaN(l) ? \"NaN\" : \"infinite\", epoch + 1, batch + 1, options.lr))",
                Locale.class, "the loss became %s at epoch %d, batch %d; training stopped. ",
                "Try a lower learning rate (--lr, now %g) or check the data for extreme values.");
        b.endControlFlow();
        if (!halves) b.addStatement("net.backward(a.grad)");
        b.addStatement("lr = schedule.lr(opt.lr0, epoch, (double) batch / batchCount, options.epochs)");
        b.addStatement("opt.apply(net.params(), net.grads(), lr)");
        b.addStatement("lossSum += l * a.n");
        b.addStatement("seen += a.n");
        if (classification && halves) {
            b.beginControlFlow("for (int part = 0; part < halves.parts(); part++)");
            b.addStatement("correct += $T.correct(halves.out(part), halves.y(part), $L, $T.threshold(net))", KernelTypes.METRICS, data.binary,
                    KernelTypes.METRICS);
            b.endControlFlow();
        } else if (classification) {
            b.addStatement("correct += $T.correct(out, a.y, $L, $T.threshold(net))", KernelTypes.METRICS, data.binary, KernelTypes.METRICS);
        }
        b.endControlFlow();
        b.addStatement("double seconds = (System.nanoTime() - start) / 1e9");
        b.addStatement("st.trainSeconds += seconds");
        b.addStatement("st.trainSamples += seen");
        b.addStatement("st.lr = lr");
        b.addStatement("$T<String, Double> row = new $T<>()", Map.class, LinkedHashMap.class);
        b.addStatement("row.put(\"epoch\", (double) (epoch + 1))");
        b.addStatement("row.put(\"lr\", lr)");
        b.addStatement("row.put(\"train_loss\", lossSum / Math.max(1, seen))");
        if (classification) b.addStatement("row.put(\"train_accuracy\", (double) correct / Math.max(1, seen))");
        if (data.hasValidation()) {
            b.beginControlFlow("if (data.validation != null)");
            b.addStatement("evaluate(data.validation$L).asMap().forEach((name, value) -> row.put(\"val_\" + name, value))", classesArg());
            b.endControlFlow();
        }
        b.addStatement("row.put(\"seconds\", seconds)");
        b.addStatement("row.put(\"samples_per_s\", seen / Math.max(1e-9, seconds))");
        b.addStatement("st.history.add(row)");
        b.addStatement("printEpoch(row, options.epochs)");
        b.addStatement("st.epoch = epoch + 1");
        if (best != null) {
            b.addStatement("boolean improved = false");
            b.beginControlFlow("if (row.containsKey($S))", best);
            b.addStatement("double value = row.get($S)", best);
            b.beginControlFlow("if ($T.improves(value, st.bestValue, $L, 0))", KernelTypes.METRICS, bestIsMax());
            b.addStatement("st.bestValue = value");
            b.addStatement("st.bestEpoch = epoch + 1");
            b.addStatement("improved = true");
            b.addStatement("bestParams = net.params().dup()");
            if (hasState) b.addStatement("bestState = net.state().dup()");
            b.endControlFlow();
            b.endControlFlow();
        }
        if (es != null) {
            boolean max = "max".equals(es.mode());
            b.add("// early stopping: $L, patience $L\n", es.monitor(), es.patience());
            b.beginControlFlow("if (row.containsKey($S))", es.monitor());
            b.addStatement("double value = row.get($S)", es.monitor());
            b.beginControlFlow("if ($T.improves(value, st.stoppingBest, $L, $L))", KernelTypes.METRICS, max, Code.lit(es.minDelta()));
            b.addStatement("st.stoppingBest = value");
            b.addStatement("st.badEpochs = 0");
            b.nextControlFlow("else if (++st.badEpochs >= $L)", es.patience());
            b.addStatement("st.stopped = true");
            b.addStatement("System.out.printf($T.ROOT, \"early stopping: %s has not improved for %d epochs (best %.4f)%n\",$W$S, $L, st.stoppingBest)",
                    Locale.class, es.monitor(), es.patience());
            b.endControlFlow();
            b.endControlFlow();
        }
        boolean every = ck != null && ck.every() > 0;
        b.add("// checkpoints: last.ckpt $Lat least every 30 s and at the end$L\n",
                every ? "every " + ck.every() + " epochs (and epoch-NNNN.ckpt), " : "",
                keepsBestFile() ? "; best.ckpt when " + best + " improves" : "");
        if (every) b.addStatement("boolean every = (epoch + 1) % $L == 0", ck.every());
        b.addStatement("boolean end = st.epoch >= options.epochs || st.stopped");
        b.addStatement("boolean timely = System.nanoTime() - lastWrite > 30_000_000_000L");
        b.beginControlFlow("if ($Lend || timely)", every ? "every || " : "");
        b.addStatement("saveCheckpoint(checkpoints.resolve($S), options, data, st)", "last.ckpt");
        b.addStatement("lastWrite = System.nanoTime()");
        b.endControlFlow();
        if (every) {
            b.addStatement("if (every) saveCheckpoint(checkpoints.resolve(String.format($T.ROOT, $S, epoch + 1)), options, data, st)",
                    Locale.class, "epoch-%04d.ckpt");
        }
        if (keepsBestFile()) b.addStatement("if (improved) saveCheckpoint(checkpoints.resolve($S), options, data, st)", "best.ckpt");
        b.endControlFlow();
        if (best != null) {
            b.beginControlFlow("if (bestParams != null && st.bestEpoch != st.epoch)");
            b.addStatement("net.params().assign(bestParams)");
            if (hasState) b.addStatement("net.state().assign(bestState)");
            b.addStatement("System.out.printf($T.ROOT, \"restored the weights of epoch %d (best %s %.4f)%n\",$Wst.bestEpoch, $S, st.bestValue)",
                    Locale.class, best);
            b.endControlFlow();
        }
        b.addStatement("saveCheckpoint(options.out.resolve(\"model.ckpt\"), options, data, st)");
        b.addStatement("writeMetrics(options.out.resolve(\"metrics.csv\"), st.history)");
        if (data.hasTest()) {
            b.addStatement("Samples test = data.test != null ? data.test : $L", data.hasValidation() ? "data.validation" : "null");
            b.addStatement("if (test != null) printResult(data.test != null ? \"test\" : \"validation\", evaluate(test$L))", classesArg());
        } else if (data.hasValidation()) {
            b.addStatement("if (data.validation != null) printResult(\"validation\", evaluate(data.validation$L))", classesArg());
        }
        b.addStatement("System.out.printf($T.ROOT, \"%,.0f samples/s (training); weights written to %s%n\",$Wst.trainSamples / Math.max(1e-9, st.trainSeconds), options.out.resolve(\"model.ckpt\"))",
                Locale.class);
        return MethodSpec.methodBuilder("train")
                .addJavadoc("Trains as the train block says, printing one line of metrics per epoch and writing checkpoints;\n"
                        + "writes model.ckpt and metrics.csv to {@code options.out}, then evaluates on the test split.\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(options, "options")
                .addParameter(splits, "data")
                .addException(java.io.IOException.class)
                .addCode(b.build())
                .build();
    }

    boolean hasState() {
        return plan.params().stream().anyMatch(p -> !p.trainable());
    }

    private String classesArg() {
        return classification ? ", data.classNames.size()" : "";
    }

    MethodSpec evaluateMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("double lossSum = 0");
        b.addStatement(classification ? "int[] predicted = new int[s.n]" : "float[] predicted = new float[s.n * OUTPUTS]");
        b.beginControlFlow("for (int from = 0; from < s.n; from += $T.EVALUATION_BATCH)", KernelTypes.NETWORK);
        b.addStatement("Batch a = batch(Math.min($T.EVALUATION_BATCH, s.n - from))", KernelTypes.NETWORK);
        b.addStatement("fill(a, s, null, from)");
        b.addStatement("$T out = net.forward(a.x, false)", Nd4jTypes.INDARRAY);
        b.addStatement("lossSum += loss.compute(out, a.y, null) * a.n");
        if (classification) {
            b.addStatement("$T.predict(out, $L, $T.threshold(net), predicted, from)", KernelTypes.METRICS, data.binary, KernelTypes.METRICS);
        } else {
            b.addStatement("$T.arraycopy(out.castTo($T.FLOAT).data().asFloat(), 0, predicted, from * OUTPUTS, a.n * OUTPUTS)",
                    System.class, Nd4jTypes.DATA_TYPE);
        }
        b.endControlFlow();
        b.addStatement("double loss = s.n == 0 ? Double.NaN : lossSum / s.n");
        if (classification) b.addStatement("return $T.of(s.n, loss, classes, s.labels, predicted)", KernelTypes.METRICS_CLASSES);
        else b.addStatement("return $T.of(s.n, loss, s.targets, predicted)", KernelTypes.METRICS_REGRESSION);
        MethodSpec.Builder m = MethodSpec.methodBuilder("evaluate")
                .addJavadoc("Runs the network over a whole split in evaluation mode, $T.EVALUATION_BATCH samples at a time, and measures it.\n",
                        KernelTypes.NETWORK)
                .addModifiers(Modifier.PRIVATE)
                .returns(classification ? KernelTypes.METRICS_CLASSES : KernelTypes.METRICS_REGRESSION)
                .addParameter(samples, "s");
        if (classification) m.addParameter(int.class, "classes");
        return m.addCode(b.build()).build();
    }

    MethodSpec fillMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        boolean oneHot = classification && !data.binary;
        if (oneHot) b.addStatement("$T.fill(a.hostY, 0f)", java.util.Arrays.class);
        b.beginControlFlow("for (int i = 0; i < a.n; i++)");
        b.addStatement("int j = order == null ? from + i : order[from + i]");
        b.addStatement("$T.arraycopy(s.x, j * SAMPLE_SIZE, a.hostX, i * SAMPLE_SIZE, SAMPLE_SIZE)", System.class);
        if (oneHot) b.addStatement("a.hostY[i * OUTPUTS + s.labels[j]] = 1f");
        else if (data.binary) b.addStatement("a.hostY[i * OUTPUTS] = s.labels[j]");
        else b.addStatement("$T.arraycopy(s.targets, j * OUTPUTS, a.hostY, i * OUTPUTS, OUTPUTS)", System.class);
        b.endControlFlow();
        b.addStatement("$T.copyIn(a.x, a.hostX)", KernelTypes.K);
        b.addStatement("$T.copyIn(a.y, a.hostY)", KernelTypes.K);
        return MethodSpec.methodBuilder("fill")
                .addJavadoc("Copies samples {@code order[from..]} (or {@code from..} when order is null) into {@code a.x} and\n"
                        + (oneHot ? "their classes, one-hot," : data.binary ? "their labels" : "their targets") + " into {@code a.y}.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(BATCH, "a")
                .addParameter(samples, "s")
                .addParameter(int[].class, "order")
                .addParameter(int.class, "from")
                .addCode(b.build())
                .build();
    }

    MethodSpec batchMethod() {
        return MethodSpec.methodBuilder("batch")
                .addJavadoc("The buffers for a batch of {@code n} samples, made on first use.\n")
                .addModifiers(Modifier.PRIVATE)
                .returns(BATCH)
                .addParameter(int.class, "n")
                .addStatement("return batches.computeIfAbsent(n, Batch::new)")
                .build();
    }

    TypeSpec batchType() {
        return TypeSpec.classBuilder("Batch")
                .addJavadoc("One batch size's features and targets, on the Java heap and as ND4J arrays, and the loss's gradient.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addField(int.class, "n", Modifier.FINAL)
                .addField(float[].class, "hostX", Modifier.FINAL)
                .addField(float[].class, "hostY", Modifier.FINAL)
                .addField(Nd4jTypes.INDARRAY, "x", Modifier.FINAL)
                .addField(Nd4jTypes.INDARRAY, "y", Modifier.FINAL)
                .addField(Nd4jTypes.INDARRAY, "grad")
                .addMethod(MethodSpec.constructorBuilder()
                        .addParameter(int.class, "n")
                        .addStatement("this.n = n")
                        .addStatement("hostX = new float[n * SAMPLE_SIZE]")
                        .addStatement("hostY = new float[n * OUTPUTS]")
                        .addStatement("long[] shape = new long[INPUT_SHAPE.length + 1]")
                        .addStatement("shape[0] = n")
                        .addStatement("$T.arraycopy(INPUT_SHAPE, 0, shape, 1, INPUT_SHAPE.length)", System.class)
                        .addStatement("x = $T.create($T.FLOAT, shape)", Nd4jTypes.ND4J, Nd4jTypes.DATA_TYPE)
                        .addStatement("y = $T.create($T.FLOAT, n, OUTPUTS)", Nd4jTypes.ND4J, Nd4jTypes.DATA_TYPE)
                        .build())
                .addMethod(MethodSpec.methodBuilder("grad")
                        .addJavadoc("The buffer for the gradient of the loss with respect to {@code out}, made on first use.\n")
                        .returns(Nd4jTypes.INDARRAY)
                        .addParameter(Nd4jTypes.INDARRAY, "out")
                        .addStatement("if (grad == null) grad = $T.createUninitialized(out.dataType(), out.shape())", Nd4jTypes.ND4J)
                        .addStatement("return grad")
                        .build())
                .build();
    }

    TypeSpec stateType() {
        return TypeSpec.classBuilder("State")
                .addJavadoc("The loop's state between epochs: what a checkpoint carries besides the arrays.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addField(int.class, "epoch")
                .addField(double.class, "lr")
                .addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class),
                                ParameterizedTypeName.get(Map.class, String.class, Double.class)), "history", Modifier.FINAL)
                        .initializer("new $T<>()", java.util.ArrayList.class).build())
                .addField(Double.class, "bestValue")
                .addField(int.class, "bestEpoch")
                .addField(Double.class, "stoppingBest")
                .addField(int.class, "badEpochs")
                .addField(boolean.class, "stopped")
                .addField(double.class, "trainSeconds")
                .addField(long.class, "trainSamples")
                .build();
    }
}
