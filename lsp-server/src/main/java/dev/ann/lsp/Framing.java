package dev.ann.lsp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.lsp4j.jsonrpc.JsonRpcException;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.MessageIssueException;
import org.eclipse.lsp4j.jsonrpc.MessageIssueHandler;
import org.eclipse.lsp4j.jsonrpc.MessageProducer;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.messages.MessageIssue;
import org.eclipse.lsp4j.jsonrpc.messages.NotificationMessage;
import org.eclipse.lsp4j.jsonrpc.messages.RequestMessage;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * Reads LSP messages ({@code Content-Length: N\r\n\r\n} and N bytes of JSON) in
 * place of LSP4J's StreamMessageProducer, which after one wrong Content-Length
 * reads every later body as a header and never answers again. This one
 * resynchronises on the next header:
 * <ul>
 *   <li>text before a {@code Content-Length:} on a header line (the rest of a
 *       body whose length was given too short, or counted in characters instead
 *       of UTF-8 bytes) is skipped, or read as a message if it is one (a header
 *       without Content-Length);</li>
 *   <li>a body stops early where the next header starts (a length given too
 *       long): a raw {@code Content-Length: 12\r\n} cannot occur inside JSON, whose
 *       strings hold no raw line breaks;</li>
 *   <li>a body that is not a whole message is answered with a parse error when
 *       its id can be read.</li>
 * </ul>
 * Every line, skipped text and body is bounded. It also keeps the protocol's
 * order: a request without params (other than {@code shutdown}) is answered
 * InvalidParams, and a request after {@code shutdown} InvalidRequest.
 */
final class Framing implements MessageProducer, Closeable {
    /** The longest header line kept (its tail: a header may follow skipped text on one line). */
    static final int MAX_LINE = 1 << 20;
    /** The largest body read into memory; a larger one is skipped. */
    static final int MAX_BODY = 64 << 20;

