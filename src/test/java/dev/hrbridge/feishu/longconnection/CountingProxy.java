package dev.hrbridge.feishu.longconnection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on loopback that relays and counts what passes: CONNECT tunnels (HTTPS and {@code wss://}) and
 * plain requests forwarded by absolute URI (the JDK's way with {@code http://}; it may then send a {@code ws://}
 * upgrade over the same kept-alive proxy connection). The local ports of its upstream connections tell the
 * server what came through the proxy.
 * {@link #cutAll()} drops every relayed TCP connection with a reset, as a broken network would.
 */
final class CountingProxy implements AutoCloseable {

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicInteger tunnels = new AtomicInteger();
    private final AtomicInteger forwarded = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Integer> upstreamPorts = new CopyOnWriteArrayList<>();

    CountingProxy() throws IOException {
        Thread acceptor = new Thread(this::accept, "test-proxy-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    int tunnels() {
        return tunnels.get();
    }

    int forwarded() {
        return forwarded.get();
    }

    /** The local ports of the connections the proxy opened to the servers. */
    List<Integer> upstreamPorts() {
        return List.copyOf(upstreamPorts);
    }

    void cutAll() {
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
        sockets.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                daemon(() -> relay(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        try {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
            boolean tunnel = requestLine[0].equals("CONNECT");
            String authority = tunnel ? requestLine[1] : URI.create(requestLine[1]).getRawAuthority();
            int colon = authority.lastIndexOf(':');
            Socket upstream = new Socket(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
            sockets.add(upstream);
            upstreamPorts.add(upstream.getLocalPort());
            if (tunnel) {
                tunnels.incrementAndGet();
                client.getOutputStream().write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                forwarded.incrementAndGet();
                upstream.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            }
            daemon(() -> pump(upstream, client));
            pump(client, upstream);
        } catch (IOException | RuntimeException e) {
            close(client);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the request head ended");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away
        }
        close(from);
        close(to);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "test-proxy-relay");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        cutAll();
    }
}
