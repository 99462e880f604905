package dev.hrbridge.config;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * How Feishu events reach HR Bridge ({@code feishu.event-mode}): Feishu POSTs them to the webhook, HR Bridge receives
 * them over the long connection it opens to Feishu, or both (e.g. while an app moves from one to the other).
 */
public enum FeishuEventMode {
    WEBHOOK, LONG_CONNECTION, BOTH;

    public static FeishuEventMode of(Settings settings) {
        String value = settings.get("feishu.event-mode", "webhook").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "webhook" -> WEBHOOK;
            case "long-connection" -> LONG_CONNECTION;
            case "both" -> BOTH;
            default -> throw new ConfigurationException(Settings.describe("feishu.event-mode")
                    + " must be webhook, long-connection or both, got '" + value + "'");
        };
    }

    public boolean webhook() {
        return this != LONG_CONNECTION;
    }

    public boolean longConnection() {
        return this != WEBHOOK;
    }

    /** {@code feishu.long-connection.proxy} as {@code host:port}, or null for a direct connection. */
    public static InetSocketAddress proxy(Settings settings) {
        String value = settings.get("feishu.long-connection.proxy");
        if (value == null) {
            return null;
        }
        int colon = value.lastIndexOf(':');
        try {
            if (colon <= 0 || value.contains("/")) {
                throw new NumberFormatException();
            }
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return InetSocketAddress.createUnresolved(value.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(Settings.describe("feishu.long-connection.proxy")
                    + " must be host:port of an HTTP proxy, got '" + value + "'");
        }
    }
}
