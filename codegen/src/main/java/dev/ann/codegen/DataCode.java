package dev.ann.codegen;

import static dev.ann.codegen.Types.code;

import com.squareup.javapoet.ArrayTypeName;
import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import dev.ann.plan.DataPipeline;
import dev.ann.plan.Plan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The data pipeline of a Plan as Java, step for step what the runtime's
 * {@code Pipeline} does: load the sources, split after a seeded shuffle, hold
 * out validation, subset, resize, scale, normalise with statistics of the
 * training split.
 */
final class DataCode {
    /** A command-line option for one data file. */
    record PathOption(String flag, String field, String path, String what) {}

    private final DataPipeline data;
    final boolean regression;
    final boolean binary;
    final List<PathOption> pathOptions = new ArrayList<>();
    private final Map<String, DataPipeline.Source> byRole = new LinkedHashMap<>();
    private final Map<DataPipeline.Source, List<PathOption>> optionsOf = new LinkedHashMap<>();
    /** The local variable each source is read into. */
    private final Map<DataPipeline.Source, String> varOf = new LinkedHashMap<>();
    private boolean usesCsv, usesIdx;
    /** Whether some role has several sources (then {@code concat} is emitted). */
    private boolean concatenates;
    private final ClassName samples = ClassName.get("", "Samples");
    private final ClassName splits = ClassName.get("", "Splits");
    private final ClassName csv = ClassName.get("", "Csv");
    private final ClassName options = ClassName.get("", "Options");
    final long[] sampleShape;
    final int outputs;
    /** ARFF sources, texts and windows (their reading is SequenceDataCode's), or null. */
    private final SequenceDataCode sequences;

    DataCode(Plan plan) {
        this.data = plan.data();
        this.regression = "targets".equals(data.labels().kind());
        this.binary = plan.loss().kind().equals("binary_cross_entropy");
        this.sampleShape = KernelCalls.longs(plan.inputShape().toArray());
        this.outputs = (int) plan.outputShape().size();
        this.sequences = SequenceDataCode.handles(data) ? new SequenceDataCode(data, regression) : null;
        Map<String, Integer> count = new LinkedHashMap<>();
        for (DataPipeline.Source s : data.sources()) {
            byRole.putIfAbsent(s.role(), s);
            // several sources of one role are read one after the other and concatenated, in the order declared
            int k = count.merge(s.role(), 1, Integer::sum);
            varOf.put(s, (s.role().equals("all") ? "all" : s.role()) + (k == 1 ? "" : String.valueOf(k)));
            if (k > 1) concatenates = true;
            String suffix = k == 1 ? "" : "-" + k;
            String flagPrefix = s.role().equals("all") ? "--" : "--" + s.role() + "-";
            String what = (s.role().equals("all") ? "" : s.role() + " ") + (k == 1 ? "" : "(source " + k + ") ");
            List<PathOption> opts = new ArrayList<>();
            switch (s.kind()) {
                case "csv", "arff" -> {
                    usesCsv |= sequences == null;
                    opts.add(new PathOption(flagPrefix + "data" + suffix, field(s.role(), "data", k), s.args().getString("path"),
                            what + (s.kind().equals("csv") ? "CSV file" : "ARFF file")));
                }
                case "idx" -> {
                    usesIdx = true;
                    opts.add(new PathOption(flagPrefix + "images" + suffix, field(s.role(), "images", k), s.args().getString("images"), what + "IDX images"));
                    opts.add(new PathOption(flagPrefix + "labels" + suffix, field(s.role(), "labels", k), s.args().getString("labels"), what + "IDX labels"));
                }
                default -> throw new IllegalArgumentException("ann generate does not support " + s.kind() + "(...) data sources yet");
            }
            optionsOf.put(s, opts);
            pathOptions.addAll(opts);
        }
        if (data.resize() != null && !data.resize().isEmpty() && usesCsv) {
            throw new IllegalArgumentException("resize applies to images only");
        }
    }

    private static String field(String role, String name, int k) {
        String n = k == 1 ? name : name + k;
        if (role.equals("all")) return n;
        return role + Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }

    boolean normalizes() {
        // texts are token ids or counts: the runtime normalises neither
        return data.text() == null && data.normalize() != null && !data.normalize().equals("none");
    }

    /** Whether some split is held out for validation (known from the plan). */
    boolean hasValidation() {
        return byRole.containsKey("validation") || splitHasValidation() || data.validation() > 0;
    }

    /** Whether the split of "all" gives validation samples (a share, or the rest when the split gives test none). */
    private boolean splitHasValidation() {
        DataPipeline.Split sp = data.split();
        return byRole.containsKey("all") && sp != null && (sp.validation() > 0 || sp.test() == 0 && sp.train() < 1);
    }

    boolean hasTest() {
        return byRole.containsKey("test") || byRole.containsKey("all") && data.split() != null && data.split().test() > 0;
    }

