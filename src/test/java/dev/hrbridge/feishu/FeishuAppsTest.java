package dev.hrbridge.feishu;

import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.FeishuEventMode;
import dev.hrbridge.config.Settings;
import dev.hrbridge.config.SettingsValidator;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Feishu apps a deployment names: the default app from feishu.*, more from feishu.apps.<name>.* or their variables. */
class FeishuAppsTest {

    private static FeishuApps apps(Map<String, String> env, Map<String, String> properties) {
        return FeishuApps.of(Settings.load(env, new Properties(), properties));
    }

    @Test
    void namedAppsComeFromTheirEnvironmentVariablesOrProperties() {
        FeishuApps apps = apps(Map.of("FEISHU_APP_ID", "cli_own", "FEISHU_APP_SECRET", "own-secret",
                "FEISHU_APPS_BG_CHECK_APP_ID", "cli_store", "FEISHU_APPS_BG_CHECK_APP_SECRET", "store-secret",
                "FEISHU_APPS_BG_CHECK_TYPE", "store", "FEISHU_APPS_BG_CHECK_ENCRYPT_KEY", "store-key",
                "FEISHU_APPS_BG_CHECK_VERIFICATION_TOKEN", "store-token"),
                Map.of("feishu.apps.hr2.app-id", "cli_hr2", "feishu.apps.hr2.app-secret", "hr2-secret"));

        assertThat(apps.all()).extracting(FeishuApp::name).containsExactly("default", "bg-check", "hr2");
        FeishuApp store = apps.require("bg-check");
        assertThat(store.appId()).isEqualTo("cli_store");
        assertThat(store.store()).isTrue();
        assertThat(store.encryptKey()).isEqualTo("store-key");
        assertThat(store.verificationToken()).isEqualTo("store-token");
        assertThat(store.webhookPath()).isEqualTo("/webhooks/feishu/bg-check/events");
        assertThat(apps.require("hr2").kind()).isEqualTo(FeishuApp.Kind.SELF_BUILT);
        assertThat(apps.require(null).appId()).isEqualTo("cli_own");
        assertThat(apps.defaultApp().webhookPath()).isEqualTo("/webhooks/feishu/events");
        assertThat(apps.secrets()).contains("own-secret", "store-secret", "store-key", "store-token", "hr2-secret");
        assertThat(store.toString()).doesNotContain("store-secret").doesNotContain("store-key");
    }

    @Test
    void aStoreAppTakesWebhooksEvenWhenSelfBuiltAppsUseTheLongConnection() {
        FeishuApps apps = apps(Map.of(), Map.of("feishu.app-id", "cli_own", "feishu.app-secret", "s", "feishu.app-type", "store"));
        assertThat(apps.defaultApp().store()).isTrue();
        assertThat(apps.defaultApp().receivesByWebhook(FeishuEventMode.LONG_CONNECTION)).isTrue();
        assertThat(apps.defaultApp().receivesByLongConnection(FeishuEventMode.LONG_CONNECTION)).isFalse();
    }

    @Test
    void everyProblemOfTheAppsIsNamedAtStart() {
        Settings settings = Settings.load(Map.of("FEISHU_APPS_NO_SECRET_APP_ID", "cli_1"), new Properties(), Map.of(
                "feishu.app-id", "cli_same", "feishu.app-secret", "s", "feishu.app-type", "shop",
                "feishu.apps.Bad_Name.app-id", "cli_2",
                "feishu.apps.twin.app-id", "cli_same", "feishu.apps.twin.app-secret", "s2"));

        assertThatThrownBy(() -> SettingsValidator.validate(settings)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("feishu.app-type (FEISHU_APP_TYPE) must be self-built or store, got 'shop'")
                .hasMessageContaining("'Bad_Name' is not an app name")
                .hasMessageContaining("Feishu app 'no-secret' needs feishu.apps.no-secret.app-id (FEISHU_APPS_NO_SECRET_APP_ID) "
                        + "and feishu.apps.no-secret.app-secret (FEISHU_APPS_NO_SECRET_APP_SECRET)")
                .hasMessageContaining("Feishu apps 'default' and 'twin' have the same app id cli_same");
    }

    @Test
    void inProdANamedAppsWebhookMustProveItComesFromFeishu() {
        assertThatThrownBy(() -> apps(Map.of("HRB_PROFILE", "prod"), Map.of(
                "feishu.apps.shop.app-id", "cli_s", "feishu.apps.shop.app-secret", "s", "feishu.apps.shop.type", "store")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("feishu.apps.shop.encrypt-key (FEISHU_APPS_SHOP_ENCRYPT_KEY) or "
                        + "feishu.apps.shop.verification-token (FEISHU_APPS_SHOP_VERIFICATION_TOKEN)");
    }
}
