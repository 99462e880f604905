package dev.hrbridge.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A configured bearer token, checked against a request's {@code Authorization} header in the same time whatever
 * was sent, so a refusal does not tell how close a guess was.
 */
public final class BearerToken {

    private final byte[] expected;

    public BearerToken(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code authorization} (the header's value, null when absent) is {@code Bearer <token>}. */
    public boolean matches(String authorization) {
        byte[] actual = authorization == null ? new byte[0] : authorization.trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, actual);
    }
}
