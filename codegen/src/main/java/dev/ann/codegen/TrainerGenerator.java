package dev.ann.codegen;

import static dev.ann.codegen.Types.code;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.JavaFile;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * {@code ann generate}: one standalone Java class per train block that needs
 * only the JDK and ND4J and trains exactly like {@code ann train}: the same
 * initial weights from the seed, the same data order, the same float32 ND4J
 * ops in the same order, the same metrics, early stopping and checkpoint
 * format. It mirrors the runtime ({@code dev.ann.runtime}) without depending
 * on it: the compiler knows no ND4J, so ND4J types are named, never loaded.
 */
public final class TrainerGenerator {
    /** The ND4J version the generated code is compiled and run against (the root pom's). */
    public static final String ND4J_VERSION = "1.0.0-M2.1";

    private final Plan plan;
    private final String packageName;
    private final String className;
    private final JavaNames names = new JavaNames();
    private final NetworkCode net;
    private final TrainingCode training;
    private final DataCode data;
    private final boolean classification;
    private final ClassName activations = ClassName.get("", "Activations");
    private final ClassName options = ClassName.get("", "Options");
    private final ClassName samples = ClassName.get("", "Samples");
    private final ClassName splits = ClassName.get("", "Splits");
    private final ClassName metrics = ClassName.get("", "Metrics");

    private TrainerGenerator(Plan plan, String packageName) {
        this.plan = plan;
        this.packageName = packageName == null ? "" : packageName;
        this.className = JavaNames.trainerClass(plan.train());
        for (String reserved : List.of("a", "x", "y", "n", "out", "gradOut", "training", "params", "grads", "state", "step",
                "update", "firstMoment", "secondMoment", "velocity", "squares", "activations", "batchSize", "hostX", "hostY",
                "outputGrad", "lossExp", "lossTerms", "lossProbs", "lossScratch", "lossDiff", "lossAbs", "lossClipped")) {
            names.reserve(reserved);
        }
        this.net = new NetworkCode(plan, names, new SourceLines());
        this.training = new TrainingCode(plan, net.fusion);
        this.data = new DataCode(plan);
        this.classification = !data.regression;
    }

    /** The trainer class's simple name for a train block, e.g. {@code IrisNetTrainer}. */
    public static String className(Plan plan) {
        return JavaNames.trainerClass(plan.train());
    }

    /**
     * Generates the trainer for a plan.
     *
     * @param packageName the Java package, or empty for none
     * @throws IllegalArgumentException when the plan uses something the generator does not support, saying what
     */
    public static JavaFile generate(Plan plan, String packageName) {
        return new TrainerGenerator(plan, packageName).file();
    }

