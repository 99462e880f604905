package dev.hrbridge.inbox;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** When the journal's ingester holds processing back, on a clock the test moves. */
class BurstHoldTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong appended = new AtomicLong();
    private final AtomicInteger backlog = new AtomicInteger();
    private long now = 1_000_000 * MS;

    private BurstHold hold(long ratePerSecond, long longestMillis, int backlogLimit) {
        return new BurstHold(ratePerSecond, longestMillis, backlogLimit, appended::get, backlog::get, now);
    }

    /** {@code events} acknowledged over the next {@code millis}, in one window; answers whether it then holds. */
    private boolean after(BurstHold hold, long millis, int events) {
        now += millis * MS;
        appended.addAndGet(events);
        backlog.addAndGet(events);
        return hold.holding(now);
    }

    @Test
    void holdsWhileAcknowledgementsArriveFasterThanTheThresholdAndNotOnceTheyFall() {
        BurstHold hold = hold(1000, 60_000, 100_000);
        assertThat(after(hold, 250, 100)).as("400/s").isFalse();
        assertThat(after(hold, 250, 300)).as("1,200/s").isTrue();
        // between windows the last rate counts
        assertThat(after(hold, 50, 60)).isTrue();
        assertThat(after(hold, 200, 240)).as("1,200/s").isTrue();
        assertThat(after(hold, 250, 240)).as("960/s").isFalse();
        assertThat(after(hold, 250, 0)).isFalse();
    }

    @Test
    void aHoldEndsAfterTheLongestHoldAndComesBackOnlyAfterTheRateHasFallen() {
        BurstHold hold = hold(1000, 1000, 100_000);
        assertThat(after(hold, 250, 500)).isTrue();
        for (int window = 0; window < 3; window++) {
            assertThat(after(hold, 250, 500)).isTrue();
        }
        assertThat(after(hold, 250, 500)).as("a second into the hold").isFalse();
        assertThat(hold.on()).isFalse();
        assertThat(after(hold, 250, 500)).as("the burst goes on").isFalse();
        assertThat(after(hold, 250, 10)).as("the burst is over").isFalse();
        assertThat(after(hold, 250, 500)).as("a new burst").isTrue();
    }

    @Test
    void atTheBacklogLimitEventsMoveIntoTheTableWhileProcessingStillWaits() {
        BurstHold hold = hold(1000, 60_000, 1000);
        assertThat(after(hold, 250, 900)).isTrue();
        assertThat(hold.on()).isTrue();
        assertThat(after(hold, 250, 300)).as("at the limit the ingester moves events on").isFalse();
        assertThat(hold.on()).as("the dispatcher still claims nothing new").isTrue();
        backlog.set(999);
        assertThat(after(hold, 0, 0)).as("below it again").isTrue();
        assertThat(after(hold, 250, 0)).as("the burst is over").isFalse();
        assertThat(hold.on()).isFalse();
    }

    @Test
    void aThresholdOfZeroNeverHolds() {
        BurstHold hold = hold(0, 60_000, 100_000);
        assertThat(after(hold, 250, 100_000)).isFalse();
    }
}
