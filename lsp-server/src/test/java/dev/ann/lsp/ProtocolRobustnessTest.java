package dev.ann.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.FoldingRangeRequestParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bytes on the wire: malformed JSON, unknown methods and failing requests do not take the server down. */
class ProtocolRobustnessTest {

    @TempDir
    Path dir;

    @Test
    void malformedJsonAndUnknownMethodsAreAnsweredAsTheProtocolSays() throws Exception {
        Pipe a = new Pipe();
        Pipe b = new Pipe();
        InputStream serverIn = a.in;
        OutputStream toServer = a.out;
        InputStream fromServer = b.in;
        OutputStream serverOut = b.out;
        AnnLanguageServer server = new AnnLanguageServer();
        Future<Void> loop = ServerLauncher.start(server, serverIn, serverOut).startListening();
        try {
            send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"capabilities\":{}}}");
            assertEquals(1, read(fromServer).get("id").getAsInt());

            send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":{\"capabilities\":{ oops");
            JsonObject parseError = read(fromServer);
            assertTrue(parseError.has("error"), parseError::toString);
            assertEquals(-32700, parseError.getAsJsonObject("error").get("code").getAsInt(), parseError::toString);

            send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"textDocument/noSuchThing\",\"params\":{}}");
            JsonObject unknown = read(fromServer);
            assertEquals(3, unknown.get("id").getAsInt());
            assertEquals(-32601, unknown.getAsJsonObject("error").get("code").getAsInt(), unknown::toString);

            // an unknown notification is ignored (no answer); the next request is still served
            send(toServer, "{\"jsonrpc\":\"2.0\",\"method\":\"$/somethingNew\",\"params\":{}}");
            String uri = Lsp.uri(dir.resolve("a.ann"));
            send(toServer, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":"
                    + "{\"uri\":\"" + uri + "\",\"languageId\":\"ann\",\"version\":1,\"text\":\"network N {\\n}\\n\"}}}");
            send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"textDocument/foldingRange\",\"params\":"
                    + "{\"textDocument\":{\"uri\":\"" + uri + "\"}}}");
            JsonObject answer;
            do {
                answer = read(fromServer);  // skip publishDiagnostics notifications
            } while (!answer.has("id"));
            assertEquals(4, answer.get("id").getAsInt());
            assertTrue(answer.has("result"), answer::toString);

            // a request with parameters of the wrong shape is an error response, not a crash
            send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"textDocument/hover\",\"params\":{\"position\":\"x\"}}");
            do {
                answer = read(fromServer);
            } while (!answer.has("id"));
            assertEquals(5, answer.get("id").getAsInt());
            assertTrue(answer.has("error"), answer::toString);

            send(toServer, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"shutdown\"}");
            do {
                answer = read(fromServer);
            } while (!answer.has("id"));
            assertEquals(6, answer.get("id").getAsInt());
        } finally {
            loop.cancel(true);
            toServer.close();
            serverOut.close();
        }
    }

    @Test
    void aFailingFeatureBecomesAnErrorResponseAndALogLine() throws Exception {
        try (LspHarness lsp = new LspHarness()) {
            Path f = dir.resolve("a.ann");
            lsp.open(f, "network N {\n}\n");
            // foldingRange on a URI that is not a file: the request fails alone
            var bad = lsp.server.getTextDocumentService().foldingRange(
                    new FoldingRangeRequestParams(new org.eclipse.lsp4j.TextDocumentIdentifier("nonsense:/x")));
            org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> bad.get(10, TimeUnit.SECONDS));
            var good = lsp.server.getTextDocumentService().foldingRange(new FoldingRangeRequestParams(LspHarness.id(f)));
            assertTrue(good.get(10, TimeUnit.SECONDS) != null);
        }
    }

    static void send(OutputStream out, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    static JsonObject read(InputStream in) throws IOException {
        int length = -1;
        StringBuilder header = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) throw new IOException("the server closed the stream");
            header.append((char) c);
            if (header.toString().endsWith("\r\n\r\n")) break;
        }
        for (String line : header.toString().split("\r\n")) {
            if (line.startsWith("Content-Length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < length; i++) body.write(in.read());
        return JsonParser.parseString(body.toString(StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
