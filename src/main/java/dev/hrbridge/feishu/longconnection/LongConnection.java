package dev.hrbridge.feishu.longconnection;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One open WebSocket to Feishu. Reassembles fragmented WebSocket messages (at most {@code maxFrameBytes}; a larger
 * one is skipped), hands each whole message to the {@link Receiver} and reads the next only while the receiver
 * allows it: that is the back-pressure that keeps frames in TCP, not in memory, while the routes are busy.
 * Sends are queued, one at a time, as the JDK's WebSocket requires.
 */
final class LongConnection implements WebSocket.Listener {

    /** What the client does with what arrives. Called on the HTTP client's threads; must not block. */
    interface Receiver {
        void onMessage(LongConnection connection, byte[] message);

        /** A message that cannot be a frame was skipped: one over the size limit, or a text message. */
        void onNotAFrame(LongConnection connection, String what);

        /** The socket is gone: closed by Feishu, or broken. Reported at most once. */
        void onLost(LongConnection connection, String reason, String metricReason);

        /** Whether another message may be read now. */
        boolean mayRead();
    }

    private final ConnectionTicket ticket;
    private final Receiver receiver;
    private final int maxFrameBytes;
    private final AtomicBoolean lost = new AtomicBoolean();
    private final CompletableFuture<Void> closedByPeer = new CompletableFuture<>();
    private final ByteArrayOutputStream fragments = new ByteArrayOutputStream();
    private long skipping = -1;
    private volatile WebSocket socket;
    private boolean paused;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

    LongConnection(ConnectionTicket ticket, Receiver receiver, int maxFrameBytes) {
        this.ticket = ticket;
        this.receiver = receiver;
        this.maxFrameBytes = maxFrameBytes;
    }

    ConnectionTicket ticket() {
        return ticket;
    }

    String connectionId() {
        return ticket.connectionId();
    }

    /** The socket the handshake produced (the listener may learn it later, in {@link #onOpen}). */
    void attach(WebSocket webSocket) {
        socket = webSocket;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        if (skipping < 0 && fragments.size() + (long) data.remaining() > maxFrameBytes) {
            skipping = fragments.size();
            fragments.reset();
        }
        if (skipping >= 0) {
            skipping += data.remaining();
            if (last) {
                long seen = skipping;
                skipping = -1;
                receiver.onNotAFrame(this, "a message of " + seen + " bytes, over maxFrameBytes " + maxFrameBytes);
                readNext();
            } else {
                webSocket.request(1);
            }
            return null;
        }
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        fragments.writeBytes(chunk);
        if (!last) {
            webSocket.request(1);
            return null;
        }
        byte[] message = fragments.toByteArray();
        fragments.reset();
        receiver.onMessage(this, message);
        readNext();
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (last) {
            receiver.onNotAFrame(this, "a text message (frames are binary)");
        }
        readNext();
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        readNext();
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        readNext();
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closedByPeer.complete(null);
        reportLost("Feishu closed the connection (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")",
                "server_closed");
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closedByPeer.complete(null);
        reportLost("transport error: " + Failures.describe(error), "transport_error");
    }

    private void reportLost(String reason, String metricReason) {
        if (lost.compareAndSet(false, true)) {
            receiver.onLost(this, reason, metricReason);
        }
    }

    /** Whether the connection was lost or closed. */
    boolean isGone() {
        return lost.get();
    }

    /** Marks the connection gone without reporting it: the client dropped it itself. */
    void markGone() {
        lost.set(true);
    }

    private void readNext() {
        boolean read;
        synchronized (this) {
            read = receiver.mayRead();
            paused = !read;
        }
        if (read) {
            socket.request(1);
        }
    }

    /** Reads on if reading was paused and the receiver now allows it. */
    void resumeReading() {
        boolean read;
        synchronized (this) {
            read = paused && receiver.mayRead();
            if (read) {
                paused = false;
            }
        }
        if (read) {
            socket.request(1);
        }
    }

    /** Whether the socket is unread for back-pressure: then a missing pong proves nothing. */
    synchronized boolean isReadingPaused() {
        return paused;
    }

    /** Queues {@code message} behind what is being sent; completes when it is written. */
    synchronized CompletableFuture<Void> send(byte[] message) {
        WebSocket webSocket = socket;
        CompletableFuture<Void> sent = sending.handle((ignored, error) -> null)
                .thenCompose(ignored -> webSocket.sendBinary(ByteBuffer.wrap(message), true))
                .thenApply(ignored -> null);
        sending = sent;
        return sent;
    }

    /**
     * Closes with {@code code} after what is queued was sent, waits up to {@code wait} for Feishu's answering
     * close, then drops the socket.
     */
    void close(int code, String reason, Duration wait) {
        markGone();
        CompletableFuture<?> closing;
        synchronized (this) {
            WebSocket webSocket = socket;
            closing = sending.handle((ignored, error) -> null).thenCompose(ignored -> webSocket.sendClose(code, reason));
            sending = closing;
        }
        try {
            closing.thenCompose(ignored -> closedByPeer).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // no answer in time, or the socket broke: dropped below either way
        }
        abort();
    }

    /** Drops the socket at once, without a closing handshake. */
    void abort() {
        markGone();
        WebSocket webSocket = socket;
        if (webSocket != null) {
            webSocket.abort();
        }
    }
}
