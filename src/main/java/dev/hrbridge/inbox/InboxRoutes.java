package dev.hrbridge.inbox;

import dev.hrbridge.config.PlatformRouteBuilder;

/**
 * The inbox's housekeeping. The poller is the recovery path: it finds retries whose backoff ran out and messages whose
 * worker died (lease expired, or its instance stopped beating); fresh messages do not wait for it. The purge drops
 * finished messages, and with them their dedup keys, after hrb.inbox.retention (at least the 7 days over which Feishu
 * redelivers).
 */
public class InboxRoutes extends PlatformRouteBuilder {

    @Override
    protected void routes() {
        from("timer:inbox-poller?period={{hrb.inbox.poll-interval-ms}}&delay={{hrb.inbox.poll-interval-ms}}")
                .routeId("inbox-poller")
                .bean(InboxDispatcher.class, "pollOnce");

        from("timer:inbox-purge?period={{hrb.inbox.purge-interval-ms}}").routeId("inbox-purge")
                .bean(InboxView.class, "purge('{{hrb.inbox.retention}}')")
                .filter(simple("${body} > 0"))
                    .log("Purged ${body} finished inbox message(s) older than {{hrb.inbox.retention}}");
    }
}
