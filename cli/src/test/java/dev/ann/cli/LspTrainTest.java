package dev.ann.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonPrimitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.ProgressParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.WorkDoneProgressCreateParams;
import org.eclipse.lsp4j.WorkDoneProgressEnd;
import org.eclipse.lsp4j.WorkDoneProgressNotification;
import org.eclipse.lsp4j.WorkDoneProgressReport;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "▶ Train" from an editor with the real command line: the language server
 * (its own process, on stdio) starts `ann train` on examples/xor.ann, which
 * trains on the runtime and reports each epoch through work-done progress.
 */
class LspTrainTest {

    @TempDir
    Path dir;

    @Test
    void trainingXorFromTheServerReportsEveryEpoch() throws Exception {
        for (String f : List.of("xor.ann", "xor.csv", "and.csv")) Files.copy(Path.of("../examples", f), dir.resolve(f));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        Path ann = dir.resolve("ann-under-test");
        Files.writeString(ann, "#!/bin/sh\nexec '" + java + "' -cp '" + cp + "' dev.ann.cli.Main \"$@\"\n");
        assertTrue(ann.toFile().setExecutable(true));

        Process server = new ProcessBuilder(java, "-cp", cp, "dev.ann.lsp.ServerLauncher")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Client client = new Client();
        Launcher<LanguageServer> launcher = LSPLauncher.createClientLauncher(client, server.getInputStream(), server.getOutputStream());
        launcher.startListening();
        LanguageServer ls = launcher.getRemoteProxy();
        try {
            InitializeParams init = new InitializeParams();
            init.setCapabilities(new ClientCapabilities());
            init.setInitializationOptions(Map.of("annPath", ann.toString()));
            ls.initialize(init).get(60, TimeUnit.SECONDS);
            ls.initialized(new InitializedParams());
            String uri = dir.resolve("xor.ann").toUri().toString();
            CompletableFuture<Object> done = ls.getWorkspaceService().executeCommand(new ExecuteCommandParams("ann.train",
                    List.of(new JsonPrimitive(uri), new JsonPrimitive("neuron"), new JsonPrimitive("dev"))));
            List<String> reports = new ArrayList<>();
            while (true) {
                ProgressParams p = client.progress.poll(300, TimeUnit.SECONDS);
                assertTrue(p != null, "no progress; log:\n" + String.join("\n", client.logs));
                WorkDoneProgressNotification n = p.getValue().getLeft();
                // an epoch's report has its message; a batch's keeps the last one (null)
                if (n instanceof WorkDoneProgressReport r && r.getMessage() != null) reports.add(r.getMessage());
                if (n instanceof WorkDoneProgressEnd) break;
            }
            Map<?, ?> result = new Gson().fromJson(new Gson().toJson(done.get(60, TimeUnit.SECONDS)), Map.class);
            assertEquals(0, ((Number) result.get("exitCode")).intValue(), String.join("\n", client.logs));
            assertEquals(20, reports.size(), "the dev profile trains 20 epochs: " + reports);
            // e.g. "epoch 1/20 · train_loss 0.8014 · train_accuracy 75.00%"
            assertTrue(reports.get(0).matches("epoch 1/20 · .*loss [0-9.]+.*"), reports.get(0));
            assertTrue(reports.get(19).matches("epoch 20/20 · .*loss [0-9.]+ · .*accuracy [0-9.]+%.*"), reports.get(19));
            // the last event of `ann train --events json` comes back with the result
            Map<?, ?> outcome = (Map<?, ?>) result.get("outcome");
            assertEquals("end", outcome.get("event"), String.valueOf(outcome));
            assertTrue(Files.exists(Path.of((String) outcome.get("report"))), String.valueOf(outcome));
        } finally {
            try {
                ls.shutdown().get(10, TimeUnit.SECONDS);
                ls.exit();
            } finally {
                if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
            }
        }
    }

    static final class Client implements LanguageClient {
        final BlockingQueue<ProgressParams> progress = new LinkedBlockingQueue<>();
        final List<String> logs = new CopyOnWriteArrayList<>();

        @Override
        public void telemetryEvent(Object object) {
        }

        @Override
        public void publishDiagnostics(PublishDiagnosticsParams diagnostics) {
        }

        @Override
        public void showMessage(MessageParams m) {
            logs.add(m.getMessage());
        }

        @Override
        public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams r) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void logMessage(MessageParams m) {
            logs.add(m.getMessage());
        }

        @Override
        public CompletableFuture<Void> createProgress(WorkDoneProgressCreateParams p) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void notifyProgress(ProgressParams p) {
            progress.add(p);
        }
    }
}
