package dev.hrbridge.feishu;

import dev.hrbridge.config.FeishuEventMode;

import java.util.Locale;

/**
 * One Feishu app HR Bridge acts as: the default app ({@code feishu.*}, name {@value #DEFAULT}) or a named one
 * ({@code feishu.apps.<name>.*}). {@link #toString()} leaves the secrets out.
 *
 * @param appId             null only for the default app before one is configured
 * @param encryptKey        null: events of this app come unencrypted and unsigned
 * @param verificationToken null: the token of its events is not checked
 */
public record FeishuApp(String name, String appId, String appSecret, Kind kind, String encryptKey,
                        String verificationToken) {

    public static final String DEFAULT = "default";

    /**
     * 企业自建应用 (self-built: one tenant, the enterprise's own; its tenant token from the app id and secret) or
     * 商店应用 (store: installed by many tenants; an app token from the app_ticket Feishu pushes, then a tenant token
     * per tenant_key).
     */
    public enum Kind {
        SELF_BUILT("self-built"), STORE("store");

        private final String setting;

        Kind(String setting) {
            this.setting = setting;
        }

        /** The value of {@code feishu.app-type} / {@code feishu.apps.<name>.type}. */
        public String setting() {
            return setting;
        }

        /** The kind a setting names, or null when it names none. */
        public static Kind of(String setting) {
            for (Kind kind : values()) {
                if (kind.setting.equals(setting.toLowerCase(Locale.ROOT))) {
                    return kind;
                }
            }
            return null;
        }
    }

    public boolean store() {
        return kind == Kind.STORE;
    }

    public boolean isDefault() {
        return DEFAULT.equals(name);
    }

    /** A store app gets its events by webhook whatever the mode: Feishu's long connection serves self-built apps only. */
    public boolean receivesByWebhook(FeishuEventMode mode) {
        return store() || mode.webhook();
    }

    public boolean receivesByLongConnection(FeishuEventMode mode) {
        return !store() && mode.longConnection() && appId != null;
    }

    /** Where Feishu posts this app's events. */
    public String webhookPath() {
        return isDefault() ? "/webhooks/feishu/events" : "/webhooks/feishu/" + name + "/events";
    }

    @Override
    public String toString() {
        return "FeishuApp[name=" + name + ", appId=" + appId + ", kind=" + kind.setting() + "]";
    }
}
