package dev.hrbridge.config;

import dev.hrbridge.ops.ManagementPortGuard;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How an instance talks to the outside platforms.
 * <ul>
 *   <li>{@link #SANDBOX}: no Feishu app configured; an embedded simulator stands in for Feishu and the IoT gateway.</li>
 *   <li>{@link #LIVE}: calls whatever {@code feishu.base-url} and {@code iot.base-url} say.</li>
 * </ul>
 * {@code HRB_PROFILE=prod} is always live and refuses to start without its secrets, and without a management token
 * when the management port listens beyond loopback.
 */
public enum RuntimeMode {
    SANDBOX, LIVE;

    public static RuntimeMode of(Settings settings) {
        boolean prod = isProd(settings);
        if (!prod && !settings.isSet("feishu.app-id")) {
            return SANDBOX;
        }
        List<String> missing = new ArrayList<>();
        if (prod) {
            requireAll(settings, missing, "feishu.app-id", "feishu.app-secret", "hrb.api.token");
            // a webhook must prove it comes from Feishu; the long connection is opened with the app secret
            if (FeishuEventMode.of(settings).webhook()
                    && !settings.isSet("feishu.encrypt-key") && !settings.isSet("feishu.verification-token")) {
                missing.add(Settings.describe("feishu.encrypt-key") + " or " + Settings.describe("feishu.verification-token"));
            }
            String managementHost = settings.get("hrb.management.host", "");
            if (!settings.isSet("hrb.management.token") && !ManagementPortGuard.isLoopback(managementHost)) {
                missing.add(Settings.describe("hrb.management.token") + " (" + Settings.describe("hrb.management.host")
                        + " is '" + managementHost + "', not a loopback address)");
            }
        } else {
            requireAll(settings, missing, "feishu.app-secret", "hrb.api.token");
        }
        if (!missing.isEmpty()) {
            throw new ConfigurationException((prod ? "profile prod" : "live mode (feishu.app-id is set)")
                    + " requires these settings, which are missing: " + String.join(", ", missing));
        }
        return LIVE;
    }

    public static boolean isProd(Settings settings) {
        return "prod".equals(settings.get("hrb.profile", "").toLowerCase(Locale.ROOT));
    }

    private static void requireAll(Settings settings, List<String> missing, String... keys) {
        for (String key : keys) {
            if (!settings.isSet(key)) {
                missing.add(Settings.describe(key));
            }
        }
    }
}
