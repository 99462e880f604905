package dev.hrbridge.feishu.longconnection;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One complete event payload handed to the consumer, to be acknowledged once its handling is over. Until then it
 * counts as in flight (back-pressure, graceful stop). Acknowledging twice sends one acknowledgement.
 */
final class EventDelivery {

    private final LongConnectionClient client;
    private final LongConnection connection;
    private final Frame frame;
    private final byte[] payload;
    private final long receivedNanos;
    private final AtomicBoolean acknowledged = new AtomicBoolean();

    EventDelivery(LongConnectionClient client, LongConnection connection, Frame frame, byte[] payload, long receivedNanos) {
        this.client = client;
        this.connection = connection;
        this.frame = frame;
        this.payload = payload;
        this.receivedNanos = receivedNanos;
    }

    String messageId() {
        return frame.header(FrameHeaders.MESSAGE_ID);
    }

    String traceId() {
        return frame.header(FrameHeaders.TRACE_ID);
    }

    String type() {
        return frame.header(FrameHeaders.TYPE);
    }

    String connectionId() {
        return connection.connectionId();
    }

    byte[] payload() {
        return payload;
    }

    LongConnection connection() {
        return connection;
    }

    Frame frame() {
        return frame;
    }

    long receivedNanos() {
        return receivedNanos;
    }

    /** Sends the acknowledgement with {@code code} and {@code data} (or none) on the connection the event came on. */
    void acknowledge(int code, byte[] data) {
        if (acknowledged.compareAndSet(false, true)) {
            client.acknowledge(this, code, data);
        }
    }

    /** Ends the delivery without an acknowledgement: Feishu delivers the event again. */
    void abandon() {
        if (acknowledged.compareAndSet(false, true)) {
            client.abandon(this);
        }
    }
}