    private JavaFile file() {
        // first: the network code declares the buffers and fields it uses
        MethodSpec forward = net.forwardMethod();
        MethodSpec backward = net.backwardMethod();
        TypeSpec.Builder t = TypeSpec.classBuilder(className)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc(classDoc());
        t.addField(constant(int.class, "SAMPLE_SIZE", String.valueOf(data.sampleShape.length == 0 ? 1 : plan.inputShape().size()),
                "Values per sample: input " + plan.inputShape() + "."));
        t.addField(constant(int.class, "OUTPUTS", String.valueOf(data.outputs), "Values per output: " + plan.outputShape() + "."));
        t.addField(FieldSpec.builder(long[].class, "INPUT_SHAPE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("{$L}", Code.longs(data.sampleShape)).build());
        if (classification && !plan.data().labels().classNames().isEmpty()) {
            List<String> quoted = new ArrayList<>();
            for (String c : plan.data().labels().classNames()) quoted.add(CodeBlock.of("$S", c).toString());
            t.addField(FieldSpec.builder(ParameterizedTypeName.get(List.class, String.class), "CLASS_NAMES",
                            Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer("$T.of($L)", List.class, String.join(", ", quoted)).build());
        }
        t.addField(FieldSpec.builder(int.class, "EVALUATION_BATCH", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Samples per forward pass when evaluating.\n").initializer("256").build());

        for (FieldSpec f : net.fields) t.addField(f);
        for (FieldSpec f : training.optimizerFields(net.trainableCount)) t.addField(f);
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(Map.class), TypeName.INT.box(), activations),
                        "activations", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("Intermediate arrays by batch size, allocated once and reused on every step.\n")
                .initializer("new $T<>()", java.util.HashMap.class).build());

        // the methods, in reading order
        t.addMethod(mainMethod());
        t.addMethod(relaunchMethod());
        t.addMethod(data.loadDataMethod());
        for (MethodSpec m : data.helperMethods()) t.addMethod(m);
        t.addMethod(net.initialiseMethod());
        t.addMethod(forward);
        t.addMethod(backward);
        t.addMethod(training.lossMethod());
        t.addMethod(training.updateMethod());
        if (training.usesAdam()) t.addMethod(training.adamMethod());
        if (training.hasSchedule()) t.addMethod(training.scheduleMethod());
        t.addMethod(trainMethod());
        t.addMethod(trainingStepMethod());
        if (classification) t.addMethod(countCorrectMethod());
        t.addMethod(evaluateMethod());
        t.addMethod(fillMethod());
        t.addMethod(activationsMethod());
        t.addMethod(printEpochMethod());
        t.addMethod(printResultMethod());
        t.addMethod(saveCheckpointMethod());
        t.addMethod(jsonMethod());
        t.addMethod(writeMetricsMethod());
        t.addMethod(net.viewMethod());
        if (net.usesGaussian()) t.addMethod(net.gaussianMethod());
        if (net.usesBatchnorm()) t.addMethods(net.batchnormMethods());
        t.addMethod(permutationMethod());
        t.addMethod(mixMethod());

        t.addType(optionsType());
        for (TypeSpec nested : data.types()) t.addType(nested);
        t.addType(activationsType());
        t.addType(metricsType());

        JavaFile.Builder f = JavaFile.builder(packageName, t.build())
                .skipJavaLangImports(true)
                .indent("    ")
                .addFileComment("Generated by `ann generate` from $L (train block $L$L).\n", Path.of(plan.file()).getFileName(),
                        plan.train(), plan.profile() != null ? ", profile " + plan.profile() : "")
                .addFileComment("Needs only the JDK and ND4J $L (nd4j-native).", ND4J_VERSION);
        if (net.usesIndex) f.addStaticImport(Nd4jTypes.INDEX, "all", "interval");
        return f.build();
    }

    private static FieldSpec constant(Class<?> type, String name, String value, String doc) {
        return FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc(doc + "\n").initializer(value).build();
    }

    private CodeBlock classDoc() {
        String file = Path.of(plan.file()).getFileName().toString();
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("Trains network {@code $L} on dataset {@code $L} as train block {@code $L} of {@code $L} declares it$L.\n",
                plan.network(), plan.data().dataset(), plan.train(), file,
                plan.profile() != null ? ", with profile {@code " + plan.profile() + "}" : "");
        b.add("\n<p>It trains exactly like {@code ann train $L$L}: the same initial weights from the seed,\n", file,
                plan.train().equals(plan.network()) ? "" : " --train " + plan.train());
        b.add("the same order of samples, the same float32 ND4J operations in the same order; it prints the\n");
        b.add("same per-epoch metrics and writes the trained weights as {@code model.ckpt} in the checkpoint\n");
        b.add("format of {@code ann train}, which {@code ann eval} and {@code ann predict} read.\n");
        b.add("\n<pre>\n  java $L $L[--epochs N] [--batch N] [--lr RATE] [--seed S] [--out DIR]\n</pre>\n",
                className, data.pathOptions.isEmpty() ? "" : data.pathOptions.stream().map(o -> "[" + o.flag() + " FILE] ")
                        .reduce("", String::concat));
        return b.build();
    }

    // ---- main and options --------------------------------------------------------------------

    private MethodSpec mainMethod() {
        return MethodSpec.methodBuilder("main")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .addParameter(String[].class, "args")
                .addCode(code("""
                        Options options = Options.parse(args);
                        int relaunched = relaunchWithThreadSettings(args);
                        if (relaunched >= 0) System.exit(relaunched);
                        // ND4J's oneDNN build, as ann train loads it; set before the first ND4J class loads
                        if (System.getProperty("org.bytedeco.javacpp.platform.extension") == null) {
                            System.setProperty("org.bytedeco.javacpp.platform.extension", "-onednn");
                        }
                        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
                        try {
                            Splits data = loadData(options);
                            new $name:L().train(options, data);
                        } catch ($nosuchfile:T e) {
                            System.err.println("error: " + e.getFile() + ": no such file; pass its path with the data options (--help)");
                            System.exit(1);
                        } catch ($ioexception:T | IllegalArgumentException e) {
                            System.err.println("error: " + e.getMessage());
                            System.exit(1);
                        } catch (ArithmeticException e) {
                            System.err.println("error: " + e.getMessage());
                            System.exit(3);
                        }
                        """, Map.of("name", className)))
                .build();
    }

    private MethodSpec relaunchMethod() {
        return MethodSpec.methodBuilder("relaunchWithThreadSettings")
                .addJavadoc("ND4J's OpenMP threads read their settings from the environment when its native library starts.\n"
                        + "When {@code OMP_WAIT_POLICY} is not set, runs this class again in a child JVM with\n"
                        + "{@code OMP_WAIT_POLICY=passive}, as {@code ann train} does: idle threads that spin take the cores\n"
                        + "from the threads that work" + (plan.trainsBestOnOneThread()
                                ? "; and, as {@code ann train} does for a network this small,\n"
                                + "{@code OMP_NUM_THREADS=1}: its ops are too small for a second thread to pay off"
                                : "") + ".\nReturns the child's exit code, or -1 to go on in this JVM.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(int.class)
                .addParameter(String[].class, "args")
                .addCode(code(oneThread("""
                        if (System.getenv("OMP_WAIT_POLICY") != null) return -1;
                        $list:T<String> command = new $arraylist:T<>();
                        command.add(ProcessHandle.current().info().command()
                                .orElse($path:T.of(System.getProperty("java.home"), "bin", "java").toString()));
                        command.addAll($management:T.getRuntimeMXBean().getInputArguments());
                        command.addAll($list:T.of("-cp", System.getProperty("java.class.path"), $name:L.class.getName()));
                        command.addAll($list:T.of(args));
                        ProcessBuilder child = new ProcessBuilder(command).inheritIO();
                        child.environment().put("OMP_WAIT_POLICY", "passive");
                        try {
                            return child.start().waitFor();
                        } catch ($ioexception:T e) {
                            return -1;
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return 3;
                        }
                        """), Map.of("name", className, "management", ClassName.get(java.lang.management.ManagementFactory.class))))
                .build();
    }

    /** The relaunch code, plus one OpenMP thread where the plan trains best on one (as ann train does). */
    private String oneThread(String relaunch) {
        if (!plan.trainsBestOnOneThread()) return relaunch;
        String passive = "child.environment().put(\"OMP_WAIT_POLICY\", \"passive\");\n";
        return relaunch.replace(passive, passive
                + "if (System.getenv(\"OMP_NUM_THREADS\") == null) child.environment().put(\"OMP_NUM_THREADS\", \"1\");\n");
    }

    private TypeSpec optionsType() {
        TypeSpec.Builder t = TypeSpec.classBuilder("Options")
                .addJavadoc("The command line: what users tune without regenerating. Defaults are the train block's.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL);
        t.addField(FieldSpec.builder(int.class, "epochs").initializer("$L", plan.loop().epochs()).build());
        t.addField(FieldSpec.builder(int.class, "batch").initializer("$L", plan.loop().batch()).build());
        t.addField(FieldSpec.builder(double.class, "lr").initializer("$L", Code.lit(training.lr0)).build());
        t.addField(FieldSpec.builder(long.class, "seed").initializer("$LL", plan.seed()).build());
        for (DataCode.PathOption o : data.pathOptions) {
            t.addField(FieldSpec.builder(Path.class, o.field()).initializer("$T.of($S)", Path.class, o.path()).build());
        }
        t.addField(FieldSpec.builder(Path.class, "out").initializer("$T.of($S, $S, $S)", Path.class, "runs", plan.train(), "generated").build());

        List<String> lines = new ArrayList<>();
        lines.add("usage: java " + className + " [options]");
        lines.add("  --epochs N     epochs to train (default " + plan.loop().epochs() + ")");
        lines.add("  --batch N      samples per batch (default " + plan.loop().batch() + ")");
        lines.add("  --lr RATE      learning rate (default " + Code.lit(training.lr0) + ")");
        lines.add("  --seed S       seed of all randomness (default " + plan.seed() + ")");
        for (DataCode.PathOption o : data.pathOptions) {
            lines.add(String.format(Locale.ROOT, "  %-14s %s", o.flag() + " FILE", o.what()));
        }
        lines.add("  --out DIR      where model.ckpt and metrics.csv go (default runs/" + plan.train() + "/generated)");
        CodeBlock.Builder cases = CodeBlock.builder();
        cases.addStatement("case \"--epochs\" -> o.epochs = positive(flag, value)");
        cases.addStatement("case \"--batch\" -> o.batch = positive(flag, value)");
        cases.addStatement("case \"--lr\" -> o.lr = number(flag, value)");
        cases.addStatement("case \"--seed\" -> o.seed = (long) number(flag, value)");
        for (DataCode.PathOption o : data.pathOptions) cases.addStatement("case $S -> o.$L = $T.of(value)", o.flag(), o.field(), Path.class);
        cases.addStatement("case \"--out\" -> o.out = $T.of(value)", Path.class);
        cases.addStatement("default -> fail(\"unknown option \" + flag)");

        t.addMethod(MethodSpec.methodBuilder("parse")
                .addModifiers(Modifier.STATIC)
                .returns(options)
                .addParameter(String[].class, "args")
                .addStatement("Options o = new Options()")
                .beginControlFlow("for (int i = 0; i < args.length; i++)")
                .addStatement("String flag = args[i]")
                .beginControlFlow("if (flag.equals(\"--help\") || flag.equals(\"-h\"))")
                .addStatement("System.out.println(USAGE)")
                .addStatement("System.exit(0)")
                .endControlFlow()
                .addStatement("if (i + 1 == args.length) fail(flag + \" needs a value\")")
                .addStatement("String value = args[++i]")
                .beginControlFlow("switch (flag)")
                .addCode(cases.build())
                .endControlFlow()
                .endControlFlow()
                .addStatement("return o")
                .build());
        t.addMethod(MethodSpec.methodBuilder("positive")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(int.class)
                .addParameter(String.class, "flag").addParameter(String.class, "value")
                .addStatement("double v = number(flag, value)")
                .addStatement("if (v < 1 || v != Math.rint(v)) fail(flag + \" wants a positive whole number, got \" + value)")
                .addStatement("return (int) v")
                .build());
        t.addMethod(MethodSpec.methodBuilder("number")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(double.class)
                .addParameter(String.class, "flag").addParameter(String.class, "value")
                .beginControlFlow("try")
                .addStatement("return Double.parseDouble(value)")
                .nextControlFlow("catch (NumberFormatException e)")
                .addStatement("fail(flag + \" wants a number, got \" + value)")
                .addStatement("return 0")
                .endControlFlow()
                .build());
        t.addMethod(MethodSpec.methodBuilder("fail")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "message")
                .addStatement("System.err.println(\"error: \" + message)")
                .addStatement("System.err.println(USAGE)")
                .addStatement("System.exit(2)")
                .build());
        CodeBlock.Builder usageInit = CodeBlock.builder();
        usageInit.add("String.join(System.lineSeparator(),\n$>$>");
        for (int i = 0; i < lines.size(); i++) usageInit.add(i + 1 < lines.size() ? "$S,\n" : "$S)", lines.get(i));
        usageInit.add("$<$<");
        t.addField(FieldSpec.builder(String.class, "USAGE", Modifier.STATIC, Modifier.FINAL).initializer(usageInit.build()).build());
        return t.build();
    }

    // ---- the trainer -------------------------------------------------------------------------

    private Plan.EarlyStopping earlyStopping() {
        return plan.loop().earlyStopping();
    }

    /** The metric whose best epoch's weights are kept, as the runtime chooses it, or null. */
    private String bestMetric() {
        Plan.Checkpoint ck = plan.loop().checkpoint();
        if (ck != null && ck.keepBest() != null) return ck.keepBest();
        return earlyStopping() != null ? earlyStopping().monitor() : null;
    }

    private boolean bestIsMax() {
        Plan.Checkpoint ck = plan.loop().checkpoint();
        if (ck != null && ck.keepBest() != null) return "max".equals(ck.mode());
        return earlyStopping() != null && "max".equals(earlyStopping().mode());
    }

    private MethodSpec trainMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("samples", samples);
        b.add(code("""
                initialise(options.seed);
                Samples train = data.train;
                int batches = (train.n + options.batch - 1) / options.batch;
                $list:T<$map:T<String, Double>> history = new $arraylist:T<>();
                """));
        String best = bestMetric();
        Plan.EarlyStopping es = earlyStopping();
        boolean hasState = net.hasState();
        if (best != null) {
            b.addStatement("$T bestParams = null$L", Nd4jTypes.INDARRAY, hasState ? ", bestState = null" : "");
            b.addStatement("Double bestValue = null");
            b.addStatement("int bestEpoch = 0");
        }
        if (es != null) {
            b.addStatement("Double stoppingBest = null");
            b.addStatement("int badEpochs = 0");
        }
        b.addStatement("long trainSamples = 0");
        b.addStatement("double trainSeconds = 0");
        b.beginControlFlow("for (int epoch = 0; epoch < options.epochs; epoch++)");
        if (plan.data().shuffle()) {
            b.add("// a new order of the training samples every epoch, from the seed\n");
            b.addStatement("int[] order = permutation(train.n, new $T(mix(options.seed, epoch)))", java.util.Random.class);
        } else {
            b.add("// the training samples in their own order every epoch (shuffle false)\n");
            b.addStatement("int[] order = $T.range(0, train.n).toArray()", java.util.stream.IntStream.class);
        }
        b.addStatement("long start = System.nanoTime()");
        b.addStatement("double lossSum = 0, lr = 0");
        b.addStatement(classification ? "long seen = 0, correct = 0" : "long seen = 0");
        b.beginControlFlow("for (int batch = 0; batch < batches; batch++)");
        b.addStatement("int from = batch * options.batch");
        b.addStatement("Activations a = activations(Math.min(options.batch, train.n - from))");
        b.addStatement("fill(a, train, order, from)");
        if (net.forwardTakesTrainingFlag() && usesDropout()) {
            b.add("// dropout masks of this batch come from ND4J's generator, seeded from (seed, epoch, batch)\n");
            b.addStatement("$T.getRandom().setSeed(mix(options.seed, epoch, batch))", Nd4jTypes.ND4J);
        }
        b.addStatement(training.hasSchedule()
                ? "lr = learningRate(options.lr, epoch, (double) batch / batches, options.epochs)"
                : "lr = options.lr");
        b.addStatement("double loss = trainingStep(a, lr)");
        b.beginControlFlow("if (!Double.isFinite(loss))");
        b.addStatement("throw new ArithmeticException(String.format($T.ROOT,$W$S$W+ $S,$WDouble.isNaN(loss) ? \"NaN\" : \"infinite\", epoch + 1, batch + 1, options.lr))",
                Locale.class, "the loss became %s at epoch %d, batch %d; training stopped. ",
                "Try a lower learning rate (--lr, now %g) or check the data for extreme values.");
        b.endControlFlow();
        b.addStatement("lossSum += loss * a.batchSize");
        b.addStatement("seen += a.batchSize");
        if (classification) b.addStatement("correct += countCorrect(a)");
        b.endControlFlow();
        b.addStatement("double seconds = (System.nanoTime() - start) / 1e9");
        b.addStatement("trainSeconds += seconds");
        b.addStatement("trainSamples += seen");
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
        b.addStatement("history.add(row)");
        b.addStatement("printEpoch(row, options.epochs)");
        if (best != null) {
            b.beginControlFlow("if (row.containsKey($S))", best);
            b.addStatement("double value = row.get($S)", best);
            b.beginControlFlow("if (bestValue == null || value $L bestValue)", bestIsMax() ? ">" : "<");
            b.addStatement("bestValue = value");
            b.addStatement("bestEpoch = epoch + 1");
            b.addStatement("bestParams = params.dup()");
            if (hasState) b.addStatement("bestState = state.dup()");
            b.endControlFlow();
            b.endControlFlow();
        }
        if (es != null) {
            boolean max = "max".equals(es.mode());
            b.add("// early stopping: $L, patience $L\n", es.monitor(), es.patience());
            b.beginControlFlow("if (row.containsKey($S))", es.monitor());
            b.addStatement("double value = row.get($S)", es.monitor());
            b.beginControlFlow("if (stoppingBest == null || value $L stoppingBest $L $L)", max ? ">" : "<", max ? "+" : "-",
                    Code.lit(es.minDelta()));
            b.addStatement("stoppingBest = value");
            b.addStatement("badEpochs = 0");
            b.nextControlFlow("else if (++badEpochs >= $L)", es.patience());
            b.addStatement("System.out.printf($T.ROOT, \"early stopping: %s has not improved for %d epochs (best %.4f)%n\",$W$S, $L, stoppingBest)",
                    Locale.class, es.monitor(), es.patience());
            b.addStatement("break");
            b.endControlFlow();
            b.endControlFlow();
        }
        b.endControlFlow();
        if (best != null) {
            b.beginControlFlow("if (bestParams != null && bestEpoch != history.size())");
            b.addStatement("params.assign(bestParams)");
            if (hasState) b.addStatement("state.assign(bestState)");
            b.addStatement("System.out.printf($T.ROOT, \"restored the weights of epoch %d (best %s %.4f)%n\",$WbestEpoch, $S, bestValue)",
                    Locale.class, best);
            b.endControlFlow();
        }
        b.addStatement("saveCheckpoint(options.out.resolve(\"model.ckpt\"), options, data, history)");
        b.addStatement("writeMetrics(options.out.resolve(\"metrics.csv\"), history)");
        if (data.hasTest()) {
            b.addStatement("Samples test = data.test != null ? data.test : $L", data.hasValidation() ? "data.validation" : "null");
            b.addStatement("if (test != null) printResult(data.test != null ? \"test\" : \"validation\", evaluate(test$L))", classesArg());
        } else if (data.hasValidation()) {
            b.addStatement("if (data.validation != null) printResult(\"validation\", evaluate(data.validation$L))", classesArg());
        }
        b.addStatement("System.out.printf($T.ROOT, \"%,.0f samples/s (training); weights written to %s%n\",$WtrainSamples / Math.max(1e-9, trainSeconds), options.out.resolve(\"model.ckpt\"))",
                Locale.class);
        return MethodSpec.methodBuilder("train")
                .addJavadoc("Trains as the train block says, printing one line of metrics per epoch; writes model.ckpt and\n"
                        + "metrics.csv to {@code options.out}, then evaluates on the test split.\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(options, "options")
                .addParameter(splits, "data")
                .addException(java.io.IOException.class)
                .addCode(b.build())
                .build();
    }

    private String classesArg() {
        return classification ? ", data.classNames.size()" : "";
    }

    private boolean usesDropout() {
        return plan.ops().stream().anyMatch(op -> op.kind().equals("dropout") && NetworkCode.num(op.args(), "rate", 0.5) > 0);
    }

    private MethodSpec trainingStepMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("$T out = forward(a, a.x$L)", Nd4jTypes.INDARRAY, net.forwardTakesTrainingFlag() ? ", true" : "");
        b.addStatement("double loss = loss(a, out, a.y, true)");
        b.addStatement("if (!Double.isFinite(loss)) return loss");
        b.addStatement("backward(a, $La.outputGrad)", net.backwardTakesInput() ? "a.x, " : "");
        b.addStatement("update(lr)");
        b.addStatement("return loss");
        return MethodSpec.methodBuilder("trainingStep")
                .addJavadoc("One step on the batch in {@code a}: forward, loss, backward, update. Returns the batch's loss;\n"
                        + "the weights are left alone when it is not finite.\n")
                .addModifiers(Modifier.PRIVATE)
                .returns(double.class)
                .addParameter(activations, "a")
                .addParameter(double.class, "lr")
                .addCode(b.build())
                .build();
    }

    /** The training output buffer after a training forward pass. */
    private String trainingOutput() {
        return "a." + trainingOutputBuffer();
    }

    private String trainingOutputBuffer() {
        // forward returns the buffer of the op whose output is the training output
        Op op = plan.ops().get(net.outId);
        for (NetworkCode.Buffer buf : net.buffers) {
            if (buf.doc().startsWith(op.name() + ":") || buf.doc().equals(op.name())) return buf.name();
        }
        throw new IllegalStateException("no output buffer");
    }

    private MethodSpec countCorrectMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        if (data.binary) {
            b.addStatement("float[] out = $L.data().asFloat(), y = a.y.data().asFloat()", trainingOutput());
            b.addStatement("long correct = 0");
            b.addStatement("for (int i = 0; i < a.batchSize; i++) if ((out[i * OUTPUTS] > $L ? 1f : 0f) == y[i * OUTPUTS]) correct++",
                    net.fusion == NetworkCode.OutputFusion.SIGMOID ? "0.0" : "0.5");
            b.addStatement("return correct");
        } else {
            b.addStatement("int[] predicted = $L.argMax(1).toIntVector(), truth = a.y.argMax(1).toIntVector()", trainingOutput());
            b.addStatement("long correct = 0");
            b.addStatement("for (int i = 0; i < predicted.length; i++) if (predicted[i] == truth[i]) correct++");
            b.addStatement("return correct");
        }
        return MethodSpec.methodBuilder("countCorrect")
                .addJavadoc("Samples of the batch just trained on whose predicted class is right.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(long.class)
                .addParameter(activations, "a")
                .addCode(b.build())
                .build();
    }

    private MethodSpec evaluateMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("double lossSum = 0");
        b.addStatement(classification ? "int[] predicted = new int[s.n]" : "float[] predicted = new float[s.n * OUTPUTS]");
        b.beginControlFlow("for (int from = 0; from < s.n; from += EVALUATION_BATCH)");
        b.addStatement("Activations a = activations(Math.min(EVALUATION_BATCH, s.n - from))");
        b.addStatement("fill(a, s, null, from)");
        b.addStatement("$T out = forward(a, a.x$L)", Nd4jTypes.INDARRAY, net.forwardTakesTrainingFlag() ? ", false" : "");
        b.addStatement("lossSum += loss(a, out, a.y, false) * a.batchSize");
        if (data.binary) {
            b.addStatement("float[] values = out.data().asFloat()");
            b.add("// $L\n", net.fusion == NetworkCode.OutputFusion.SIGMOID ? "logits: the sigmoid is left to the loss" : "probabilities");
            b.addStatement("for (int i = 0; i < a.batchSize; i++) predicted[from + i] = values[i * OUTPUTS] > $L ? 1 : 0",
                    net.fusion == NetworkCode.OutputFusion.SIGMOID ? "0.0" : "0.5");
        } else if (classification) {
            b.addStatement("$T.arraycopy(out.argMax(1).toIntVector(), 0, predicted, from, a.batchSize)", System.class);
        } else {
            b.addStatement("$T.arraycopy(out.castTo($T.FLOAT).data().asFloat(), 0, predicted, from * OUTPUTS, a.batchSize * OUTPUTS)",
                    System.class, Nd4jTypes.DATA_TYPE);
        }
        b.endControlFlow();
        b.addStatement("double loss = s.n == 0 ? Double.NaN : lossSum / s.n");
        if (classification) {
            b.addStatement("int k = classes");
            b.addStatement("for (int i = 0; i < s.n; i++) k = Math.max(k, Math.max(s.labels[i], predicted[i]) + 1)");
            b.addStatement("long[][] confusion = new long[k][k]");
            b.addStatement("for (int i = 0; i < s.n; i++) confusion[s.labels[i]][predicted[i]]++");
            b.addStatement("return new Metrics(s.n, loss, confusion)");
        } else {
            b.add(code("""
                    double squares = 0, absolute = 0, mean = 0, total = 0;
                    for (float t : s.targets) mean += t;
                    mean /= s.targets.length;
                    for (int i = 0; i < s.targets.length; i++) {
                        double d = predicted[i] - s.targets[i];
                        squares += d * d;
                        absolute += Math.abs(d);
                        total += (s.targets[i] - mean) * (s.targets[i] - mean);
                    }
                    return new Metrics(s.n, loss, squares / s.targets.length, absolute / s.targets.length,
                            total > 0 ? 1 - squares / total : Double.NaN);
                    """));
        }
        MethodSpec.Builder m = MethodSpec.methodBuilder("evaluate")
                .addJavadoc("Runs the network over a whole split in evaluation mode and measures it.\n")
                .addModifiers(Modifier.PRIVATE)
                .returns(metrics)
                .addParameter(samples, "s");
        if (classification) m.addParameter(int.class, "classes");
        return m.addCode(b.build()).build();
    }

    private MethodSpec fillMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        boolean oneHot = classification && !data.binary;
        if (oneHot) b.addStatement("$T.fill(a.hostY, 0f)", java.util.Arrays.class);
        b.beginControlFlow("for (int i = 0; i < a.batchSize; i++)");
        b.addStatement("int j = order == null ? from + i : order[from + i]");
        b.addStatement("$T.arraycopy(s.x, j * SAMPLE_SIZE, a.hostX, i * SAMPLE_SIZE, SAMPLE_SIZE)", System.class);
        if (oneHot) b.addStatement("a.hostY[i * OUTPUTS + s.labels[j]] = 1f");
        else if (data.binary) b.addStatement("a.hostY[i * OUTPUTS] = s.labels[j]");
        else b.addStatement("$T.arraycopy(s.targets, j * OUTPUTS, a.hostY, i * OUTPUTS, OUTPUTS)", System.class);
        b.endControlFlow();
        b.addStatement("a.x.data().setData(a.hostX)");
        b.addStatement("a.y.data().setData(a.hostY)");
        return MethodSpec.methodBuilder("fill")
                .addJavadoc("Copies samples {@code order[from..]} (or {@code from..} when order is null) into {@code a.x} and\n"
                        + (oneHot ? "their classes, one-hot," : data.binary ? "their labels" : "their targets") + " into {@code a.y}.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(activations, "a")
                .addParameter(samples, "s")
                .addParameter(int[].class, "order")
                .addParameter(int.class, "from")
                .addCode(b.build())
                .build();
    }

    private MethodSpec activationsMethod() {
        return MethodSpec.methodBuilder("activations")
                .addJavadoc("The intermediate arrays for a batch of {@code n} samples, made on first use.\n")
                .addModifiers(Modifier.PRIVATE)
                .returns(activations)
                .addParameter(int.class, "n")
                .addStatement("return activations.computeIfAbsent(n, Activations::new)")
                .build();
    }

    private MethodSpec printEpochMethod() {
        return MethodSpec.methodBuilder("printEpoch")
                .addJavadoc("One line per epoch, as {@code ann train} prints it when its output is not a terminal.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(ParameterizedTypeName.get(Map.class, String.class, Double.class), "row")
                .addParameter(int.class, "epochs")
                .addCode(code("""
                        StringBuilder line = new StringBuilder(String.format("epoch %d/%d", row.get("epoch").intValue(), epochs));
                        row.forEach((name, value) -> {
                            if ($list:T.of("epoch", "seconds", "samples_per_s", "lr").contains(name)) return;
                            line.append("  ").append(name).append(' ')
                                    .append(name.contains("accuracy") ? String.format("%.2f%%", 100 * value) : String.format("%.4f", value));
                        });
                        long s = Math.round(row.get("seconds"));
                        line.append(String.format("  %d:%02d  %,.0f samples/s", s / 60, s % 60, row.get("samples_per_s")));
                        System.out.println(line);
                        """))
                .build();
    }

    private MethodSpec printResultMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        if (classification) {
            b.addStatement("double p = m.accuracy(), se = Math.sqrt(p * (1 - p) / m.n)");
            b.addStatement("System.out.printf($T.ROOT, \"%s: accuracy %.2f%% ± %.2f%% (SE) over n = %d (%d correct); loss %.4f%n\",$Wsplit, 100 * p, 100 * se, m.n, m.correct(), m.loss)",
                    Locale.class);
        } else {
            b.addStatement("System.out.printf($T.ROOT, \"%s: MSE %.6g, MAE %.6g, R² %.4f over n = %d%n\",$Wsplit, m.mse, m.mae, m.r2, m.n)",
                    Locale.class);
        }
        return MethodSpec.methodBuilder("printResult")
                .addJavadoc("The final result on a split.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "split")
                .addParameter(metrics, "m")
                .addCode(b.build())
                .build();
    }

    // ---- checkpoint and metrics files --------------------------------------------------------

    private MethodSpec saveCheckpointMethod() {
        // arrays, in storage order: trainable parameters, state, optimiser state, normalisation
        List<String> arrays = new ArrayList<>();
        List<String> flat = new ArrayList<>();
        for (Param p : plan.params()) if (p.trainable()) arrays.add(arrayJson(p.name(), p.shape().toArray()));
        flat.add("params");
        if (net.hasState()) {
            for (Param p : plan.params()) if (!p.trainable()) arrays.add(arrayJson(p.name(), p.shape().toArray()));
            flat.add("state");
        }
        long count = Math.max(1, net.trainableCount);
        arrays.add(arrayJson("optimizer.s1", new int[] {(int) count}));
        flat.add(training.state1());
        if (training.state2() != null) {
            arrays.add(arrayJson("optimizer.s2", new int[] {(int) count}));
            flat.add(training.state2());
        }
        StringBuilder arch = new StringBuilder();
        for (Op op : plan.ops()) arch.append(arch.length() == 0 ? "" : ", ").append(CodeBlock.of("$S", op.kind() + " " + op.outShape()).toString().replace("\\", "\\\\"));
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("StringBuilder h = new StringBuilder(\"{\")");
        b.addStatement("h.append($S)", "\"format\": \"ann-checkpoint\", \"version\": 1, ");
        b.addStatement("h.append($S)", "\"plan_hash\": " + jsonString(plan.architectureHash()) + ", \"file\": " + jsonString(plan.file())
                + ", \"train\": " + jsonString(plan.train()) + ", \"network\": " + jsonString(plan.network())
                + ", \"task\": " + jsonString(plan.task().name().toLowerCase(Locale.ROOT)) + ", ");
        b.addStatement("h.append(\"\\\"seed\\\": \").append(options.seed)");
        b.addStatement("h.append(\", \\\"optimizer\\\": {\\\"kind\\\": \\\"$L\\\", \\\"step\\\": \").append(step).append(\"}\")", training.optimizer);
        b.addStatement("h.append(\", \\\"epoch\\\": \").append(history.size()).append(\", \\\"batch\\\": 0\")");
        b.addStatement("h.append(\", \\\"history\\\": [\")");
        b.beginControlFlow("for (int i = 0; i < history.size(); i++)");
        b.addStatement("h.append(i == 0 ? \"{\" : \", {\")");
        b.addStatement("int k = 0");
        b.beginControlFlow("for ($T<String, Double> e : history.get(i).entrySet())", ClassName.get(Map.Entry.class));
        b.addStatement("h.append(k++ == 0 ? \"\" : \", \").append(json(e.getKey())).append(\": \").append(e.getValue())");
        b.endControlFlow();
        b.addStatement("h.append(\"}\")");
        b.endControlFlow();
        b.addStatement("h.append(\"]\")");
        if (classification) {
            b.addStatement("h.append(\", \\\"class_names\\\": [\")");
            b.addStatement("for (int i = 0; i < data.classNames.size(); i++) h.append(i == 0 ? \"\" : \", \").append(json(data.classNames.get(i)))");
            b.addStatement("h.append(\"]\")");
        } else {
            b.addStatement("h.append(\", \\\"class_names\\\": []\")");
        }
        b.addStatement("h.append($S)", ", \"normalize\": " + data.normalizes());
        b.addStatement("h.append($S)", ", \"architecture\": [" + arch + "]");
        b.addStatement("h.append($S)", ", \"arrays\": [");
        for (int i = 0; i < arrays.size(); i++) b.addStatement("h.append($S)", (i == 0 ? "" : ", ") + arrays.get(i));
        if (data.normalizes()) {
            b.addStatement("h.append($S).append(data.shift.length).append($S)", ", {\"name\": \"data.shift\", \"shape\": [", "]}");
            b.addStatement("h.append($S).append(data.mul.length).append($S)", ", {\"name\": \"data.mul\", \"shape\": [", "]}");
        }
        b.addStatement("h.append($S)", "]}");
        b.addStatement("byte[] header = h.toString().getBytes($T.UTF_8)", java.nio.charset.StandardCharsets.class);
        List<String> floats = new ArrayList<>();
        for (String f : flat) floats.add(f + ".data().asFloat()");
        if (data.normalizes()) floats.addAll(List.of("data.shift", "data.mul"));
        b.add(code("""
                $files:T.createDirectories(file.toAbsolutePath().getParent());
                $path:T tmp = $files:T.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName() + ".", ".tmp");
                try ($outstream:T out = new $bufout:T($files:T.newOutputStream(tmp), 1 << 20)) {
                    $bytebuffer:T head = $bytebuffer:T.allocate(12).order($byteorder:T.LITTLE_ENDIAN);
                    head.put("ANNCKPT1".getBytes($utf8:T.US_ASCII)).putInt(header.length);
                    out.write(head.array());
                    out.write(header);
                    for (float[] values : new float[][] {$floats:L}) {
                        $bytebuffer:T bytes = $bytebuffer:T.allocate(4 * values.length).order($byteorder:T.LITTLE_ENDIAN);
                        bytes.asFloatBuffer().put(values);
                        out.write(bytes.array());
                    }
                }
                $files:T.setPosixFilePermissions(tmp, $perms:T.fromString("rw-r--r--"));
                $files:T.move(tmp, file, $copy:T.ATOMIC_MOVE, $copy:T.REPLACE_EXISTING);
                """, Map.of("floats", String.join(", ", floats), "perms", ClassName.get(java.nio.file.attribute.PosixFilePermissions.class))));
        return MethodSpec.methodBuilder("saveCheckpoint")
                .addJavadoc("Writes the weights in the checkpoint format of {@code ann train}: {@code ANNCKPT1}, the header's\n"
                        + "length (32-bit little-endian), a JSON header listing the arrays, then each array as float32\n"
                        + "little-endian. Written to a temporary file, then renamed: never a torn file.\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(Path.class, "file")
                .addParameter(options, "options")
                .addParameter(splits, "data")
                .addParameter(ParameterizedTypeName.get(ClassName.get(List.class), ParameterizedTypeName.get(Map.class, String.class, Double.class)), "history")
                .addException(java.io.IOException.class)
                .addCode(b.build())
                .build();
    }

    private static String arrayJson(String name, int[] shape) {
        StringBuilder s = new StringBuilder("{\"name\": ").append(jsonString(name)).append(", \"shape\": [");
        for (int i = 0; i < shape.length; i++) s.append(i == 0 ? "" : ", ").append(shape[i]);
        return s.append("]}").toString();
    }

    static String jsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }

    private MethodSpec jsonMethod() {
        return MethodSpec.methodBuilder("json")
                .addJavadoc("A JSON string literal.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(String.class)
                .addParameter(String.class, "s")
                .addCode(code("""
                        StringBuilder out = new StringBuilder("\\"");
                        for (char c : s.toCharArray()) {
                            if (c == '"' || c == '\\\\') out.append('\\\\').append(c);
                            else if (c < 0x20) out.append(String.format("\\\\u%04x", (int) c));
                            else out.append(c);
                        }
                        return out.append('"').toString();
                        """))
                .build();
    }

    private MethodSpec writeMetricsMethod() {
        return MethodSpec.methodBuilder("writeMetrics")
                .addJavadoc("metrics.csv: one row per epoch, as {@code ann train} writes it.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(Path.class, "file")
                .addParameter(ParameterizedTypeName.get(ClassName.get(List.class), ParameterizedTypeName.get(Map.class, String.class, Double.class)), "history")
                .addException(java.io.IOException.class)
                .addCode(code("""
                        $list:T<String> columns = new $arraylist:T<>();
                        for ($map:T<String, Double> row : history) for (String c : row.keySet()) if (!columns.contains(c)) columns.add(c);
                        StringBuilder csv = new StringBuilder(String.join(",", columns)).append('\\n');
                        for ($map:T<String, Double> row : history) {
                            $list:T<String> values = new $arraylist:T<>();
                            for (String c : columns) {
                                Double v = row.get(c);
                                values.add(v == null ? "" : c.equals("epoch") ? String.valueOf(v.intValue()) : String.format($locale:T.ROOT, "%.6g", v));
                            }
                            csv.append(String.join(",", values)).append('\\n');
                        }
                        $files:T.writeString(file, csv);
                        """))
                .build();
    }

    private MethodSpec permutationMethod() {
        return MethodSpec.methodBuilder("permutation")
                .addJavadoc("Fisher-Yates with java.util.Random: the same seed gives the same order as in {@code ann train}.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(int[].class)
                .addParameter(int.class, "n")
                .addParameter(java.util.Random.class, "random")
                .addCode(code("""
                        int[] p = new int[n];
                        for (int i = 0; i < n; i++) p[i] = i;
                        for (int i = n - 1; i > 0; i--) {
                            int j = random.nextInt(i + 1);
                            int t = p[i];
                            p[i] = p[j];
                            p[j] = t;
                        }
                        return p;
                        """))
                .build();
    }

    private MethodSpec mixMethod() {
        return MethodSpec.methodBuilder("mix")
                .addJavadoc("A seed derived from several numbers, as {@code ann train} derives the seed of each epoch and batch.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(long.class)
                .addParameter(long[].class, "values")
                .varargs()
                .addCode(code("""
                        long h = 0x9E3779B97F4A7C15L;
                        for (long v : values) {
                            h ^= v + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
                            h *= 0xBF58476D1CE4E5B9L;
                            h ^= h >>> 31;
                        }
                        return h;
                        """))
                .build();
    }

    // ---- nested types ------------------------------------------------------------------------

    private TypeSpec activationsType() {
        TypeSpec.Builder t = TypeSpec.classBuilder("Activations")
                .addJavadoc("Every intermediate array for one batch size, allocated once and reused on every step.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL);
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder().addParameter(int.class, "n");
        ClassName nd4j = Nd4jTypes.ND4J, dt = Nd4jTypes.DATA_TYPE;
        t.addField(int.class, "batchSize", Modifier.FINAL);
        ctor.addStatement("batchSize = n");
        t.addField(FieldSpec.builder(float[].class, "hostX", Modifier.FINAL).addJavadoc("the batch's features and targets, on the Java heap\n").build());
        t.addField(float[].class, "hostY", Modifier.FINAL);
        ctor.addStatement("hostX = new float[n * SAMPLE_SIZE]");
        ctor.addStatement("hostY = new float[n * OUTPUTS]");
        addBuffer(t, ctor, "x", "the batch's features", CodeBlock.of("$T.create($T.FLOAT, shape(n, INPUT_SHAPE))", nd4j, dt));
        addBuffer(t, ctor, "y", "the batch's targets", CodeBlock.of("$T.create($T.FLOAT, n, OUTPUTS)", nd4j, dt));
        long[] outShape = NetworkCode.toLong(plan.ops().get(net.outId).outShape().toArray());
        CodeBlock outAlloc = CodeBlock.of("$T.createUninitialized($T.FLOAT, n, $L)", nd4j, dt, Code.longs(outShape));
        addBuffer(t, ctor, "outputGrad", "gradient of the loss with respect to the output of forward", outAlloc);
        for (String lb : training.lossBuffers) {
            String name = "loss" + Character.toUpperCase(lb.charAt(0)) + lb.substring(1);
            addBuffer(t, ctor, name, null, outAlloc);
        }
        for (NetworkCode.Buffer buf : net.buffers) {
            long[] explicit = net.bufferShapes.get("a." + buf.name());
            CodeBlock alloc = explicit != null
                    ? CodeBlock.of("$T.createUninitialized($T.FLOAT, $L)", nd4j, dt, Code.longs(explicit))
                    : CodeBlock.of("$T.createUninitialized($T.FLOAT, n, $L)", nd4j, dt, Code.longs(buf.perSample()));
            addBuffer(t, ctor, buf.name(), buf.doc(), alloc);
        }
        t.addMethod(ctor.build());
        t.addMethod(MethodSpec.methodBuilder("shape")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(long[].class)
                .addParameter(int.class, "n").addParameter(long[].class, "sample")
                .addStatement("long[] shape = new long[sample.length + 1]")
                .addStatement("shape[0] = n")
                .addStatement("$T.arraycopy(sample, 0, shape, 1, sample.length)", System.class)
                .addStatement("return shape")
                .build());
        return t.build();
    }

    private static void addBuffer(TypeSpec.Builder t, MethodSpec.Builder ctor, String name, String doc, CodeBlock alloc) {
        FieldSpec.Builder f = FieldSpec.builder(Nd4jTypes.INDARRAY, name, Modifier.FINAL);
        if (doc != null) f.addJavadoc(doc + "\n");
        t.addField(f.build());
        ctor.addStatement("$L = $L", name, alloc);
    }

    private TypeSpec metricsType() {
        TypeSpec.Builder t = TypeSpec.classBuilder("Metrics")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addField(int.class, "n", Modifier.FINAL)
                .addField(double.class, "loss", Modifier.FINAL);
        TypeName map = ParameterizedTypeName.get(Map.class, String.class, Double.class);
        if (classification) {
            t.addJavadoc("Classification metrics of a split: loss, accuracy, and macro-averaged precision, recall and F1\n"
                    + "from the confusion matrix (rows: true class, columns: predicted).\n");
            t.addField(long[][].class, "confusion", Modifier.FINAL);
            t.addMethod(MethodSpec.constructorBuilder()
                    .addParameter(int.class, "n").addParameter(double.class, "loss").addParameter(long[][].class, "confusion")
                    .addStatement("this.n = n").addStatement("this.loss = loss").addStatement("this.confusion = confusion").build());
            t.addMethod(MethodSpec.methodBuilder("correct").returns(long.class)
                    .addStatement("long c = 0")
                    .addStatement("for (int i = 0; i < confusion.length; i++) c += confusion[i][i]")
                    .addStatement("return c").build());
            t.addMethod(MethodSpec.methodBuilder("accuracy").returns(double.class)
                    .addStatement("return n == 0 ? Double.NaN : (double) correct() / n").build());
            t.addMethod(MethodSpec.methodBuilder("asMap")
                    .addJavadoc("loss, accuracy, precision, recall, f1: the names {@code ann train} gives them.\n")
                    .returns(map)
                    .addCode(code("""
                            int k = confusion.length;
                            double precision = 0, recall = 0, f1 = 0;
                            for (int c = 0; c < k; c++) {
                                long column = 0, row = 0;
                                for (int i = 0; i < k; i++) {
                                    column += confusion[i][c];
                                    row += confusion[c][i];
                                }
                                double p = column == 0 ? 0 : (double) confusion[c][c] / column;
                                double r = row == 0 ? 0 : (double) confusion[c][c] / row;
                                precision += p;
                                recall += r;
                                f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
                            }
                            $map:T<String, Double> m = new $linkedhashmap:T<>();
                            m.put("loss", loss);
                            m.put("accuracy", accuracy());
                            m.put("precision", precision / k);
                            m.put("recall", recall / k);
                            m.put("f1", f1 / k);
                            return m;
                            """))
                    .build());
        } else {
            t.addJavadoc("Regression metrics of a split: loss, MSE, MAE and R² = 1 - SSE/SST over all target values.\n");
            t.addField(double.class, "mse", Modifier.FINAL).addField(double.class, "mae", Modifier.FINAL).addField(double.class, "r2", Modifier.FINAL);
            t.addMethod(MethodSpec.constructorBuilder()
                    .addParameter(int.class, "n").addParameter(double.class, "loss").addParameter(double.class, "mse")
                    .addParameter(double.class, "mae").addParameter(double.class, "r2")
                    .addStatement("this.n = n").addStatement("this.loss = loss").addStatement("this.mse = mse")
                    .addStatement("this.mae = mae").addStatement("this.r2 = r2").build());
            t.addMethod(MethodSpec.methodBuilder("asMap")
                    .addJavadoc("loss, mse, mae, r2: the names {@code ann train} gives them.\n")
                    .returns(map)
                    .addCode(code("""
                            $map:T<String, Double> m = new $linkedhashmap:T<>();
                            m.put("loss", loss);
                            m.put("mse", mse);
                            m.put("mae", mae);
                            m.put("r2", r2);
                            return m;
                            """))
                    .build());
        }
        return t.build();
    }
}