    private static final byte[] HEADER = "Content-Length:".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.){0,200}\"|-?\\d{1,18})");
    private static final Pattern METHOD = Pattern.compile("\"method\"\\s*:\\s*\"([^\"\\\\]{1,200})\"");
    /** Requests that take no params. */
    private static final Set<String> NO_PARAMS = Set.of("shutdown");

    private final InputStream in;
    private final MessageJsonHandler json;
    private final MessageIssueHandler issues;
    private final Set<String> methods;
    private final Consumer<String> log;
    private byte[] pending = new byte[0];
    private int pendingPos;
    private volatile boolean running;
    private boolean shutdown;

    /**
     * @param methods the methods the server knows (a request for another one is
     *                left to LSP4J, which answers MethodNotFound)
     */
    Framing(InputStream in, MessageJsonHandler json, MessageIssueHandler issues, Set<String> methods, Consumer<String> log) {
        this.in = in;
        this.json = json;
        this.issues = issues;
        this.methods = methods;
        this.log = log;
    }

    @Override
    public void listen(MessageConsumer consumer) {
        running = true;
        try {
            while (running) {
                int length = headers(consumer);
                if (length < 0) return;
                byte[] body = body(length);
                if (body == null) return;
                if (body.length > 0) deliver(body, consumer);
            }
        } catch (IOException e) {
            if (!JsonRpcException.indicatesStreamClosed(e)) throw new JsonRpcException(e);
        } finally {
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
    }

    // ---- reading ------------------------------------------------------------------------

    private int read() throws IOException {
        if (pendingPos < pending.length) return pending[pendingPos++] & 0xff;
        return in.read();
    }

    private int read(byte[] b, int off, int len) throws IOException {
        if (pendingPos < pending.length) {
            int n = Math.min(len, pending.length - pendingPos);
            System.arraycopy(pending, pendingPos, b, off, n);
            pendingPos += n;
            return n;
        }
        return in.read(b, off, len);
    }

    private void unread(byte[] b, int from, int to) {
        byte[] rest = new byte[to - from + pending.length - pendingPos];
        System.arraycopy(b, from, rest, 0, to - from);
        System.arraycopy(pending, pendingPos, rest, to - from, pending.length - pendingPos);
        pending = rest;
        pendingPos = 0;
    }

    /** One line without its line end (the last {@link #MAX_LINE} bytes of it), or null at the end of the stream. */
    private byte[] line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] tail = null;
        int c;
        while ((c = read()) != '\n') {
            if (c < 0) return line.size() == 0 && tail == null ? null : bytes(tail, line);
            line.write(c);
            if (line.size() >= MAX_LINE) {
                tail = line.toByteArray();
                line.reset();
            }
        }
        byte[] b = bytes(tail, line);
        int n = b.length;
        if (n > 0 && b[n - 1] == '\r') n--;
        return java.util.Arrays.copyOf(b, n);
    }

    private static byte[] bytes(byte[] tail, ByteArrayOutputStream line) {
        byte[] now = line.toByteArray();
        if (tail == null) return now;
        // keep the last MAX_LINE bytes: the part a header would be in
        byte[] b = new byte[MAX_LINE];
        int fromTail = MAX_LINE - now.length;
        System.arraycopy(tail, tail.length - fromTail, b, 0, fromTail);
        System.arraycopy(now, 0, b, fromTail, now.length);
        return b;
    }

    /** Reads a header block; the body's length, or -1 at the end of the stream. */
    private int headers(MessageConsumer consumer) throws IOException {
        int length = -1;
        boolean any = false;
        while (true) {
            byte[] line = line();
            if (line == null) return -1;
            if (line.length == 0) {
                if (length >= 0) return length;
                if (any) log.accept("ann lsp: a message without a Content-Length header was skipped");
                any = false;
                continue;
            }
            int at = lastIndexOf(line, HEADER);
            if (at < 0) {
                String s = new String(line, StandardCharsets.ISO_8859_1);
                if (s.matches("[A-Za-z-]+:.*")) {
                    any = true;                  // Content-Type and the like: nothing to do
                } else {
                    skipped(line, line.length, consumer);
                }
                continue;
            }
            if (at > 0) skipped(line, at, consumer);
            any = true;
            String value = new String(line, at + HEADER.length, line.length - at - HEADER.length, StandardCharsets.ISO_8859_1).trim();
            try {
                length = Integer.parseInt(value);
                if (length < 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                log.accept("ann lsp: a Content-Length that is not a number was skipped");
                length = -1;
            }
        }
    }

    /** Text outside any message: read as a message when it is one (its header was missing), else skipped. */
    private void skipped(byte[] line, int end, MessageConsumer consumer) {
        int start = 0;
        while (start < end && (line[start] == ' ' || line[start] == '\r' || line[start] == '\t')) start++;
        if (start < end && line[start] == '{') {
            log.accept("ann lsp: " + (end - start) + " bytes arrived without a Content-Length header; read as a message");
            deliver(java.util.Arrays.copyOfRange(line, start, end), consumer);
        } else if (start < end) {
            log.accept("ann lsp: " + (end - start) + " bytes between messages were skipped (a wrong Content-Length?)");
        }
    }

    /**
     * The body: {@code length} bytes, or fewer when the next header starts
     * inside them (then the rest is read again as the next message). Null at the
     * end of the stream.
     */
    private byte[] body(int length) throws IOException {
        boolean keep = length <= MAX_BODY;
        if (!keep) log.accept("ann lsp: a message of " + length + " bytes is larger than " + (MAX_BODY >> 20) + " MiB; skipped");
        // kept: the whole body; skipped: a window whose last 64 bytes move to its front when it is full
        byte[] b = new byte[keep ? length : 1 << 16];
        int size = 0;
        long left = length;
        while (left > 0) {
            if (size == b.length) {
                System.arraycopy(b, size - 64, b, 0, 64);
                size = 64;
            }
            int n = read(b, size, (int) Math.min(b.length - size, left));
            if (n < 0) return null;
            int next = nextHeader(b, Math.max(0, size - 64), size + n);
            size += n;
            left -= n;
            if (next >= 0) {
                log.accept("ann lsp: a message was shorter than its Content-Length said; the next one starts inside it");
                unread(b, next, size);
                return keep ? java.util.Arrays.copyOf(b, next) : new byte[0];
            }
        }
        if (keep) {
            // the next header may have begun in the last bytes (a length one byte too long): see it through
            int p = partialHeader(b, size);
            if (p > 0) {
                ByteArrayOutputStream more = new ByteArrayOutputStream();
                more.write(b, p, size - p);
                int c;
                while ((c = read()) >= 0) {
                    more.write(c);
                    byte[] m = more.toByteArray();
                    if (nextHeader(m, 0, m.length) == 0) {
                        log.accept("ann lsp: a message was shorter than its Content-Length said; the next one starts inside it");
                        unread(m, 0, m.length);
                        return java.util.Arrays.copyOf(b, p);
                    }
                    if (!isHeaderPrefix(m, 0, m.length)) {
                        unread(m, size - p, m.length);     // not a header after all: the extra bytes are the next message's
                        break;
                    }
                }
            }
        }
        return keep ? b : new byte[0];
    }

    /**
     * Where a header line that the bytes b[.., size) end in the middle of
     * starts ({@code C}, {@code Content-Le}, {@code Content-Length: 8}...), or -1.
     */
    static int partialHeader(byte[] b, int size) {
        for (int p = Math.max(0, size - 40); p < size; p++) {
            if (isHeaderPrefix(b, p, size)) return p;
        }
        return -1;
    }

    private static boolean isHeaderPrefix(byte[] b, int from, int to) {
        int i = from;
        for (int k = 0; k < HEADER.length; k++, i++) {
            if (i == to) return true;
            if (b[i] != HEADER[k]) return false;
        }
        while (i < to && b[i] == ' ') i++;
        int digits = i;
        while (i < to && b[i] >= '0' && b[i] <= '9') i++;
        if (i == to) return true;
        if (i == digits || b[i] != '\r') return false;
        return i + 1 == to;                       // "\r" is the last byte; with the "\n" it is a whole header
    }

    /** Where a whole {@code Content-Length: N\r\n} starts in b[from, to), or -1. */
    static int nextHeader(byte[] b, int from, int to) {
        for (int i = indexOf(b, HEADER, from, to); i >= 0; i = indexOf(b, HEADER, i + 1, to)) {
            int j = i + HEADER.length;
            while (j < to && b[j] == ' ') j++;
            int digits = j;
            while (j < to && b[j] >= '0' && b[j] <= '9') j++;
            if (j > digits && j + 1 < to && b[j] == '\r' && b[j + 1] == '\n') return i;
        }
        return -1;
    }

    private static int indexOf(byte[] b, byte[] what, int from, int to) {
        outer:
        for (int i = Math.max(0, from); i <= to - what.length; i++) {
            for (int k = 0; k < what.length; k++) if (b[i + k] != what[k]) continue outer;
            return i;
        }
        return -1;
    }

    private static int lastIndexOf(byte[] b, byte[] what) {
        outer:
        for (int i = b.length - what.length; i >= 0; i--) {
            for (int k = 0; k < what.length; k++) if (b[i + k] != what[k]) continue outer;
            return i;
        }
        return -1;
    }

    // ---- handing on -------------------------------------------------------------------------

    private void deliver(byte[] body, MessageConsumer consumer) {
        Message m;
        try (Reader r = new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8)) {
            m = json.parseMessage(r);
        } catch (MessageIssueException e) {
            issues.handle(e.getRpcMessage(), e.getIssues());
            return;
        } catch (Exception e) {
            // not a whole message (a Content-Length too short): answer it if its id can be read
            String text = new String(body, 0, Math.min(body.length, 1 << 16), StandardCharsets.UTF_8);
            Matcher id = ID.matcher(text);
            if (id.find()) {
                RequestMessage req = new RequestMessage();
                String v = id.group(1);
                req.setRawId(v.startsWith("\"") ? Either.forLeft(v.substring(1, v.length() - 1))
                        : Either.forRight(Long.parseLong(v)));
                Matcher method = METHOD.matcher(text);
                req.setMethod(method.find() ? method.group(1) : "?");
                issues.handle(req, List.of(new MessageIssue("ann: the message is not whole JSON (" + body.length
                        + " bytes; is its Content-Length counted in UTF-8 bytes?)", ResponseErrorCode.ParseError.getValue())));
            } else {
                log.accept("ann lsp: a message that is not JSON was skipped (" + body.length + " bytes)");
            }
            return;
        }
        try {
            if (admit(m)) consumer.consume(m);
        } catch (RuntimeException e) {
            log.accept("ann lsp: handling a message failed: " + e);
        }
    }

    /** The protocol's order: params where they are needed, nothing but exit after shutdown. */
    private boolean admit(Message m) {
        if (m instanceof RequestMessage req) {
            if (shutdown) {
                issues.handle(req, List.of(new MessageIssue("ann: the server is shut down; only exit may follow",
                        ResponseErrorCode.InvalidRequest.getValue())));
                return false;
            }
            if (req.getParams() == null && methods.contains(req.getMethod()) && !NO_PARAMS.contains(req.getMethod())) {
                issues.handle(req, List.of(new MessageIssue("ann: " + req.getMethod() + " needs params",
                        ResponseErrorCode.InvalidParams.getValue())));
                return false;
            }
            if ("shutdown".equals(req.getMethod())) shutdown = true;
        } else if (m instanceof NotificationMessage n && n.getParams() == null && methods.contains(n.getMethod())
                && !"exit".equals(n.getMethod())) {
            log.accept("ann lsp: a " + n.getMethod() + " notification without params was ignored");
            return false;
        }
        return true;
    }
}
