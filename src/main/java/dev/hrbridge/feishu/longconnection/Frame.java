package dev.hrbridge.feishu.longconnection;

import java.util.ArrayList;
import java.util.List;

/**
 * One message of Feishu's long connection: a {@code pbbp2.Frame}. {@code method} 0 is a control frame (ping, pong),
 * 1 a data frame (an event or a card callback, and our acknowledgement of it). What a frame is about travels in its
 * headers ({@code type}, {@code message_id}, {@code sum}, {@code seq}, ...). The optional fields are {@code null}
 * when absent, which is not the same as empty: a pong without payload carries no client configuration.
 */
public record Frame(long seqId, long logId, int service, int method, List<Header> headers,
                    String payloadEncoding, String payloadType, byte[] payload, String logIdNew) {

    public static final int CONTROL = 0;
    public static final int DATA = 1;

    /** One {@code pbbp2.Header}: both key and value are required. */
    public record Header(String key, String value) { }

    public Frame {
        headers = List.copyOf(headers);
    }

    /** The ping we send every ping interval; {@code service} is the {@code service_id} of the connection's URL. */
    static Frame ping(int service) {
        return new Frame(0, 0, service, CONTROL, List.of(new Header(FrameHeaders.TYPE, FrameHeaders.PING)),
                null, null, null, null);
    }

    /** The first header named {@code key}, or {@code null}. */
    public String header(String key) {
        for (Header header : headers) {
            if (header.key().equals(key)) {
                return header.value();
            }
        }
        return null;
    }

    /**
     * The acknowledgement of this data frame: the same frame (sequence, log id, service, method, headers) with the
     * handling time in a {@code biz_rt} header and {@code answer} as payload. Feishu matches it to what it sent.
     */
    Frame acknowledgement(long handlingMillis, byte[] answer) {
        List<Header> withTime = new ArrayList<>(headers);
        withTime.add(new Header(FrameHeaders.BIZ_RT, Long.toString(handlingMillis)));
        return new Frame(seqId, logId, service, method, withTime, payloadEncoding, payloadType, answer, logIdNew);
    }
}
