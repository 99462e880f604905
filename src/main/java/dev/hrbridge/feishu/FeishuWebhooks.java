package dev.hrbridge.feishu;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.config.FeishuEventMode;
import org.apache.camel.Exchange;

import java.util.Map;

/**
 * The webhook ingress of every configured Feishu app: each app's events are read by its own
 * {@link FeishuWebhookReader} (its encrypt key, verification token and app id). The ingress routes name the app in the
 * header {@value FeishuCall#FEISHU_APP}: {@code default} on {@code /webhooks/feishu/events}, the path's {@code <name>}
 * on {@code /webhooks/feishu/<name>/events}. A name no app has, or an app whose events do not come by webhook, is a 404.
 * Each event's tenant is reported to {@link FeishuTenants}.
 */
public class FeishuWebhooks {

    private final Map<String, FeishuWebhookReader> readers;
    private final FeishuApps apps;
    private final FeishuEventMode mode;
    private final FeishuTenants tenants;

    /** {@code readers}: one per app name. */
    public FeishuWebhooks(Map<String, FeishuWebhookReader> readers, FeishuApps apps, FeishuEventMode mode, FeishuTenants tenants) {
        this.readers = Map.copyOf(readers);
        this.apps = apps;
        this.mode = mode;
        this.tenants = tenants;
    }

    /** The route step: the verified webhook of the app the route named. */
    public FeishuWebhook read(Exchange exchange) {
        String name = exchange.getIn().getHeader(FeishuCall.FEISHU_APP, FeishuApp.DEFAULT, String.class);
        FeishuApp app = apps.get(name);
        if (app == null || !app.receivesByWebhook(mode)) {
            throw new ApiException(404, "not_found", "no Feishu app named '" + name + "' receives events by webhook here");
        }
        FeishuWebhook webhook = reader(name).read(exchange);
        if (webhook instanceof FeishuWebhook.Event event) {
            tenants.seen(event.feishuApp(), event.tenantKey());
        }
        return webhook;
    }

    /** An event pushed over {@code app}'s long connection (see {@link FeishuWebhookReader#readPushed}). */
    public FeishuWebhook.Event readPushed(String app, byte[] payload) {
        FeishuWebhook.Event event = reader(app).readPushed(payload);
        tenants.seen(event.feishuApp(), event.tenantKey());
        return event;
    }

    /** The reader of the app named {@code app}. */
    public FeishuWebhookReader reader(String app) {
        FeishuWebhookReader reader = readers.get(app);
        if (reader == null) {
            throw new IllegalArgumentException("no Feishu app named '" + app + "'");
        }
        return reader;
    }

    /** The JSON answer to the handshake. */
    public String challengeAnswer(FeishuWebhook.UrlVerification verification) throws JsonProcessingException {
        return readers.get(FeishuApp.DEFAULT).challengeAnswer(verification);
    }
}
