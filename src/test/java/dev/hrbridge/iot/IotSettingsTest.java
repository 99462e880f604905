package dev.hrbridge.iot;

import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.Settings;
import dev.hrbridge.config.SettingsValidator;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The IoT call's timeouts: checked at start, and by default long enough to hear the gateway's own answer. */
class IotSettingsTest {

    // the gateway stops waiting for createbyauthcode's backend after 3000 ms (seed 004) and answers; a timeout of
    // ours at the same moment would cut that answer off and leave the outcome unknown more often than it is
    @Test
    void theShippedResponseTimeoutOutwaitsTheGateways3000Ms() {
        Settings settings = Settings.load(Map.of(), new Properties(), Map.of());
        assertThat(settings.getLong("iot.http.response-timeout-ms", 1, 600_000)).isGreaterThan(3000);
    }

    @Test
    void aMalformedIotTimeoutStopsTheStartNamingItsPropertyAndVariable() {
        Settings settings = Settings.load(Map.of(), new Properties(), Map.of("iot.http.response-timeout-ms", "soon"));

        assertThatThrownBy(() -> SettingsValidator.validate(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("iot.http.response-timeout-ms")
                .hasMessageContaining("IOT_HTTP_RESPONSE_TIMEOUT_MS");
    }
}
