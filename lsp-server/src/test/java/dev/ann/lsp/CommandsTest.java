package dev.ann.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.ProgressParams;
import org.eclipse.lsp4j.WorkDoneProgressBegin;
import org.eclipse.lsp4j.WorkDoneProgressCancelParams;
import org.eclipse.lsp4j.WorkDoneProgressEnd;
import org.eclipse.lsp4j.WorkDoneProgressNotification;
import org.eclipse.lsp4j.WorkDoneProgressReport;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * workspace/executeCommand. Real training needs the runtime, so these tests
 * put a FAKE `ann` script next to the .ann file (where the server looks for
 * the launcher): it prints epoch lines the way `ann train` does when its
 * output is not a terminal, and trains nothing.
 */
class CommandsTest {

    @TempDir
    Path dir;

    static final String TRAIN_FILE = "network N {\n    input [2]\n    dense(1) -> sigmoid\n}\n";

    /** Writes the fake launcher; epochs and the pause between them are fixed in the script. */
    static Path fakeAnn(Path dir, int epochs, double pause) throws Exception {
        Path script = dir.resolve("ann");
        Files.writeString(script, """
                #!/usr/bin/env bash
                # FAKE `ann` command line for the language server's tests: trains nothing.
                trap 'echo "interrupted: checkpoint written to runs/last"; exit 130' INT
                case "$1" in
                  train)
                    echo "args: $*"
                    for i in $(seq 1 %d); do
                      echo "epoch $i/%d  loss 0.$((90 - i))  accuracy 0.$((50 + i))  (0.1 s)"
                      sleep %s
                    done
                    echo "saved runs/model.ckpt";;
                  plan) echo "PLAN $*";;
                  generate)
                    [ "$3" = --json ] || { echo "expected --json, got: $*" >&2; exit 2; }
                    out="${@: -1}"; mkdir -p "$out" && touch "$out/NTrainer.java"
                    printf '{"files": ["%%s"]}\\n' "$out/NTrainer.java";;
                  export) echo "EXPORT $*";;
                  *) echo "unknown $1" >&2; exit 2;;
                esac
                """.formatted(epochs, epochs, pause));
        script.toFile().setExecutable(true);
        return script;
    }

    static ExecuteCommandParams command(String name, Object... args) {
        List<Object> list = new ArrayList<>();
        for (Object a : args) list.add(a == null ? com.google.gson.JsonNull.INSTANCE : new JsonPrimitive(a.toString()));
        return new ExecuteCommandParams(name, list);
    }

    static WorkDoneProgressNotification next(LspHarness lsp) throws InterruptedException {
        ProgressParams p = lsp.client.progress.poll(20, TimeUnit.SECONDS);
        assertTrue(p != null, "no progress notification");
        return p.getValue().getLeft();
    }

    @Test
    void trainStreamsEpochsThroughWorkDoneProgressAndLogsTheOutput() throws Exception {
        fakeAnn(dir, 3, 0.05);
        Path f = dir.resolve("tiny.ann");
        Files.writeString(f, TRAIN_FILE);
        try (LspHarness lsp = new LspHarness()) {
            lsp.open(f, TRAIN_FILE);
            CompletableFuture<Object> done = lsp.server.getWorkspaceService().executeCommand(
                    command("ann.train", Lsp.uri(f), "N", "dev"));
            WorkDoneProgressBegin begin = (WorkDoneProgressBegin) next(lsp);
            assertEquals("Training N (dev)", begin.getTitle());
            assertTrue(begin.getCancellable());
            List<String> messages = new ArrayList<>();
            WorkDoneProgressNotification n;
            while (!((n = next(lsp)) instanceof WorkDoneProgressEnd)) messages.add(((WorkDoneProgressReport) n).getMessage());
            assertEquals(List.of("epoch 1/3 · loss 0.89 · accuracy 0.51", "epoch 2/3 · loss 0.88 · accuracy 0.52",
                    "epoch 3/3 · loss 0.87 · accuracy 0.53"), messages);
            Map<?, ?> result = (Map<?, ?>) toMap(done.get(20, TimeUnit.SECONDS));
            assertEquals(0, ((Number) result.get("exitCode")).intValue());
            assertEquals(false, result.get("cancelled"));
            assertEquals(1, lsp.client.createdTokens.size(), "the server asked the client for a progress token");
            assertTrue(lsp.client.logs.stream().anyMatch(l -> l.contains("args: train " + f + " --train N --profile dev")),
                    lsp.client.logs::toString);
            assertTrue(lsp.client.logs.stream().anyMatch(l -> l.contains("saved runs/model.ckpt")));
        }
    }

