package dev.ann.codegen;

import static dev.ann.codegen.Types.code;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import dev.ann.plan.Op;
import dev.ann.plan.Param;
import dev.ann.plan.Plan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The checkpoint files of the generated trainer ({@code last.ckpt},
 * {@code best.ckpt}, {@code epoch-NNNN.ckpt}, {@code model.ckpt}) in the format
 * {@code ann train} writes and {@code ann eval} reads: the header as JSON,
 * the bytes by the kernel library's {@code CheckpointFile}; {@code --resume}
 * reads them back; and {@code metrics.csv}.
 */
final class CheckpointCode {
    private final Plan plan;
    private final DataCode data;
    private final boolean classification;
    private final boolean hasState;
    private final ClassName options = ClassName.get("", "Options");
    private final ClassName splits = ClassName.get("", "Splits");

    CheckpointCode(Plan plan, DataCode data, boolean hasState) {
        this.plan = plan;
        this.data = data;
        this.classification = !data.regression;
        this.hasState = hasState;
    }

    MethodSpec saveCheckpointMethod() {
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("StringBuilder h = new StringBuilder(\"{\")");
        b.addStatement("h.append($S)", "\"format\": \"ann-checkpoint\", \"version\": 1, ");
        b.addStatement("h.append(\"\\\"plan_hash\\\": \").append(json(PLAN_HASH))");
        b.addStatement("h.append($S)", ", \"file\": " + jsonString(plan.file()) + ", \"train\": " + jsonString(plan.train())
                + ", \"network\": " + jsonString(plan.network()) + ", \"task\": " + jsonString(plan.task().name().toLowerCase(Locale.ROOT)) + ", ");
        b.addStatement("h.append(\"\\\"seed\\\": \").append(options.seed)");
        b.addStatement("h.append(\", \\\"optimizer\\\": {\\\"kind\\\": \\\"\").append(opt.fn.name().toLowerCase($T.ROOT))"
                + ".append(\"\\\", \\\"step\\\": \").append(opt.step).append(\"}\")", Locale.class);
        b.addStatement("h.append(\", \\\"epoch\\\": \").append(st.epoch).append(\", \\\"batch\\\": 0\")");
        b.addStatement("h.append(\", \\\"epoch_sums\\\": {\\\"loss_sum\\\": 0.0, \\\"seen\\\": 0, \\\"correct\\\": 0, \\\"lr\\\": \").append(st.lr).append(\"}\")");
        b.addStatement("h.append(\", \\\"best\\\": {\")");
        b.addStatement("if (st.bestValue != null) h.append(\"\\\"value\\\": \").append(st.bestValue).append(\", \")");
        b.addStatement("h.append(\"\\\"epoch\\\": \").append(st.bestEpoch).append(\"}\")");
        b.addStatement("h.append(\", \\\"early_stopping\\\": {\")");
        b.addStatement("if (st.stoppingBest != null) h.append(\"\\\"best\\\": \").append(st.stoppingBest).append(\", \")");
        b.addStatement("h.append(\"\\\"bad_epochs\\\": \").append(st.badEpochs).append(\", \\\"stopped\\\": \").append(st.stopped).append(\"}\")");
        b.addStatement("h.append(\", \\\"wall_s\\\": \").append(st.trainSeconds)");
        b.addStatement("h.append(\", \\\"train_s\\\": \").append(st.trainSeconds)");
        b.addStatement("h.append(\", \\\"train_samples\\\": \").append(st.trainSamples)");
        b.addStatement("h.append(\", \\\"history\\\": [\")");
        b.beginControlFlow("for (int i = 0; i < st.history.size(); i++)");
        b.addStatement("h.append(i == 0 ? \"{\" : \", {\")");
        b.addStatement("int k = 0");
        b.beginControlFlow("for ($T<String, Double> e : st.history.get(i).entrySet())", ClassName.get(Map.Entry.class));
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
        if (data.text()) b.addStatement("h.append(\", \\\"text\\\": \").append(data.tokenizer.headerJson())");
        StringBuilder arch = new StringBuilder();
        for (Op op : plan.ops()) arch.append(arch.length() == 0 ? "" : ", ").append(jsonString(op.kind() + " " + op.outShape()));
        b.addStatement("h.append($S)", ", \"architecture\": [" + arch + "]");
        // arrays, in storage order: trainable parameters, state, optimiser state, normalisation
        List<String> arrays = new ArrayList<>();
        for (Param p : plan.params()) if (p.trainable()) arrays.add(arrayJson(p.name(), p.shape().toArray()));
        for (Param p : plan.params()) if (!p.trainable()) arrays.add(arrayJson(p.name(), p.shape().toArray()));
        b.addStatement("h.append($S)", ", \"arrays\": [" + String.join(", ", arrays));
        b.addStatement("$T<float[]> arrays = new $T<>($T.of(net.params().data().asFloat()$L))", List.class, ArrayList.class, List.class,
                hasState ? ", net.state().data().asFloat()" : "");
        b.addStatement("h.append(\", {\\\"name\\\": \\\"optimizer.s1\\\", \\\"shape\\\": [\").append(opt.s1.length()).append(\"]}\")");
        b.addStatement("arrays.add(opt.s1.data().asFloat())");
        b.beginControlFlow("if (opt.s2 != null)");
        b.addStatement("h.append(\", {\\\"name\\\": \\\"optimizer.s2\\\", \\\"shape\\\": [\").append(opt.s2.length()).append(\"]}\")");
        b.addStatement("arrays.add(opt.s2.data().asFloat())");
        b.endControlFlow();
        if (data.normalizes()) {
            b.addStatement("h.append($S).append(data.shift.length).append($S)", ", {\"name\": \"data.shift\", \"shape\": [", "]}");
            b.addStatement("h.append($S).append(data.mul.length).append($S)", ", {\"name\": \"data.mul\", \"shape\": [", "]}");
            b.addStatement("arrays.add(data.shift)");
            b.addStatement("arrays.add(data.mul)");
        }
        b.addStatement("h.append($S)", "]}");
        b.addStatement("$T.write(file, h.toString(), arrays)", KernelTypes.CHECKPOINT_FILE);
        return MethodSpec.methodBuilder("saveCheckpoint")
                .addJavadoc("Writes the weights, the optimiser's state and the loop's state in the checkpoint format of\n"
                        + "{@code ann train} (which {@code ann eval} and {@code ann predict} read): a JSON header, then the arrays\n"
                        + "as float32; written to a temporary file, then renamed, so never a torn file.\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(Path.class, "file")
                .addParameter(options, "options")
                .addParameter(splits, "data")
                .addParameter(LoopCode.STATE, "st")
                .addException(java.io.IOException.class)
                .addCode(b.build())
                .build();
    }

    MethodSpec resumeMethod() {
        return MethodSpec.methodBuilder("resume")
                .addJavadoc("Continues from a checkpoint of this train block: the weights, the optimiser's state and the\n"
                        + "loop's state (epoch, history, best epoch, early stopping), as {@code ann train --resume} does.\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(Path.class, "file")
                .addParameter(LoopCode.STATE, "st")
                .addException(java.io.IOException.class)
                .addCode(code("""
                        if (!$files:T.exists(file)) {
                            throw new IllegalArgumentException("--resume: no checkpoint to resume from (looked for " + file
                                    + "); train without --resume first");
                        }
                        try ($reader:T r = new $reader:T(file)) {
                            String h = r.header();
                            if (!PLAN_HASH.equals(value(h, null, "plan_hash").replace("\\"", ""))) {
                                throw new IllegalArgumentException(file + ": this checkpoint is of another architecture (train block "
                                        + value(h, null, "train") + "); use one written for this network, or train anew without --resume");
                            }
                            String kind = value(h, "\\"optimizer\\"", "kind").replace("\\"", "");
                            if (!kind.equals(opt.fn.name().toLowerCase($locale:T.ROOT))) {
                                throw new IllegalArgumentException(file + ": the checkpoint was trained with " + kind
                                        + "; resume with the same optimizer or train anew");
                            }
                            net.params().assign($nd4j:T.createFromArray(r.next(new float[(int) net.params().length()])));
                        $state:L    opt.s1.assign($nd4j:T.createFromArray(r.next(new float[(int) opt.s1.length()])));
                            if (opt.s2 != null) opt.s2.assign($nd4j:T.createFromArray(r.next(new float[(int) opt.s2.length()])));
                            opt.step = Long.parseLong(value(h, "\\"optimizer\\"", "step"));
                            st.epoch = Integer.parseInt(value(h, null, "epoch"));
                            st.lr = Double.parseDouble(value(h, "\\"epoch_sums\\"", "lr"));
                            String best = value(h, "\\"best\\": {", "value");
                            st.bestValue = best == null ? null : Double.valueOf(best);
                            st.bestEpoch = Integer.parseInt(value(h, "\\"best\\": {", "epoch"));
                            String stopping = h.substring(h.indexOf("\\"early_stopping\\""));
                            String stoppingBest = value(stopping, null, "best");
                            st.stoppingBest = stoppingBest == null ? null : Double.valueOf(stoppingBest);
                            st.badEpochs = Integer.parseInt(value(stopping, null, "bad_epochs"));
                            st.stopped = Boolean.parseBoolean(value(stopping, null, "stopped"));
                            st.trainSeconds = Double.parseDouble(value(h, null, "train_s"));
                            st.trainSamples = Long.parseLong(value(h, null, "train_samples"));
                            String history = h.substring(h.indexOf("\\"history\\""));
                            history = history.substring(history.indexOf('['), history.indexOf(']'));
                            $matcher:T row = $pattern:T.compile("\\\\{([^{}]*)\\\\}").matcher(history);
                            while (row.find()) {
                                $map:T<String, Double> values = new $linkedhashmap:T<>();
                                $matcher:T pair = $pattern:T.compile("\\"([^\\"]+)\\"\\\\s*:\\\\s*([^,\\\\s}]+)").matcher(row.group(1));
                                while (pair.find()) values.put(pair.group(1), Double.valueOf(pair.group(2)));
                                st.history.add(values);
                            }
                        } catch ($eof:T e) {
                            throw new IllegalArgumentException(file + ": the checkpoint ends early (damaged, or still being written)");
                        }
                        """, Map.of("reader", KernelTypes.CHECKPOINT_FILE.nestedClass("Reader"), "eof", ClassName.get(java.io.EOFException.class),
                                "matcher", ClassName.get(java.util.regex.Matcher.class),
                                "pattern", ClassName.get(java.util.regex.Pattern.class),
                                "state", hasState ? CodeBlock.of("    net.state().assign($T.createFromArray(r.next(new float[(int) net.state().length()])));\n",
                                        Nd4jTypes.ND4J) : CodeBlock.of(""))))
                .build();
    }

    MethodSpec initFromMethod() {
        return MethodSpec.methodBuilder("initFrom")
                .addJavadoc("{@code init from}: the parameters (and batchnorm statistics) of a checkpoint, matched by name and\n"
                        + "shape by the kernel library's {@code Network.assign}, as {@code ann train} does; the optimiser starts fresh.\n")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(Path.class, "file")
                .addException(java.io.IOException.class)
                .addCode(code("""
                        if (!$files:T.isRegularFile(file)) {
                            throw new IllegalArgumentException("init from " + file + ": no such checkpoint file");
                        }
                        try ($ckreader:T r = new $ckreader:T(file)) {
                            $map:T<String, float[]> arrays = new $linkedhashmap:T<>();
                            $map:T<String, long[]> shapes = new $linkedhashmap:T<>();
                            // the header's "arrays": {"name": ..., "shape": [...]} in storage order
                            $matcher:T m = $pattern:T.compile("\\\\{\\\\s*\\"name\\"\\\\s*:\\\\s*\\"([^\\"]*)\\"\\\\s*,\\\\s*\\"shape\\"\\\\s*:\\\\s*\\\\[([^\\\\]]*)\\\\]\\\\s*\\\\}")
                                    .matcher(r.header());
                            while (m.find()) {
                                String[] dims = m.group(2).isBlank() ? new String[0] : m.group(2).split(",");
                                long[] shape = new long[dims.length];
                                long size = 1;
                                for (int i = 0; i < dims.length; i++) {
                                    shape[i] = Long.parseLong(dims[i].trim());
                                    size *= shape[i];
                                }
                                if (size > Integer.MAX_VALUE) throw new IllegalArgumentException(file + ": array " + m.group(1) + " is too large");
                                shapes.put(m.group(1), shape);
                                arrays.put(m.group(1), r.next(new float[(int) size]));
                            }
                            net.assign(arrays, shapes, "init from " + file);
                        } catch ($eof:T e) {
                            throw new IllegalArgumentException(file + ": the checkpoint ends early (damaged, or still being written)");
                        }
                        """, Map.of("ckreader", KernelTypes.CHECKPOINT_FILE.nestedClass("Reader"), "eof", ClassName.get(java.io.EOFException.class),
                                "matcher", ClassName.get(java.util.regex.Matcher.class),
                                "pattern", ClassName.get(java.util.regex.Pattern.class))))
                .build();
    }

    MethodSpec readWeightsMethod() {
        return MethodSpec.methodBuilder("readWeights")
                .addJavadoc("The parameters$L of a checkpoint of this network.\n", hasState ? " and the state" : "")
                .addModifiers(Modifier.PRIVATE)
                .returns(com.squareup.javapoet.ArrayTypeName.of(Nd4jTypes.INDARRAY))
                .addParameter(Path.class, "file")
                .addException(java.io.IOException.class)
                .addCode(code("""
                        try ($reader:T r = new $reader:T(file)) {
                            $indarray:T params = $nd4j:T.createFromArray(r.next(new float[(int) net.params().length()]));
                            return new $indarray:T[] {params$state:L};
                        }
                        """, Map.of("reader", KernelTypes.CHECKPOINT_FILE.nestedClass("Reader"),
                                "state", hasState ? CodeBlock.of(", $T.createFromArray(r.next(new float[(int) net.state().length()]))", Nd4jTypes.ND4J)
                                        : CodeBlock.of(""))))
                .build();
    }

    MethodSpec valueMethod() {
        return MethodSpec.methodBuilder("value")
                .addJavadoc("The text of the first value named {@code key} in a checkpoint header, after {@code section} when\n"
                        + "it is not null; null when there is none.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(String.class)
                .addParameter(String.class, "header")
                .addParameter(String.class, "section")
                .addParameter(String.class, "key")
                .addCode(code("""
                        int from = section == null ? 0 : header.indexOf(section);
                        if (from < 0) return null;
                        $matcher:T m = $pattern:T.compile("\\"" + key + "\\"\\\\s*:\\\\s*(\\"[^\\"]*\\"|[^,}\\\\]\\\\s]+)").matcher(header);
                        return m.find(from) ? m.group(1) : null;
                        """, Map.of("matcher", ClassName.get(java.util.regex.Matcher.class),
                                "pattern", ClassName.get(java.util.regex.Pattern.class))))
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

    MethodSpec jsonMethod() {
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

    MethodSpec writeMetricsMethod() {
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

}
