package dev.hrbridge.api;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.hrbridge.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;

/**
 * The business port's rules for its clients ({@code hrb.server.*}) and the book of its open connections.
 * <p>
 * At most {@link #maxConnections()} connections are open. A connection beyond that closes the one that has waited
 * longest on its client: first among those with no request in progress (idle, or still sending a head), else among
 * those still sending a body. So clients that hold connections open cannot lock out a fresh request such as
 * Feishu's, which sends its head and body at once; only when every connection is being answered is a new one refused.
 */
final class ConnectionLimits {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);
    /** File descriptors left for everything but the business port: database, journal, outbound calls, management port. */
    static final long FILES_KEPT = 1024;
    private static final long REPORT_INTERVAL = TimeUnit.MINUTES.toNanos(1);

    private final long headTimeoutNanos;
    private final long bodyTimeoutNanos;
    private final long idleTimeoutNanos;
    private final int maxConnections;

    // longest waiting first; guarded by this
    private final LinkedHashSet<ConnectionGuard> awaitingRequest = new LinkedHashSet<>();
    private final LinkedHashSet<ConnectionGuard> sendingBody = new LinkedHashSet<>();
    private int open;
    private long closedAtLimit;
    private long refusedAtLimit;
    private long lastReport = System.nanoTime() - REPORT_INTERVAL;

    ConnectionLimits(long headTimeoutMs, long bodyTimeoutMs, long idleTimeoutMs, int maxConnections) {
        this.headTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headTimeoutMs);
        this.bodyTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(bodyTimeoutMs);
        this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
        this.maxConnections = maxConnections;
    }

    /** The limits {@code settings} ask for, with the connection cap lowered below this process's file limit. */
    static ConnectionLimits of(Settings settings, int port) {
        long head = settings.getLong("hrb.server.head-timeout-ms", 1, 600_000);
        long body = settings.getLong("hrb.server.body-timeout-ms", 1, 600_000);
        long idle = settings.getLong("hrb.server.idle-timeout-ms", 1, 3_600_000);
        int wanted = settings.getInt("hrb.server.max-connections", 1, 1_000_000);
        long files = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : Long.MAX_VALUE;
        int max = capBelowFileLimit(wanted, files);
        if (max < wanted) {
            LOG.warn("{} is {}, but this process may open only {} files: port {} takes at most {} connections, keeping {} "
                    + "files for the database, the journal, outbound calls and the management port; raise the hard limit "
                    + "(systemd LimitNOFILE=, docker --ulimit nofile=) to allow more", Settings.describe("hrb.server.max-connections"),
                    wanted, files, port, max, files - max);
        }
        LOG.info("Port {} takes at most {} connections (the process may open {} files); a request head must arrive within {} ms, "
                + "its body within {} ms, and a connection idle for {} ms is closed", port, max,
                files == Long.MAX_VALUE ? "any number of" : files, head, body, idle);
        return new ConnectionLimits(head, body, idle, max);
    }

    /** {@code wanted}, or fewer so that {@link #FILES_KEPT} descriptors (half of a smaller limit) stay free. */
    static int capBelowFileLimit(int wanted, long fileLimit) {
        long kept = Math.min(FILES_KEPT, fileLimit / 2);
        return (int) Math.max(1, Math.min(wanted, fileLimit - kept));
    }

    long headTimeoutNanos() {
        return headTimeoutNanos;
    }

    long bodyTimeoutNanos() {
        return bodyTimeoutNanos;
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    int maxConnections() {
        return maxConnections;
    }

    /** A new connection; false when it must be refused because every open one is being answered. */
    boolean admit(ConnectionGuard connection) {
        ConnectionGuard closing;
        synchronized (this) {
            open++;
            connection.counted = true;
            awaitingRequest.add(connection);
            if (open <= maxConnections) {
                return true;
            }
            closing = longestWaiting(connection);
            if (closing == null) {
                refusedAtLimit++;
                release(connection);
            } else {
                closedAtLimit++;
                release(closing);
            }
            report();
        }
        if (closing == null) {
            return false;
        }
        closing.closeAtLimit();
        return true;
    }

    private ConnectionGuard longestWaiting(ConnectionGuard newcomer) {
        for (ConnectionGuard candidate : awaitingRequest) {
            if (candidate != newcomer) {
                return candidate;
            }
        }
        return sendingBody.isEmpty() ? null : sendingBody.iterator().next();
    }

    private void release(ConnectionGuard connection) {
        connection.counted = false;
        open--;
        awaitingRequest.remove(connection);
        sendingBody.remove(connection);
    }

    private void report() {
        long now = System.nanoTime();
        if (now - lastReport >= REPORT_INTERVAL) {
            lastReport = now;
            LOG.warn("The business port is at its limit of {} connections: {} connections waiting on their clients were "
                    + "closed and {} new ones refused so far (hrb.server.max-connections)", maxConnections, closedAtLimit, refusedAtLimit);
        }
    }

    /** Its request head arrived; false when the connection was closed at the limit meanwhile. */
    synchronized boolean requestStarted(ConnectionGuard connection) {
        if (!connection.counted) {
            return false;
        }
        awaitingRequest.remove(connection);
        sendingBody.add(connection);
        return true;
    }

    synchronized void requestRead(ConnectionGuard connection) {
        sendingBody.remove(connection);
    }

    /** Every request so far is read and answered: the connection waits for the next one. */
    synchronized void awaitingRequest(ConnectionGuard connection) {
        if (connection.counted) {
            sendingBody.remove(connection);
            awaitingRequest.add(connection);
        }
    }

    synchronized void closed(ConnectionGuard connection) {
        if (connection.counted) {
            release(connection);
        }
    }

    synchronized int open() {
        return open;
    }
}
