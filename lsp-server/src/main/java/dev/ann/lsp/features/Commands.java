package dev.ann.lsp.features;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.ann.lsp.AnnLanguageServer;
import dev.ann.lsp.Lsp;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.ProgressParams;
import org.eclipse.lsp4j.WorkDoneProgressBegin;
import org.eclipse.lsp4j.WorkDoneProgressCreateParams;
import org.eclipse.lsp4j.WorkDoneProgressEnd;
import org.eclipse.lsp4j.WorkDoneProgressReport;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * {@code workspace/executeCommand}: the editor's buttons. Each starts the
 * {@code ann} command line as a child process (the server never loads the
 * training runtime): {@code ann.train} streams epochs through work-done
 * progress and stops the child with SIGINT when the user cancels;
 * {@code ann.generate} returns the files written; {@code ann.export} writes
 * the latest run's checkpoint as ONNX and returns the file; {@code ann.plan}
 * returns the plan table.
 */
public final class Commands {
    public static final String TRAIN = "ann.train";
    public static final String GENERATE = "ann.generate";
    public static final String PLAN = "ann.plan";
    public static final String EXPORT = "ann.export";
    public static final List<String> ALL = List.of(TRAIN, GENERATE, PLAN, EXPORT);

    /** {@code epoch 3/12 ...}: the one part of a progress line we rely on. */
    static final Pattern EPOCH = Pattern.compile("(?i)\\bepoch\\s*[:=]?\\s*(\\d+)\\s*/\\s*(\\d+)");
    /** {@code loss 0.412}, {@code accuracy=0.881}, {@code val_loss: 0.5}: the metrics after it. */
    static final Pattern METRIC = Pattern.compile(
            "([A-Za-z_][A-Za-z_0-9]*)\\s*[:=]?\\s*(-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?%?)");

    /** Bytes of a child's output kept for a command's answer. */
    static final int MAX_OUTPUT = 1 << 20;

    private final AnnLanguageServer server;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    public Commands(AnnLanguageServer server) {
        this.server = server;
    }

    private record Run(Process process, String token, boolean[] cancelled) {}

    public CompletableFuture<Object> execute(ExecuteCommandParams params) {
        List<Object> args = params.getArguments() == null ? List.of() : params.getArguments();
        try {
            return switch (params.getCommand()) {
                case TRAIN -> train(str(args, 0), str(args, 1), str(args, 2), params.getWorkDoneToken());
                case GENERATE -> generate(str(args, 0), str(args, 1), str(args, 2));
                case PLAN -> plan(str(args, 0), str(args, 1), str(args, 2));
                case EXPORT -> export(str(args, 0), str(args, 1), str(args, 2));
                default -> CompletableFuture.failedFuture(error(ResponseErrorCode.InvalidParams,
                        "unknown command '" + params.getCommand() + "'; known: " + String.join(", ", ALL)));
            };
        } catch (ResponseErrorException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException | IOException e) {
            server.log("ann: " + params.getCommand() + " failed: " + e);
            return CompletableFuture.failedFuture(error(ResponseErrorCode.InternalError,
                    params.getCommand() + " failed: " + e.getMessage()));
        }
    }

    // ---- train ----------------------------------------------------------------------

