package dev.hrbridge.tools;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Message;
import org.apache.camel.Route;
import org.apache.camel.MessageHistory;
import org.apache.camel.NamedNode;
import org.apache.camel.StreamCache;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code try} shows of a run: each exchange of the delivery (the request carrying {@link #MARK}) and of the flows
 * the inbox ran (their exchanges carry {@code HrbMessageId}), with the steps Camel's message history lists and every
 * HTTP call made from them, request and answer. The runtime's own timers (heartbeat, poller) are left out.
 */
public final class FlowRecorder extends EventNotifierSupport {

    /** The header {@code try} puts on the request it delivers, so its exchange is told from others. */
    public static final String MARK = "X-Hrb-Try";

    /** One step of a route, from the message history. */
    public record Step(String route, String step, String location) {
    }

    /** One outbound HTTP call; {@code status} 0 when no answer came ({@code failure} says why). */
    public record Call(String method, String url, String request, int status, String answer, String failure) {
    }

    /** One exchange: the delivery, or one run of an inbox message's flow. */
    public record Run(int order, String messageId, String traceId, String flow, Integer attempt, List<Step> steps,
                      List<Call> calls, String failure) {
    }

    private record Pending(int order, String messageId, String traceId, String flow, Integer attempt, List<Call> calls) {
    }

    private final String mark;
    private final AtomicInteger order = new AtomicInteger();
    private final Map<String, Pending> open = new ConcurrentHashMap<>();
    private final Map<String, Call> calling = new ConcurrentHashMap<>();
    /** A Kamelet runs on an exchange of its own: its calls belong to the run that called the Kamelet. */
    private final Map<String, String> kameletExchanges = new ConcurrentHashMap<>();
    private final List<Run> runs = new ArrayList<>();

    FlowRecorder(String mark) {
        this.mark = mark;
    }

    /** The exchanges finished so far, in the order they began. */
    public synchronized List<Run> runs() {
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Integer.compare(a.order(), b.order()));
        return sorted;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeCreatedEvent created) {
            began(created.getExchange());
        } else if (event instanceof CamelEvent.ExchangeSendingEvent sending && http(sending.getEndpoint())) {
            sending(sending.getExchange(), sending.getEndpoint());
        } else if (event instanceof CamelEvent.ExchangeSentEvent sent && http(sent.getEndpoint())) {
            sent(sent.getExchange(), sent.getEndpoint());
        } else if (event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent) {
            ended(((CamelEvent.ExchangeEvent) event).getExchange());
        }
    }

    private void began(Exchange exchange) {
        Message in = exchange.getIn();
        String messageId = in.getHeader("HrbMessageId", String.class);
        Route route = exchange.getFromRouteId() == null ? null : exchange.getContext().getRoute(exchange.getFromRouteId());
        if (route != null && route.isCreatedByKamelet()) {
            caller(messageId).ifPresent(caller -> kameletExchanges.put(exchange.getExchangeId(), caller));
            return;
        }
        if (messageId != null) {
            open.put(exchange.getExchangeId(), new Pending(order.incrementAndGet(), messageId,
                    in.getHeader("HrbTraceId", String.class), exchange.getFromRouteId(),
                    in.getHeader("HrbAttempt", Integer.class), new ArrayList<>()));
        } else if (mark.equals(in.getHeader(MARK, String.class))) {
            open.put(exchange.getExchangeId(), new Pending(order.incrementAndGet(), null, null,
                    exchange.getFromRouteId(), null, new ArrayList<>()));
        }
    }

    /** The open run, newest first, that a Kamelet exchange carrying {@code messageId} was called from. */
    private java.util.Optional<String> caller(String messageId) {
        return open.entrySet().stream().filter(run -> java.util.Objects.equals(run.getValue().messageId(), messageId))
                .max(java.util.Comparator.comparingInt(run -> run.getValue().order())).map(Map.Entry::getKey);
    }

    private String runOf(Exchange exchange) {
        return kameletExchanges.getOrDefault(exchange.getExchangeId(), exchange.getExchangeId());
    }

    private void sending(Exchange exchange, Endpoint endpoint) {
        if (!open.containsKey(runOf(exchange))) {
            return;
        }
        Message in = exchange.getIn();
        String method = in.getHeader(Exchange.HTTP_METHOD, String.class);
        String url = endpoint.getEndpointBaseUri();
        String path = in.getHeader(Exchange.HTTP_PATH, String.class);
        String query = in.getHeader(Exchange.HTTP_QUERY, String.class);
        if (path != null && !path.isEmpty()) {
            url = url.replaceAll("/+$", "") + (path.startsWith("/") ? "" : "/") + path;
        }
        if (query != null && !query.isEmpty()) {
            url = url + "?" + query;
        }
        String body = text(in);
        calling.put(runOf(exchange) + " " + endpoint.getEndpointUri(),
                new Call(method == null ? (body == null ? "GET" : "POST") : method, url, body, 0, null, null));
    }

    private void sent(Exchange exchange, Endpoint endpoint) {
        Call call = calling.remove(runOf(exchange) + " " + endpoint.getEndpointUri());
        Pending pending = open.get(runOf(exchange));
        if (call == null || pending == null) {
            return;
        }
        Message answer = exchange.getMessage();
        Integer status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        Exception failure = exchange.getException();
        synchronized (pending.calls()) {
            pending.calls().add(new Call(call.method(), call.url(), call.request(), status == null ? 0 : status,
                    failure == null ? text(answer) : null, failure == null ? null : failure.toString()));
        }
    }

    private void ended(Exchange exchange) {
        if (kameletExchanges.remove(exchange.getExchangeId()) != null) {
            return;
        }
        Pending pending = open.remove(exchange.getExchangeId());
        if (pending == null) {
            return;
        }
        List<Step> steps = new ArrayList<>();
        List<?> history = exchange.getProperty(ExchangePropertyKey.MESSAGE_HISTORY, List.class);
        if (history != null) {
            for (Object entry : history) {
                // a Kamelet is a black box here, as in the route that calls it: its call is listed, not its steps
                if (entry instanceof MessageHistory step && step.getNode() != null && !kamelet(exchange, step.getRouteId())) {
                    NamedNode node = step.getNode();
                    String location = node.getLocation() == null ? ""
                            : node.getLocation() + (node.getLineNumber() > 0 ? ":" + node.getLineNumber() : "");
                    steps.add(new Step(step.getRouteId(), node.getLabel(), location));
                }
            }
        }
        Exception failure = exchange.getException();
        String route = pending.flow() != null ? pending.flow() : steps.isEmpty() ? exchange.getFromRouteId() : steps.get(0).route();
        synchronized (this) {
            runs.add(new Run(pending.order(), pending.messageId(), pending.traceId(), route, pending.attempt(),
                    steps, List.copyOf(pending.calls()), failure == null ? null : failure.toString()));
        }
    }

    private static boolean kamelet(Exchange exchange, String routeId) {
        Route route = routeId == null ? null : exchange.getContext().getRoute(routeId);
        return route != null && route.isCreatedByKamelet();
    }

    private static boolean http(Endpoint endpoint) {
        String uri = endpoint.getEndpointUri();
        return uri.startsWith("http:") || uri.startsWith("https:");
    }

    /** The body as text, leaving a cached stream readable for the route after us. */
    private static String text(Message message) {
        Object body = message.getBody();
        if (body == null) {
            return null;
        }
        if (body instanceof StreamCache cache) {
            cache.reset();
            String text = message.getBody(String.class);
            cache.reset();
            return text;
        }
        if (body instanceof java.io.InputStream) {
            return "(a stream, not shown)";
        }
        return message.getBody(String.class);
    }
}