    @Test
    void eventsOfAnnTrainGoToTheClientAsReportsWithTheEventInAnn() throws Exception {
        // a FAKE `ann train --events json`: events on stdout, the progress text on stderr
        Path script = dir.resolve("ann");
        Files.writeString(script, """
                #!/usr/bin/env bash
                echo "args: $*" >&2
                echo '{"event":"start","train":"N","epochs":2,"batches":2,"classes":["a","b"]}'
                for e in 1 2; do
                  for b in 1 2; do echo '{"event":"batch","epoch":'$e',"epochs":2,"batch":'$b',"batches":2,"loss":0.5}'; done
                  echo "epoch $e/2  train_loss 0.4000  0:00  10 samples/s" >&2
                  echo '{"event":"epoch","epochs":2,"metrics":{"epoch":'$e',"train_loss":0.4},"line":"epoch '$e'/2  train_loss 0.4000  0:00  10 samples/s"}'
                done
                echo 'not an event'
                echo '{"event":"end","report":"runs/N/1/report.md","summary":{"test":{"accuracy":0.9}}}'
                """);
        script.toFile().setExecutable(true);
        Path f = dir.resolve("tiny.ann");
        Files.writeString(f, TRAIN_FILE);
        try (LspHarness lsp = new LspHarness()) {
            lsp.open(f, TRAIN_FILE);
            CompletableFuture<Object> done = lsp.server.getWorkspaceService().executeCommand(command("ann.train", Lsp.uri(f), "N", null));
            next(lsp); // begin
            List<WorkDoneProgressReport> reports = new ArrayList<>();
            WorkDoneProgressNotification n;
            while (!((n = next(lsp)) instanceof WorkDoneProgressEnd)) reports.add((WorkDoneProgressReport) n);
            assertEquals("done: epoch 2/2 · train_loss 0.4000", ((WorkDoneProgressEnd) n).getMessage());
            // start, 2 x (2 batches + epoch), end: one report each, in order; the epoch's message as before
            assertEquals(8, reports.size(), reports.toString());
            assertEquals(java.util.Arrays.asList(null, 25, 50, 50, 75, 100, 100, null),
                    reports.stream().map(WorkDoneProgressReport::getPercentage).toList());
            assertEquals("epoch 1/2 · train_loss 0.4000", reports.get(3).getMessage());
            assertEquals(null, reports.get(1).getMessage(), "a batch keeps the last message");
            // on the wire each report carries its event in "ann"
            String wire = lsp.sent();
            assertTrue(wire.contains("\"ann\":{\"event\":\"batch\",\"epoch\":2,\"epochs\":2,\"batch\":1"), wire);
            assertTrue(wire.contains("\"ann\":{\"event\":\"end\",\"report\":\"runs/N/1/report.md\""), wire);
            Map<?, ?> result = toMap(done.get(20, TimeUnit.SECONDS));
            assertEquals(0, ((Number) result.get("exitCode")).intValue());
            assertEquals("end", ((Map<?, ?>) result.get("outcome")).get("event"));
            // the text and stray lines go to the log; the events do not
            assertTrue(lsp.client.logs.stream().anyMatch(l -> l.contains("args: train " + f + " --train N --events json")), lsp.client.logs::toString);
            assertTrue(lsp.client.logs.stream().anyMatch(l -> l.equals("[ann train] not an event")), lsp.client.logs::toString);
            assertTrue(lsp.client.logs.stream().noneMatch(l -> l.contains("\"event\"")), lsp.client.logs::toString);
        }
    }

