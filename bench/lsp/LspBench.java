// Latency benchmark of the ann language server (not a test: figures go to
// bench/lsp/results.md). Starts the shaded server jar as its own process,
// talks LSP to it over stdio with LSP4J, on a generated 5,000-line file:
// start -> first diagnostics, one-character edit -> diagnostics, completion
// and hover latency (p50/p95), and the server's resident memory.
//
//   bench/lsp/run.sh            (builds the jar, runs this, writes results.md)

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.*;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

public class LspBench {

    static final BlockingQueue<PublishDiagnosticsParams> DIAGS = new LinkedBlockingQueue<>();
    static final int STARTS = 5;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "lsp-server/target/ann-lsp.jar").toAbsolutePath();
        Path out = Path.of(args.length > 1 ? args[1] : "bench/lsp/results.md");
        List<String> jvmFlags = new ArrayList<>();
        for (int i = 2; i < args.length; i++) jvmFlags.add(args[i]);
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        int lines = 5000;
        Path dir = Files.createTempDirectory("ann-lsp-bench");
        Path file = dir.resolve("big.ann");
        String text = generate(lines);
        Files.writeString(file, text);
        Files.writeString(dir.resolve("data.csv"), "a,b,c,d,label\n" + "0.1,0.2,0.3,0.4,0\n0.5,0.6,0.7,0.8,1\n".repeat(10));
        String uri = file.toUri().toString();

        // start -> first diagnostics: STARTS fresh server processes, the last one goes on to the other measures
        List<Double> starts = new ArrayList<>();
        Process server = null;
        LanguageServer ls = null;
        PublishDiagnosticsParams first = null;
        for (int run = 0; run < STARTS; run++) {
            if (ls != null) {
                ls.shutdown().get(10, TimeUnit.SECONDS);
                ls.exit();
                server.waitFor(10, TimeUnit.SECONDS);
                DIAGS.clear();
            }
            long t0 = System.nanoTime();
            List<String> cmd = new ArrayList<>(List.of("java"));
            cmd.addAll(jvmFlags);
            cmd.addAll(List.of("-jar", jar.toString()));
            server = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Launcher<LanguageServer> launcher = LSPLauncher.createClientLauncher(new Client(), server.getInputStream(), server.getOutputStream());
            launcher.startListening();
            ls = launcher.getRemoteProxy();
            InitializeParams init = new InitializeParams();
            init.setCapabilities(new ClientCapabilities());
            JsonObject opts = new JsonObject();
            opts.addProperty("debounceMs", 0); // the pipeline's own latency; editors add the 100 ms debounce
            init.setInitializationOptions(opts);
            ls.initialize(init).get(60, TimeUnit.SECONDS);
            ls.initialized(new InitializedParams());
            ls.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "ann", 1, text)));
            first = DIAGS.poll(120, TimeUnit.SECONDS);
            starts.add((System.nanoTime() - t0) / 1e6);
            if (first == null) throw new IllegalStateException("no diagnostics within 120 s");
        }
        int firstCount = first.getDiagnostics().size();

        // one-character edits: `const width = 64` <-> `const width = 641` (shapes change: a full re-check)
        int constLine = 0;
        String[] ls0 = text.split("\n", -1);
        for (int i = 0; i < ls0.length; i++) if (ls0[i].startsWith("const width = 64")) constLine = i;
        int col = "const width = 64".length();
        List<Double> edits = new ArrayList<>();
        int version = 1;
        for (int i = 0; i < 120; i++) {
            boolean insert = i % 2 == 0;
            Range r = insert ? new Range(new Position(constLine, col), new Position(constLine, col))
                    : new Range(new Position(constLine, col), new Position(constLine, col + 1));
            version++;
            long s = System.nanoTime();
            ls.getTextDocumentService().didChange(new DidChangeTextDocumentParams(new VersionedTextDocumentIdentifier(uri, version),
                    List.of(new TextDocumentContentChangeEvent(r, insert ? "1" : ""))));
            PublishDiagnosticsParams p;
            do {
                p = DIAGS.poll(60, TimeUnit.SECONDS);
                if (p == null) throw new IllegalStateException("no diagnostics for version " + version);
            } while (p.getVersion() == null || p.getVersion() < version);
            if (i >= 20) edits.add((System.nanoTime() - s) / 1e6);
        }

        // completion after `->` and hover on a layer, in the middle of the file
        int mid = -1;
        for (int i = ls0.length / 2; i < ls0.length; i++) if (ls0[i].contains("dense(width) -> relu")) { mid = i; break; }
        int arrow = ls0[mid].indexOf("-> ") + 3;
        int layerCol = ls0[mid].indexOf("dense(") + 2;
        List<Double> completion = new ArrayList<>();
        List<Double> hover = new ArrayList<>();
        int completionItems = 0;
        boolean hoverHasShape = false;
        for (int i = 0; i < 220; i++) {
            long s = System.nanoTime();
            var c = ls.getTextDocumentService().completion(new CompletionParams(new TextDocumentIdentifier(uri), new Position(mid, arrow)))
                    .get(30, TimeUnit.SECONDS);
            if (i >= 20) completion.add((System.nanoTime() - s) / 1e6);
            completionItems = c.isLeft() ? c.getLeft().size() : c.getRight().getItems().size();
            s = System.nanoTime();
            Hover h = ls.getTextDocumentService().hover(new HoverParams(new TextDocumentIdentifier(uri), new Position(mid, layerCol)))
                    .get(30, TimeUnit.SECONDS);
            if (i >= 20) hover.add((System.nanoTime() - s) / 1e6);
            hoverHasShape = h != null && h.getContents().getRight().getValue().contains("→");
        }
        // completion right after an edit, before the check of that edit is done
        List<Double> completionAfterEdit = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            boolean insert = i % 2 == 0;
            Range r = insert ? new Range(new Position(constLine, col), new Position(constLine, col))
                    : new Range(new Position(constLine, col), new Position(constLine, col + 1));
            version++;
            ls.getTextDocumentService().didChange(new DidChangeTextDocumentParams(new VersionedTextDocumentIdentifier(uri, version),
                    List.of(new TextDocumentContentChangeEvent(r, insert ? "1" : ""))));
            long s = System.nanoTime();
            ls.getTextDocumentService().completion(new CompletionParams(new TextDocumentIdentifier(uri), new Position(mid, arrow)))
                    .get(30, TimeUnit.SECONDS);
            if (i >= 20) completionAfterEdit.add((System.nanoTime() - s) / 1e6);
            PublishDiagnosticsParams p;
            do {
                p = DIAGS.poll(60, TimeUnit.SECONDS);
                if (p == null) throw new IllegalStateException("no diagnostics for version " + version);
            } while (p.getVersion() == null || p.getVersion() < version);
        }
        long rss = kib(server.pid(), "VmRSS");
        long hwm = kib(server.pid(), "VmHWM");
        ls.shutdown().get(10, TimeUnit.SECONDS);
        ls.exit();
        server.waitFor(10, TimeUnit.SECONDS);

        String cpu = cpuName();
        StringBuilder md = new StringBuilder();
        md.append("## Server JVM flags: ").append(jvmFlags.isEmpty() ? "none (defaults)" : "`" + String.join(" ", jvmFlags) + "`").append("\n\n");
        md.append("Generated file: ").append(lines).append(" lines (").append(text.length() / 1024).append(" KiB; ")
                .append(firstCount).append(" diagnostics at open). Machine: ").append(cpu).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ").append(System.getProperty("java.version"))
                .append(".\nLoad average (1, 5, 15 min; other jobs share the machine) before: ").append(loadBefore)
                .append("; after: ").append(Files.readString(Path.of("/proc/loadavg")).trim())
                .append(".\nServer: `java ").append(String.join(" ", jvmFlags)).append(" -jar lsp-server/target/ann-lsp.jar`, driven over stdio by an LSP4J client.\n");
        md.append("Diagnostics debounce set to 0 ms for the run (editors get 100 ms on top).\n\n");
        md.append("| measure | runs | p50 | p95 | max | target |\n|---|---|---|---|---|---|\n");
        row(md, "start → first diagnostics (new process each)", starts, "≤ 1500 ms");
        row(md, "one-character edit → diagnostics", edits, "p95 ≤ 50 ms");
        row(md, "completion after `->` (" + completionItems + " items)", completion, "p95 ≤ 20 ms");
        row(md, "completion right after an edit (check still running)", completionAfterEdit, "p95 ≤ 20 ms");
        row(md, "hover on a layer statement" + (hoverHasShape ? "" : " (no shape!)"), hover, "p95 ≤ 20 ms");
        md.append(String.format(Locale.ROOT, "| resident memory after the runs | | %d MiB | | peak %d MiB | |%n", rss / 1024, hwm / 1024));
        md.append("\nThe first 20 runs of each measure are warm-up and not counted (start: " + STARTS + " server processes, all counted).\n\n");
        System.out.print(md);
        Files.writeString(out, md.toString(), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        System.exit(0);
    }

    static void row(StringBuilder md, String name, List<Double> xs, String target) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        md.append(String.format(Locale.ROOT, "| %s | %d | %.1f ms | %.1f ms | %.1f ms | %s |%n", name, s.size(),
                pct(s, 50), pct(s, 95), s.get(s.size() - 1), target));
    }

    static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static long kib(long pid, String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(key + ":")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (Exception e) {
            // not Linux: no figure
        }
        return -1;
    }

    static String cpuName() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (Exception e) {
            // unknown
        }
        return "unknown CPU";
    }

    /** A realistic file of about {@code lines} lines: consts, blocks, networks, train blocks, profiles. */
    static String generate(int lines) {
        StringBuilder sb = new StringBuilder();
        sb.append("// generated by bench/lsp/LspBench.java\n\nconst width = 64\nconst classes = 2\n\n");
        sb.append("dataset Data {\n    csv(\"data.csv\", header: true, features: 0..3, label: 4)\n    split train 70%, validation 15%, test 15%\n    normalize standard\n}\n\n");
        sb.append("/// Two dense layers with a skip connection.\nblock Res(w: int) {\n    residual {\n        dense(w) -> relu\n        dense(w)\n    }\n}\n\n");
        int n = 0;
        while (sb.toString().split("\n", -1).length < lines - 30) {
            n++;
            sb.append("/// Network number ").append(n).append(".\nnetwork Net").append(n).append(" {\n    input [4]\n");
            for (int i = 0; i < 6; i++) {
                sb.append("    h").append(i).append(" = dense(width) -> relu\n");
                sb.append("    dropout(0.1)\n");
            }
            sb.append("    Res(width)\n    dense(classes) -> softmax\n}\n\n");
            if (n % 5 == 0) {
                sb.append("train t").append(n).append(" = Net").append(n).append(" on Data {\n    loss cross_entropy\n")
                        .append("    optimizer adam(lr: 1e-3)\n    batch 16\n    epochs 3\n    metrics accuracy, loss\n}\n\n");
            }
        }
        sb.append("profile dev {\n    epochs 1\n}\n");
        return sb.toString();
    }

    static final class Client implements LanguageClient {
        public void telemetryEvent(Object o) {}
        public void publishDiagnostics(PublishDiagnosticsParams p) { DIAGS.add(p); }
        public void showMessage(MessageParams p) {}
        public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams p) { return CompletableFuture.completedFuture(null); }
        public void logMessage(MessageParams p) { if (p.getType() == MessageType.Error) System.err.println(p.getMessage()); }
    }
}
