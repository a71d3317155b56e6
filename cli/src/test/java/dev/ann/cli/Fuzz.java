package dev.ann.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ann.compiler.diag.Limits;
import dev.ann.lsp.AnnLanguageServer;
import dev.ann.lsp.ServerLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Issue 17's fuzz run: seeded mutations of the examples go through
 * {@code ann check}, {@code ann fmt --check} and one language server (over
 * bytes, as an editor talks to it: open or change the document, then
 * formatting, hover, completion, symbols, semantic tokens, folding, code
 * lenses; every eighth round with a broken Content-Length first). It
 * records, and {@link FuzzTest} asserts, that
 * <ul>
 *   <li>no exception escapes: no stack trace on stderr, exit codes 0, 1 or 2,
 *       no InternalError (-32603) answer;</li>
 *   <li>no request goes unanswered (each within {@link #ANSWER_SECONDS});</li>
 *   <li>output is bounded: CLI output at most {@link #MAX_OUTPUT} characters,
 *       published diagnostics at most {@link Limits#SHOWN_PER_FILE} + 1;</li>
 *   <li>memory is bounded: the heap's peak, read after each round.</li>
 * </ul>
 * Mutation i is made from seed + i alone, so a failure names the mutation
 * that reproduces it. {@code bench/fuzz/run.sh} runs 10,000 of them.
 */
final class Fuzz {
    static final int ANSWER_SECONDS = 60;
    /** More than 100 diagnostics of at most ~1,500 characters each and a summary can print. */
    static final int MAX_OUTPUT = 256 * 1024;

    /** What a run found. */
    static final class Report {
        int mutations;
        int cliRuns;
        int requests;
        int framingErrors;
        int errorsAnswered;
        int exitOk;
        int exitErrors;
        int exitUsage;
        long maxOutput;
        int maxDiagnostics;
        long maxHeap;
        long slowestMillis;
        long cliMillis;
        long lspMillis;
        int slowestMutation = -1;
        long millis;
        final List<String> failures = new CopyOnWriteArrayList<>();

        void fail(int i, String what, String text) {
            if (failures.size() < 20) {
                failures.add("mutation " + i + ": " + what + "\n--- its text (first 400 characters) ---\n"
                        + text.substring(0, Math.min(400, text.length())));
            }
        }

        String summary() {
            return String.format(Locale.ROOT, "%,d mutations: %,d CLI runs (exit 0: %,d, 1: %,d, 2: %,d), %,d LSP requests "
                            + "(%,d answered with an error, %,d after a broken header), 0 unanswered; largest CLI output %,d "
                            + "characters, most diagnostics published %d, largest live heap (after a full collection, every 25th) %,d MiB, slowest mutation %d (%,d ms), "
                            + "%,d s in all; %d failures",
                    mutations, cliRuns, exitOk, exitErrors, exitUsage, requests, errorsAnswered, framingErrors, maxOutput,
                    maxDiagnostics, maxHeap >> 20, slowestMutation, slowestMillis, millis / 1000, failures.size())
                    + String.format(Locale.ROOT, " (command line %,d s, language server %,d s)", cliMillis / 1000, lspMillis / 1000);
        }
    }

    private final Path dir;
    private final List<String> examples = new ArrayList<>();
    private final Report report = new Report();

    Fuzz(Path dir) throws IOException {
        this.dir = dir;
        try (Stream<Path> s = Files.list(Path.of("../examples"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".ann")).sorted().toList()) examples.add(Files.readString(p));
        }
        // hostile neighbours for imports and data
        Files.writeString(dir.resolve("secrets.txt"), "API_TOKEN=fuzz-secret-do-not-print\n");
        Files.createDirectories(dir.resolve("folder.ann"));
        Files.writeString(dir.resolve("lib.ann"), "const width = 8\n");
    }

    /** Runs mutations [0, count) from {@code seed}; {@code progress} gets the summary every 250. */
    Report run(int count, long seed, java.util.function.Consumer<Report> progress) throws Exception {
        long start = System.nanoTime();
        try (Server lsp = new Server()) {
            lsp.initialize();
            for (int i = 0; i < count; i++) {
                Random r = new Random(seed + i);
                String text = mutate(examples.get(r.nextInt(examples.size())), r);
                long t0 = System.nanoTime();
                cli(i, text);
                long t1 = System.nanoTime();
                lsp.round(i, text, r);
                long t2 = System.nanoTime();
                report.cliMillis += (t1 - t0) / 1_000_000;
                report.lspMillis += (t2 - t1) / 1_000_000;
                long took = (t2 - t0) / 1_000_000;
                if (took > report.slowestMillis) {
                    report.slowestMillis = took;
                    report.slowestMutation = i;
                }
                if (i % 25 == 24) report.maxHeap = Math.max(report.maxHeap, liveHeap());
                report.mutations++;
                if (report.failures.size() >= 20) break;
                if (report.mutations % 250 == 0) {
                    report.millis = (System.nanoTime() - start) / 1_000_000;
                    progress.accept(report);
                }
            }
        }
        report.millis = (System.nanoTime() - start) / 1_000_000;
        return report;
    }

    // ---- mutations -------------------------------------------------------------------------

    static final String[] HOSTILE = {
        "import \"/dev/zero\"\n", "import \"/proc/self/environ\"\n", "import \"secrets.txt\"\n", "import \"folder.ann\"\n",
        "import \"\"\n", "import \"lib.ann\"\n", "import \"fuzz.ann\"\n", "\u001b[2J\u001b]0;title\u0007", "\u0000", "\uFEFF",
        "\u202Eevil", "\uD800", "é", "𝔸", "\r\n", "\t", "/*", "*/", "\"", "{", "}", "(", ")", "[", "]", "->", "dense(3) -> ",
        "csv(\"/dev/zero\", features: 0..1, label: 2)\n", "csv(\"secrets.txt\", features: 0..1, label: 0)\n",
        "idx(\"/dev/zero\", \"/dev/zero\")\n", "classes \"a\", \"b\"\n", "1e999999", "-0", "99999999999999999999",
    };

    static String mutate(String text, Random r) {
        int rounds = 1 + r.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            int a = r.nextInt(text.length() + 1);
            int b = Math.min(text.length(), a + r.nextInt(40));
            switch (r.nextInt(8)) {
                case 0 -> text = text.substring(0, a) + text.substring(b);                                  // delete
                case 1 -> text = text.substring(0, a) + HOSTILE[r.nextInt(HOSTILE.length)] + text.substring(a);  // insert
                case 2 -> text = text.substring(0, r.nextInt(text.length() + 1));                           // truncate
                case 3 -> {                                                                                  // repeat a span
                    // mostly a few times; now and then to some 20 KB; rarely past the size limit (refused unread)
                    String span = text.substring(a, b);
                    int cap = r.nextInt(40) == 0 ? 300_000 : r.nextInt(8) == 0 ? 20_000 : 2_000;
                    int times = Math.max(1, Math.min(1 + r.nextInt(cap / 10), cap / Math.max(1, span.length())));
                    text = text.substring(0, a) + span.repeat(times) + text.substring(a);
                }
                case 4 -> {                                                                                  // random characters
                    StringBuilder sb = new StringBuilder(text);
                    for (int n = 1 + r.nextInt(8); n > 0; n--) sb.insert(r.nextInt(sb.length() + 1), (char) r.nextInt(0x3000));
                    text = sb.toString();
                }
                case 5 -> text = text.replace("\n", r.nextBoolean() ? " " : ";");                            // one long line
                case 6 -> {                                                                                  // swap two lines
                    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                    if (lines.size() > 2) java.util.Collections.swap(lines, r.nextInt(lines.size()), r.nextInt(lines.size()));
                    text = String.join("\n", lines);
                }
                default -> text = text.substring(0, a) + "\n".repeat(1 + r.nextInt(3)) + text.substring(a);
            }
        }
        return text;
    }

    // ---- the command line ---------------------------------------------------------------------

    private void cli(int i, String text) throws IOException {
        Path f = dir.resolve("fuzz.ann");
        // a lone surrogate becomes '?' (the editor's side gets it as it is); now and then bytes that are not UTF-8
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (i % 16 == 5) bytes = java.util.Arrays.copyOf(bytes, bytes.length + 2);
        if (i % 16 == 5) bytes[bytes.length - 2] = (byte) 0xff;
        Files.write(f, bytes);
        for (String[] args : List.of(new String[] {"check", f.toString()}, new String[] {"fmt", "--check", f.toString()})) {
            Run run = Run.of(args);
            report.cliRuns++;
            switch (run.exit()) {
                case Main.OK -> report.exitOk++;
                case Main.ERRORS -> report.exitErrors++;
                case Main.USAGE -> report.exitUsage++;
                default -> report.fail(i, "ann " + args[0] + " exited " + run.exit() + ": " + head(run.err()), text);
            }
            String all = run.out() + run.err();
            report.maxOutput = Math.max(report.maxOutput, all.length());
            if (all.length() > MAX_OUTPUT) report.fail(i, "ann " + args[0] + " printed " + all.length() + " characters", text);
            if (all.contains("Exception") || all.contains("\tat ") || all.contains("Error:")) {
                report.fail(i, "ann " + args[0] + " printed an exception: " + head(all), text);
            }
            if (all.contains("fuzz-secret-do-not-print")) report.fail(i, "ann " + args[0] + " printed secrets.txt", text);
            for (char c : all.toCharArray()) {
                if (c < 0x20 && c != '\n' && c != '\r') {
                    report.fail(i, "ann " + args[0] + " printed control character " + (int) c, text);
                    break;
                }
            }
        }
    }

    private static String head(String s) {
        return s.substring(0, Math.min(600, s.length()));
    }

    /** The heap's live set: what is used just after a full collection (a pool's peak counts garbage too). */
    static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    // ---- the language server, over bytes ----------------------------------------------------------

    /** One server for the whole run, as an editor keeps one. */
    private final class Server implements AutoCloseable {
        private final BlockingQueue<byte[]> toServer = new LinkedBlockingQueue<>();
        private final BlockingQueue<byte[]> fromServer = new LinkedBlockingQueue<>();
        private final Map<String, JsonObject> answers = new ConcurrentHashMap<>();
        private final BlockingQueue<JsonObject> diagnostics = new LinkedBlockingQueue<>();
        private final Future<Void> loop;
        private final Thread reader;
        private int nextId = 1;
        private int version;
        private final String uri = dir.resolve("open.ann").toUri().toString();

        Server() {
            loop = ServerLauncher.start(new AnnLanguageServer(), input(toServer), output(fromServer)).startListening();
            reader = new Thread(this::readAll, "fuzz-reader");
            reader.setDaemon(true);
            reader.start();
        }

        void initialize() throws Exception {
            await(request("initialize", "{\"capabilities\":{},\"initializationOptions\":{\"debounceMs\":0}}"), -1, "");
            notify("initialized", "{}");
        }

        void round(int i, String text, Random r) throws Exception {
            JsonObject doc = new JsonObject();
            if (version == 0) {
                doc.addProperty("uri", uri);
                doc.addProperty("languageId", "ann");
                doc.addProperty("version", ++version);
                doc.addProperty("text", text);
                JsonObject p = new JsonObject();
                p.add("textDocument", doc);
                notify("textDocument/didOpen", p.toString());
            } else {
                doc.addProperty("uri", uri);
                doc.addProperty("version", ++version);
                JsonObject change = new JsonObject();
                change.addProperty("text", text);
                JsonArray changes = new JsonArray();
                changes.add(change);
                JsonObject p = new JsonObject();
                p.add("textDocument", doc);
                p.add("contentChanges", changes);
                notify("textDocument/didChange", p.toString());
            }
            int line = r.nextInt(Math.max(1, (int) text.lines().count() + 2));
            int character = r.nextInt(80);
            String at = "{\"textDocument\":{\"uri\":\"" + uri + "\"},\"position\":{\"line\":" + line + ",\"character\":"
                    + character + "}";
            String id = "{\"textDocument\":{\"uri\":\"" + uri + "\"}";
            List<String[]> asks = List.of(
                    new String[] {"textDocument/formatting", id + ",\"options\":{\"tabSize\":4,\"insertSpaces\":true}}"},
                    new String[] {"textDocument/hover", at + "}"},
                    new String[] {"textDocument/completion", at + "}"},
                    new String[] {"textDocument/documentSymbol", id + "}"},
                    new String[] {"textDocument/semanticTokens/full", id + "}"},
                    new String[] {"textDocument/foldingRange", id + "}"},
                    new String[] {"textDocument/codeLens", id + "}"},
                    new String[] {"textDocument/signatureHelp", at + "}"});
            if (i % 8 == 7) brokenHeader(r);
            List<Integer> ids = new ArrayList<>();
            for (String[] ask : asks) ids.add(request(ask[0], ask[1]));
            for (int k = 0; k < ids.size(); k++) await(ids.get(k), i, asks.get(k)[0] + " on:\n" + text);
            // the diagnostics of this version: bounded
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
            while (true) {
                JsonObject d = diagnostics.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (d == null) {
                    report.fail(i, "no diagnostics for version " + version, text);
                    break;
                }
                JsonElement v = d.get("version");
                int n = d.getAsJsonArray("diagnostics").size();
                report.maxDiagnostics = Math.max(report.maxDiagnostics, n);
                if (n > Limits.SHOWN_PER_FILE + 1) report.fail(i, n + " diagnostics published", text);
                for (JsonElement e : d.getAsJsonArray("diagnostics")) {
                    if (e.toString().contains("fuzz-secret-do-not-print")) report.fail(i, "a diagnostic quotes secrets.txt", text);
                }
                if (v != null && v.getAsInt() >= version) break;
            }
        }

        /** A request whose Content-Length is wrong, missing or counted in characters; then one that must be answered. */
        private void brokenHeader(Random r) throws Exception {
            int id = nextId++;
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"workspace/symbol\",\"params\":{\"query\":\"é€\"}}";
            int bytes = body.getBytes(StandardCharsets.UTF_8).length;
            String header = switch (r.nextInt(4)) {
                case 0 -> "Content-Length: " + (bytes - 1 - r.nextInt(10)) + "\r\n\r\n";
                case 1 -> "Content-Length: " + (bytes + 1 + r.nextInt(50)) + "\r\n\r\n";
                case 2 -> "Content-Type: application/vscode-jsonrpc\r\n\r\n";
                default -> "Content-Length: " + body.length() + "\r\n\r\n";
            };
            send(header + body);
            report.framingErrors++;
            int sync = request("workspace/symbol", "{\"query\":\"\"}");
            JsonObject a = answer(sync);
            if (a == null) report.fail(-1, "no answer after a broken header: " + header.trim(), body);
            answers.remove(String.valueOf(id));      // may or may not have been answered: its framing was broken
        }

        private int request(String method, String params) throws IOException {
            int id = nextId++;
            send(frame("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}"));
            report.requests++;
            return id;
        }

        private void notify(String method, String params) throws IOException {
            send(frame("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + params + "}"));
        }

        private void await(int id, int mutation, String what) throws InterruptedException {
            JsonObject a = answer(id);
            if (a == null) {
                report.fail(mutation, "no answer in " + ANSWER_SECONDS + " s to " + what, "");
            } else if (a.has("error")) {
                report.errorsAnswered++;
                int code = a.getAsJsonObject("error").get("code").getAsInt();
                if (code == -32603) report.fail(mutation, "internal error: " + a + " for " + what, "");
            }
        }

        private JsonObject answer(int id) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
            while (System.nanoTime() < deadline) {
                JsonObject a = answers.remove(String.valueOf(id));
                if (a != null) return a;
                synchronized (answers) {
                    answers.wait(50);
                }
            }
            return null;
        }

        private String frame(String json) {
            return "Content-Length: " + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
        }

        private void send(String s) {
            toServer.add(s.getBytes(StandardCharsets.UTF_8));
        }

        private void readAll() {
            InputStream in = input(fromServer);
            try {
                while (true) {
                    int length = -1;
                    StringBuilder line = new StringBuilder();
                    while (true) {
                        int c = in.read();
                        if (c < 0) return;
                        if (c == '\n') {
                            String l = line.toString().trim();
                            if (l.isEmpty()) break;
                            if (l.startsWith("Content-Length:")) length = Integer.parseInt(l.substring(15).trim());
                            line.setLength(0);
                        } else {
                            line.append((char) c);
                        }
                    }
                    JsonObject m = JsonParser.parseString(new String(in.readNBytes(length), StandardCharsets.UTF_8)).getAsJsonObject();
                    if (m.has("id") && !m.has("method")) {
                        answers.put(m.get("id").getAsString(), m);
                        synchronized (answers) {
                            answers.notifyAll();
                        }
                    } else if (m.has("method") && m.get("method").getAsString().equals("textDocument/publishDiagnostics")) {
                        diagnostics.add(m.getAsJsonObject("params"));
                    } else if (m.has("id") && m.has("method")) {
                        // a request from the server (progress tokens): answer it
                        send(frame("{\"jsonrpc\":\"2.0\",\"id\":" + m.get("id") + ",\"result\":null}"));
                    }
                }
            } catch (IOException | RuntimeException e) {
                report.fail(-1, "the client could not read the server: " + e, "");
            }
        }

        @Override
        public void close() {
            send(frame("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"shutdown\"}"));
            loop.cancel(true);
            toServer.add(new byte[0]);
            fromServer.add(new byte[0]);
        }
    }

    /** An end of a byte queue; an empty chunk is the end of the stream. */
    static InputStream input(BlockingQueue<byte[]> q) {
        return new InputStream() {
            private byte[] current = new byte[0];
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (current == null) return -1;
                if (pos >= current.length) {
                    try {
                        current = q.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException();
                    }
                    pos = 0;
                    if (current.length == 0) {
                        current = null;
                        q.add(new byte[0]);
                        return -1;
                    }
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    static OutputStream output(BlockingQueue<byte[]> q) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                q.add(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (len > 0) q.add(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        };
    }
}
