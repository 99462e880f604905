package dev.hrbridge.api;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import java.util.List;

/**
 * Guards {@code /api/**}: the caller must send {@code Authorization: Bearer <hrb.api.token>}. The comparison
 * takes the same time whatever the token, and every refusal reads the same, so neither leaks how close a
 * guess was.
 */
public class ApiTokenCheck implements Processor {

    private final BearerToken expected;

    public ApiTokenCheck(String token) {
        this.expected = new BearerToken(token);
    }

    @Override
    public void process(Exchange exchange) {
        String presented = authorization(exchange);
        // inbound Authorization must never travel further (logs, outbound calls)
        exchange.getIn().removeHeader("Authorization");
        if (!expected.matches(presented)) {
            throw new ApiException(401, "unauthorized", "missing or invalid bearer token for /api");
        }
    }

    /**
     * The one Authorization header of the HTTP request itself: platform-http copies query parameters into message
     * headers too, and a token taken from {@code ?Authorization=} would have travelled in a URL, into access logs.
     */
    private static String authorization(Exchange exchange) {
        if (exchange.getIn() instanceof HttpMessage http) {
            List<String> given = http.getRequest().headers().getAll("Authorization");
            return given.size() == 1 ? given.get(0) : null;
        }
        return null;
    }
}
