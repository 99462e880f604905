package dev.hrbridge.outbound;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** The permits of one instance, in its memory: the throttle of the embedded database, which only one instance uses. */
final class LocalPermitLog implements PermitLog {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final LongSupplier nanoClock;
    private final Map<ThrottleKey, Windows> windows = new ConcurrentHashMap<>();

    LocalPermitLog(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public void take(ThrottleKey key, ApiThrottle.Limits limits) {
        windows.computeIfAbsent(key, k -> new Windows(limits)).take(key.api(), nanoClock.getAsLong());
    }

    /** A permit needs room in both windows and is counted in both. */
    private static final class Windows {
        final Window minute;
        final Window second;

        Windows(ApiThrottle.Limits limits) {
            minute = new Window(limits.perMinute(), MINUTE);
            second = new Window(limits.perSecond(), SECOND);
        }

        synchronized void take(String api, long now) {
            long wait = Math.max(minute.waitForRoom(now), second.waitForRoom(now));
            if (wait > 0) {
                throw new DeferredFailure(api, Duration.ofNanos(Math.max(wait, 1_000_000)));
            }
            minute.add(now);
            second.add(now);
        }
    }

    /** The grant times within the last {@code length} nanoseconds, oldest first; a limit of 0 counts nothing. */
    private static final class Window {
        final int limit;
        final long length;
        final ArrayDeque<Long> granted = new ArrayDeque<>();

        Window(int limit, long length) {
            this.limit = limit;
            this.length = length;
        }

        /** Nanoseconds until the oldest permit leaves the window, 0 when there is room now. */
        long waitForRoom(long now) {
            while (!granted.isEmpty() && now - granted.peekFirst() >= length) {
                granted.pollFirst();
            }
            return limit == 0 || granted.size() < limit ? 0 : granted.peekFirst() + length - now;
        }

        void add(long now) {
            if (limit > 0) {
                granted.addLast(now);
            }
        }
    }
}
