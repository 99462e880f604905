package dev.hrbridge.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A misbehaviour of the sandbox's long connection, posted as JSON to {@code /sandbox/long-connection/faults}:
 * <ul>
 *   <li>{@code silent}: no pong to any ping and no event pushed (events wait, queued); connections stay open and
 *       acknowledgements are still read. Lasts until the next fault.</li>
 *   <li>{@code drop}: every open connection is closed at once at the TCP level, without a WebSocket close frame.
 *       A momentary action: the fault in force before it stays in force, and new connections are accepted.</li>
 *   <li>{@code refuse-endpoint}: {@code POST /callback/ws/endpoint} answers HTTP 200 with {@code code} (default
 *       {@code 1} system busy; {@code 1000040343} internal error; both make Feishu's SDKs retry, any other code is a
 *       client error that makes them stop) and {@code msg}.</li>
 *   <li>{@code refuse-handshake}: the WebSocket upgrade is answered with HTTP {@code status} (default {@code 514}) and
 *       the headers {@code Handshake-Status} (the same status), {@code Handshake-Msg} ({@code msg}) and, when
 *       {@code autherrcode} is not 0, {@code Handshake-Autherrcode} (default {@code 1000040350} exceed connection
 *       limit with 514, none with another status). 514 + 1000040350 and 403 make the SDKs stop; 514 with another
 *       auth code makes them reconnect.</li>
 *   <li>{@code hang-handshake}: the TCP connection is accepted and the upgrade request never answered (until the
 *       fault is replaced, when such connections are closed).</li>
 *   <li>{@code lose-acks}: acknowledgements are lost on their way to Feishu: read and thrown away, so every delivery
 *       times out and the event is delivered again, as after a client that stored an event and died before its
 *       acknowledgement left. Lasts until the next fault.</li>
 *   <li>{@code none}: back to normal; events held while silent go out.</li>
 * </ul>
 * {@code count} limits refuse-endpoint, refuse-handshake and hang-handshake to that many requests, after which the
 * long connection behaves normally again (0, the default: until the next fault). A ticket presented to a refused or
 * hung handshake is used up all the same.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LongConnectionFault(String mode, Integer code, String msg, Integer status, Long autherrcode, int count) {

    public static final String SILENT = "silent";
    public static final String DROP = "drop";
    public static final String REFUSE_ENDPOINT = "refuse-endpoint";
    public static final String REFUSE_HANDSHAKE = "refuse-handshake";
    public static final String HANG_HANDSHAKE = "hang-handshake";
    public static final String LOSE_ACKS = "lose-acks";
    public static final String NONE = "none";
    static final List<String> MODES = List.of(SILENT, DROP, REFUSE_ENDPOINT, REFUSE_HANDSHAKE, HANG_HANDSHAKE, LOSE_ACKS, NONE);

    /** Feishu's endpoint codes that its SDKs take as the server's trouble and retry after. */
    static final int SYSTEM_BUSY = 1;
    static final int INTERNAL_ERROR = 1000040343;
    /** The handshake statuses and the auth code the SDKs tell apart. */
    static final int FORBIDDEN = 403;
    static final int AUTH_FAILED = 514;
    static final long EXCEED_CONNECTION_LIMIT = 1000040350L;

    public LongConnectionFault {
        if (mode == null || !MODES.contains(mode)) {
            throw new IllegalArgumentException("mode must be one of " + MODES);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be 0 (until the next fault) or more");
        }
        if (mode.equals(REFUSE_ENDPOINT)) {
            code = code == null ? SYSTEM_BUSY : code;
            if (code == 0) {
                throw new IllegalArgumentException("code 0 is Feishu's success, not a refusal");
            }
            msg = msg != null ? msg : code == SYSTEM_BUSY ? "system busy" : code == INTERNAL_ERROR ? "internal error" : "client error";
        } else if (mode.equals(REFUSE_HANDSHAKE)) {
            status = status == null ? AUTH_FAILED : status;
            if (status < 200 || status > 599 || status == 101) {
                throw new IllegalArgumentException("status must be an HTTP status from 200 to 599");
            }
            autherrcode = autherrcode != null ? autherrcode : status == AUTH_FAILED ? EXCEED_CONNECTION_LIMIT : 0L;
            msg = msg != null ? msg : autherrcode == EXCEED_CONNECTION_LIMIT ? "exceed connection limit"
                    : status == FORBIDDEN ? "forbidden" : "auth failed";
        }
    }

    public static LongConnectionFault silent() {
        return new LongConnectionFault(SILENT, null, null, null, null, 0);
    }

    public static LongConnectionFault drop() {
        return new LongConnectionFault(DROP, null, null, null, null, 0);
    }

    public static LongConnectionFault loseAcks() {
        return new LongConnectionFault(LOSE_ACKS, null, null, null, null, 0);
    }

    public static LongConnectionFault none() {
        return new LongConnectionFault(NONE, null, null, null, null, 0);
    }

    /** The endpoint answers {@code code} to the next {@code count} requests (0: until the next fault). */
    public static LongConnectionFault refuseEndpoint(int code, int count) {
        return new LongConnectionFault(REFUSE_ENDPOINT, code, null, null, null, count);
    }

    /** The next {@code count} handshakes are refused with {@code status} and {@code autherrcode} (0: no such header). */
    public static LongConnectionFault refuseHandshake(int status, long autherrcode, int count) {
        return new LongConnectionFault(REFUSE_HANDSHAKE, null, null, status, autherrcode, count);
    }

    /** The next {@code count} handshakes are never answered. */
    public static LongConnectionFault hangHandshake(int count) {
        return new LongConnectionFault(HANG_HANDSHAKE, null, null, null, null, count);
    }
}