    private boolean derivesClassNames() {
        return !regression && data.labels().classNames().isEmpty();
    }

    // ---- nested types ------------------------------------------------------------------------

    List<TypeSpec> types() {
        List<TypeSpec> out = new ArrayList<>();
        out.add(samplesType());
        out.add(splitsType());
        if (usesCsv && !regression) out.add(csvType());
        return out;
    }

    private TypeSpec samplesType() {
        TypeName y = regression ? TypeName.get(float[].class) : TypeName.get(int[].class);
        String yName = regression ? "targets" : "labels";
        MethodSpec.Builder select = MethodSpec.methodBuilder("select")
                .addJavadoc("The samples at the given indices, in that order.\n")
                .returns(samples)
                .addParameter(int[].class, "idx")
                .addStatement("float[] nx = new float[idx.length * size]")
                .addStatement(regression ? "float[] ny = new float[idx.length * OUTPUTS]" : "int[] ny = new int[idx.length]")
                .beginControlFlow("for (int i = 0; i < idx.length; i++)")
                .addStatement("$T.arraycopy(x, idx[i] * size, nx, i * size, size)", System.class);
        if (regression) select.addStatement("$T.arraycopy(targets, idx[i] * OUTPUTS, ny, i * OUTPUTS, OUTPUTS)", System.class);
        else select.addStatement("ny[i] = labels[idx[i]]");
        select.endControlFlow().addStatement("return new Samples(idx.length, shape, nx, ny)");
        return TypeSpec.classBuilder("Samples")
                .addJavadoc(regression
                        ? "Samples in memory: features row-major, one sample after the other, and their targets.\n"
                        : "Samples in memory: features row-major, one sample after the other, and a class index each.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addField(int.class, "n", Modifier.FINAL)
                .addField(FieldSpec.builder(int[].class, "shape", Modifier.FINAL).addJavadoc("per-sample shape\n").build())
                .addField(int.class, "size", Modifier.FINAL)
                .addField(float[].class, "x", Modifier.FINAL)
                .addField(y, yName, Modifier.FINAL)
                .addMethod(MethodSpec.constructorBuilder()
                        .addParameter(int.class, "n").addParameter(int[].class, "shape").addParameter(float[].class, "x")
                        .addParameter(y, yName)
                        .addStatement("this.n = n").addStatement("this.shape = shape")
                        .addStatement("this.size = $T.stream(shape).reduce(1, (p, d) -> p * d)", java.util.Arrays.class)
                        .addStatement("this.x = x").addStatement("this.$L = $L", yName, yName)
                        .build())
                .addMethod(select.build())
                .build();
    }

    private TypeSpec splitsType() {
        TypeSpec.Builder t = TypeSpec.classBuilder("Splits")
                .addJavadoc("The training, validation and test samples" + (normalizes() ? ", and the normalisation fitted on the training split" : "") + ".\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL);
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder();
        List<String> fields = new ArrayList<>(List.of("train"));
        if (hasValidation()) fields.add("validation");
        if (hasTest()) fields.add("test");
        for (String f : fields) {
            t.addField(samples, f, Modifier.FINAL);
            ctor.addParameter(samples, f).addStatement("this.$L = $L", f, f);
        }
        if (!regression) {
            TypeName strings = ParameterizedTypeName.get(List.class, String.class);
            t.addField(FieldSpec.builder(strings, "classNames", Modifier.FINAL).build());
            ctor.addParameter(strings, "classNames").addStatement("this.classNames = classNames");
        }
        if (normalizes()) {
            t.addField(FieldSpec.builder(float[].class, "shift", Modifier.FINAL).addJavadoc("x' = (x - shift) * mul, per feature\n").build());
            t.addField(float[].class, "mul", Modifier.FINAL);
            ctor.addParameter(float[].class, "shift").addParameter(float[].class, "mul")
                    .addStatement("this.shift = shift").addStatement("this.mul = mul");
        }
        return t.addMethod(ctor.build()).build();
    }

    private TypeSpec csvType() {
        return TypeSpec.classBuilder("Csv")
                .addJavadoc("A CSV file as read: features as numbers, labels as written.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addField(Path.class, "file", Modifier.FINAL)
                .addField(int.class, "width", Modifier.FINAL)
                .addField(float[].class, "x", Modifier.FINAL)
                .addField(ParameterizedTypeName.get(List.class, String.class), "labels", Modifier.FINAL)
                .addMethod(MethodSpec.constructorBuilder()
                        .addParameter(Path.class, "file").addParameter(int.class, "width").addParameter(float[].class, "x")
                        .addParameter(ParameterizedTypeName.get(List.class, String.class), "labels")
                        .addStatement("this.file = file").addStatement("this.width = width").addStatement("this.x = x").addStatement("this.labels = labels")
                        .build())
                .build();
    }

    // ---- loadData ----------------------------------------------------------------------------

    MethodSpec loadDataMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        Map<String, String> loaded = new LinkedHashMap<>();
        List<String> csvVars = new ArrayList<>();
        if (sequences != null && data.window() != null) {
            return loadData(sequences.windows(optionsOf.get(data.sources().get(0)).get(0).field(), hasValidation(), hasTest(), normalizes()));
        }
        if (sequences != null) {
            // ARFF and texts: the class names first, as every source maps its labels to them when read
            if (!regression) {
                TypeName strings = ParameterizedTypeName.get(List.class, String.class);
                if (!derivesClassNames()) b.addStatement("$T classNames = CLASS_NAMES", strings);
                else b.addStatement("$T classNames = numbered($L)", strings, data.labels().numClasses());
            }
            if (sequences.text()) {
                for (String role : byRole.keySet()) {
                    b.addStatement("$T $L = new $T<>()", ParameterizedTypeName.get(List.class, String.class), SequenceDataCode.texts(role),
                            ArrayList.class);
                }
            }
        }
        for (DataPipeline.Source s : data.sources()) {
            String var = varOf.get(s);
            List<PathOption> opts = optionsOf.get(s);
            if (sequences != null) {
                b.add(sequences.read(s, var, opts.get(0).field()));
                loaded.put(var, var);
            } else if (s.kind().equals("csv")) {
                var a = s.args();
                boolean header = a.has("header") && a.getBool("header");
                String delim = a.has("delimiter") ? a.getString("delimiter") : ",";
                char d = delim.isEmpty() ? ',' : delim.charAt(0);
                String features = ints(a.getInts("features"));
                if (regression) {
                    String targets = ints(a.has("target") ? a.getInts("target") : a.getInts("label"));
                    b.addStatement("$T $L = readCsv(options.$L, $L, $L, $L, $L)", samples, var, opts.get(0).field(), header,
                            charLit(d), features, targets);
                    loaded.put(var, var);
                } else {
                    b.addStatement("$T $LCsv = readCsv(options.$L, $L, $L, $L, $L)", csv, var, opts.get(0).field(), header,
                            charLit(d), features, a.getInts("label").get(0));
                    csvVars.add(var);
                    loaded.put(var, null);
                }
            } else {
                b.addStatement("$T $L = readIdx(options.$L, options.$L)", samples, var, opts.get(0).field(), opts.get(1).field());
                loaded.put(var, var);
            }
        }
        if (!regression && sequences == null) {
            TypeName strings = ParameterizedTypeName.get(List.class, String.class);
            if (!derivesClassNames()) {
                b.addStatement("$T classNames = CLASS_NAMES", strings);
            } else if (!csvVars.isEmpty()) {
                List<String> lists = new ArrayList<>();
                for (String v : csvVars) lists.add(v + "Csv.labels");
                b.addStatement("$T classNames = classNames($T.of($L))", strings, List.class, String.join(", ", lists));
            } else {
                b.addStatement("$T classNames = numbered($L)", strings, data.labels().numClasses());
            }
            for (String v : csvVars) b.addStatement("$T $L = withClassIndices($LCsv, classNames)", samples, v, v);
        }
        for (String role : byRole.keySet()) {
            List<String> parts = new ArrayList<>();
            for (var e : varOf.entrySet()) if (e.getKey().role().equals(role)) parts.add(e.getValue());
            if (parts.size() > 1) {
                b.addStatement("$L = concat($L)", parts.get(0), String.join(", ", parts));
            }
        }
        // split
        long seed = data.shuffleSeed();
        String train = "train", validation = byRole.containsKey("validation") ? "validation" : null;
        String test = byRole.containsKey("test") ? "test" : null;
        if (byRole.containsKey("all")) {
            DataPipeline.Split sp = data.split();
            double ft = sp == null ? 1.0 : sp.train(), fv = sp == null ? 0.0 : sp.validation();
            b.add("// $L\n", sp == null ? "all samples train" : String.format(java.util.Locale.ROOT,
                    "split train %s, validation %s, test %s " + (data.shuffle() ? "after a shuffle seeded with %d" : "in file order (shuffle false)"),
                    pct(sp.train()), pct(sp.validation()), pct(sp.test()), seed));
            b.addStatement("int[] order = $T.order($L, all.n, new $T($LL))", KernelTypes.SEEDS, data.shuffle(), java.util.Random.class, seed);
            b.addStatement("int nTrain = (int) Math.round(all.n * $L)", Code.lit(ft));
            if (sp != null && sp.test() == 0) b.addStatement("int nValidation = all.n - nTrain");
            else b.addStatement("int nValidation = (int) Math.round(all.n * $L)", Code.lit(fv));
            b.addStatement("nTrain = Math.min(nTrain, all.n)");
            b.addStatement("nValidation = Math.min(nValidation, all.n - nTrain)");
            b.addStatement("$T train = all.select($T.copyOfRange(order, 0, nTrain))", samples, java.util.Arrays.class);
            if (splitHasValidation()) {
                b.addStatement("$T validation = nValidation > 0 ? all.select($T.copyOfRange(order, nTrain, nTrain + nValidation)) : null",
                        samples, java.util.Arrays.class);
                validation = "validation";
            }
            if (hasTest()) {
                b.addStatement("$T test = nTrain + nValidation < all.n ? all.select($T.copyOfRange(order, nTrain + nValidation, all.n)) : null",
                        samples, java.util.Arrays.class);
                test = "test";
            }
        }
        if (validation == null && data.validation() > 0) {
            b.add("// validation: $L of the training samples, held out\n", pct(data.validation()));
            b.addStatement("int[] holdout = $T.order($L, train.n, new $T($LL))", KernelTypes.SEEDS, data.shuffle(), java.util.Random.class, seed + 1);
            b.addStatement("int nHeldOut = (int) Math.round(train.n * $L)", Code.lit(data.validation()));
            b.addStatement("$T validation = train.select(sorted($T.copyOfRange(holdout, train.n - nHeldOut, train.n)))",
                    samples, java.util.Arrays.class);
            b.addStatement("train = train.select(sorted($T.copyOfRange(holdout, 0, train.n - nHeldOut)))", java.util.Arrays.class);
            validation = "validation";
        }
        if (data.subset() > 0 && data.subset() < 1) {
            b.add("// profile: subset $L\n", pct(data.subset()));
            b.addStatement("train = subset(train, $L, $LL)", Code.lit(data.subset()), seed + 2);
            if (validation != null) b.addStatement("validation = subset(validation, $L, $LL)", Code.lit(data.subset()), seed + 3);
            if (test != null) b.addStatement("test = subset(test, $L, $LL)", Code.lit(data.subset()), seed + 4);
        }
        List<String> all = new ArrayList<>(List.of(train));
        if (validation != null) all.add(validation);
        if (test != null) all.add(test);
        if (sequences != null && sequences.text()) {
            // which texts each split's row numbers index: the one source's, or the role's (validation held out of train: train's)
            Map<String, String> splitTexts = new LinkedHashMap<>();
            boolean one = byRole.containsKey("all");
            splitTexts.put("train", SequenceDataCode.texts(one ? "all" : "train"));
            if (validation != null) {
                splitTexts.put("validation", SequenceDataCode.texts(one ? "all" : byRole.containsKey("validation") ? "validation" : "train"));
            }
            if (test != null) splitTexts.put("test", SequenceDataCode.texts(one ? "all" : "test"));
            b.add(sequences.tokenize(splitTexts));
        }
        if (resizes()) {
            b.add("// profile: resize to $Lx$L\n", data.resize().get(0), data.resize().get(1));
            for (String v : all) b.addStatement("$L = resized($L)", v, v);
        }
        float scale = sequences != null && sequences.text() ? 1f : scale();
        if (scale != 1f) {
            for (String v : all) b.addStatement("scale($L, $Lf)", v, Float.toString(scale));
        }
        if (normalizes()) {
            b.add("// normalize $L, fitted on the training split only\n", data.normalize());
            b.addStatement("float[][] fit = fit$L(train)", data.normalize().equals("minmax") ? "MinMax" : "Standard");
            for (String v : all) b.addStatement("normalise($L, fit[0], fit[1])", v);
        }
        List<String> args = new ArrayList<>(List.of("train"));
        if (hasValidation()) args.add(validation == null ? "null" : validation);
        if (hasTest()) args.add(test == null ? "null" : test);
        if (!regression) args.add("classNames");
        if (normalizes()) args.addAll(List.of("fit[0]", "fit[1]"));
        b.addStatement("return new $T($L)", splits, String.join(", ", args));
        if (!byRole.containsKey("all") && !byRole.containsKey("train")) {
            throw new IllegalArgumentException("dataset " + data.dataset() + " has no training data");
        }
        return loadData(b.build());
    }

    private MethodSpec loadData(CodeBlock body) {
        return MethodSpec.methodBuilder("loadData")
                .addJavadoc("Loads dataset $L and prepares it as {@code ann train} does.\n", data.dataset())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(splits)
                .addParameter(options, "options")
                .addException(IOException.class)
                .addCode(body)
                .build();
    }

    private boolean resizes() {
        return data.resize() != null && !data.resize().isEmpty() && sampleShape.length == 3;
    }

    private float scale() {
        return (float) (data.scale() == 0 ? 1.0 : data.scale());
    }

    private static String pct(double f) {
        double p = f * 100;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
    }

    private static String charLit(char c) {
        return switch (c) {
            case '\t' -> "'\\t'";
            case '\'' -> "'\\''";
            case '\\' -> "'\\\\'";
            default -> "'" + c + "'";
        };
    }

    private static String ints(List<Integer> l) {
        StringBuilder sb = new StringBuilder("new int[] {");
        for (int i = 0; i < l.size(); i++) sb.append(i == 0 ? "" : ", ").append(l.get(i));
        return sb.append("}").toString();
    }

    // ---- helpers the generated loadData calls ------------------------------------------------

    List<MethodSpec> helperMethods() {
        List<MethodSpec> out = new ArrayList<>();
        if (sequences != null) out.addAll(sequences.helpers());
        if (sequences != null && data.window() != null) {
            if (data.subset() > 0 && data.subset() < 1) {
                out.add(sorted());
                out.add(subset());
            }
            return out;
        }
        if (usesCsv) {
            out.add(regression ? readCsvRegression() : readCsvClasses());
            out.add(splitCsvLine());
            out.add(csvNumber());
            if (!regression) {
                if (derivesClassNames()) out.add(classNamesMethod());
                out.add(withClassIndices());
            }
        }
        if (usesIdx) {
            out.add(readIdx());
            out.add(readIdxFile());
        }
        if (!regression && derivesClassNames() && !usesCsv) out.add(numbered());
        if (!regression && derivesClassNames() && usesCsv) out.add(numbered());
        if (data.validation() > 0 && !hasExplicitValidation() || data.subset() > 0 && data.subset() < 1) out.add(sorted());
        if (data.subset() > 0 && data.subset() < 1) out.add(subset());
        if (concatenates) out.add(concat());
        if (resizes()) out.add(resized());
        if (scale() != 1f && (sequences == null || !sequences.text())) out.add(scaleMethod());
        if (normalizes()) {
            out.add(data.normalize().equals("minmax") ? fitMinMax() : fitStandard());
            out.add(normalise());
        }
        return out;
    }

    private boolean hasExplicitValidation() {
        return byRole.containsKey("validation") || byRole.containsKey("all") && data.split() != null && data.split().validation() > 0;
    }

    private static MethodSpec.Builder helper(String name, String doc) {
        return MethodSpec.methodBuilder(name).addJavadoc(doc + "\n").addModifiers(Modifier.PRIVATE, Modifier.STATIC);
    }

    private MethodSpec readCsvClasses() {
        return helper("readCsv", "Reads a CSV file: feature columns as numbers, the label column as written. A malformed row\n"
                        + "is an error naming the file, line and column.")
                .returns(csv)
                .addParameter(Path.class, "file").addParameter(boolean.class, "header").addParameter(char.class, "delimiter")
                .addParameter(int[].class, "features").addParameter(int.class, "label")
                .addException(IOException.class)
                .addCode(code("""
                        $list:T<float[]> rows = new $arraylist:T<>();
                        $list:T<String> labels = new $arraylist:T<>();
                        int need = label + 1;
                        for (int c : features) need = Math.max(need, c + 1);
                        """ + rowLoop("""
                        float[] x = new float[features.length];
                        for (int j = 0; j < features.length; j++) x[j] = csvNumber(file, lineNo, fields, starts, features[j]);
                        String value = fields.get(label).trim();
                        if (value.isEmpty()) {
                            throw new IllegalArgumentException(file + ":" + lineNo + ":" + (starts.get(label) + 1) + ": empty label");
                        }
                        rows.add(x);
                        labels.add(value);
                        """) + """
                        float[] x = new float[rows.size() * features.length];
                        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, x, i * features.length, features.length);
                        return new Csv(file, features.length, x, labels);
                        """))
                .build();
    }

    private MethodSpec readCsvRegression() {
        return helper("readCsv", "Reads a CSV file: feature and target columns as numbers. A malformed row is an error naming\n"
                        + "the file, line and column.")
                .returns(samples)
                .addParameter(Path.class, "file").addParameter(boolean.class, "header").addParameter(char.class, "delimiter")
                .addParameter(int[].class, "features").addParameter(int[].class, "targets")
                .addException(IOException.class)
                .addCode(code("""
                        $list:T<float[]> rows = new $arraylist:T<>();
                        int need = 0;
                        for (int c : features) need = Math.max(need, c + 1);
                        for (int c : targets) need = Math.max(need, c + 1);
                        """ + rowLoop("""
                        float[] row = new float[features.length + targets.length];
                        for (int j = 0; j < features.length; j++) row[j] = csvNumber(file, lineNo, fields, starts, features[j]);
                        for (int j = 0; j < targets.length; j++) {
                            row[features.length + j] = csvNumber(file, lineNo, fields, starts, targets[j]);
                        }
                        rows.add(row);
                        """) + """
                        int n = rows.size();
                        float[] x = new float[n * features.length];
                        float[] y = new float[n * targets.length];
                        for (int i = 0; i < n; i++) {
                            System.arraycopy(rows.get(i), 0, x, i * features.length, features.length);
                            System.arraycopy(rows.get(i), features.length, y, i * targets.length, targets.length);
                        }
                        return new Samples(n, new int[] {features.length}, x, y);
                        """))
                .build();
    }

    /**
     * The loop both CSV readers share: every non-blank line split into fields (the header skipped), rows with too few
     * fields refused with file and line; {@code perRow} (Java source at the loop's indentation) handles one row. Expects
     * {@code rows} and {@code need} to be declared before it.
     */
    private static String rowLoop(String perRow) {
        return """
                try ($reader:T in = $files:T.newBufferedReader(file, $utf8:T.UTF_8)) {
                    boolean skipHeader = header;
                    int lineNo = 0;
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lineNo++;
                        if (line.isBlank()) continue;
                        $list:T<String> fields = new $arraylist:T<>();
                        $list:T<Integer> starts = new $arraylist:T<>();
                        splitCsvLine(file, lineNo, line, delimiter, fields, starts);
                        if (skipHeader) {
                            skipHeader = false;
                            continue;
                        }
                        if (fields.size() < need) {
                            throw new IllegalArgumentException(file + ":" + lineNo + ": this row has " + fields.size()
                                    + " fields but column " + (need - 1) + " is used (columns count from 0); fix or remove the row");
                        }
                """ + perRow.indent(8) + """
                    }
                }
                if (rows.isEmpty()) throw new IllegalArgumentException(file + ": no data rows");
                """;
    }

    private MethodSpec splitCsvLine() {
        return helper("splitCsvLine", "Splits one CSV line into fields (double quotes allowed) and the column where each starts.")
                .addParameter(Path.class, "file").addParameter(int.class, "lineNo").addParameter(String.class, "line")
                .addParameter(char.class, "delimiter")
                .addParameter(ParameterizedTypeName.get(List.class, String.class), "fields")
                .addParameter(ParameterizedTypeName.get(List.class, Integer.class), "starts")
                .addCode(code("""
                        StringBuilder field = new StringBuilder();
                        boolean quoted = false;
                        int start = 0;
                        for (int i = 0; i < line.length(); i++) {
                            char c = line.charAt(i);
                            if (quoted) {
                                if (c != '"') {
                                    field.append(c);
                                } else if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                                    field.append('"');
                                    i++;
                                } else {
                                    quoted = false;
                                }
                            } else if (c == '"' && field.toString().isBlank()) {
                                quoted = true;
                            } else if (c == delimiter) {
                                fields.add(field.toString());
                                starts.add(start);
                                field.setLength(0);
                                start = i + 1;
                            } else {
                                field.append(c);
                            }
                        }
                        if (quoted) throw new IllegalArgumentException(file + ":" + lineNo + ":" + (start + 1) + ": unclosed quote");
                        fields.add(field.toString());
                        starts.add(start);
                        """))
                .build();
    }

    private MethodSpec csvNumber() {
        return helper("csvNumber", "The number in column {@code col} of a CSV row, or an error naming the file, line and column.")
                .returns(float.class)
                .addParameter(Path.class, "file").addParameter(int.class, "lineNo")
                .addParameter(ParameterizedTypeName.get(List.class, String.class), "fields")
                .addParameter(ParameterizedTypeName.get(List.class, Integer.class), "starts")
                .addParameter(int.class, "col")
                .addCode(code("""
                        String value = fields.get(col).trim();
                        try {
                            float f = Float.parseFloat(value);
                            if (Float.isFinite(f)) return f;
                        } catch (NumberFormatException e) {
                            // reported below
                        }
                        throw new IllegalArgumentException(file + ":" + lineNo + ":" + (starts.get(col) + 1) + ": expected a number in column "
                                + col + ", found " + (value.isEmpty() ? "an empty field" : "'" + value + "'"));
                        """))
                .build();
    }

    private MethodSpec classNamesMethod() {
        return helper("classNames", "Class names as {@code ann train} finds them: integers 0..max when every label is one, else\n"
                        + "the labels in sorted order.")
                .returns(ParameterizedTypeName.get(List.class, String.class))
                .addParameter(ParameterizedTypeName.get(ClassName.get(List.class), ParameterizedTypeName.get(List.class, String.class)), "labelLists")
                .addCode(code("""
                        $treeset:T<String> seen = new $treeset:T<>();
                        for ($list:T<String> labels : labelLists) seen.addAll(labels);
                        boolean allIntegers = seen.stream().allMatch(v -> v.matches("-?\\\\d+"));
                        if (!allIntegers) return new $arraylist:T<>(seen);
                        int max = seen.stream().mapToInt(Integer::parseInt).max().orElse(0);
                        return numbered(Math.max(max + 1, $k:L));
                        """, Map.of("k", data.labels().numClasses())))
                .build();
    }

    private MethodSpec numbered() {
        return helper("numbered", "The class names 0, 1, ..., k-1.")
                .returns(ParameterizedTypeName.get(List.class, String.class))
                .addParameter(int.class, "k")
                .addCode(code("""
                        $list:T<String> names = new $arraylist:T<>();
                        for (int i = 0; i < k; i++) names.add(String.valueOf(i));
                        return names;
                        """))
                .build();
    }

    private MethodSpec withClassIndices() {
        return helper("withClassIndices", "The CSV's samples with each label replaced by its class index.")
                .returns(samples)
                .addParameter(csv, "csv")
                .addParameter(ParameterizedTypeName.get(List.class, String.class), "classNames")
                .addCode(code("""
                        int n = csv.labels.size();
                        int[] labels = new int[n];
                        for (int i = 0; i < n; i++) {
                            String value = csv.labels.get(i);
                            int index = classNames.indexOf(value);
                            if (index < 0) {
                                try {
                                    index = Integer.parseInt(value);
                                } catch (NumberFormatException e) {
                                    index = -1;
                                }
                            }
                            if (index < 0 || index >= OUTPUTS_CLASSES || index >= classNames.size()) {
                                throw new IllegalArgumentException(csv.file + ": label '" + value + "' of data row " + (i + 1)
                                        + " is not one of the classes " + classNames);
                            }
                            labels[i] = index;
                        }
                        return new Samples(n, new int[] {csv.width}, csv.x, labels);
                        """.replace("OUTPUTS_CLASSES", String.valueOf(Math.max(1, data.labels().numClasses())))))
                .build();
    }

    private MethodSpec readIdx() {
        return helper("readIdx", "Reads IDX images and labels (the MNIST format), gzip-compressed or plain.")
                .returns(samples)
                .addParameter(Path.class, "images").addParameter(Path.class, "labels")
                .addException(IOException.class)
                .addCode(code("""
                        $list:T<Integer> imageDims = new $arraylist:T<>(), labelDims = new $arraylist:T<>();
                        byte[] pixels = readIdxFile(images, imageDims);
                        byte[] classes = readIdxFile(labels, labelDims);
                        if (imageDims.size() < 3) {
                            throw new IllegalArgumentException(images + ": expected images (count, height, width), found " + imageDims.size()
                                    + " dimensions; are images and labels swapped?");
                        }
                        if (labelDims.size() != 1) {
                            throw new IllegalArgumentException(labels + ": expected labels (1 dimension), found " + labelDims.size()
                                    + " dimensions; are images and labels swapped?");
                        }
                        int n = imageDims.get(0);
                        if (classes.length != n) throw new IllegalArgumentException(labels + ": " + classes.length + " labels for " + n + " images in " + images);
                        int[] shape = imageDims.size() == 3 ? new int[] {1, imageDims.get(1), imageDims.get(2)}
                                : new int[] {imageDims.get(1), imageDims.get(2), imageDims.get(3)};
                        float[] x = new float[pixels.length];
                        for (int i = 0; i < x.length; i++) x[i] = pixels[i] & 0xff;
                        int[] y = new int[n];
                        for (int i = 0; i < n; i++) {
                            y[i] = classes[i] & 0xff;
                            if (y[i] >= OUTPUTS) throw new IllegalArgumentException(labels + ": label " + y[i] + " is out of range: the network has " + OUTPUTS + " outputs");
                        }
                        return new Samples(n, shape, x, y);
                        """))
                .build();
    }

    MethodSpec readIdxFile() {
        return helper("readIdxFile", "The unsigned bytes of an IDX file; its dimensions are added to {@code dims}.")
                .returns(byte[].class)
                .addParameter(Path.class, "file").addParameter(ParameterizedTypeName.get(List.class, Integer.class), "dims")
                .addException(IOException.class)
                .addCode(code("""
                        try ($instream:T raw = new $bufin:T($files:T.newInputStream(file), 1 << 16)) {
                            raw.mark(2);
                            int b0 = raw.read(), b1 = raw.read();
                            raw.reset();
                            $instream:T in = b0 == 0x1f && b1 == 0x8b ? new $bufin:T(new $gzip:T(raw, 1 << 16), 1 << 16) : raw;
                            $datain:T d = new $datain:T(in);
                            int magic = d.readInt();
                            int rank = magic & 0xff;
                            if ((magic >>> 16) != 0 || ((magic >> 8) & 0xff) != 0x08 || rank < 1 || rank > 4) {
                                throw new IllegalArgumentException(file + ": not an IDX file of unsigned bytes (magic number 0x"
                                        + Integer.toHexString(magic) + ")");
                            }
                            long total = 1;
                            for (int i = 0; i < rank; i++) {
                                dims.add(d.readInt());
                                total *= dims.get(i);
                            }
                            byte[] data = new byte[(int) total];
                            d.readFully(data);
                            return data;
                        }
                        """))
                .build();
    }

    private MethodSpec sorted() {
        return helper("sorted", "A sorted copy.")
                .returns(int[].class).addParameter(int[].class, "a")
                .addStatement("int[] b = a.clone()")
                .addStatement("$T.sort(b)", java.util.Arrays.class)
                .addStatement("return b")
                .build();
    }

    private MethodSpec concat() {
        return helper("concat", "The samples of several sources of one role, one after the other, in the order declared.")
                .returns(samples).addParameter(ArrayTypeName.of(samples), "parts").varargs()
                .addStatement("int n = 0")
                .addStatement("for (Samples p : parts) n += p.n")
                .addStatement("int size = parts[0].size")
                .addStatement("float[] x = new float[n * size]")
                .addStatement(regression ? "float[] y = new float[n * OUTPUTS]" : "int[] y = new int[n]")
                .addStatement("int o = 0")
                .beginControlFlow("for (Samples p : parts)")
                .addStatement("$T.arraycopy(p.x, 0, x, o * size, p.n * size)", System.class)
                .addStatement(regression ? "$T.arraycopy(p.targets, 0, y, o * OUTPUTS, p.n * OUTPUTS)" : "$T.arraycopy(p.labels, 0, y, o, p.n)",
                        System.class)
                .addStatement("o += p.n")
                .endControlFlow()
                .addStatement("return new Samples(n, parts[0].shape, x, y)")
                .build();
    }

    private MethodSpec subset() {
        return helper("subset", "A fraction of the samples, drawn with the given seed, kept in their order.")
                .returns(samples).addParameter(samples, "s").addParameter(double.class, "fraction").addParameter(long.class, "seed")
                .addStatement("int k = Math.max(1, (int) Math.round(s.n * fraction))")
                .addStatement("return s.select(sorted($T.copyOf($T.permutation(s.n, new $T(seed)), k)))", java.util.Arrays.class,
                        KernelTypes.SEEDS, java.util.Random.class)
                .build();
    }

    private MethodSpec resized() {
        return helper("resized", "Bilinear resize of [c, h, w] samples to the network's input size (pixel centres aligned).")
                .returns(samples).addParameter(samples, "s")
                .addStatement("int nh = $L, nw = $L", data.resize().get(0), data.resize().get(1))
                .addStatement("if (s.shape[1] == nh && s.shape[2] == nw) return s")
                .addStatement("return new Samples(s.n, new int[] {s.shape[0], nh, nw}, $T.bilinear(s.x, s.n, s.shape, nh, nw), s.labels)",
                        KernelTypes.RESIZE)
                .build();
    }

    private MethodSpec scaleMethod() {
        return helper("scale", "Multiplies every feature by {@code factor}, in place.")
                .addParameter(samples, "s").addParameter(float.class, "factor")
                .addStatement("for (int k = 0; k < s.x.length; k++) s.x[k] = s.x[k] * factor")
                .build();
    }

    private MethodSpec fitStandard() {
        return helper("fitStandard", "Per-feature mean and 1/standard deviation of the training split: {shift, mul}.")
                .returns(float[][].class).addParameter(samples, "train")
                .addCode(code("""
                        float[] shift = new float[train.size], mul = new float[train.size];
                        for (int j = 0; j < train.size; j++) {
                            double sum = 0, squares = 0;
                            for (int i = 0; i < train.n; i++) {
                                double v = train.x[i * train.size + j];
                                sum += v;
                                squares += v * v;
                            }
                            double mean = sum / train.n, variance = Math.max(0, squares / train.n - mean * mean);
                            shift[j] = (float) mean;
                            mul[j] = (float) (variance > 1e-12 ? 1.0 / Math.sqrt(variance) : 1.0);
                        }
                        return new float[][] {shift, mul};
                        """))
                .build();
    }

    private MethodSpec fitMinMax() {
        return helper("fitMinMax", "Per-feature minimum and 1/(max - min) of the training split: {shift, mul}.")
                .returns(float[][].class).addParameter(samples, "train")
                .addCode(code("""
                        float[] shift = new float[train.size], mul = new float[train.size];
                        for (int j = 0; j < train.size; j++) {
                            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
                            for (int i = 0; i < train.n; i++) {
                                double v = train.x[i * train.size + j];
                                min = Math.min(min, v);
                                max = Math.max(max, v);
                            }
                            shift[j] = (float) min;
                            mul[j] = (float) (max > min ? 1.0 / (max - min) : 1.0);
                        }
                        return new float[][] {shift, mul};
                        """))
                .build();
    }

    private MethodSpec normalise() {
        return helper("normalise", "x' = (x - shift) * mul per feature, in place.")
                .addParameter(samples, "s").addParameter(float[].class, "shift").addParameter(float[].class, "mul")
                .beginControlFlow("for (int i = 0; i < s.n; i++)")
                .beginControlFlow("for (int j = 0; j < s.size; j++)")
                .addStatement("int k = i * s.size + j")
                .addStatement("s.x[k] = (s.x[k] - shift[j]) * mul[j]")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    boolean usesIdx() {
        return usesIdx;
    }
}
