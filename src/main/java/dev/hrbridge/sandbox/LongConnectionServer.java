package dev.hrbridge.sandbox;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The WebSocket side of the sandbox's long connection: a Vert.x server on a loopback port of its own that serves
 * {@code /ws/v2} and leaves every decision (which handshake to accept, what a frame means) to
 * {@link LongConnectionSandbox}. Only the sockets live here.
 */
final class LongConnectionServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LongConnectionServer.class);
    private static final long START_SECONDS = 10;

    /** What the sandbox decided about one handshake. */
    sealed interface Handshake permits Accept, Refuse, Hang {
    }

    /** Upgrade; the socket belongs to {@code connectionId}. */
    record Accept(String connectionId) implements Handshake {
    }

    /** Answer {@code status} with Feishu's handshake headers ({@code autherrcode} 0: without that header). */
    record Refuse(int status, String msg, long autherrcode) implements Handshake {
    }

    /** Never answer. */
    record Hang() implements Handshake {
    }

    /** One open WebSocket, as the sandbox uses it. */
    interface Socket {
        void send(byte[] frame);

        /** Closes the TCP connection without a WebSocket close frame: what a network failure looks like. */
        void drop();
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Set<HttpServerRequest> hung = ConcurrentHashMap.newKeySet();

    private LongConnectionServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    static LongConnectionServer start(LongConnectionSandbox sandbox) {
        // one event loop is plenty on loopback; no file cache: the simulator serves no files
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false));
        LongConnectionServer started = new LongConnectionServer(vertx, server);
        server.requestHandler(request -> started.handshake(sandbox, request));
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(START_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot start the sandbox's long-connection server", e);
        }
        return started;
    }

    int port() {
        return server.actualPort();
    }

    /** Closes the connections of every handshake left hanging; their clients see the connection end. */
    void releaseHungHandshakes() {
        for (HttpServerRequest request : hung) {
            hung.remove(request);
            request.connection().close();
        }
    }

    @Override
    public void close() {
        releaseHungHandshakes();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(START_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("Sandbox long-connection server did not close cleanly: {}", e.toString());
        }
    }

    private void handshake(LongConnectionSandbox sandbox, HttpServerRequest request) {
        if (!request.path().equals(LongConnectionSandbox.SOCKET_PATH) || !"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            request.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("404 page not found");
            return;
        }
        Handshake verdict = sandbox.admit(request.getParam("device_id"), request.getParam("service_id"), request.getParam("ticket"));
        if (verdict instanceof Hang) {
            hung.add(request);
            request.connection().closeHandler(closed -> hung.remove(request));
        } else if (verdict instanceof Refuse refuse) {
            request.response().setStatusCode(refuse.status()).putHeader("Handshake-Status", String.valueOf(refuse.status()))
                    .putHeader("Handshake-Msg", refuse.msg());
            if (refuse.autherrcode() != 0) {
                request.response().putHeader("Handshake-Autherrcode", String.valueOf(refuse.autherrcode()));
            }
            request.response().end();
        } else if (verdict instanceof Accept accept) {
            HttpConnection connection = request.connection();
            request.toWebSocket().onSuccess(webSocket -> {
                webSocket.binaryMessageHandler(frame -> sandbox.received(accept.connectionId(), frame.getBytes()));
                webSocket.textMessageHandler(text -> LOG.info(
                        "Sandbox long connection {} sent a text message; Feishu reads binary frames only", accept.connectionId()));
                webSocket.closeHandler(closed -> sandbox.closed(accept.connectionId()));
                sandbox.opened(accept.connectionId(), socket(webSocket, connection));
            }).onFailure(failure -> sandbox.abandoned(accept.connectionId()));
        }
    }

    private static Socket socket(ServerWebSocket webSocket, HttpConnection connection) {
        return new Socket() {
            @Override
            public void send(byte[] frame) {
                webSocket.writeBinaryMessage(Buffer.buffer(frame));
            }

            @Override
            public void drop() {
                // a close through the whole pipeline sends a close frame first; from its head it only closes the
                // socket, as a network failure would
                ((ConnectionBase) connection).channel().pipeline().firstContext().close();
            }
        };
    }
}
