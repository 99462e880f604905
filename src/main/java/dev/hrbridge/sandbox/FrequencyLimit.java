package dev.hrbridge.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Feishu's frequency control of one API ("频控策略", open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN): per API,
 * app and tenant (FeishuSandbox keeps one of these per API and caller), every limit of the API counts ("1000 次/分钟、50 次/秒"
 * trips on either). Feishu does not say how it counts a window; the sandbox counts the strictest way, any
 * {@code length} in a row, so a client that passes here passes however Feishu counts. Refused calls do not count.
 */
final class FrequencyLimit {

    record Window(int limit, Duration length) {
        static Window perMinute(int limit) {
            return new Window(limit, Duration.ofMinutes(1));
        }

        static Window perSecond(int limit) {
            return new Window(limit, Duration.ofSeconds(1));
        }
    }

    /** A refused call: the limit it met and the seconds until a call would pass ({@code x-ogw-ratelimit-reset}). */
    record Refusal(int limit, long resetSeconds) {
    }

    private final Clock clock;
    private final List<Window> windows;
    private final List<ArrayDeque<Instant>> calls;

    FrequencyLimit(Clock clock, List<Window> windows) {
        this.clock = clock;
        this.windows = List.copyOf(windows);
        this.calls = windows.stream().map(window -> new ArrayDeque<Instant>()).toList();
    }

    /** Counts the call and answers null, or answers why it is refused without counting it. */
    synchronized Refusal admit() {
        Instant now = clock.instant();
        Refusal refusal = null;
        for (int i = 0; i < windows.size(); i++) {
            Window window = windows.get(i);
            ArrayDeque<Instant> recent = calls.get(i);
            while (!recent.isEmpty() && !recent.peekFirst().plus(window.length()).isAfter(now)) {
                recent.pollFirst();
            }
            if (recent.size() >= window.limit()) {
                long waitMillis = Duration.between(now, recent.peekFirst().plus(window.length())).toMillis();
                long reset = Math.max(1, (waitMillis + 999) / 1000);
                if (refusal == null || reset > refusal.resetSeconds()) {
                    refusal = new Refusal(window.limit(), reset);
                }
            }
        }
        if (refusal == null) {
            calls.forEach(recent -> recent.addLast(now));
        }
        return refusal;
    }
}
