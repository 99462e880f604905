package dev.hrbridge.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A logback encoder that wraps the real one (text or JSON) and replaces every configured secret in what it
 * writes with {@code ****}: the app secret, encrypt key, verification token, API token and the rest never reach
 * a log line, whoever logs them (our code, Camel, a library echoing a URL or header).
 */
public class SecretMasking extends EncoderBase<ILoggingEvent> {

    private static final List<String> SECRETS = new CopyOnWriteArrayList<>();
    private static final String MASK = "****";

    private Encoder<ILoggingEvent> encoder;

    /** Registers the values to mask; values under 4 characters would mask ordinary text and are skipped. */
    public static void mask(Iterable<String> secrets) {
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 4 && !SECRETS.contains(secret)) {
                SECRETS.add(secret);
            }
        }
    }

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public void start() {
        encoder.start();
        super.start();
    }

    @Override
    public byte[] headerBytes() {
        return encoder.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        byte[] encoded = encoder.encode(event);
        if (SECRETS.isEmpty()) {
            return encoded;
        }
        String text = new String(encoded, StandardCharsets.UTF_8);
        String masked = masked(text);
        return masked == text ? encoded : masked.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code text} with every registered secret replaced by {@code ****}; the same instance when it holds none. */
    public static String masked(String text) {
        String masked = text;
        for (String secret : SECRETS) {
            if (masked.contains(secret)) {
                masked = masked.replace(secret, MASK);
            }
        }
        return masked;
    }

    @Override
    public byte[] footerBytes() {
        return encoder.footerBytes();
    }
}
