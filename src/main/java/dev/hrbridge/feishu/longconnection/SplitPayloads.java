package dev.hrbridge.feishu.longconnection;

import java.io.ByteArrayOutputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Reassembles payloads Feishu split into parts ({@code sum} parts of one {@code message_id}, numbered by
 * {@code seq} from 0). Parts may come in any order and more than once. Bounded: the parts of a message are
 * dropped when the rest has not come within the expiry, and the parts held at once never exceed
 * {@code maxBytes} (a message that would exceed it is dropped whole; Feishu redelivers what was not acknowledged).
 */
final class SplitPayloads {

    /** More parts than any payload Feishu splits; bounds the bookkeeping of one message. */
    static final int MAX_PARTS = 1024;

    private final long expiryNanos;
    private final long maxBytes;
    private final LongSupplier nanoClock;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private long heldBytes;
    private long expired;
    private long dropped;

    private static final class Pending {
        final byte[][] parts;
        final long startedNanos;
        int received;
        long bytes;

        Pending(int sum, long startedNanos) {
            this.parts = new byte[sum][];
            this.startedNanos = startedNanos;
        }
    }

    /** What became of a part. */
    enum Outcome { WAITING, COMPLETE, DROPPED_OVER_LIMIT }

    record Result(Outcome outcome, byte[] payload) { }

    SplitPayloads(long expiryMillis, long maxBytes, LongSupplier nanoClock) {
        this.expiryNanos = expiryMillis * 1_000_000;
        this.maxBytes = maxBytes;
        this.nanoClock = nanoClock;
    }

    /**
     * Adds part {@code seq} of {@code sum}; the whole payload once every part is there.
     *
     * @throws MalformedFrameException when {@code sum} or {@code seq} are out of range or the message id is missing
     */
    synchronized Result add(String messageId, int sum, int seq, byte[] part) throws MalformedFrameException {
        if (messageId == null || messageId.isEmpty()) {
            throw new MalformedFrameException("split payload without message_id");
        }
        if (sum < 2 || sum > MAX_PARTS || seq < 0 || seq >= sum) {
            throw new MalformedFrameException("split payload part " + seq + " of " + sum);
        }
        long now = nanoClock.getAsLong();
        expire(now);
        Pending message = pending.get(messageId);
        if (message != null && message.parts.length != sum) {
            forget(messageId, message);
            message = null;
        }
        if (message == null) {
            message = new Pending(sum, now);
            pending.put(messageId, message);
        }
        byte[] previous = message.parts[seq];
        long growth = part.length - (previous == null ? 0 : previous.length);
        if (heldBytes + growth > maxBytes) {
            forget(messageId, message);
            dropped++;
            return new Result(Outcome.DROPPED_OVER_LIMIT, null);
        }
        message.parts[seq] = part;
        message.bytes += growth;
        heldBytes += growth;
        if (previous == null) {
            message.received++;
        }
        if (message.received < sum) {
            return new Result(Outcome.WAITING, null);
        }
        forget(messageId, message);
        ByteArrayOutputStream whole = new ByteArrayOutputStream((int) message.bytes);
        for (byte[] each : message.parts) {
            whole.writeBytes(each);
        }
        return new Result(Outcome.COMPLETE, whole.toByteArray());
    }

    /** Drops the messages whose parts have waited longer than the expiry; also called on a timer. */
    synchronized void expire() {
        expire(nanoClock.getAsLong());
    }

    private void expire(long now) {
        Iterator<Map.Entry<String, Pending>> oldestFirst = pending.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Pending message = oldestFirst.next().getValue();
            if (now - message.startedNanos < expiryNanos) {
                return;
            }
            oldestFirst.remove();
            heldBytes -= message.bytes;
            expired++;
        }
    }

    private void forget(String messageId, Pending message) {
        pending.remove(messageId);
        heldBytes -= message.bytes;
    }

    synchronized int pendingMessages() {
        return pending.size();
    }

    synchronized long heldBytes() {
        return heldBytes;
    }

    /** Messages whose parts expired before the last one came. */
    synchronized long expired() {
        return expired;
    }

    /** Messages dropped because their parts would have exceeded the byte limit. */
    synchronized long dropped() {
        return dropped;
    }
}
