package dev.ann.cli;

import com.google.gson.GsonBuilder;
import dev.ann.plan.Plan;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Say what ann runs on here and why: Java, the ND4J backends in this build and the one chosen,",
            "the CPU and its instruction sets, BLAS, OpenMP threads (and what `ann train FILE` sets for FILE),",
            "the GPUs and the CUDA/cuDNN versions found against the ones ND4J needs, the data memory budget,",
            "the class-data archives. Put its output in bug reports.",
            "Exit 0; 1 when FILE has errors; 2 usage."})
final class DoctorCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "an .ann file: show the thread choice ann train makes for it")
    Path file;

    @Option(names = "--train", paramLabel = "NAME", description = "which train block of FILE (default: the only or first one)")
    String train;

    @Option(names = "--profile", paramLabel = "P", description = "apply this profile of FILE")
    String profile;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Plan plan = null;
        if (file != null) {
            PlanSource s = new PlanSource();
            s.file = file;
            s.train = train;
            s.profile = profile;
            int[] exit = new int[1];
            plan = s.plan(spec, exit);
            if (plan == null) return exit[0];
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ann", ann());
        r.put("java", java());
        r.putAll(Runner.report(plan));
        r.put("class data", classData());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(r));
        } else {
            print(out, r, "");
        }
        out.flush();
        return Main.OK;
    }

    /** The runtime (and so ND4J) is loaded only here, when doctor runs. */
    static final class Runner {
        private Runner() {}

        static Map<String, Object> report(Plan plan) {
            return dev.ann.runtime.Doctor.report(plan);
        }
    }

    private static Map<String, Object> ann() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", new Version().getVersion()[0].replaceFirst("^ann ", ""));
        m.put("jar", jar() != null ? jar().toString() : "none (classes folder)");
        return m;
    }

    private static Map<String, Object> java() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", System.getProperty("java.version"));
        m.put("vendor", System.getProperty("java.vendor"));
        m.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put("home", System.getProperty("java.home"));
        m.put("max heap", dev.ann.runtime.data.Budget.format(Runtime.getRuntime().maxMemory()) + " (ANN_JAVA_OPTS=-Xmx... to change)");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        return m;
    }

    /** The CDS archive this JVM maps, and the ones ./ann makes for check, plan, fmt and lsp. */
    private static Map<String, Object> classData() {
        Map<String, Object> m = new LinkedHashMap<>();
        String inUse = vmOption("SharedArchiveFile");
        String shared = vmOption("UseSharedSpaces");
        m.put("this process", inUse != null && !inUse.isEmpty() ? inUse
                : "true".equals(shared) ? "the JDK's default archive" : "none");
        Path jar = jar();
        if (jar != null) {
            Path root = jar.getParent() != null && jar.getParent().getParent() != null ? jar.getParent().getParent().getParent() : null;
            m.put("ann-check.jsa", archive(jar.resolveSibling("ann-check.jsa"), jar, "check, plan, fmt and --help (./ann)"));
            m.put("ann-run.jsa", archive(jar.resolveSibling("ann-run.jsa"), jar, "train, eval and predict (./ann)"));
            if (root != null) {
                Path lspJar = root.resolve("lsp-server/target/ann-lsp.jar");
                m.put("ann-lsp.jsa", archive(root.resolve("lsp-server/target/ann-lsp.jsa"), lspJar, "the language server (./ann lsp, VS Code)"));
            }
        }
        return m;
    }

    private static String archive(Path jsa, Path jar, String forWhat) {
        try {
            if (!Files.exists(jsa)) return "absent (made on first use, for " + forWhat + ")";
            boolean stale = Files.exists(jar) && Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(jsa)) > 0;
            return jsa + (stale ? " (older than its jar: remade on next use)" : " (current)") + ", for " + forWhat;
        } catch (java.io.IOException e) {
            return jsa + " (unreadable: " + e.getMessage() + ")";
        }
    }

    private static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The jar this CLI runs from, or null when it runs from a classes folder (tests). */
    static Path jar() {
        try {
            Path p = Path.of(DoctorCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p.toString().endsWith(".jar") ? p : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Sections as {@code name:} then indented {@code key: value} lines; lists of maps one item a line. */
    @SuppressWarnings("unchecked")
    static void print(PrintWriter out, Map<String, Object> m, String indent) {
        for (var e : m.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Map<?, ?> sub) {
                out.println(indent + e.getKey() + ":");
                print(out, (Map<String, Object>) sub, indent + "  ");
            } else if (v instanceof List<?> l && l.stream().anyMatch(x -> x instanceof Map)) {
                out.println(indent + e.getKey() + ":" + (l.isEmpty() ? " none" : ""));
                for (Object x : l) {
                    if (x instanceof Map<?, ?> item) {
                        StringBuilder b = new StringBuilder();
                        ((Map<String, Object>) item).forEach((k, xv) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(xv));
                        out.println(indent + "  - " + b);
                    } else {
                        out.println(indent + "  - " + x);
                    }
                }
            } else if (v instanceof List<?> l) {
                out.println(indent + e.getKey() + ": " + (l.isEmpty() ? "none" : String.join(", ", l.stream().map(String::valueOf).toList())));
            } else {
                out.println(indent + e.getKey() + ": " + v);
            }
        }
    }
}
