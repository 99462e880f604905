package dev.hrbridge.inbox;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Ids for inbox messages, requests and dead letters: UUIDs whose first 48 bits are the creation time in
 * milliseconds (the UUID version 7 layout), so new rows land at the end of the primary-key index instead of at
 * random places in it, which keeps inserts cheap on a busy inbox.
 */
public final class MessageIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private MessageIds() {
    }

    public static String next() {
        long millis = System.currentTimeMillis();
        long randomHigh = RANDOM.nextLong();
        long randomLow = RANDOM.nextLong();
        long most = (millis << 16) | 0x7000L | (randomHigh & 0x0FFFL);
        long least = (randomLow & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }
}