    @Test
    void anErrorEventEndsTheProgressWithItsMessage() throws Exception {
        Path script = dir.resolve("ann");
        Files.writeString(script, """
                #!/usr/bin/env bash
                echo "tiny.ann:3:16: error[E020]: unknown activation 'rleu'" >&2
                echo '{"event":"error","message":"1 error in tiny.ann","exit_code":1,"diagnostics":[{"file":"tiny.ann","line":3,"column":16}]}'
                exit 1
                """);
        script.toFile().setExecutable(true);
        Path f = dir.resolve("tiny.ann");
        Files.writeString(f, TRAIN_FILE);
        try (LspHarness lsp = new LspHarness()) {
            lsp.open(f, TRAIN_FILE);
            CompletableFuture<Object> done = lsp.server.getWorkspaceService().executeCommand(command("ann.train", Lsp.uri(f), "N", null));
            next(lsp); // begin
            assertEquals("error: 1 error in tiny.ann", ((WorkDoneProgressReport) next(lsp)).getMessage());
            assertEquals("failed (exit code 1): 1 error in tiny.ann", ((WorkDoneProgressEnd) next(lsp)).getMessage());
            Map<?, ?> result = toMap(done.get(20, TimeUnit.SECONDS));
            assertEquals(1, ((Number) result.get("exitCode")).intValue());
            assertEquals("error", ((Map<?, ?>) result.get("outcome")).get("event"));
        }
    }

    @Test
    void cancellingTheProgressStopsTheChildWithSigint() throws Exception {
        fakeAnn(dir, 1000, 0.05);
        Path f = dir.resolve("tiny.ann");
        Files.writeString(f, TRAIN_FILE);
        try (LspHarness lsp = new LspHarness()) {
            lsp.open(f, TRAIN_FILE);
            CompletableFuture<Object> done = lsp.server.getWorkspaceService().executeCommand(
                    command("ann.train", Lsp.uri(f), "N", null));
            next(lsp); // begin
            next(lsp); // first epoch
            lsp.server.cancelProgress(new WorkDoneProgressCancelParams(Either.forLeft(lsp.client.createdTokens.get(0))));
            Map<?, ?> result = (Map<?, ?>) toMap(done.get(20, TimeUnit.SECONDS));
            assertEquals(true, result.get("cancelled"));
            assertEquals(130, ((Number) result.get("exitCode")).intValue(), "the child ran its SIGINT handler");
            assertTrue(lsp.client.logs.stream().anyMatch(l -> l.contains("checkpoint written")), lsp.client.logs::toString);
        }
    }

    @Test
    void planAndGenerateRunTheCommandLine() throws Exception {
        fakeAnn(dir, 1, 0);
        Path f = dir.resolve("tiny.ann");
        Files.writeString(f, TRAIN_FILE);
        JsonObject opts = new JsonObject();
        opts.addProperty("annPath", dir.resolve("ann").toString());
        try (LspHarness lsp = new LspHarness(opts)) {
            Object plan = lsp.server.getWorkspaceService().executeCommand(command("ann.plan", Lsp.uri(f), "N", null))
                    .get(20, TimeUnit.SECONDS);
            assertEquals("PLAN plan " + f + " --train N", toString(plan).trim());
            Object gen = lsp.server.getWorkspaceService().executeCommand(command("ann.generate", Lsp.uri(f), "N", null))
                    .get(20, TimeUnit.SECONDS);
            assertEquals(List.of(written(dir.resolve("generated/tiny/NTrainer.java"))), toMap(gen).get("files"),
                    "without a folder, --out is generated/<file name>");
            gen = lsp.server.getWorkspaceService().executeCommand(command("ann.generate", Lsp.uri(f), "N", "out"))
                    .get(20, TimeUnit.SECONDS);
            assertEquals(List.of(written(dir.resolve("out/NTrainer.java"))), toMap(gen).get("files"),
                    "a relative folder is relative to the file's");
        }
    }

