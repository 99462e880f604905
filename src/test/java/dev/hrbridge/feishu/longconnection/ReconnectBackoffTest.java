package dev.hrbridge.feishu.longconnection;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Failed attempts wait Feishu's interval plus spread, doubling per failure up to the cap; Feishu's config applies. */
class ReconnectBackoffTest {

    @Test
    void theWaitDoublesPerFailureUpToTheCap() {
        ClientConfig feishu = new ClientConfig(-1, 2, 0, 120);

        assertThat(LongConnectionClient.retryDelay(1, feishu, 10_000, 0)).isEqualTo(2_000);
        assertThat(LongConnectionClient.retryDelay(2, feishu, 10_000, 0)).isEqualTo(4_000);
        assertThat(LongConnectionClient.retryDelay(3, feishu, 10_000, 0)).isEqualTo(8_000);
        assertThat(LongConnectionClient.retryDelay(4, feishu, 10_000, 0)).isEqualTo(10_000);
        assertThat(LongConnectionClient.retryDelay(1_000, feishu, 10_000, 0)).isEqualTo(10_000);
    }

    @Test
    void theSpreadIsAddedAndAZeroIntervalStillWaitsASecond() {
        assertThat(LongConnectionClient.retryDelay(1, new ClientConfig(-1, 120, 30, 120), 600_000, 12_345)).isEqualTo(132_345);
        assertThat(LongConnectionClient.retryDelay(1, new ClientConfig(-1, 0, 0, 120), 600_000, 0)).isEqualTo(1_000);
        assertThat(LongConnectionClient.retryDelay(2, new ClientConfig(-1, 0, 0, 120), 600_000, 0)).isEqualTo(2_000);
    }

    @Test
    void feishusClientConfigReplacesOnlyWhatItCarries() throws Exception {
        ClientConfig updated = ClientConfig.DEFAULT.with(new ObjectMapper().readTree("{\"PingInterval\":30,\"ReconnectNonce\":5}"));

        assertThat(updated).isEqualTo(new ClientConfig(-1, 120, 5, 30));
        assertThat(updated.with(new ObjectMapper().readTree("{\"PingInterval\":0,\"ReconnectInterval\":\"x\"}")))
                .as("a ping interval of 0 or a non-number is ignored").isEqualTo(updated);
    }
}
