package dev.hrbridge.feishu;

import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.FeishuEventMode;
import dev.hrbridge.config.RuntimeMode;
import dev.hrbridge.config.Settings;
import dev.hrbridge.db.ColumnLimits;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Feishu apps of this deployment, by name: the default app from {@code feishu.app-id}, {@code .app-secret},
 * {@code .app-type}, {@code .encrypt-key}, {@code .verification-token}, and each named app from
 * {@code feishu.apps.<name>.app-id}, {@code .app-secret}, {@code .type}, {@code .encrypt-key},
 * {@code .verification-token} (environment {@code FEISHU_APPS_<NAME>_APP_ID} ...). Names are lower case letters, digits
 * and dashes; a named app needs its id and secret, and no two apps share an app id (an event's {@code app_id} names
 * exactly one).
 */
public final class FeishuApps {

    /** The settings of a named app, after {@code feishu.apps.<name>.}. */
    public static final List<String> KEYS = List.of("app-id", "app-secret", "type", "encrypt-key", "verification-token");

    private final Map<String, FeishuApp> apps;

    private FeishuApps(Map<String, FeishuApp> apps) {
        this.apps = apps;
    }

    /** Reads and checks every app; a ConfigurationException names each problem. */
    public static FeishuApps of(Settings settings) {
        List<String> problems = new ArrayList<>();
        Map<String, FeishuApp> apps = new LinkedHashMap<>();
        apps.put(FeishuApp.DEFAULT, read(settings, FeishuApp.DEFAULT, problems));
        for (String name : settings.namesUnder("feishu.apps.", KEYS)) {
            if (!name.matches("[a-z0-9-]+") || name.length() > ColumnLimits.APP_NAME || FeishuApp.DEFAULT.equals(name)) {
                problems.add("feishu.apps.<name>: '" + name + "' is not an app name (lower case letters, digits and dashes, "
                        + "at most " + ColumnLimits.APP_NAME + " characters, not '" + FeishuApp.DEFAULT
                        + "', which the feishu.* keys configure)");
                continue;
            }
            FeishuApp app = read(settings, name, problems);
            if (app.appId() == null || app.appSecret() == null) {
                problems.add("Feishu app '" + name + "' needs " + Settings.describe(key(name, "app-id")) + " and "
                        + Settings.describe(key(name, "app-secret")));
            }
            apps.put(name, app);
        }
        Map<String, String> byAppId = new LinkedHashMap<>();
        for (FeishuApp app : apps.values()) {
            String other = app.appId() == null ? null : byAppId.putIfAbsent(app.appId(), app.name());
            if (other != null) {
                problems.add("Feishu apps '" + other + "' and '" + app.name() + "' have the same app id " + app.appId()
                        + "; an event could not tell them apart");
            }
        }
        if (RuntimeMode.isProd(settings)) {
            FeishuEventMode mode = FeishuEventMode.of(settings);
            for (FeishuApp app : apps.values()) {
                // a webhook must prove it comes from Feishu (the default app's keys are checked with the other prod keys)
                if (!app.isDefault() && app.receivesByWebhook(mode) && app.encryptKey() == null && app.verificationToken() == null) {
                    problems.add(Settings.describe(key(app.name(), "encrypt-key")) + " or "
                            + Settings.describe(key(app.name(), "verification-token")) + " (profile prod)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("; ", problems));
        }
        return new FeishuApps(apps);
    }

    private static FeishuApp read(Settings settings, String name, List<String> problems) {
        String type = settings.get(key(name, "type"), FeishuApp.Kind.SELF_BUILT.setting());
        FeishuApp.Kind kind = FeishuApp.Kind.of(type);
        if (kind == null) {
            problems.add(Settings.describe(key(name, "type")) + " must be self-built or store, got '" + type + "'");
            kind = FeishuApp.Kind.SELF_BUILT;
        }
        String appId = settings.get(key(name, "app-id"));
        if (appId != null && appId.length() > ColumnLimits.APP_ID) {
            problems.add(Settings.describe(key(name, "app-id")) + " is longer than " + ColumnLimits.APP_ID + " characters");
        }
        return new FeishuApp(name, appId, settings.get(key(name, "app-secret")), kind, settings.get(key(name, "encrypt-key")),
                settings.get(key(name, "verification-token")));
    }

    /** The setting of {@code app}: {@code feishu.app-id} for the default app, {@code feishu.apps.<name>.app-id} else. */
    public static String key(String app, String suffix) {
        if (FeishuApp.DEFAULT.equals(app)) {
            return "feishu." + ("type".equals(suffix) ? "app-type" : suffix);
        }
        return "feishu.apps." + app + "." + suffix;
    }

    /** The app named {@code name}, or null. */
    public FeishuApp get(String name) {
        return apps.get(name);
    }

    /** The app named {@code name}; null is the default app. */
    public FeishuApp require(String name) {
        FeishuApp app = apps.get(name == null ? FeishuApp.DEFAULT : name);
        if (app == null) {
            throw new IllegalArgumentException("no Feishu app named '" + name + "' is configured; known: " + apps.keySet());
        }
        return app;
    }

    public FeishuApp defaultApp() {
        return apps.get(FeishuApp.DEFAULT);
    }

    /** Every app, the default one first. */
    public Collection<FeishuApp> all() {
        return apps.values();
    }

    public List<FeishuApp> stores() {
        return apps.values().stream().filter(FeishuApp::store).toList();
    }

    /** Every app's secret, encrypt key and verification token: what logs must never show. */
    public List<String> secrets() {
        return apps.values().stream()
                .flatMap(app -> java.util.stream.Stream.of(app.appSecret(), app.encryptKey(), app.verificationToken()))
                .filter(Objects::nonNull).toList();
    }
}
