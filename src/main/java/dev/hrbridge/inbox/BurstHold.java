package dev.hrbridge.inbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Decides when processing holds back: while webhook events are acknowledged faster than a threshold, processing them
 * competes with their acknowledgement for the same cores, and Feishu's deadline is on the acknowledgement. Held
 * events wait in the journal, or in the table once the journal's backlog reaches its limit (the journal's backlog
 * is counted in memory, the table's is not), as durably either way; holding loses nothing, it only moves the work
 * to after the burst. During a burst the ingester waits unless the backlog is at its limit, and the dispatcher claims
 * no new work ({@link #on}). A burst ends when the rate falls below the threshold, or after a longest hold (then
 * processing runs until the rate has fallen once). {@link #holding} is called by the ingester's thread only.
 */
final class BurstHold {

    private static final Logger LOG = LoggerFactory.getLogger(BurstHold.class);
    /** The rate is measured over windows of this length. */
    static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final long ratePerSecond;
    private final long longestNanos;
    private final int backlogLimit;
    private final LongSupplier appended;
    private final IntSupplier backlog;
    private long windowStart;
    private long windowAppended;
    private long rate;
    private long heldSince = -1;
    private boolean spent;
    private volatile boolean on;

    /**
     * @param ratePerSecond acknowledgements per second from which processing holds back; 0 never holds
     * @param longestMillis the longest a hold lasts before processing runs anyway
     * @param backlogLimit  journaled events not yet in the table at which they move into the table anyway
     * @param appended      events appended to the journal so far
     * @param backlog       events journaled and not yet in the table
     */
    BurstHold(long ratePerSecond, long longestMillis, int backlogLimit, LongSupplier appended, IntSupplier backlog,
              long now) {
        this.ratePerSecond = ratePerSecond;
        this.longestNanos = TimeUnit.MILLISECONDS.toNanos(longestMillis);
        this.backlogLimit = backlogLimit;
        this.appended = appended;
        this.backlog = backlog;
        this.windowStart = now;
        this.windowAppended = appended.getAsLong();
    }

    /**
     * True when the ingester should wait at {@code now} (System.nanoTime) instead of moving events into the table:
     * during a burst, while the journal's backlog is below its limit.
     */
    boolean holding(long now) {
        on = burst(now);
        return on && backlog.getAsInt() < backlogLimit;
    }

    /** Whether a burst holds processing back, as of the last {@link #holding}, for any thread. */
    boolean on() {
        return on;
    }

    private boolean burst(long now) {
        if (ratePerSecond == 0) {
            return false;
        }
        if (now - windowStart >= WINDOW_NANOS) {
            long count = appended.getAsLong();
            rate = (count - windowAppended) * TimeUnit.SECONDS.toNanos(1) / (now - windowStart);
            windowStart = now;
            windowAppended = count;
        }
        if (rate < ratePerSecond) {
            if (heldSince >= 0) {
                LOG.info("Acknowledgements down to {}/s: processing resumes, {} event(s) still in the journal", rate,
                        backlog.getAsInt());
            }
            heldSince = -1;
            spent = false;
            return false;
        }
        if (spent) {
            return false;
        }
        if (heldSince < 0) {
            heldSince = now;
            LOG.info("Acknowledging {} events/s: processing waits while the burst lasts (up to {} s)", rate,
                    TimeUnit.NANOSECONDS.toSeconds(longestNanos));
        } else if (now - heldSince >= longestNanos) {
            spent = true;
            LOG.info("Burst of acknowledgements longer than {} s: processing the {} waiting event(s) meanwhile",
                    TimeUnit.NANOSECONDS.toSeconds(longestNanos), backlog.getAsInt());
            return false;
        }
        return true;
    }
}
