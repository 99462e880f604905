package dev.hrbridge.api;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

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
        // the one Authorization header of the request itself: a token in the URL would travel into access logs
        String presented = RequestHeaders.single(exchange, "Authorization");
        // inbound Authorization must never travel further (logs, outbound calls)
        exchange.getIn().removeHeader("Authorization");
        if (!expected.matches(presented)) {
            throw new ApiException(401, "unauthorized", "missing or invalid bearer token for /api");
        }
    }
}
