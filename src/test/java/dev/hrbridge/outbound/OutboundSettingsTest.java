package dev.hrbridge.outbound;

import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.Settings;
import dev.hrbridge.config.SettingsValidator;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Malformed outbound settings stop the start with the property named, before any call is made. */
class OutboundSettingsTest {

    @Test
    void theShippedOutboundDefaultsAreValid() {
        assertThatCode(() -> SettingsValidator.validate(Settings.load(Map.of(), new Properties(), Map.of())))
                .doesNotThrowAnyException();
    }

    @Test
    void aMalformedThrottleTimeoutOrFlowRetrySettingIsNamed() {
        Settings settings = Settings.load(Map.of(), new Properties(), Map.of(
                "hrb.throttle.corehr.onboarding_qr_codes.create.per-minute", "lots",
                "hrb.throttle.corehr.offboardings.revoke.per-second", "0",
                "hrb.http.response-timeout-ms", "0",
                "hrb.retry.qr-rotation.multiplier", "0.5"));

        assertThatThrownBy(() -> SettingsValidator.validate(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("hrb.throttle.corehr.onboarding_qr_codes.create.per-minute")
                .hasMessageContaining("HRB_THROTTLE_COREHR_OFFBOARDINGS_REVOKE_PER_SECOND")
                .hasMessageContaining("HRB_HTTP_RESPONSE_TIMEOUT_MS")
                .hasMessageContaining("hrb.retry.qr-rotation.multiplier");
    }
}
