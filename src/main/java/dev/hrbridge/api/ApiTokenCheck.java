package dev.hrbridge.api;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards {@code /api/**}: the caller must send {@code Authorization: Bearer <hrb.api.token>}. The comparison
 * takes the same time whatever the token, and every refusal reads the same, so neither leaks how close a
 * guess was.
 */
public class ApiTokenCheck implements Processor {

    private final byte[] expected;

    public ApiTokenCheck(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void process(Exchange exchange) {
        String presented = exchange.getIn().getHeader("Authorization", String.class);
        byte[] actual = presented == null ? new byte[0] : presented.trim().getBytes(StandardCharsets.UTF_8);
        // inbound Authorization must never travel further (logs, outbound calls)
        exchange.getIn().removeHeader("Authorization");
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new ApiException(401, "unauthorized", "missing or invalid bearer token for /api");
        }
    }
}
