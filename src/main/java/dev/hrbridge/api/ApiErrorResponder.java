package dev.hrbridge.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.db.Database;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes every error answer of the inbound HTTP side as {@code {"error": code, "message": text, ...}} with its
 * status. An unreachable database is a 503 {@code storage_unavailable} (try again later). Anything else that is not an
 * {@link ApiException} is our fault: logged with the exchange id, answered 500 without a stack trace or exception text.
 */
public class ApiErrorResponder implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrorResponder.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void process(Exchange exchange) throws Exception {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiException error = unwrap(caught);
        if (error == null && Database.unreachable(caught)) {
            LOG.warn("Database unreachable answering {} {} (exchange {}): {}", exchange.getIn().getHeader(Exchange.HTTP_METHOD),
                    exchange.getIn().getHeader(Exchange.HTTP_URI), exchange.getExchangeId(), caught.toString());
            error = new ApiException(503, "storage_unavailable", "HR Bridge cannot reach its database right now; try again later");
        }
        if (error == null) {
            LOG.error("Unexpected failure answering {} {} (exchange {})",
                    exchange.getIn().getHeader(Exchange.HTTP_METHOD), exchange.getIn().getHeader(Exchange.HTTP_URI),
                    exchange.getExchangeId(), caught);
            error = new ApiException(500, "internal_error",
                    "HR Bridge could not complete the request; the failure is logged under " + exchange.getExchangeId());
        }
        respond(exchange, error);
    }

    /** Turns {@code exchange} into the JSON answer for {@code error}. */
    public static void respond(Exchange exchange, ApiException error) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.errorCode());
        body.put("message", error.getMessage());
        body.putAll(error.details());
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, error.status());
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(JSON.writeValueAsString(body));
    }

    private static ApiException unwrap(Throwable caught) {
        Throwable cause = caught;
        while (cause != null) {
            if (cause instanceof ApiException api) {
                return api;
            }
            cause = cause.getCause();
        }
        return null;
    }
}
