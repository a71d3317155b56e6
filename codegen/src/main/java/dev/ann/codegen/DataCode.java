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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The data pipeline of a Plan as Java, step for step what the runtime's
 * {@code Pipeline} does: load the sources, split after a seeded shuffle, hold
 * out validation, subset, resize, scale, normalise with statistics of the
 * training split. Every step is a call of the kernels ({@code Csv}, {@code Idx},
 * {@code Pictures}, {@code Labels}, {@code Split}, {@code Resize},
 * {@code Normalize}); what is emitted here is only their order and arguments.
 */
final class DataCode {
    /** A command-line option for one data file or folder ({@code metavar} FILE or FOLDER). */
    record PathOption(String flag, String field, String path, String what, String metavar) {
        PathOption(String flag, String field, String path, String what) {
            this(flag, field, path, what, "FILE");
        }
    }

    private final DataPipeline data;
    final boolean regression;
    final boolean binary;
    final List<PathOption> pathOptions = new ArrayList<>();
    private final Map<String, DataPipeline.Source> byRole = new LinkedHashMap<>();
    private final Map<DataPipeline.Source, List<PathOption>> optionsOf = new LinkedHashMap<>();
    /** The local variable each source is read into. */
    private final Map<DataPipeline.Source, String> varOf = new LinkedHashMap<>();
    private boolean usesCsv;
    /** Whether some role has several sources (then {@code concat} is emitted). */
    private boolean concatenates;
    private final ClassName samples = ClassName.get("", "Samples");
    private final ClassName splits = ClassName.get("", "Splits");
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
        this.sequences = SequenceDataCode.handles(data) ? new SequenceDataCode(data, regression, plan.loop().initFrom(),
                plan.loop().initFrom() == null ? null : plan.loop().initFromWhere(), plan.embeddingRows()) : null;
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
                    usesCsv = true;
                    opts.add(new PathOption(flagPrefix + "data" + suffix, field(s.role(), "data", k), s.args().getString("path"),
                            what + (s.kind().equals("csv") ? "CSV file" : "ARFF file")));
                }
                case "idx" -> {
                    opts.add(new PathOption(flagPrefix + "images" + suffix, field(s.role(), "images", k), s.args().getString("images"), what + "IDX images"));
                    opts.add(new PathOption(flagPrefix + "labels" + suffix, field(s.role(), "labels", k), s.args().getString("labels"), what + "IDX labels"));
                }
                case "images" -> opts.add(new PathOption(flagPrefix + "folder" + suffix, field(s.role(), "folder", k), s.args().getString("folder"),
                        what + "picture folder (one sub-folder per class)", "FOLDER"));
                default -> throw new IllegalArgumentException("ann generate cannot read " + s.kind() + "(...) data sources");
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

    /**
     * The class names of the first picture folder, in the order the runtime
     * looks at the sources (role by role, in order of first appearance), or
     * null without one.
     */
    private String firstPictures() {
        for (String role : byRole.keySet()) {
            for (DataPipeline.Source s : data.sources()) {
                if (s.role().equals(role) && s.kind().equals("images")) return varOf.get(s) + "Pictures.classNames()";
            }
        }
        return null;
    }

    // ---- nested types ------------------------------------------------------------------------

    List<TypeSpec> types() {
        List<TypeSpec> out = new ArrayList<>();
        out.add(samplesType());
        out.add(splitsType());
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

    /** Whether the samples are texts made token ids (the Splits then carry the tokenizer). */
    boolean text() {
        return sequences != null && sequences.text();
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
        if (text()) {
            t.addField(FieldSpec.builder(SequenceDataCode.TOKENIZER, "tokenizer", Modifier.FINAL)
                    .addJavadoc("the vocabulary fitted on the training texts, which the checkpoints keep for ann predict\n").build());
            ctor.addParameter(SequenceDataCode.TOKENIZER, "tokenizer").addStatement("this.tokenizer = tokenizer");
        }
        return t.addMethod(ctor.build()).build();
    }

    // ---- loadData ----------------------------------------------------------------------------

    MethodSpec loadDataMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        Map<String, String> labelled = new LinkedHashMap<>(); // the variable of each classification CSV, and its file option
        int k = data.labels().numClasses();
        if (sequences != null && data.window() != null) {
            return loadData(sequences.windows(optionsOf.get(data.sources().get(0)).get(0).field(), hasValidation(), hasTest(), normalizes()));
        }
        if (sequences != null) {
            // ARFF and texts: the class names first, as every source maps its labels to them when read
            if (!regression) {
                TypeName strings = ParameterizedTypeName.get(List.class, String.class);
                if (!derivesClassNames()) b.addStatement("$T classNames = CLASS_NAMES", strings);
                else b.addStatement("$T classNames = $T.numbered($L)", strings, KernelTypes.LABELS, k);
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
            var a = s.args();
            if (sequences != null) {
                b.add(sequences.read(s, var, opts.get(0).field()));
                continue;
            }
            switch (s.kind()) {
                case "csv" -> {
                    boolean header = a.has("header") && a.getBool("header");
                    String d = a.has("delimiter") ? a.getString("delimiter") : null;
                    String features = ints(a.getInts("features"));
                    if (regression) {
                        String targets = ints(a.has("target") ? a.getInts("target") : a.getInts("label"));
                        b.addStatement("$T $LCsv = $T.read(options.$L, $L, $S, $L, -1, $L)", KernelTypes.CSV_TABLE, var, KernelTypes.CSV,
                                opts.get(0).field(), header, d, features, targets);
                        b.addStatement("$T $L = new $T($LCsv.n(), new int[] {$LCsv.width()}, $LCsv.x(), $LCsv.targets())", samples, var, samples,
                                var, var, var, var);
                    } else {
                        b.addStatement("$T $LCsv = $T.read(options.$L, $L, $S, $L, $L, new int[0])", KernelTypes.CSV_TABLE, var, KernelTypes.CSV,
                                opts.get(0).field(), header, d, features, a.getInts("label").get(0));
                        labelled.put(var, opts.get(0).field());
                    }
                }
                case "idx" -> {
                    b.addStatement("$T $LIdx = $T.load(options.$L, options.$L)", KernelTypes.IDX_SAMPLES, var, KernelTypes.IDX,
                            opts.get(0).field(), opts.get(1).field());
                    b.addStatement("$T.checkRange(options.$L.toString(), $LIdx.labels(), $L)", KernelTypes.LABELS, opts.get(1).field(), var, k);
                    b.addStatement("$T $L = new $T($LIdx.n(), $LIdx.shape(), $LIdx.x(), $LIdx.labels())", samples, var, samples, var, var, var, var);
                }
                case "images" -> {
                    List<Integer> size = a.has("size") ? a.getInts("size") : data.sampleShape().dims();
                    b.addStatement("$T $LPictures = $T.list(options.$L)", KernelTypes.PICTURES_LISTING, var, KernelTypes.PICTURES, opts.get(0).field());
                    b.addStatement("$T.checkRange(options.$L.toString(), $LPictures.labels(), $L)", KernelTypes.LABELS, opts.get(0).field(), var, k);
                    b.addStatement("int[] $LSize = $L", var, ints(size.subList(0, 3)));
                    b.addStatement("$T $L = new $T($LPictures.files().size(), $LSize, $T.readAll($LPictures, $LSize), $LPictures.labels())",
                            samples, var, samples, var, var, KernelTypes.PICTURES, var, var, var);
                }
            }
        }
        if (!regression && sequences == null) {
            TypeName strings = ParameterizedTypeName.get(List.class, String.class);
            String pictureNames = firstPictures();
            if (!derivesClassNames()) {
                b.addStatement("$T classNames = CLASS_NAMES", strings);
            } else if (pictureNames != null) {
                b.add("// the class names are the picture folder's sub-folders\n");
                b.addStatement("$T classNames = $L", strings, pictureNames);
            } else if (!labelled.isEmpty()) {
                b.add("// the class names from the labels seen: 0..max when every label is an integer, else the labels sorted\n");
                b.addStatement("$T seen = new $T<>()", strings, ArrayList.class);
                for (String v : labelled.keySet()) b.addStatement("seen.addAll($LCsv.labels())", v);
                b.addStatement("$T classNames = $T.classNames(seen, $L)", strings, KernelTypes.LABELS, k);
            } else {
                b.addStatement("$T classNames = $T.numbered($L)", strings, KernelTypes.LABELS, k);
            }
            for (var e : labelled.entrySet()) {
                String v = e.getKey();
                b.addStatement("$T $L = new $T($LCsv.n(), new int[] {$LCsv.width()}, $LCsv.x(),$W$T.indices(options.$L.toString(), $LCsv.labels(), classNames, $L))",
                        samples, v, samples, v, v, v, KernelTypes.LABELS, e.getValue(), v, k);
            }
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
            if (sp == null) {
                b.addStatement("$T parts = $T.all(all.n, $L, $LL)", KernelTypes.SPLIT_PARTS, KernelTypes.SPLIT, data.shuffle(), seed);
            } else {
                b.addStatement("$T parts = $T.of(all.n, $L, $LL, $L, $L, $L)", KernelTypes.SPLIT_PARTS, KernelTypes.SPLIT, data.shuffle(), seed,
                        Code.lit(sp.train()), Code.lit(sp.validation()), Code.lit(sp.test()));
            }
            b.addStatement("$T train = all.select(parts.train())", samples);
            if (splitHasValidation()) {
                b.addStatement("$T validation = parts.validation() != null ? all.select(parts.validation()) : null", samples);
                validation = "validation";
            }
            if (hasTest()) {
                b.addStatement("$T test = parts.test() != null ? all.select(parts.test()) : null", samples);
                test = "test";
            }
        }
        if (validation == null && data.validation() > 0) {
            b.add("// validation: $L of the training samples, held out\n", pct(data.validation()));
            b.addStatement("$T held = $T.holdOut(train.n, $L, $LL, $L)", KernelTypes.SPLIT_PARTS, KernelTypes.SPLIT, data.shuffle(), seed,
                    Code.lit(data.validation()));
            b.addStatement("$T validation = train.select(held.validation())", samples);
            b.addStatement("train = train.select(held.train())");
            validation = "validation";
        }
        if (data.subset() > 0 && data.subset() < 1) {
            b.add("// profile: subset $L\n", pct(data.subset()));
            b.addStatement("train = train.select($T.subset(train.n, $L, $LL, $T.TRAIN))", KernelTypes.SPLIT, Code.lit(data.subset()), seed,
                    KernelTypes.SPLIT_OF);
            if (validation != null) {
                b.addStatement("if (validation != null) validation = validation.select($T.subset(validation.n, $L, $LL, $T.VALIDATION))",
                        KernelTypes.SPLIT, Code.lit(data.subset()), seed, KernelTypes.SPLIT_OF);
            }
            if (test != null) {
                b.addStatement("if (test != null) test = test.select($T.subset(test.n, $L, $LL, $T.TEST))", KernelTypes.SPLIT,
                        Code.lit(data.subset()), seed, KernelTypes.SPLIT_OF);
            }
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
            for (String v : all) b.addStatement("$L$L = resized($L)", guard(v), v, v);
        }
        float scale = sequences != null && sequences.text() ? 1f : scale();
        if (scale != 1f) {
            b.add("// scale $L\n", Float.toString(scale));
            for (String v : all) b.addStatement("$L$T.applyAll($L.x, $L.n, $L.size, $Lf, null, null)", guard(v), KernelTypes.NORMALIZE, v, v, v,
                    Float.toString(scale));
        }
        if (normalizes()) {
            b.add("// normalize $L, fitted on the training split only\n", data.normalize());
            b.addStatement("$T fit = $T.fit($S, train.x, train.n, train.size)", KernelTypes.NORMALIZE_STATS, KernelTypes.NORMALIZE, data.normalize());
            for (String v : all) {
                b.addStatement("$L$T.applyAll($L.x, $L.n, $L.size, 1f, fit.shift(), fit.mul())", guard(v), KernelTypes.NORMALIZE, v, v, v);
            }
        }
        List<String> args = new ArrayList<>(List.of("train"));
        if (hasValidation()) args.add(validation == null ? "null" : validation);
        if (hasTest()) args.add(test == null ? "null" : test);
        if (!regression) args.add("classNames");
        if (normalizes()) args.addAll(List.of("fit.shift()", "fit.mul()"));
        if (text()) args.add("tokenizer");
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

    /** {@code if (v != null) } before a statement on a split that may have no samples. */
    private static String guard(String v) {
        return v.equals("train") ? "" : "if (" + v + " != null) ";
    }

    private boolean resizes() {
        return data.resize() != null && !data.resize().isEmpty() && sampleShape.length == 3;
    }

    private float scale() {
        return data.scaleFactor();
    }

    private static String pct(double f) {
        double p = f * 100;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
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
        if (sequences != null && data.window() != null) return out;
        if (concatenates) out.add(concat());
        if (resizes()) out.add(resized());
        return out;
    }

    private static MethodSpec.Builder helper(String name, String doc) {
        return MethodSpec.methodBuilder(name).addJavadoc(doc + "\n").addModifiers(Modifier.PRIVATE, Modifier.STATIC);
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

    private MethodSpec resized() {
        return helper("resized", "Bilinear resize of [c, h, w] samples to the network's input size (pixel centres aligned).")
                .returns(samples).addParameter(samples, "s")
                .addStatement("int nh = $L, nw = $L", data.resize().get(0), data.resize().get(1))
                .addStatement("if (s.shape[1] == nh && s.shape[2] == nw) return s")
                .addStatement("return new Samples(s.n, new int[] {s.shape[0], nh, nw}, $T.bilinear(s.x, s.n, s.shape, nh, nw), s.labels)",
                        KernelTypes.RESIZE)
                .build();
    }

}
