package dev.hrbridge.config;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    private static Settings settings(Map<String, String> env, Map<String, String> overrides) {
        return Settings.load(env, new Properties(), overrides);
    }

    @Test
    void defaultsComeFromApplicationProperties() {
        Settings settings = settings(Map.of(), Map.of());
        assertThat(settings.get("camel.server.port")).isEqualTo("8080");
        assertThat(settings.get("hrb.management.port")).isEqualTo("9876");
        assertThat(settings.get("hrb.db.url")).isEqualTo("jdbc:h2:file:./data/hrb");
        assertThat(settings.get("feishu.base-url")).isEqualTo("https://open.feishu.cn");
        assertThat(settings.getInt("hrb.retry.max-attempts", 1, 100)).isEqualTo(6);
        assertThat(settings.isSet("feishu.app-id")).isFalse();
    }

    @Test
    void environmentVariableWinsOverTheFile() {
        Settings settings = settings(Map.of("CAMEL_SERVER_PORT", "9090", "FEISHU_APP_ID", "cli_x",
                "HRB_RETRY_REVOKE_MAX_ATTEMPTS", "3"), Map.of());
        assertThat(settings.get("camel.server.port")).isEqualTo("9090");
        assertThat(settings.get("feishu.app-id")).isEqualTo("cli_x");
        assertThat(settings.get("hrb.retry.revoke.max-attempts")).isEqualTo("3");
        assertThat(settings.asMap()).containsEntry("camel.server.port", "9090");
    }

    @Test
    void sandboxWhenNoAppIdIsSet() {
        assertThat(RuntimeMode.of(settings(Map.of(), Map.of()))).isEqualTo(RuntimeMode.SANDBOX);
    }

    @Test
    void liveWhenAnAppIdIsSetAndItsSecretsAreThere() {
        Settings settings = settings(Map.of("FEISHU_APP_ID", "cli_x", "FEISHU_APP_SECRET", "s", "HRB_API_TOKEN", "t"), Map.of());
        assertThat(RuntimeMode.of(settings)).isEqualTo(RuntimeMode.LIVE);
    }

    @Test
    void liveWithoutApiTokenNamesIt() {
        Settings settings = settings(Map.of("FEISHU_APP_ID", "cli_x", "FEISHU_APP_SECRET", "s"), Map.of());
        assertThatThrownBy(() -> RuntimeMode.of(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("HRB_API_TOKEN");
    }

    @Test
    void prodWithoutSecretsNamesEveryMissingKey() {
        Settings settings = settings(Map.of("HRB_PROFILE", "prod"), Map.of());
        assertThatThrownBy(() -> RuntimeMode.of(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("FEISHU_APP_ID")
                .hasMessageContaining("FEISHU_APP_SECRET")
                .hasMessageContaining("HRB_API_TOKEN")
                .hasMessageContaining("feishu.encrypt-key (FEISHU_ENCRYPT_KEY) or feishu.verification-token (FEISHU_VERIFICATION_TOKEN)");
    }

    @Test
    void prodIsLiveOnceEverySecretIsSet() {
        Settings settings = settings(Map.of("HRB_PROFILE", "prod", "FEISHU_APP_ID", "cli_x", "FEISHU_APP_SECRET", "s",
                "FEISHU_VERIFICATION_TOKEN", "v", "HRB_API_TOKEN", "t"), Map.of());
        assertThat(RuntimeMode.of(settings)).isEqualTo(RuntimeMode.LIVE);
    }

    @Test
    void prodOverTheLongConnectionAloneNeedsNoWebhookSecrets() {
        Settings settings = settings(Map.of("HRB_PROFILE", "prod", "FEISHU_APP_ID", "cli_x", "FEISHU_APP_SECRET", "s",
                "HRB_API_TOKEN", "t", "FEISHU_EVENT_MODE", "long-connection"), Map.of());
        assertThat(RuntimeMode.of(settings)).isEqualTo(RuntimeMode.LIVE);
        assertThatThrownBy(() -> RuntimeMode.of(settings.with(Map.of("feishu.event-mode", "both"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("FEISHU_VERIFICATION_TOKEN");
    }

    @Test
    void eventModeAndLongConnectionSettingsAreChecked() {
        assertThat(FeishuEventMode.of(settings(Map.of(), Map.of()))).isEqualTo(FeishuEventMode.WEBHOOK);
        assertThat(FeishuEventMode.of(settings(Map.of("FEISHU_EVENT_MODE", "both"), Map.of())).longConnection()).isTrue();
        assertThat(FeishuEventMode.proxy(settings(Map.of("FEISHU_LONG_CONNECTION_PROXY", "proxy.corp:3128"), Map.of())))
                .hasToString("proxy.corp/<unresolved>:3128");
        Settings settings = settings(Map.of("FEISHU_EVENT_MODE", "websocket", "FEISHU_LONG_CONNECTION_PROXY", "http://proxy",
                "FEISHU_LONG_CONNECTION_PONG_TIMEOUT_MS", "0", "FEISHU_LONG_CONNECTION_PING_INTERVAL_MS", "soon"), Map.of());
        assertThatThrownBy(() -> SettingsValidator.validate(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("FEISHU_EVENT_MODE").hasMessageContaining("websocket")
                .hasMessageContaining("FEISHU_LONG_CONNECTION_PROXY")
                .hasMessageContaining("FEISHU_LONG_CONNECTION_PONG_TIMEOUT_MS")
                .hasMessageContaining("FEISHU_LONG_CONNECTION_PING_INTERVAL_MS");
    }

    @Test
    void malformedValuesAreAllReportedByName() {
        Settings settings = settings(Map.of("CAMEL_SERVER_PORT", "eighty", "QR_SWEEP_CRON", "every minute",
                "QR_MAX_AGE", "soon", "HRB_RETRY_MULTIPLIER", "x"), Map.of());
        assertThatThrownBy(() -> SettingsValidator.validate(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("camel.server.port (CAMEL_SERVER_PORT) must be a whole number from 0 to 65535, got 'eighty'")
                .hasMessageContaining("qr.sweep.cron (QR_SWEEP_CRON)")
                .hasMessageContaining("qr.max-age (QR_MAX_AGE)")
                .hasMessageContaining("hrb.retry.multiplier (HRB_RETRY_MULTIPLIER)");
    }

    @Test
    void theSandboxsFrequencyLimitsAreOnByDefaultAndAreTrueOrFalse() {
        assertThat(settings(Map.of(), Map.of()).getBoolean("hrb.sandbox.frequency-limits")).isTrue();
        assertThatThrownBy(() -> SettingsValidator.validate(settings(Map.of("HRB_SANDBOX_FREQUENCY_LIMITS", "off"), Map.of())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("hrb.sandbox.frequency-limits (HRB_SANDBOX_FREQUENCY_LIMITS) must be true or false, got 'off'");
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        assertThat(settings(Map.of("QR_MAX_AGE", "30d"), Map.of()).getDuration("qr.max-age").toDays()).isEqualTo(30);
        assertThat(settings(Map.of("QR_MAX_AGE", "P2D"), Map.of()).getDuration("qr.max-age").toDays()).isEqualTo(2);
        assertThat(settings(Map.of("QR_MAX_AGE", "90m"), Map.of()).getDuration("qr.max-age").toMinutes()).isEqualTo(90);
        assertThat(settings(Map.of(), Map.of()).getDuration("qr.max-age")).isNull();
    }

    @Test
    void theWebhookFreshnessWindowMustOutlastFeishusRedeliveriesAndEndBeforeItsDedupKeysGo() {
        assertThatThrownBy(() -> SettingsValidator.validate(settings(Map.of("FEISHU_WEBHOOK_MAX_AGE", "6h"), Map.of())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("feishu.webhook.max-age (FEISHU_WEBHOOK_MAX_AGE) must be at least 8h");
        assertThatThrownBy(() -> SettingsValidator.validate(settings(Map.of("FEISHU_WEBHOOK_MAX_AGE", "7d"), Map.of())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("shorter than hrb.inbox.retention (HRB_INBOX_RETENTION)");
        assertThatThrownBy(() -> SettingsValidator.validate(settings(Map.of("FEISHU_WEBHOOK_MAX_AGE", "2d",
                "HRB_INBOX_RETENTION", "P1D"), Map.of()))).isInstanceOf(ConfigurationException.class);
        SettingsValidator.validate(settings(Map.of("FEISHU_WEBHOOK_MAX_AGE", "3d"), Map.of()));
    }

    @Test
    void defaultSettingsAreValid() {
        SettingsValidator.validate(settings(Map.of(), Map.of()));
    }
}
