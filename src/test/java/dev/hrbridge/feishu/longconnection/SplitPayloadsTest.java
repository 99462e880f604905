package dev.hrbridge.feishu.longconnection;

import dev.hrbridge.feishu.longconnection.SplitPayloads.Outcome;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Payloads split into parts are put together again, within bounds of time and memory. */
class SplitPayloadsTest {

    private final AtomicLong now = new AtomicLong();
    private final SplitPayloads payloads = new SplitPayloads(5_000, 100, now::get);

    @Test
    void partsInAnyOrderAndRepeatedMakeOnePayload() throws Exception {
        assertThat(payloads.add("m", 3, 2, bytes("c")).outcome()).isEqualTo(Outcome.WAITING);
        assertThat(payloads.add("m", 3, 0, bytes("a")).outcome()).isEqualTo(Outcome.WAITING);
        assertThat(payloads.add("m", 3, 0, bytes("a")).outcome()).isEqualTo(Outcome.WAITING);

        SplitPayloads.Result whole = payloads.add("m", 3, 1, bytes("b"));

        assertThat(whole.outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(new String(whole.payload())).isEqualTo("abc");
        assertThat(payloads.pendingMessages()).isZero();
        assertThat(payloads.heldBytes()).isZero();
    }

    @Test
    void partsThatWaitedTooLongAreDropped() throws Exception {
        payloads.add("m", 2, 0, bytes("a"));
        now.addAndGet(TimeUnit.SECONDS.toNanos(6));
        payloads.expire();

        assertThat(payloads.pendingMessages()).isZero();
        assertThat(payloads.expired()).isEqualTo(1);
        assertThat(payloads.add("m", 2, 1, bytes("b")).outcome()).as("the late part starts afresh").isEqualTo(Outcome.WAITING);
    }

    @Test
    void partsBeyondTheByteLimitDropTheirMessage() throws Exception {
        payloads.add("big", 2, 0, new byte[60]);

        assertThat(payloads.add("big", 2, 1, new byte[60]).outcome()).isEqualTo(Outcome.DROPPED_OVER_LIMIT);
        assertThat(payloads.heldBytes()).isZero();
        assertThat(payloads.add("small", 2, 0, new byte[60]).outcome()).isEqualTo(Outcome.WAITING);
        assertThat(payloads.add("other", 2, 0, new byte[60]).outcome()).as("held bytes of all messages count")
                .isEqualTo(Outcome.DROPPED_OVER_LIMIT);
        assertThat(payloads.dropped()).isEqualTo(2);
    }

    @Test
    void nonsensicalPartNumbersAreRefused() {
        assertThatThrownBy(() -> payloads.add("m", 3, 3, bytes("x"))).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> payloads.add("m", 3, -1, bytes("x"))).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> payloads.add("m", SplitPayloads.MAX_PARTS + 1, 0, bytes("x"))).isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> payloads.add(null, 2, 0, bytes("x"))).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void aMessageWhosePartCountChangesStartsAfresh() throws Exception {
        payloads.add("m", 3, 0, bytes("a"));

        assertThat(payloads.add("m", 2, 1, bytes("b")).outcome()).isEqualTo(Outcome.WAITING);
        assertThat(new String(payloads.add("m", 2, 0, bytes("a")).payload())).isEqualTo("ab");
    }

    private static byte[] bytes(String text) {
        return text.getBytes();
    }
}
