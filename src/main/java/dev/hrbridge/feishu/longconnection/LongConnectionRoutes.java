package dev.hrbridge.feishu.longconnection;

import dev.hrbridge.api.ApiException;
import dev.hrbridge.config.PlatformRouteBuilder;
import dev.hrbridge.feishu.FeishuApp;
import dev.hrbridge.feishu.FeishuWebhook;
import dev.hrbridge.feishu.FeishuWebhooks;
import dev.hrbridge.ops.InboundLog;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-connection ingress, the twin of {@link dev.hrbridge.feishu.FeishuWebhookRoutes}: an event Feishu pushes over the
 * WebSocket is read like a webhook's body and committed to the inbox; the component acknowledges it with the answer
 * once the route is done, so an event is acknowledged only when it is durable. A platform route, not a flow to edit; one
 * per self-built app, {@value #ROUTE_ID} for the default app and {@code feishu-long-connection-<name>} for the others.
 * <ul>
 *   <li>stored, or a redelivery of a stored event: ack {@code 200} with {"status":"stored"|"duplicate"};</li>
 *   <li>a payload that is not an event we can read (bad JSON, a field too long, another app): ack {@code 400}, logged,
 *       so Feishu does not deliver again what will never be readable;</li>
 *   <li>storage unavailable: ack {@code 503}, not stored; Feishu delivers it again.</li>
 * </ul>
 */
public class LongConnectionRoutes extends PlatformRouteBuilder {

    public static final String ROUTE_ID = "feishu-long-connection";
    private static final Logger LOG = LoggerFactory.getLogger(LongConnectionRoutes.class);

    private final String app;

    /** The ingress of the app named {@code app}'s long connection. */
    public LongConnectionRoutes(String app) {
        this.app = app;
    }

    /** The id of {@code app}'s long-connection route. */
    public static String routeId(String app) {
        return FeishuApp.DEFAULT.equals(app) ? ROUTE_ID : ROUTE_ID + "-" + app;
    }

    @Override
    protected void routes() {
        onException(ApiException.class).handled(true).process(LongConnectionRoutes::refuse);

        from(FeishuEventsComponent.SCHEME + ":" + app).routeId(routeId(app))
                .process(exchange -> {
                    FeishuWebhooks webhooks = exchange.getContext().getRegistry()
                            .lookupByNameAndType("feishuWebhooks", FeishuWebhooks.class);
                    FeishuWebhook.Event event = webhooks.readPushed(app, exchange.getIn().getBody(byte[].class));
                    exchange.setProperty(InboundLog.TRACE_ID, event.eventId());
                    exchange.getIn().setBody(event);
                })
                .bean("inbox", "storeEvent");
    }

    private static void refuse(Exchange exchange) {
        ApiException refusal = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, ApiException.class);
        exchange.getMessage().setHeader(FeishuEventsHeaders.ACK_CODE, refusal.status());
        exchange.getMessage().setBody("{\"error\":\"" + refusal.errorCode() + "\"}");
        if (refusal.status() < 500) {
            LOG.warn("Feishu long connection: event refused ({} {}): {}; message_id={}", refusal.status(),
                    refusal.errorCode(), refusal.getMessage(), exchange.getIn().getHeader(FeishuEventsHeaders.MESSAGE_ID));
        }
    }
}
