package dev.ann.codegen;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** Compiles generated sources with javac (javax.tools) against ND4J alone: no ann class on the class path. */
public final class JavaCompilation {
    private JavaCompilation() {}

    /** The test class path minus ann's own modules and the compiler's own libraries: what ND4J needs. */
    public static String nd4jClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains(File.separator + "target" + File.separator) && !e.endsWith(File.separator + "target"))
                .filter(e -> !e.contains("javapoet") && !e.contains("antlr") && !e.contains("junit") && !e.contains("opentest4j")
                        && !e.contains("apiguardian") && !e.contains("surefire") && !e.contains("picocli") && !e.contains("lsp4j"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Compiles every .java file under {@code sources} into {@code classes} with {@code -Xlint:all -Werror}.
     *
     * @return javac's diagnostics, empty when it compiled cleanly
     */
    public static List<String> compile(Path sources, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<File> files;
        try (Stream<Path> s = Files.walk(sources)) {
            files = s.filter(p -> p.toString().endsWith(".java")).map(Path::toFile).toList();
        }
        Files.createDirectories(classes);
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, null)) {
            List<String> options = List.of("-Xlint:all", "-Werror", "--release", "17", "-classpath", nd4jClassPath(),
                    "-d", classes.toString());
            StringWriter out = new StringWriter();
            boolean ok = javac.getTask(out, fm, diagnostics, options, null, fm.getJavaFileObjectsFromFiles(files)).call();
            List<String> messages = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                messages.add((d.getSource() == null ? "" : Path.of(d.getSource().toUri()).getFileName() + ":" + d.getLineNumber() + ": ")
                        + d.getKind() + ": " + d.getMessage(null));
            }
            if (!ok && messages.isEmpty()) messages.add("javac failed: " + out);
            return messages;
        }
    }
}
