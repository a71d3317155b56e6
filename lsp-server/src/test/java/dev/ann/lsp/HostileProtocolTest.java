package dev.ann.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ann.compiler.diag.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, points 4, 5 and 7, on the wire: after a framing error the server
 * answers the next message; the protocol's error codes; a huge document is
 * answered, not fatal; diagnostics of a file of 16,000 errors are bounded.
 */
class HostileProtocolTest {

    @TempDir
    Path dir;

    private OutputStream toServer;
    private InputStream fromServer;
    private OutputStream serverOut;
    private Future<Void> loop;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-reader");
        t.setDaemon(true);
        return t;
    });

    @BeforeEach
    void start() throws Exception {
        Pipe a = new Pipe();
        Pipe b = new Pipe();
        toServer = a.out;
        fromServer = b.in;
        serverOut = b.out;
        loop = ServerLauncher.start(new AnnLanguageServer(), a.in, serverOut).startListening();
        send("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"capabilities\":{},"
                + "\"initializationOptions\":{\"debounceMs\":0}}}");
        assertEquals(0, answer(0).get("id").getAsInt());
    }

    @AfterEach
    void stop() throws IOException {
        loop.cancel(true);
        toServer.close();
        serverOut.close();
        reader.shutdownNow();
    }

    private void raw(String s) throws IOException {
        toServer.write(s.getBytes(StandardCharsets.UTF_8));
        toServer.flush();
    }

    private void send(String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        raw("Content-Length: " + body.length + "\r\n\r\n");
        toServer.write(body);
        toServer.flush();
    }

    /** Answers read while waiting for another: requests run concurrently, so answers come in any order. */
    private final java.util.Map<String, JsonObject> answers = new java.util.HashMap<>();

    /** The answer to request {@code id}, skipping notifications; fails after 30 s without a message. */
    private JsonObject answer(int id) throws Exception {
        String key = String.valueOf(id);
        while (!answers.containsKey(key)) {
            JsonObject m = next(30);
            if (m.has("id") && !m.has("method")) answers.put(m.get("id").getAsString(), m);
        }
        return answers.remove(key);
    }

    private JsonObject next(int seconds) throws Exception {
        try {
            return reader.submit(() -> ProtocolRobustnessTest.read(fromServer)).get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no message from the server in " + seconds + " s");
        }
    }

    private static int code(JsonObject answer) {
        assertTrue(answer.has("error"), answer::toString);
        return answer.getAsJsonObject("error").get("code").getAsInt();
    }

    private static String request(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"workspace/symbol\",\"params\":{\"query\":\"\"}}";
    }

    @Test
    void aContentLengthTooShortLosesThatMessageOnlyAndItIsAnswered() throws Exception {
        String body = request(1);
        raw("Content-Length: " + (body.length() - 5) + "\r\n\r\n" + body);
        assertEquals(-32700, code(answer(1)), "the cut message is answered with a parse error");
        send(request(2));
        assertTrue(answer(2).has("result"), "the next message is served");
    }

    @Test
    void aContentLengthTooLongStopsAtTheNextHeader() throws Exception {
        String body = request(1);
        raw("Content-Length: " + (body.length() + 40) + "\r\n\r\n" + body);
        send(request(2));
        assertTrue(answer(1).has("result"), "the long one is whole up to the next header");
        assertTrue(answer(2).has("result"));
        send(request(3));
        assertTrue(answer(3).has("result"));
    }

    @Test
    void aContentLengthOneTooLongEndsInTheNextHeaderAndBothAreServed() throws Exception {
        for (int extra = 1; extra <= 20; extra++) {
            String body = request(extra * 10);
            raw("Content-Length: " + (body.length() + extra) + "\r\n\r\n" + body);
            send(request(extra * 10 + 1));
            assertTrue(answer(extra * 10 + 1).has("id"), "served after a length " + extra + " too long");
            answers.clear();
        }
    }

    @Test
    void aMissingContentLengthIsReadAsTheMessageItPrecedes() throws Exception {
        raw("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + request(1));
        send(request(2));
        assertTrue(answer(1).has("result"));
        assertTrue(answer(2).has("result"));
    }

    @Test
    void aLengthCountedInCharactersInsteadOfBytesIsAnsweredAndTheNextServed() throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"workspace/symbol\",\"params\":{\"query\":\"größe\"}}";
        raw("Content-Length: " + body.length() + "\r\n\r\n" + body);   // two bytes short
        assertEquals(-32700, code(answer(1)));
        send(request(2));
        assertTrue(answer(2).has("result"));
    }

    @Test
    void garbageAndNonsenseHeadersBetweenMessagesAreSkipped() throws Exception {
        raw("hello\r\nContent-Length: banana\r\n\r\n{}\r\n\u0000\u0001\r\n");
        send(request(1));
        assertTrue(answer(1).has("result"));
    }

    @Test
    void theProtocolsErrorCodes() throws Exception {
        String uri = Lsp.uri(dir.resolve("a.ann"));
        send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"textDocument/documentHighlight\",\"params\":{\"textDocument\":{\"uri\":\""
                + uri + "\"},\"position\":{\"line\":0,\"character\":0}}}");
        assertEquals(-32601, code(answer(1)), "not implemented: MethodNotFound");
        send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"textDocument/hover\",\"params\":null}");
        assertEquals(-32602, code(answer(2)), "null params: InvalidParams");
        send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"textDocument/hover\"}");
        assertEquals(-32602, code(answer(3)), "no params: InvalidParams");
        send("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":null}");
        send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"shutdown\"}");
        assertTrue(answer(4).has("result"), "shutdown needs no params");
        send(request(5));
        assertEquals(-32600, code(answer(5)), "after shutdown: InvalidRequest");
    }

    /** A document of 16,000 `dense(3) ->` on one line: its diagnostics are bounded, and say how many more. */
    @Test
    void diagnosticsOfAFileWithThousandsOfErrorsAreBounded() throws Exception {
        String uri = Lsp.uri(dir.resolve("big.ann"));
        StringBuilder text = new StringBuilder("network N {\n    input [2]\n    ");
        for (int i = 0; i < 1200; i++) text.append("dense(3) -> ");
        text.append("\n}\n");
        for (int i = 0; i < 3000; i++) text.append("network N").append(i).append(" {\n    nope\n}\n");
        JsonObject open = JsonParser.parseString("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":"
                + "{\"textDocument\":{\"uri\":\"" + uri + "\",\"languageId\":\"ann\",\"version\":1,\"text\":\"\"}}}").getAsJsonObject();
        open.getAsJsonObject("params").getAsJsonObject("textDocument").addProperty("text", text.toString());
        send(open.toString());
        JsonObject m;
        do {
            m = next(60);
        } while (!"textDocument/publishDiagnostics".equals(m.has("method") ? m.get("method").getAsString() : ""));
        JsonArray ds = m.getAsJsonObject("params").getAsJsonArray("diagnostics");
        assertEquals(Limits.SHOWN_PER_FILE + 1, ds.size());
        String last = ds.get(ds.size() - 1).getAsJsonObject().get("message").getAsString();
        assertTrue(last.matches("[\\d,]+ more problems in this file are not shown.*"), last);
        assertTrue(m.toString().length() < 100_000, "bounded: " + m.toString().length() + " characters");
    }

    /** Issue 17, point 5: a 5 MB document is answered (with an error), and the server goes on serving. */
    @Test
    void formattingAFiveMegabyteDocumentIsAnsweredAndTheServerLives() throws Exception {
        String uri = Lsp.uri(dir.resolve("huge.ann"));
        String text = "network N {\n    input [2]\n    dense(3) -> relu;    dense(2);\n}\n".repeat(80_000);
        assertTrue(text.length() > 5_000_000);
        JsonObject open = JsonParser.parseString("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":"
                + "{\"textDocument\":{\"uri\":\"" + uri + "\",\"languageId\":\"ann\",\"version\":1,\"text\":\"\"}}}").getAsJsonObject();
        open.getAsJsonObject("params").getAsJsonObject("textDocument").addProperty("text", text);
        send(open.toString());
        send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"textDocument/formatting\",\"params\":{\"textDocument\":{\"uri\":\""
                + uri + "\"},\"options\":{\"tabSize\":4,\"insertSpaces\":true}}}");
        JsonObject a = answer(1);
        assertEquals(-32803, code(a), a::toString);
        assertTrue(a.toString().contains(Limits.TOO_LARGE), a::toString);
        send(request(2));
        assertTrue(answer(2).has("result"));
    }

    /**
     * Under the limit, a document whose formatting changes 10,000 lines is
     * answered with an edit a line: the line diff (Myers) kept a trace quadratic
     * in the lines, 3 GB here, and the request died of an OutOfMemoryError.
     */
    @Test
    void formattingTenThousandChangedLinesIsAnsweredWithEdits() throws Exception {
        String uri = Lsp.uri(dir.resolve("wide.ann"));
        String text = "network N {\n    input [2]\n" + "    dense(3)->relu\n".repeat(10_000) + "}\n";
        JsonObject open = JsonParser.parseString("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":"
                + "{\"textDocument\":{\"uri\":\"" + uri + "\",\"languageId\":\"ann\",\"version\":1,\"text\":\"\"}}}").getAsJsonObject();
        open.getAsJsonObject("params").getAsJsonObject("textDocument").addProperty("text", text);
        send(open.toString());
        send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"textDocument/formatting\",\"params\":{\"textDocument\":{\"uri\":\""
                + uri + "\"},\"options\":{\"tabSize\":4,\"insertSpaces\":true}}}");
        JsonObject a = answer(1);
        assertFalse(a.has("error"), a::toString);
        JsonArray edits = a.getAsJsonArray("result");
        assertEquals(10_000, edits.size());
        JsonObject first = edits.get(0).getAsJsonObject();
        assertEquals(2, first.getAsJsonObject("range").getAsJsonObject("start").get("line").getAsInt());
        assertEquals("    dense(3) -> relu\n", first.get("newText").getAsString());
    }
}
