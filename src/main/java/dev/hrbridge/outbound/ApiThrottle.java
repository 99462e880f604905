package dev.hrbridge.outbound;

import dev.hrbridge.config.Settings;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Our own rate limit per outbound API, {@code hrb.throttle.<api>.per-minute}: never more than that many calls in
 * any 60 seconds (a sliding window, so a burst at the end of one minute and the start of the next cannot double
 * it, whichever way Feishu counts its windows). An API without the setting is not throttled. No permit means
 * {@link DeferredFailure} with the wait until the next one; no thread ever waits here.
 * <p>
 * The window is per instance: with several instances each keeps its own, so divide the limit among them.
 */
public class ApiThrottle {

    private static final long WINDOW_NANOS = Duration.ofMinutes(1).toNanos();

    private final Settings settings;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public ApiThrottle(Settings settings) {
        this(settings, System::nanoTime);
    }

    ApiThrottle(Settings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
    }

    public static String key(String api) {
        return "hrb.throttle." + api + ".per-minute";
    }

    /** Takes a permit for one call of {@code api}, or throws {@link DeferredFailure}. */
    public void acquire(String api) {
        Window window = windows.computeIfAbsent(api, name -> new Window(limit(name)));
        if (window.limit > 0) {
            window.take(api, nanoClock.getAsLong());
        }
    }

    /** The configured calls per minute, 0 when not throttled. */
    public int limit(String api) {
        return settings.isSet(key(api)) ? settings.getInt(key(api), 1, 1_000_000) : 0;
    }

    private static final class Window {
        final int limit;
        final ArrayDeque<Long> permits = new ArrayDeque<>();

        Window(int limit) {
            this.limit = limit;
        }

        synchronized void take(String api, long now) {
            while (!permits.isEmpty() && now - permits.peekFirst() >= WINDOW_NANOS) {
                permits.pollFirst();
            }
            if (permits.size() >= limit) {
                long wait = permits.peekFirst() + WINDOW_NANOS - now;
                throw new DeferredFailure(api, Duration.ofNanos(Math.max(wait, 1_000_000)));
            }
            permits.addLast(now);
        }
    }
}
