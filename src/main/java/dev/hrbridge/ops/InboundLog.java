package dev.hrbridge.ops;

import dev.hrbridge.feishu.longconnection.FeishuEventsComponent;
import dev.hrbridge.feishu.longconnection.FeishuEventsHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per inbound HTTP call (webhooks and /api): method, path, status, route, trace id (event id / request
 * id) and duration; one per event received over the long connection, with its message id and acknowledgement code. Outbound calls and inbox processing log their own line each.
 */
public class InboundLog extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger("dev.hrbridge.inbound");
    /** Exchange property a route sets to name the event or request it handled. */
    public static final String TRACE_ID = "HrbTraceId";
    private static final String REQUEST = "HrbInboundRequest";

    public InboundLog() {
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeCreatedEvent || event instanceof CamelEvent.ExchangeCompletedEvent
                || event instanceof CamelEvent.ExchangeFailedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((ExchangeEvent) event).getExchange();
        String from = exchange.getFromEndpoint() == null ? "" : exchange.getFromEndpoint().getEndpointUri();
        if (from.startsWith(FeishuEventsComponent.SCHEME + ":")) {
            if (!(event instanceof CamelEvent.ExchangeCreatedEvent)) {
                Integer ack = exchange.getMessage().getHeader(FeishuEventsHeaders.ACK_CODE, Integer.class);
                Object trace = exchange.getProperty(TRACE_ID);
                LOG.info("inbound long-connection message_id={} ack={} route={}{} {} ms", exchange.getIn().getHeader(FeishuEventsHeaders.MESSAGE_ID),
                        ack != null ? ack : exchange.isFailed() ? 500 : 200, exchange.getFromRouteId(),
                        trace == null ? "" : " trace=" + trace, exchange.getClock().elapsed());
            }
            return;
        }
        if (!from.startsWith("platform-http")) {
            return;
        }
        if (event instanceof CamelEvent.ExchangeCreatedEvent) {
            // routes clear the inbound headers before answering; keep what the line needs
            exchange.setProperty(REQUEST, exchange.getIn().getHeader(Exchange.HTTP_METHOD) + " "
                    + exchange.getIn().getHeader(Exchange.HTTP_PATH));
            return;
        }
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null) {
            status = exchange.isFailed() ? 500 : 200;
        }
        Object trace = exchange.getProperty(TRACE_ID);
        LOG.info("inbound {} {} route={}{} {} ms", exchange.getProperty(REQUEST), status, exchange.getFromRouteId(), trace == null ? "" : " trace=" + trace, exchange.getClock().elapsed());
    }
}
