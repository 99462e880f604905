package dev.hrbridge.ops;

/**
 * JMX view of one Feishu app's long connection: {@code dev.hrbridge:type=LongConnection,app=<name>}. Never the
 * app secret, never the connection URL (it carries a ticket).
 */
public interface LongConnectionMXBean {

    /** CONNECTING, CONNECTED, RECONNECTING, REFUSED (Feishu refused the app: needs an operator), STOPPING, STOPPED. */
    String getState();

    /** Feishu's {@code device_id} of the open connection; empty when none is open. */
    String getConnectionId();

    /** ISO-8601 instant the open connection was opened; empty when none is open. */
    String getConnectedSince();

    /** ISO-8601 instant of the last pong; empty before the first. */
    String getLastPong();

    /** Why the last connection ended or the last attempt failed; empty when none did. */
    String getLastDisconnectReason();

    /** While REFUSED: Feishu's code and message; else empty. */
    String getRefusal();

    long getConnects();

    long getReconnects();

    long getFramesReceived();

    long getEventsReceived();

    long getAcksSent();

    long getUnparseableFrames();

    int getInFlight();

    /**
     * Drops the current connection (or ends a refusal) and connects again with a fresh endpoint request; fails
     * (IllegalStateException) while the connection's route is stopped.
     */
    void reconnect();
}
