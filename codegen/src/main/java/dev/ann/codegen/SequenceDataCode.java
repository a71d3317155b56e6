package dev.ann.codegen;

import static dev.ann.codegen.Types.code;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeName;
import dev.ann.plan.Args;
import dev.ann.plan.DataPipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;

/**
 * The generated trainer's reading of ARFF sources, texts (a tokens line) and
 * windows over a series, by calls to the kernels' {@code Arff},
 * {@code Tokenizer} and {@code Windows}, as the runtime's SequenceData does:
 * texts travel the split as their row numbers and the tokenizer is fitted on
 * the training texts; windows are split by time.
 */
final class SequenceDataCode {
    static final ClassName ARFF = ClassName.get(KernelTypes.PACKAGE, "Arff");
    static final ClassName TOKENIZER = ClassName.get(KernelTypes.PACKAGE, "Tokenizer");
    static final ClassName WINDOWS = ClassName.get(KernelTypes.PACKAGE, "Windows");
    private static final ClassName SAMPLES = ClassName.get("", "Samples");
    private static final ClassName SPLITS = ClassName.get("", "Splits");
    private static final TypeName STRINGS = ParameterizedTypeName.get(List.class, String.class);

    private final DataPipeline data;
    private final boolean regression;
    /** {@code init from}: the checkpoint, where the setting is written, the fewest embedding rows (-1: none); null: no init from */
    private final String initFrom, initFromWhere;
    private final int embeddingRows;

    SequenceDataCode(DataPipeline data, boolean regression, String initFrom, String initFromWhere, int embeddingRows) {
        this.data = data;
        this.regression = regression;
        this.initFrom = initFrom;
        this.initFromWhere = initFromWhere;
        this.embeddingRows = embeddingRows;
    }

    static boolean handles(DataPipeline p) {
        return p.text() != null || p.window() != null || p.sources().stream().anyMatch(s -> s.kind().equals("arff"));
    }

    boolean text() {
        return data.text() != null;
    }

    /** The list of texts a role's sources append to ({@code allTexts}, {@code trainTexts}...). */
    static String texts(String role) {
        return role + "Texts";
    }

    /** Reads one source into {@code var}: a table's samples, or texts' row numbers (appended to the role's texts). */
    CodeBlock read(DataPipeline.Source s, String var, String field) {
        Args a = s.args();
        CodeBlock.Builder b = CodeBlock.builder();
        String y = regression ? "null" : "classNames";
        if (s.kind().equals("arff")) {
            if (text()) {
                b.addStatement("$T $L = readArffText(options.$L, $S, $S, $L, $L)", SAMPLES, var, field, a.getString("text"), a.getString("label"),
                        y, texts(s.role()));
            } else {
                b.addStatement("$T $L = readArffTable(options.$L, $S, $L)", SAMPLES, var, field, a.getString("label"), y);
            }
        } else {
            boolean header = a.has("header") && a.getBool("header");
            String d = a.has("delimiter") ? a.getString("delimiter") : ",";
            int answer = regression ? (a.has("target") ? a.getInts("target") : a.getInts("label")).get(0) : a.getInts("label").get(0);
            b.addStatement("$T $L = readCsvText(options.$L, $L, '$L', $L, $L, $L, $L)", SAMPLES, var, field, header,
                    d.isEmpty() ? "," : d.substring(0, 1).replace("\\", "\\\\").replace("'", "\\'").replace("\t", "\\t"),
                    a.getInts("text").get(0), answer, y, texts(s.role()));
        }
        return b.build();
    }

