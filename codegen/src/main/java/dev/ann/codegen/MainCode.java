package dev.ann.codegen;

import static dev.ann.codegen.Types.code;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import dev.ann.plan.Plan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.Modifier;

/** The generated trainer's {@code main}, its relaunch with ND4J's thread settings, and its command line. */
final class MainCode {
    private final Plan plan;
    private final String className;
    private final DataCode data;
    private final double lr0;
    private final ClassName options = ClassName.get("", "Options");

    MainCode(Plan plan, String className, DataCode data, double lr0) {
        this.plan = plan;
        this.className = className;
        this.data = data;
        this.lr0 = lr0;
    }

    MethodSpec mainMethod() {
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
                        // oneDNN's library loaded now, before a second thread uses ND4J (K.loadLibraries says why)
                        $k:T.loadLibraries();
                        try {
                            Splits data = loadData(options);
                            new $name:L(options).train(options, data);
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
                        """, Map.of("name", className, "k", KernelTypes.K)))
                .build();
    }

    MethodSpec relaunchMethod() {
        return MethodSpec.methodBuilder("relaunchWithThreadSettings")
                .addJavadoc("ND4J's OpenMP threads read their settings from the environment when its native library starts.\n"
                        + "When {@code OMP_WAIT_POLICY} is not set, runs this class again in a child JVM with\n"
                        + "{@code OMP_WAIT_POLICY=passive}, as {@code ann train} does: idle threads that spin take the cores\n"
                        + "from the threads that work" + (plan.trainsInHalves()
                                ? "; and, as {@code ann train} does for a network that trains each batch as two\n"
                                + "halves at once, {@code OMP_NUM_THREADS=1}: one thread for each half"
                                : plan.trainsBestOnOneThread()
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

    TypeSpec optionsType() {
        TypeSpec.Builder t = TypeSpec.classBuilder("Options")
                .addJavadoc("The command line: what users tune without regenerating. Defaults are the train block's.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL);
        t.addField(FieldSpec.builder(int.class, "epochs").initializer("$L", plan.loop().epochs()).build());
        t.addField(FieldSpec.builder(int.class, "batch").initializer("$L", plan.loop().batch()).build());
        t.addField(FieldSpec.builder(double.class, "lr").initializer("$L", Code.lit(lr0)).build());
        t.addField(FieldSpec.builder(long.class, "seed").initializer("$LL", plan.seed()).build());
        for (DataCode.PathOption o : data.pathOptions) {
            t.addField(FieldSpec.builder(Path.class, o.field()).initializer("$T.of($S)", Path.class, o.path()).build());
        }
        t.addField(FieldSpec.builder(Path.class, "out").initializer("$T.of($S, $S, $S)", Path.class, "runs", plan.train(), "generated").build());
        t.addField(FieldSpec.builder(boolean.class, "resume").build());

        List<String> lines = new ArrayList<>();
        lines.add("usage: java " + className + " [options]");
        lines.add("  --epochs N     epochs to train (default " + plan.loop().epochs() + ")");
        lines.add("  --batch N      samples per batch (default " + plan.loop().batch() + ")");
        lines.add("  --lr RATE      learning rate (default " + Code.lit(lr0) + ")");
        lines.add("  --seed S       seed of all randomness (default " + plan.seed() + ")");
        for (DataCode.PathOption o : data.pathOptions) {
            lines.add(String.format(Locale.ROOT, "  %-14s %s", o.flag() + " " + o.metavar(), o.what()));
        }
        lines.add("  --out DIR      where model.ckpt and metrics.csv go (default runs/" + plan.train() + "/generated)");
        lines.add("  --resume       continue from last.ckpt in " + (plan.loop().checkpoint() != null
                ? plan.loop().checkpoint().dir() : "DIR/checkpoints") + " (same options as the run it continues)");
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
                .beginControlFlow("if (flag.equals(\"--resume\"))")
                .addStatement("o.resume = true")
                .addStatement("continue")
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
}
