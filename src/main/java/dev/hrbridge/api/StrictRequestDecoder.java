package dev.hrbridge.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

import java.util.List;

/**
 * The business port's request decoder: Vert.x's, refusing a request whose body length two parties could read
 * differently (request smuggling) — {@code Transfer-Encoding} beside {@code Content-Length}, on HTTP/1.0, or other than
 * a single {@code chunked} — and a version other than HTTP/1.0 and 1.1. Such a request gets the server's answer to an
 * unreadable request and its connection is closed.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

    /** Why a request was refused: the decoder result's cause, and the answer it gets. */
    static final class Refused extends IllegalArgumentException {

        final int status;
        final String error;

        Refused(int status, String error, String message) {
            super(message, null);
            this.status = status;
            this.error = error;
        }
    }

    StrictRequestDecoder(HttpServerOptions options) {
        super(options);
    }

    /**
     * Netty calls this once per head, with every header as received, before it picks how the body is framed (and
     * before it would drop a Content-Length beside chunked); what it throws makes the request invalid and the decoder
     * discard the rest of the connection's input.
     */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
        HttpVersion version = message.protocolVersion();
        if (!version.equals(HttpVersion.HTTP_1_1) && !version.equals(HttpVersion.HTTP_1_0)) {
            throw new Refused(505, "http_version_not_supported", "only HTTP/1.1 and HTTP/1.0 are served here");
        }
        List<String> encodings = message.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!encodings.isEmpty()) {
            if (message.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                throw framing("a request may carry Content-Length or Transfer-Encoding, not both");
            }
            if (version.equals(HttpVersion.HTTP_1_0)) {
                throw framing("Transfer-Encoding is not allowed on HTTP/1.0");
            }
            if (encodings.size() != 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(encodings.get(0).trim())) {
                throw framing("the only Transfer-Encoding accepted is chunked");
            }
        }
        return super.isContentAlwaysEmpty(message);
    }

    private static Refused framing(String message) {
        return new Refused(400, "invalid_framing", message);
    }
}
