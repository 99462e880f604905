package dev.hrbridge.api;

import dev.hrbridge.feishu.FeishuPush;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * A client connection that writes exactly the bytes a test gives, however malformed or slow, and reads what the
 * server sends back: what a slow, idle or hostile client does to the business port.
 */
final class RawConnection implements AutoCloseable {

    private final Socket socket;

    /** A whole webhook request as Feishu sends one (no encrypt key configured), of an event type no flow takes. */
    static String webhook(String connection) {
        String body = event();
        return "POST /webhooks/feishu/events HTTP/1.1\r\nHost: hr-bridge\r\nContent-Type: application/json\r\nConnection: "
                + connection + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    static String event() {
        return FeishuPush.v2Event("test.connection_limits_v1", UUID.randomUUID().toString(), "token", "{}");
    }

    /** Sends {@code request} on a new connection and returns the answer, read until the server closes it. */
    static String exchange(int port, String request) throws IOException {
        try (RawConnection client = new RawConnection(port)) {
            return client.send(request).readUntilClosed();
        }
    }

    RawConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
    }

    RawConnection send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /** Everything the server sends until it closes the connection (or 20 s pass). */
    String readUntilClosed() throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            received.writeBytes("<still open>".getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException reset) {
            received.writeBytes("<reset>".getBytes(StandardCharsets.ISO_8859_1));
        }
        return received.toString(StandardCharsets.UTF_8);
    }

    /** One whole answer (head and body, by Content-Length or chunked) of a connection that stays open. */
    String readAnswer() throws IOException {
        String head = readLine("\r\n\r\n");
        String lowerHead = head.toLowerCase(Locale.ROOT);
        if (lowerHead.contains("transfer-encoding: chunked")) {
            StringBuilder body = new StringBuilder();
            for (int size = chunkSize(); size > 0; size = chunkSize()) {
                body.append(new String(socket.getInputStream().readNBytes(size), StandardCharsets.UTF_8));
                readLine("\r\n");
            }
            readLine("\r\n");
            return head + body;
        }
        int length = Integer.parseInt(lowerHead.replaceAll("(?s).*content-length: *(\\d+).*", "$1"));
        return head + new String(socket.getInputStream().readNBytes(length), StandardCharsets.UTF_8);
    }

    private int chunkSize() throws IOException {
        return Integer.parseInt(readLine("\r\n").trim(), 16);
    }

    private String readLine(String end) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (!line.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
            int b = socket.getInputStream().read();
            if (b < 0) {
                throw new IOException("closed after " + line);
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** True when nothing arrives within {@code wait} and the server has not closed the connection. */
    boolean quietAndOpen(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            socket.getInputStream().read();
            return false; // a byte or the end of the stream
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException reset) {
            return false;
        } finally {
            socket.setSoTimeout(20_000);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
