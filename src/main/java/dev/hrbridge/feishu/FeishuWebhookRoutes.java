package dev.hrbridge.feishu;

import dev.hrbridge.api.PathParameters;
import dev.hrbridge.config.PlatformRouteBuilder;
import dev.hrbridge.inbox.Inbox;

/**
 * The webhook ingress. Feishu waits 3 s for the 200 and otherwise redelivers after 15 s, 5 min, 1 h and 6 h, so the
 * answer comes as soon as the event is committed to the inbox; the work runs after it. The default app (feishu.*)
 * posts to /webhooks/feishu/events, a named app (feishu.apps.&lt;name&gt;.*) to /webhooks/feishu/&lt;name&gt;/events;
 * each is read with its own encrypt key, verification token and app id.
 */
public class FeishuWebhookRoutes extends PlatformRouteBuilder {

    static final String RECEIVE = "direct:feishu-webhook-receive";

    @Override
    protected void routes() {
        from("platform-http:/webhooks/feishu/events?httpMethodRestrict=POST").routeId("feishu-webhook")
                .routeConfigurationId("api-errors")
                // not started when the default app is self-built and feishu.event-mode is long-connection
                .autoStartup("{{hrb.feishu.webhook.enabled}}")
                .setHeader(FeishuCall.FEISHU_APP, constant(FeishuApp.DEFAULT))
                .to(RECEIVE);

        // a name no app has, or the name of a self-built app whose events come over the long connection, is a 404
        from("platform-http:/webhooks/feishu/{app}/events?httpMethodRestrict=POST").routeId("feishu-app-webhook")
                .routeConfigurationId("api-errors")
                .process(new PathParameters())
                .setHeader(FeishuCall.FEISHU_APP, header("app"))
                .to(RECEIVE);

        from(RECEIVE).routeId("feishu-webhook-receive")
                .routeConfigurationId("api-errors")
                // the app's content type, size, signature and verification token checked; {"encrypt": ...} decrypted;
                // an unknown app name is a 404, an event of another app id a 401
                .bean(FeishuWebhooks.class, "read")
                .choice()
                    .when(body().isInstanceOf(FeishuWebhook.UrlVerification.class))
                        .bean(FeishuWebhooks.class, "challengeAnswer")
                    // a store app's app_ticket (about hourly, or on request) is kept for its tokens, not run as a flow
                    .when(body().isInstanceOf(FeishuWebhook.AppTicket.class))
                        .bean(AppTickets.class, "receive")
                    .otherwise()
                        // committed (or found as a redelivery) before the answer; processing starts at once
                        .bean(Inbox.class, "storeEvent")
                .end()
                .removeHeaders("*")
                .setHeader("Content-Type", constant("application/json"));
    }
}