    /** After the split: the tokenizer fitted on the training texts, every split made token ids. */
    CodeBlock tokenize(Map<String, String> splitTexts) {
        DataPipeline.Text t = data.text();
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// tokens $L, vocabulary $L, length $L$L$L: fitted on the training split's texts only\n", t.tokens(), t.vocabulary(), t.length(),
                t.lowercase() ? ", lowercase" : "", t.bag() ? ", bag" : "");
        if (initFrom != null) {
            // as ann train: the kernels' Tokenizer.forInit decides between the checkpoint's vocabulary and one fitted here
            b.add("// init from: the checkpoint's vocabulary, so that its embedding's rows meet the ids they were trained on\n");
            b.addStatement("$T initFile = $T.of($S)", java.nio.file.Path.class, java.nio.file.Path.class, initFrom);
            b.addStatement("if (!$T.isRegularFile(initFile)) throw new IllegalArgumentException($S)", java.nio.file.Files.class,
                    initFromWhere + ": no such checkpoint file");
            b.addStatement("$T.Init init", TOKENIZER);
            b.beginControlFlow("try ($T r = new $T(initFile))", KernelTypes.CHECKPOINT_FILE.nestedClass("Reader"),
                    KernelTypes.CHECKPOINT_FILE.nestedClass("Reader"));
            b.addStatement("init = $T.forInit($T.fromHeader(r.header(), $S), $S, $S, $L, $L, $L, $L, $L)", TOKENIZER, TOKENIZER, initFrom, initFrom,
                    initFromWhere, t.tokens().equals("words"), t.lowercase(), t.vocabulary(), t.length(), embeddingRows);
            b.endControlFlow();
            b.addStatement("if (init.warning() != null) System.out.println(init.warning())");
            b.addStatement("if (init.log() != null) System.out.println(init.log())");
            b.addStatement("$T tokenizer = init.tokenizer()", TOKENIZER);
            b.beginControlFlow("if (tokenizer == null)");
        }
        b.addStatement("$T fitTexts = new $T<>()", STRINGS, ArrayList.class);
        b.addStatement("for (int i = 0; i < train.n; i++) fitTexts.add($L.get((int) train.x[i]))", splitTexts.get("train"));
        b.addStatement("$L$T.fit(fitTexts, $L, $L, $L, $L)", initFrom != null ? "tokenizer = " : CodeBlock.of("$T tokenizer = ", TOKENIZER), TOKENIZER,
                t.tokens().equals("words"), t.lowercase(), t.vocabulary(), t.length());
        if (initFrom != null) b.endControlFlow();
        for (var e : splitTexts.entrySet()) {
            String v = e.getKey();
            if (v.equals("train")) b.addStatement("train = encode(tokenizer, train, $L)", e.getValue());
            else b.addStatement("if ($L != null) $L = encode(tokenizer, $L, $L)", v, v, v, e.getValue());
        }
        return b.build();
    }

    /** The whole of loadData for windows over one series to split by time. */
    CodeBlock windows(String field, boolean hasValidation, boolean hasTest, boolean normalizes) {
        DataPipeline.Window w = data.window();
        if (data.sources().size() != 1 || !data.sources().get(0).role().equals("all")) {
            throw new IllegalArgumentException("ann generate supports windows over one series that the dataset splits (`split train 70%, ...`); "
                    + "dataset " + data.dataset() + " gives " + data.sources().size() + " sources");
        }
        Args a = data.sources().get(0).args();
        List<Integer> feats = a.getInts("features"), targs = a.getInts("target");
        TreeSet<Integer> union = new TreeSet<>(feats);
        union.addAll(targs);
        List<Integer> cols = new ArrayList<>(union);
        List<Integer> fi = new ArrayList<>(), ti = new ArrayList<>();
        for (int f : feats) fi.add(cols.indexOf(f));
        for (int t : targs) ti.add(cols.indexOf(t));
        boolean header = a.has("header") && a.getBool("header");
        String d = a.has("delimiter") ? a.getString("delimiter") : ",";
        DataPipeline.Split sp = data.split();
        double ft = sp == null ? 1 - data.validation() : sp.train(), fv = sp == null ? data.validation() : sp.validation();
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// the series in time order: columns $L (features $L, targets $L); missing values interpolated in time\n", cols, feats, targs);
        b.addStatement("$T series = $T.read(options.$L, $L, '$L', $L, Long.MAX_VALUE)", WINDOWS.nestedClass("Series"), WINDOWS, field, header,
                d.isEmpty() ? "," : d.substring(0, 1).replace("\\", "\\\\").replace("'", "\\'").replace("\t", "\\t"), ints(cols));
        b.addStatement("$T.interpolate(series)", WINDOWS);
        b.add("// split by time: train $L, validation $L, the rest test; no window crosses a boundary\n", Code.lit(ft), Code.lit(fv));
        b.addStatement("int[] bounds = $T.bounds(series.rows(), $L, $L)", WINDOWS, Code.lit(ft), Code.lit(fv));
        b.addStatement("int[] features = $L, targets = $L", ints(fi), ints(ti));
        if (normalizes) {
            b.add("// normalize $L, fitted on the training rows only (targets too)\n", data.normalize());
            b.addStatement("float[][] fit = $T.fit(series, bounds[0], bounds[1], $L)", WINDOWS, data.normalize().equals("minmax"));
            b.addStatement("$T.normalize(series, fit[0], fit[1])", WINDOWS);
        }
        b.addStatement("$T train = windows(series, bounds[0], bounds[1], $L, $L, features, targets, $L)", SAMPLES, w.size(), w.horizon(), w.relative());
        if (hasValidation) b.addStatement("$T validation = windows(series, bounds[1], bounds[2], $L, $L, features, targets, $L)", SAMPLES, w.size(), w.horizon(), w.relative());
        if (hasTest) b.addStatement("$T test = windows(series, bounds[2], bounds[3], $L, $L, features, targets, $L)", SAMPLES, w.size(), w.horizon(), w.relative());
        if (data.subset() > 0 && data.subset() < 1) {
            long seed = data.shuffleSeed();
            b.add("// profile: subset $L\n", Code.lit(data.subset()));
            b.addStatement("train = train.select($T.subset(train.n, $L, $LL, $T.TRAIN))", KernelTypes.SPLIT, Code.lit(data.subset()), seed,
                    KernelTypes.SPLIT_OF);
            if (hasValidation) {
                b.addStatement("if (validation != null) validation = validation.select($T.subset(validation.n, $L, $LL, $T.VALIDATION))",
                        KernelTypes.SPLIT, Code.lit(data.subset()), seed, KernelTypes.SPLIT_OF);
            }
            if (hasTest) {
                b.addStatement("if (test != null) test = test.select($T.subset(test.n, $L, $LL, $T.TEST))", KernelTypes.SPLIT,
                        Code.lit(data.subset()), seed, KernelTypes.SPLIT_OF);
            }
        }
        List<String> args = new ArrayList<>(List.of("train"));
        if (hasValidation) args.add("validation");
        if (hasTest) args.add("test");
        if (normalizes) {
            b.addStatement("float[] shift = new float[features.length], mul = new float[features.length]");
            b.addStatement("for (int k = 0; k < features.length; k++) { shift[k] = fit[0][features[k]]; mul[k] = fit[1][features[k]]; }");
            args.addAll(List.of("shift", "mul"));
        }
        b.addStatement("return new $T($L)", SPLITS, String.join(", ", args));
        return b.build();
    }

    private static String ints(List<Integer> l) {
        StringBuilder sb = new StringBuilder("new int[] {");
        for (int i = 0; i < l.size(); i++) sb.append(i == 0 ? "" : ", ").append(l.get(i));
        return sb.append("}").toString();
    }

    private static MethodSpec.Builder helper(String name, String doc) {
        return MethodSpec.methodBuilder(name).addJavadoc(doc + "\n").addModifiers(Modifier.PRIVATE, Modifier.STATIC);
    }

    /** The helpers the reading code above calls. */
    List<MethodSpec> helpers() {
        List<MethodSpec> out = new ArrayList<>();
        boolean arff = data.sources().stream().anyMatch(s -> s.kind().equals("arff"));
        boolean csvText = data.sources().stream().anyMatch(s -> s.kind().equals("csv")) && text();
        if (data.window() != null) {
            out.add(windowsMethod());
            return out;
        }
        if (arff) out.add(readArff());
        if (arff && text()) out.add(readArffText());
        if (arff && !text()) out.add(readArffTable());
        if (csvText) out.add(readCsvText());
        if (text()) {
            out.add(encode());
            out.add(answer());
        } else if (arff) out.add(answer());
        return out;
    }

    private String y() {
        return regression ? "float[]" : "int[]";
    }

    private MethodSpec readArff() {
        return helper("readArff", "An ARFF file (the kernels' reader); a malformed line is an error with its file, line and column.")
                .returns(ARFF.nestedClass("Table")).addParameter(Path.class, "file").addException(java.io.IOException.class)
                .beginControlFlow("try")
                .addStatement("return $T.read(file, Long.MAX_VALUE)", ARFF)
                .nextControlFlow("catch ($T e)", ARFF.nestedClass("ArffException"))
                .addStatement("throw new IllegalArgumentException(file + \":\" + e.getMessage(), e)")
                .endControlFlow()
                .build();
    }

    /** label value to class index (classes) or number (targets), with the instance's line for messages. */
    private MethodSpec answer() {
        MethodSpec.Builder m = helper("answer", regression ? "A target value." : "A label's class index; a value not among the classes is an error.")
                .returns(regression ? float.class : int.class)
                .addParameter(String.class, "where").addParameter(String.class, "value").addParameter(STRINGS, "classNames")
                .addStatement("if (value == null || value.isEmpty()) throw new IllegalArgumentException(where + \": the label is missing\")");
        if (regression) {
            m.addStatement("return Float.parseFloat(value.strip())");
        } else {
            m.addStatement("int k = classNames.indexOf(value)");
            m.addStatement("if (k < 0) throw new IllegalArgumentException(where + \": label '\" + value + \"' is not one of the classes \" + classNames)");
            m.addStatement("return k");
        }
        return m.build();
    }

    private MethodSpec readArffText() {
        return helper("readArffText", "A string attribute's texts (appended to {@code texts}) and the label attribute: samples of one\n"
                        + "feature, each text's row number in {@code texts}.")
                .returns(SAMPLES).addParameter(Path.class, "file").addParameter(String.class, "text").addParameter(String.class, "label")
                .addParameter(STRINGS, "classNames").addParameter(STRINGS, "texts").addException(java.io.IOException.class)
                .addCode(code("""
                        $arff:T.Table t = readArff(file);
                        int tc = t.column(text), lc = t.column(label), n = t.rows().size(), first = texts.size();
                        float[] x = new float[n];
                        $y:L y = new $yn:L[n];
                        for (int i = 0; i < n; i++) {
                            String[] row = t.rows().get(i);
                            texts.add(row[tc] == null ? "" : row[tc]);
                            x[i] = first + i;
                            y[i] = answer(file + ":" + t.lines()[i], row[lc], classNames);
                        }
                        return new Samples(n, new int[] {1}, x, y);
                        """, Map.of("arff", ARFF, "y", y(), "yn", regression ? "float" : "int")))
                .build();
    }

    private MethodSpec readArffTable() {
        return helper("readArffTable", "An ARFF table: numeric attributes as numbers (missing: 0), nominal ones one-hot (missing: all 0),\n"
                        + "string and date attributes left out; the label attribute the answer.")
                .returns(SAMPLES).addParameter(Path.class, "file").addParameter(String.class, "label")
                .addParameter(STRINGS, "classNames").addException(java.io.IOException.class)
                .addCode(code("""
                        $arff:T.Table t = readArff(file);
                        int lc = t.column(label), n = t.rows().size(), width = 0;
                        for (int c = 0; c < t.attributes().size(); c++) {
                            $arff:T.Attribute a = t.attributes().get(c);
                            if (c != lc) width += a.type() == $arff:T.Type.NUMERIC ? 1 : a.type() == $arff:T.Type.NOMINAL ? a.values().size() : 0;
                        }
                        float[] x = new float[n * width];
                        $y:L y = new $yn:L[n];
                        for (int i = 0; i < n; i++) {
                            String[] row = t.rows().get(i);
                            int o = i * width;
                            for (int c = 0; c < row.length; c++) {
                                $arff:T.Attribute a = t.attributes().get(c);
                                if (c == lc) continue;
                                if (a.type() == $arff:T.Type.NUMERIC) {
                                    x[o++] = row[c] == null ? 0f : Float.parseFloat(row[c]);
                                } else if (a.type() == $arff:T.Type.NOMINAL) {
                                    if (row[c] != null) x[o + a.indexOf(row[c])] = 1f;
                                    o += a.values().size();
                                }
                            }
                            y[i] = answer(file + ":" + t.lines()[i], row[lc], classNames);
                        }
                        return new Samples(n, new int[] {width}, x, y);
                        """, Map.of("arff", ARFF, "y", y(), "yn", regression ? "float" : "int")))
                .build();
    }

    private MethodSpec readCsvText() {
        return helper("readCsvText", "A CSV text column (appended to {@code texts}) and its label column: samples of one feature, each\n"
                        + "text's row number in {@code texts}.")
                .returns(SAMPLES).addParameter(Path.class, "file").addParameter(boolean.class, "header").addParameter(char.class, "delimiter")
                .addParameter(int.class, "text").addParameter(int.class, "label").addParameter(STRINGS, "classNames")
                .addParameter(STRINGS, "texts").addException(java.io.IOException.class)
                .addCode(code("""
                        int first = texts.size();
                        $list:T<String> answers = new $arraylist:T<>();
                        $list:T<String> where = new $arraylist:T<>();
                        try ($reader:T in = $files:T.newBufferedReader(file, $utf8:T.UTF_8)) {
                            int lineNo = 0;
                            for (String line = in.readLine(); line != null; line = in.readLine()) {
                                lineNo++;
                                if ((lineNo == 1 && header) || line.isBlank()) continue;
                                $list:T<String> fields = $csv:T.split(file.toString(), lineNo, line, delimiter).fields();
                                if (fields.size() <= Math.max(text, label)) {
                                    throw new IllegalArgumentException(file + ":" + lineNo + ": the row has " + fields.size() + " fields");
                                }
                                texts.add(fields.get(text));
                                answers.add(fields.get(label).strip());
                                where.add(file + ":" + lineNo);
                            }
                        }
                        int n = answers.size();
                        float[] x = new float[n];
                        $y:L y = new $yn:L[n];
                        for (int i = 0; i < n; i++) {
                            x[i] = first + i;
                            y[i] = answer(where.get(i), answers.get(i), classNames);
                        }
                        return new Samples(n, new int[] {1}, x, y);
                        """, Map.of("csv", KernelTypes.CSV, "y", y(), "yn", regression ? "float" : "int")))
                .build();
    }

    private MethodSpec encode() {
        DataPipeline.Text t = data.text();
        String yName = regression ? "targets" : "labels";
        return helper("encode", t.bag() ? "Each sample's text as a bag of words: one count per token id." : "Each sample's text as token ids, padded with 0 at the end.")
                .returns(SAMPLES).addParameter(TOKENIZER, "tokenizer").addParameter(SAMPLES, "rows").addParameter(STRINGS, "texts")
                .addStatement("int w = $L", t.bag() ? "tokenizer.vocabulary" : "tokenizer.length")
                .addStatement("float[] x = new float[rows.n * w]")
                .addStatement("for (int i = 0; i < rows.n; i++) tokenizer.$L(texts.get((int) rows.x[i]), x, i * w)", t.bag() ? "counts" : "encode")
                .addStatement("return new Samples(rows.n, new int[] {w}, x, rows.$L)", yName)
                .build();
    }

    private MethodSpec windowsMethod() {
        return helper("windows", "The windows of rows {@code from..to-1}: {@code [window, features]} each, its targets the next\n"
                        + "{@code horizon} rows of the target columns; with {@code relative}, each less the window's last row.")
                .returns(SAMPLES).addParameter(WINDOWS.nestedClass("Series"), "s").addParameter(int.class, "from").addParameter(int.class, "to")
                .addParameter(int.class, "window").addParameter(int.class, "horizon").addParameter(int[].class, "features")
                .addParameter(int[].class, "targets").addParameter(boolean.class, "relative")
                .addStatement("int n = $T.count(to - from, window, horizon)", WINDOWS)
                .addStatement("if (n == 0) return null")
                .addStatement("int xs = window * features.length, ys = horizon * targets.length")
                .addStatement("float[] x = new float[n * xs], y = new float[n * ys]")
                .addStatement("for (int i = 0; i < n; i++) $T.sample(s, from, i, window, horizon, features, targets, x, i * xs, y, i * ys, relative)", WINDOWS)
                .addStatement("return new Samples(n, new int[] {window, features.length}, x, y)")
                .build();
    }
}