    private CompletableFuture<Object> train(String uri, String train, String profile,
                                            Either<String, Integer> clientToken) throws IOException {
        Path file = file(uri);
        List<String> cmd = new ArrayList<>(List.of(cli(file), "train", file.toString()));
        if (train != null) cmd.addAll(List.of("--train", train));
        if (profile != null) cmd.addAll(List.of("--profile", profile));
        cmd.addAll(List.of("--events", "json")); // events on stdout, the progress text on stderr
        if (clientToken != null) {
            String token = clientToken.isLeft() ? clientToken.getLeft() : String.valueOf(clientToken.getRight());
            return startTraining(cmd, file, train, profile, token);
        }
        // Ask the client for a progress token without blocking the message thread, then start.
        String token = "ann-train-" + ids.incrementAndGet();
        return server.client().createProgress(new WorkDoneProgressCreateParams(Either.forLeft(token)))
                .handle((ok, e) -> {
                    if (e != null) server.log("ann: the client refused a progress token (" + e + "); training anyway");
                    return token;
                })
                .thenComposeAsync(t -> {
                    try {
                        return startTraining(cmd, file, train, profile, t);
                    } catch (IOException | RuntimeException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                });
    }

    private CompletableFuture<Object> startTraining(List<String> cmd, Path file, String train, String profile,
                                                    String token) throws IOException {
        String title = "Training " + (train == null ? file.getFileName() : train) + (profile == null ? "" : " (" + profile + ")");
        WorkDoneProgressBegin begin = new WorkDoneProgressBegin();
        begin.setTitle(title);
        begin.setCancellable(true);
        begin.setMessage("starting " + String.join(" ", cmd.subList(1, cmd.size())));
        begin.setPercentage(0);
        progress(token, Either.forLeft(begin));

        Process process = start(cmd, file, false);
        Run run = new Run(process, token, new boolean[1]);
        runs.put(token, run);
        CompletableFuture<Object> result = new CompletableFuture<>();
        // the progress text (standard error) goes to the client's log, line by line
        Thread text = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) log("[ann train] " + line);
            } catch (IOException | RuntimeException e) {
                log("[ann train] cannot read the output: " + e);
            }
        }, "ann-train-text");
        text.setDaemon(true);
        text.start();
        Thread reader = new Thread(() -> {
            String last = "";
            JsonObject outcome = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    JsonObject event = event(line);
                    if (event != null) {
                        // ann train --events json: forwarded as a work-done report with the event in "ann"
                        String message = eventMessage(event);
                        if (message != null && event.get("event").getAsString().equals("epoch")) last = message;
                        if (List.of("end", "interrupted", "error").contains(event.get("event").getAsString())) outcome = event;
                        progress(token, eventReport(event, message));
                        continue;
                    }
                    // any other line (an ann that writes no events, or something the JVM printed)
                    log("[ann train] " + line);
                    String message = epochMessage(line);
                    if (message != null) {
                        last = message;
                        WorkDoneProgressReport report = new WorkDoneProgressReport();
                        report.setMessage(message);
                        report.setCancellable(true);
                        report.setPercentage(percentage(line));
                        progress(token, Either.forLeft(report));
                    }
                }
                int code = process.waitFor();
                text.join(2000);
                runs.remove(token);
                boolean cancelled = run.cancelled()[0];
                WorkDoneProgressEnd end = new WorkDoneProgressEnd();
                end.setMessage(cancelled ? "stopped" + (last.isEmpty() ? "" : " after " + last)
                        : code == 0 ? "done" + (last.isEmpty() ? "" : ": " + last)
                        : "failed (exit code " + code + ")" + (outcome != null && outcome.has("message")
                                ? ": " + outcome.get("message").getAsString() : ""));
                progress(token, Either.forLeft(end));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("exitCode", code);
                out.put("cancelled", cancelled);
                out.put("last", last);
                out.put("outcome", outcome);
                result.complete(out);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(error(ResponseErrorCode.InternalError, "training output failed: " + e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ann-train-output");
        reader.setDaemon(true);
        reader.start();
        // $/cancelRequest on the executeCommand request stops the run too
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) stop(run);
        });
        return result;
    }

    /** A line of {@code ann train --events json}: a JSON object with an "event"; null for any other line. */
    static JsonObject event(String line) {
        if (!line.startsWith("{")) return null;
        try {
            JsonElement e = JsonParser.parseString(line);
            return e.isJsonObject() && e.getAsJsonObject().has("event") ? e.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }

    /** The progress message for an event: the epoch line as before, an error's message; null: keep the last one. */
    static String eventMessage(JsonObject event) {
        return switch (event.get("event").getAsString()) {
            case "epoch" -> event.has("line") ? epochMessage(event.get("line").getAsString()) : null;
            case "error" -> event.has("message") ? "error: " + event.get("message").getAsString() : null;
            default -> null;
        };
    }

    /** How far the run is, from an epoch or batch event: (finished epochs + batch share) / epochs. */
    static Integer eventPercentage(JsonObject event) {
        String kind = event.get("event").getAsString();
        try {
            if (kind.equals("epoch")) {
                int n = event.get("epochs").getAsInt();
                int i = event.getAsJsonObject("metrics").get("epoch").getAsInt();
                return n <= 0 ? null : Math.max(0, Math.min(100, i * 100 / n));
            }
            if (kind.equals("batch")) {
                long n = (long) event.get("epochs").getAsInt() * event.get("batches").getAsInt();
                long i = (long) (event.get("epoch").getAsInt() - 1) * event.get("batches").getAsInt() + event.get("batch").getAsInt();
                return n <= 0 ? null : (int) Math.max(0, Math.min(100, i * 100 / n));
            }
        } catch (RuntimeException e) {
            return null; // a field missing or not a number: no percentage
        }
        return null;
    }

    /**
     * A WorkDoneProgressReport ({@code kind}, {@code cancellable}, {@code message}, {@code percentage})
     * with one more field, {@code ann}: the event as {@code ann train} wrote it. Clients that do not
     * know the field ignore it and see an ordinary report.
     */
    static JsonObject eventReport(JsonObject event, String message) {
        JsonObject report = new JsonObject();
        report.addProperty("kind", "report");
        report.addProperty("cancellable", true);
        if (message != null) report.addProperty("message", message);
        Integer pct = eventPercentage(event);
        if (pct != null) report.addProperty("percentage", pct);
        report.add("ann", event);
        return report;
    }

    /** {@code epoch 3/12 · loss 0.412 · accuracy 0.881}, or null if the line is not an epoch line. */
    static String epochMessage(String line) {
        Matcher m = EPOCH.matcher(line);
        if (!m.find()) return null;
        StringBuilder sb = new StringBuilder("epoch ").append(m.group(1)).append('/').append(m.group(2));
        Matcher x = METRIC.matcher(line.substring(m.end()));
        while (x.find()) {
            String name = x.group(1);
            if (name.equalsIgnoreCase("epoch")) continue;
            sb.append(" · ").append(name).append(' ').append(x.group(2));
        }
        return sb.toString();
    }

    static Integer percentage(String line) {
        Matcher m = EPOCH.matcher(line);
        if (!m.find()) return null;
        int i = Integer.parseInt(m.group(1));
        int n = Integer.parseInt(m.group(2));
        return n <= 0 ? null : Math.max(0, Math.min(100, i * 100 / n));
    }

    /** The user pressed cancel on the progress: SIGINT, so that training writes its checkpoint and exits. */
    public void cancel(Either<String, Integer> token) {
        String t = token.isLeft() ? token.getLeft() : String.valueOf(token.getRight());
        Run run = runs.get(t);
        if (run != null) stop(run);
    }

    private void stop(Run run) {
        run.cancelled()[0] = true;
        Process p = run.process();
        if (!p.isAlive()) return;
        try {
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException | RuntimeException e) {
            p.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Thread killer = new Thread(() -> {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroy();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }, "ann-train-stop");
        killer.setDaemon(true);
        killer.start();
    }

    public void stopAll() {
        for (Run r : runs.values()) stop(r);
    }

    // ---- generate and plan -------------------------------------------------------------

    private CompletableFuture<Object> generate(String uri, String train, String outDir) throws IOException {
        Path file = file(uri);
        List<String> cmd = new ArrayList<>(List.of(cli(file), "generate", file.toString(), "--json"));
        if (train != null) cmd.addAll(List.of("--train", train));
        // `ann generate` needs --out; a code lens in an editor that does not ask gets generated/<file name>
        String stem = file.getFileName().toString().replaceFirst("\\.ann$", "");
        cmd.addAll(List.of("--out", outDir != null ? outDir : file.getParent().resolve("generated").resolve(stem).toString()));
        return runToEnd(cmd, file).thenApply(out -> generated(out, file.getParent()));
    }

    /**
     * {@code ann generate --json}'s output as the command's result:
     * {@code {"files": [{"path": ..., "uri": ...}], "pom": {...}}}, each file with
     * its absolute path and its file URI, so that no client splits a path on its spaces.
     */
    static Map<String, Object> generated(String out, Path base) {
        com.google.gson.JsonObject o;
        try {
            o = com.google.gson.JsonParser.parseString(out.trim()).getAsJsonObject();
        } catch (RuntimeException e) {
            throw error(ResponseErrorCode.RequestFailed, "'ann generate --json' printed something else than JSON ("
                    + dev.ann.compiler.diag.Limits.message(out.trim()) + "); is annPath an older ann?");
        }
        List<Map<String, String>> files = new ArrayList<>();
        if (o.get("files") instanceof com.google.gson.JsonArray a) {
            for (JsonElement e : a) if (e.isJsonPrimitive()) files.add(written(e.getAsString(), base));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("files", files);
        if (o.get("pom") instanceof JsonPrimitive pom) result.put("pom", written(pom.getAsString(), base));
        return result;
    }

    private static Map<String, String> written(String path, Path base) {
        Path p = Path.of(path);
        Path abs = (p.isAbsolute() || base == null ? p : base.resolve(p)).toAbsolutePath().normalize();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("path", abs.toString());
        m.put("uri", Lsp.uri(abs));
        return m;
    }

    private CompletableFuture<Object> plan(String uri, String train, String profile) throws IOException {
        Path file = file(uri);
        List<String> cmd = new ArrayList<>(List.of(cli(file), "plan", file.toString()));
        if (train != null) cmd.addAll(List.of("--train", train));
        if (profile != null) cmd.addAll(List.of("--profile", profile));
        return runToEnd(cmd, file).thenApply(s -> s);
    }

    private void log(String line) {
        server.client().logMessage(new MessageParams(MessageType.Log, line));
    }

    /**
     * {@code ann export} of a checkpoint (by default the newest run's
     * {@code runs/<train>/<time>/model.ckpt}, where {@code ann train} started from
     * the file's folder writes it) to {@code model.onnx} beside it.
     */
    private CompletableFuture<Object> export(String uri, String train, String checkpoint) throws IOException {
        Path file = file(uri);
        Path ckpt = checkpoint != null ? Path.of(checkpoint) : latestCheckpoint(file, train);
        Path out = ckpt.resolveSibling("model.onnx");
        List<String> cmd = new ArrayList<>(List.of(cli(file), "export", file.toString()));
        if (train != null) cmd.addAll(List.of("--train", train));
        cmd.addAll(List.of("--checkpoint", ckpt.toString(), "--out", out.toString()));
        return runToEnd(cmd, file).thenApply(s -> Map.of("file", out.toString(), "output", s));
    }

    /** The newest {@code runs/<train>/<run>/model.ckpt} beside the file, or an error that says to train first. */
    static Path latestCheckpoint(Path file, String train) throws IOException {
        Path runs = file.toAbsolutePath().getParent().resolve("runs").resolve(train == null ? "" : train);
        Path best = null;
        if (Files.isDirectory(runs)) {
            try (var dirs = Files.list(runs)) {
                for (Path d : dirs.sorted().toList()) {
                    if (Files.isRegularFile(d.resolve("model.ckpt"))) best = d.resolve("model.ckpt");
                }
            }
        }
        if (best == null) {
            throw error(ResponseErrorCode.RequestFailed, "no trained model for '" + train + "' under " + runs
                    + "; train it first (▶ Train), then export");
        }
        return best;
    }

    /** Runs a child to its end: its output on success, an error response with its output otherwise. */
    private CompletableFuture<String> runToEnd(List<String> cmd, Path file) throws IOException {
        Process p = start(cmd, file);
        return CompletableFuture.supplyAsync(() -> {
            try {
                // bounded: a child that prints without end costs this much memory, no more
                String out;
                try (var in = p.getInputStream()) {
                    byte[] head = in.readNBytes(MAX_OUTPUT);
                    out = new String(head, StandardCharsets.UTF_8);
                    if (in.transferTo(java.io.OutputStream.nullOutputStream()) > 0) out += "\n[output cut at 1 MiB]";
                }
                int code = p.waitFor();
                server.client().logMessage(new MessageParams(MessageType.Log,
                        "[" + String.join(" ", cmd.subList(1, Math.min(2, cmd.size()))) + "] exit " + code));
                if (code != 0) {
                    throw error(ResponseErrorCode.RequestFailed, "'ann " + cmd.get(1) + "' failed (exit code " + code + "):\n"
                            + (out.length() > 4000 ? "…" + out.substring(out.length() - 4000) : out));
                }
                return out;
            } catch (IOException e) {
                throw error(ResponseErrorCode.InternalError, "cannot read the output of 'ann " + cmd.get(1) + "': " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroy();
                throw error(ResponseErrorCode.RequestCancelled, "interrupted");
            }
        });
    }

    private Process start(List<String> cmd, Path file) throws IOException {
        return start(cmd, file, true);
    }

    /** Starts a child in the file's folder; {@code mergeErrors}: its standard error into its standard output. */
    private Process start(List<String> cmd, Path file, boolean mergeErrors) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(mergeErrors);
        Path dir = file.getParent();
        if (dir != null && Files.isDirectory(dir)) pb.directory(dir.toFile());
        try {
            return pb.start();
        } catch (IOException e) {
            throw error(ResponseErrorCode.RequestFailed, "cannot start '" + cmd.get(0) + "' (" + e.getMessage()
                    + "); set the 'annPath' setting to the ann command line");
        }
    }

    // ---- finding the command line ----------------------------------------------------------

    /** The setting/initialization option annPath, else an `ann` launcher above the file, else `ann` on PATH. */
    String cli(Path file) {
        String configured = server.annPath();
        if (configured != null) return configured;
        for (Path dir = file.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("ann");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate.toString();
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                Path candidate = Path.of(d, "ann");
                if (Files.isExecutable(candidate)) return candidate.toString();
            }
        }
        return "ann";
    }

    // ---- helpers --------------------------------------------------------------------------

    private void progress(String token, Either<org.eclipse.lsp4j.WorkDoneProgressNotification, Object> value) {
        server.client().notifyProgress(new ProgressParams(Either.forLeft(token), Either.forLeft(value.getLeft())));
    }

    private void progress(String token, JsonObject value) {
        server.client().notifyProgress(new ProgressParams(Either.forLeft(token), Either.forRight(value)));
    }

    private static Path file(String uri) {
        if (uri == null) throw error(ResponseErrorCode.InvalidParams, "the first argument must be the file's URI");
        return Lsp.path(uri);
    }

    private static String str(List<Object> args, int i) {
        if (i >= args.size()) return null;
        Object o = args.get(i);
        if (o == null) return null;
        if (o instanceof JsonElement e) {
            if (e.isJsonNull()) return null;
            if (e instanceof JsonPrimitive p) return p.getAsString();
            return e.toString();
        }
        return o.toString();
    }

    static ResponseErrorException error(ResponseErrorCode code, String message) {
        return new ResponseErrorException(new ResponseError(code, "ann: " + message, null));
    }
}
