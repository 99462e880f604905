package dev.hrbridge.feishu.longconnection;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of one app's long connection, for health checks, MBeans and operators.
 *
 * @param connectionId         Feishu's {@code device_id} of the open connection, else {@code null}
 * @param connectedSince       when the open connection was opened, else {@code null}
 * @param lastPong             when the last pong came, on any connection
 * @param lastDisconnectReason why the last connection ended or the last attempt failed, else {@code null}
 * @param refusalCode          while {@link State#REFUSED}: Feishu's code (endpoint code, 403, or 1000040350)
 * @param refusalMessage       while {@link State#REFUSED}: Feishu's message
 * @param connects             connections opened
 * @param reconnects           connections lost or attempts failed, each followed by another attempt
 * @param framesReceived       WebSocket messages read
 * @param eventsReceived       complete event payloads handed to the route
 * @param acksSent             acknowledgements written
 * @param acksByCode           acknowledgements written, by code
 * @param unparseableFrames    messages that were not a valid frame, or too large
 * @param inFlight             events handed to the route and not yet acknowledged
 */
public record LongConnectionStatus(String app, State state, String connectionId, Instant connectedSince,
                                   Instant lastPong, String lastDisconnectReason, Integer refusalCode,
                                   String refusalMessage, long connects, long reconnects, long framesReceived,
                                   long eventsReceived, long acksSent, Map<Integer, Long> acksByCode,
                                   long unparseableFrames, int inFlight) {

    public enum State {
        /** The first attempt since the start (or since {@code reconnect()} after a refusal) is under way. */
        CONNECTING,
        CONNECTED,
        /** A connection was lost or an attempt failed; the next attempt is waiting or under way. */
        RECONNECTING,
        /** Feishu refused the app (credentials, connection limit): no further attempt until {@code reconnect()}. */
        REFUSED,
        STOPPING,
        STOPPED
    }

    public LongConnectionStatus {
        acksByCode = Map.copyOf(acksByCode);
    }
}
