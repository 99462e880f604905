package dev.hrbridge.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fault the simulator plays on calls whose path starts with {@code pathPrefix}, for the next {@code count} calls
 * (0 or less: until the faults are cleared). It waits {@code delayMs} first, then either drops the connection
 * without an answer, answers {@code status} with {@code code} and {@code msg} in the shape of the platform that
 * serves the path (Feishu's {@code {code, msg}} body by default, and {@code x-ogw-ratelimit-reset} when
 * {@code rateLimitResetSeconds} is set; the IoT gateway's see {@link IotGatewaySandbox#faultReply}), or, with
 * status 0, lets the call through to the real simulator: a slow but correct answer.
 */
public record SandboxFault(String pathPrefix, int status, int code, String msg, int count, long delayMs,
                           int rateLimitResetSeconds, boolean dropConnection) {

    public SandboxFault {
        if (pathPrefix == null || !pathPrefix.startsWith("/")) {
            throw new IllegalArgumentException("pathPrefix must start with '/'");
        }
        if (status != 0 && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status must be 0 (pass through) or an HTTP status");
        }
        if (delayMs < 0 || delayMs > 600_000) {
            throw new IllegalArgumentException("delayMs must be from 0 to 600000");
        }
    }

    /** Feishu's rate limit: 429, code 99991400, retry after {@code resetSeconds}. */
    public static SandboxFault rateLimited(String pathPrefix, int count, int resetSeconds) {
        return new SandboxFault(pathPrefix, 429, 99991400, "request trigger frequency limit", count, 0, resetSeconds, false);
    }

    /** An answer with {@code status} and Feishu's {@code code} and {@code msg}. */
    public static SandboxFault answer(String pathPrefix, int count, int status, int code, String msg) {
        return new SandboxFault(pathPrefix, status, code, msg, count, 0, 0, false);
    }

    /** Feishu's error shape with this fault's status, code and msg. */
    PlatformSimulator.Reply reply() {
        PlatformSimulator.Reply reply = FeishuSandbox.error(status, code, msg == null ? "injected fault" : msg);
        if (rateLimitResetSeconds <= 0) {
            return reply;
        }
        Map<String, String> headers = new LinkedHashMap<>(reply.headers());
        headers.put("x-ogw-ratelimit-reset", String.valueOf(rateLimitResetSeconds));
        return new PlatformSimulator.Reply(status, headers, reply.body());
    }
}
