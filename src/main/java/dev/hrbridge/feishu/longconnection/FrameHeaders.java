package dev.hrbridge.feishu.longconnection;

/** The header keys and values of the long connection's frames, as Feishu names them. */
final class FrameHeaders {

    /** {@code ping} / {@code pong} on control frames, {@code event} / {@code card} on data frames. */
    static final String TYPE = "type";
    static final String MESSAGE_ID = "message_id";
    /** How many parts a payload was split into (1 when it was not). */
    static final String SUM = "sum";
    /** This part's position, 0-based. */
    static final String SEQ = "seq";
    static final String TRACE_ID = "trace_id";
    /** Milliseconds our handling took, added to the acknowledgement. */
    static final String BIZ_RT = "biz_rt";

    static final String PING = "ping";
    static final String PONG = "pong";
    static final String EVENT = "event";
    static final String CARD = "card";

    private FrameHeaders() {
    }
}
