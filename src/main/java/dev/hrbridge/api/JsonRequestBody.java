package dev.hrbridge.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.util.Locale;

/** Reads the JSON object an /api call sends: 415 when it is not declared as JSON, 400 when it does not parse as one. */
public final class JsonRequestBody {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonRequestBody() {
    }

    public static JsonNode readObject(Exchange exchange) {
        String contentType = exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class);
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "the body must be sent as Content-Type: application/json");
        }
        byte[] body = exchange.getIn().getBody(byte[].class);
        try {
            JsonNode node = body == null || body.length == 0 ? null : JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("malformed_json", "the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_json", "the body is not valid JSON");
        }
    }
}
