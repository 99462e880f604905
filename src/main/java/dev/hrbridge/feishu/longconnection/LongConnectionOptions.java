package dev.hrbridge.feishu.longconnection;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How a long connection behaves. The component holds the defaults; an endpoint URI overrides any of them by name
 * ({@code feishu-events:default?pingInterval=30000}). Times are in milliseconds.
 */
public class LongConnectionOptions {

    private long connectTimeout = 10_000;
    private long pongTimeout = 30_000;
    private long pingInterval;
    private long reconnectMaxBackoff = 300_000;
    private int maxInFlight = 16;
    private long stopTimeout = 10_000;
    private String proxy;
    private int maxFrameBytes = 8 * 1024 * 1024;
    private int maxPayloadBytes = 16 * 1024 * 1024;
    private long splitPayloadTimeout = 5_000;

    LongConnectionOptions copy() {
        LongConnectionOptions copy = new LongConnectionOptions();
        copy.connectTimeout = connectTimeout;
        copy.pongTimeout = pongTimeout;
        copy.pingInterval = pingInterval;
        copy.reconnectMaxBackoff = reconnectMaxBackoff;
        copy.maxInFlight = maxInFlight;
        copy.stopTimeout = stopTimeout;
        copy.proxy = proxy;
        copy.maxFrameBytes = maxFrameBytes;
        copy.maxPayloadBytes = maxPayloadBytes;
        copy.splitPayloadTimeout = splitPayloadTimeout;
        return copy;
    }

    /** Refuses values the connection cannot work with, naming the option. */
    void validate() {
        positive("connectTimeout", connectTimeout);
        positive("pongTimeout", pongTimeout);
        positive("reconnectMaxBackoff", reconnectMaxBackoff);
        positive("maxInFlight", maxInFlight);
        positive("maxFrameBytes", maxFrameBytes);
        positive("maxPayloadBytes", maxPayloadBytes);
        positive("splitPayloadTimeout", splitPayloadTimeout);
        if (pingInterval < 0) {
            throw new IllegalArgumentException("pingInterval must be 0 (Feishu's) or positive, was " + pingInterval);
        }
        if (stopTimeout < 0) {
            throw new IllegalArgumentException("stopTimeout must not be negative, was " + stopTimeout);
        }
        proxyAddress();
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** The {@code host:port} of {@link #getProxy()}, or {@code null} without a proxy. */
    InetSocketAddress proxyAddress() {
        if (proxy == null || proxy.isBlank()) {
            return null;
        }
        int colon = proxy.lastIndexOf(':');
        try {
            int port = Integer.parseInt(proxy.substring(colon + 1).trim());
            if (colon <= 0 || port <= 0 || port > 65_535) {
                throw new NumberFormatException();
            }
            return InetSocketAddress.createUnresolved(proxy.substring(0, colon).trim(), port);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("proxy must be host:port, was " + proxy);
        }
    }

    Duration connectTimeoutDuration() {
        return Duration.ofMillis(connectTimeout);
    }

    /** Milliseconds to wait for the endpoint answer, and separately for TCP connect + WebSocket handshake. */
    public long getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(long connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** Milliseconds after a ping within which a pong must come, else the connection is dead and replaced. */
    public long getPongTimeout() {
        return pongTimeout;
    }

    public void setPongTimeout(long pongTimeout) {
        this.pongTimeout = pongTimeout;
    }

    /** Milliseconds between pings; 0 = Feishu's {@code PingInterval} (120 s unless it says otherwise). */
    public long getPingInterval() {
        return pingInterval;
    }

    public void setPingInterval(long pingInterval) {
        this.pingInterval = pingInterval;
    }

    /** Cap of the reconnect back-off, which starts at Feishu's {@code ReconnectInterval} and doubles per failure. */
    public long getReconnectMaxBackoff() {
        return reconnectMaxBackoff;
    }

    public void setReconnectMaxBackoff(long reconnectMaxBackoff) {
        this.reconnectMaxBackoff = reconnectMaxBackoff;
    }

    /** Events handled at once; beyond it the socket is not read (Feishu's frames wait in TCP, none is dropped). */
    public int getMaxInFlight() {
        return maxInFlight;
    }

    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /** Milliseconds a stop waits for events in flight to finish and their acknowledgements to go out. */
    public long getStopTimeout() {
        return stopTimeout;
    }

    public void setStopTimeout(long stopTimeout) {
        this.stopTimeout = stopTimeout;
    }

    /**
     * {@code host:port} of an HTTP proxy for the endpoint request and the WebSocket (over HTTPS both go through a
     * CONNECT tunnel); none by default. A proxy that wants credentials is not supported: the JDK's HTTP client
     * sends no Basic credentials through a tunnel unless the JVM was started with
     * {@code -Djdk.http.auth.tunneling.disabledSchemes=}, which is no per-connection setting.
     */
    public String getProxy() {
        return proxy;
    }

    public void setProxy(String proxy) {
        this.proxy = proxy;
    }

    /** Largest WebSocket message accepted; a larger one is discarded unread and counted as unparseable. */
    public int getMaxFrameBytes() {
        return maxFrameBytes;
    }

    public void setMaxFrameBytes(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Largest payload reassembled from parts, and most bytes of incomplete parts held at once. */
    public int getMaxPayloadBytes() {
        return maxPayloadBytes;
    }

    public void setMaxPayloadBytes(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** Milliseconds the parts of a split payload are kept waiting for the rest. */
    public long getSplitPayloadTimeout() {
        return splitPayloadTimeout;
    }

    public void setSplitPayloadTimeout(long splitPayloadTimeout) {
        this.splitPayloadTimeout = splitPayloadTimeout;
    }
}
