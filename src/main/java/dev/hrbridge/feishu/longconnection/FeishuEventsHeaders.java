package dev.hrbridge.feishu.longconnection;

/** The headers a {@code feishu-events:} exchange carries, and the one a route may set to choose the ack code. */
public final class FeishuEventsHeaders {

    /** Feishu's {@code message_id} of the delivery (a redelivery keeps it). */
    public static final String MESSAGE_ID = "FeishuEventsMessageId";
    public static final String TRACE_ID = "FeishuEventsTraceId";
    /** {@code event}. */
    public static final String TYPE = "FeishuEventsType";
    /** The {@code device_id} of the connection the event came on. */
    public static final String CONNECTION_ID = "FeishuEventsConnectionId";
    /**
     * Set by the route (an Integer) to choose the acknowledgement's code; without it the code is 200, or 500 when
     * the exchange failed.
     */
    public static final String ACK_CODE = "FeishuEventsAckCode";

    private FeishuEventsHeaders() {
    }
}
