package dev.hrbridge.api;

import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import java.util.List;

/**
 * Headers as the HTTP request itself carried them. platform-http copies query parameters into message headers too,
 * so {@code ?Authorization=...} or {@code ?X-Lark-Signature=...} would pass for a header there; what decides who a
 * caller is, or whether a request repeats another, is read here instead.
 */
public final class RequestHeaders {

    private RequestHeaders() {
    }

    /** Every value of the request header {@code name}; none when the message did not come from platform-http. */
    public static List<String> all(Exchange exchange, String name) {
        return exchange.getIn() instanceof HttpMessage http ? http.getRequest().headers().getAll(name) : List.of();
    }

    /** The request header {@code name} when it is given exactly once; null when absent or repeated. */
    public static String single(Exchange exchange, String name) {
        List<String> given = all(exchange, name);
        return given.size() == 1 ? given.get(0) : null;
    }
}