    /** Issue 17, point 8: the result was split on spaces, so a folder with a space in its name gave paths that did not exist. */
    @Test
    void generateInAFolderWithSpacesReturnsPathsAndUrisThatExist() throws Exception {
        fakeAnn(dir, 1, 0);
        Path folder = Files.createDirectories(dir.resolve("my models (v2)"));
        Path f = folder.resolve("tiny net.ann");
        Files.writeString(f, TRAIN_FILE);
        JsonObject opts = new JsonObject();
        opts.addProperty("annPath", dir.resolve("ann").toString());
        try (LspHarness lsp = new LspHarness(opts)) {
            Object gen = lsp.server.getWorkspaceService().executeCommand(command("ann.generate", Lsp.uri(f), "N", null))
                    .get(20, TimeUnit.SECONDS);
            @SuppressWarnings("unchecked")
            List<Map<String, String>> files = (List<Map<String, String>>) toMap(gen).get("files");
            assertEquals(1, files.size(), files::toString);
            Path path = Path.of(files.get(0).get("path"));
            assertEquals(folder.resolve("generated/tiny net/NTrainer.java"), path);
            assertTrue(Files.isRegularFile(path), path + " exists");
            assertEquals(path, Path.of(java.net.URI.create(files.get(0).get("uri"))), "the URI names the same file");
            assertTrue(files.get(0).get("uri").contains("my%20models%20(v2)"), files.get(0).get("uri"));
        }
    }

    static Map<String, String> written(Path p) {
        return Map.of("path", p.toString(), "uri", Lsp.uri(p));
    }

    @Test
    void exportOnnxTakesTheNewestCheckpointOrSaysToTrainFirst() throws Exception {
        fakeAnn(dir, 1, 0);
        Path f = dir.resolve("tiny.ann");
        Files.writeString(f, TRAIN_FILE);
        JsonObject opts = new JsonObject();
        opts.addProperty("annPath", dir.resolve("ann").toString());
        try (LspHarness lsp = new LspHarness(opts)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> lsp.server.getWorkspaceService()
                    .executeCommand(command("ann.export", Lsp.uri(f), "N", null)).get(20, TimeUnit.SECONDS));
            assertTrue(e.getMessage().contains("no trained model for 'N'") && e.getMessage().contains("train it first"), e.getMessage());

            for (String run : List.of("20250101-090000", "20250102-090000")) {
                Files.createDirectories(dir.resolve("runs/N/" + run));
                Files.writeString(dir.resolve("runs/N/" + run + "/model.ckpt"), "x");
            }
            Files.createDirectories(dir.resolve("runs/N/20250103-090000"));   // a run that wrote no checkpoint yet
            Object out = lsp.server.getWorkspaceService().executeCommand(command("ann.export", Lsp.uri(f), "N", null))
                    .get(20, TimeUnit.SECONDS);
            Path newest = dir.resolve("runs/N/20250102-090000");
            assertEquals(newest.resolve("model.onnx").toString(), toMap(out).get("file"));
            assertEquals("EXPORT export " + f + " --train N --checkpoint " + newest.resolve("model.ckpt") + " --out "
                    + newest.resolve("model.onnx"), toMap(out).get("output").toString().trim());
        }
    }

    @Test
    void anUnknownCommandIsAnErrorWithTheKnownOnes() throws Exception {
        try (LspHarness lsp = new LspHarness()) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> lsp.server.getWorkspaceService()
                    .executeCommand(command("ann.nope")).get(10, TimeUnit.SECONDS));
            assertTrue(e.getMessage().contains("ann.train"), e.getMessage());
        }
    }

    @Test
    void epochLinesAreParsedLoosely() {
        assertEquals("epoch 3/12 · loss 0.412 · accuracy 0.881",
                dev.ann.lsp.features.CommandsProbe.message("epoch 3/12 · loss 0.412 · accuracy 0.881"));
        assertEquals("epoch 3/12 · loss 0.412 · val_loss 0.5",
                dev.ann.lsp.features.CommandsProbe.message("Epoch 3 / 12: loss=0.412 val_loss: 0.5"));
        assertEquals(null, dev.ann.lsp.features.CommandsProbe.message("loading data"));
    }

    /** Results arrive as JSON trees (Gson): a map for objects. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> toMap(Object o) {
        return new com.google.gson.Gson().fromJson(new com.google.gson.Gson().toJson(o), Map.class);
    }

    static String toString(Object o) {
        if (o instanceof com.google.gson.JsonPrimitive p) return p.getAsString();
        return o.toString();
    }
}
