package dev.hrbridge.ops;

import dev.hrbridge.inbox.Inbox;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Readiness: DOWN while acknowledged webhook events are stuck on their way from the journal into the inbox table
 * ({@link Inbox#stuck()}). Feishu was told they are stored; an operator must learn within a minute that they are not
 * being processed, and a load balancer should send new events to an instance that works.
 */
public class InboxIngestCheck extends AbstractHealthCheck {

    private final Inbox inbox;

    public InboxIngestCheck(Inbox inbox) {
        super("hrb", "inbox-ingest");
        this.inbox = inbox;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("journal_backlog", inbox.journalBacklog())
                .detail("oldest_age_seconds", inbox.oldestUnmovedAge().toSeconds())
                .detail("set_aside", inbox.ingestSetAside());
        String stuck = inbox.stuck();
        if (stuck == null) {
            builder.up();
        } else {
            builder.message("acknowledged events are stuck outside the inbox table: " + stuck).down();
        }
    }
}
