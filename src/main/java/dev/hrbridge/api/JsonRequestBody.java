package dev.hrbridge.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.io.IOException;
import java.util.Locale;

/**
 * Reads the JSON object an inbound call sends: 415 when it is not declared as JSON, 413 over 1 MiB, 400 when it
 * does not parse as exactly one object. Webhooks and /api calls read their bodies through here.
 * <p>
 * Strict on purpose: anything after the object ({@code {...} GARBAGE}, a second object) and a key given twice are
 * refused, since a reader further along (a proxy, an audit log, Feishu itself) could take the other reading of the
 * same bytes.
 */
public final class JsonRequestBody {

    /** An /api body; webhooks take {@code hrb.webhook.max-body-bytes}. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            // bound what a hostile body can make the parser do
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonRequestBody() {
    }

    public static JsonNode readObject(Exchange exchange) {
        checkContentType(exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class));
        return parseObject(bytes(exchange.getIn()), MAX_BODY_BYTES);
    }

    /**
     * The raw body of an inbound call. platform-http hands it over as a Vert.x buffer, which is copied out once;
     * Camel's own conversion goes through an input stream and allocates 24 KiB of buffers per request.
     */
    public static byte[] bytes(Message in) {
        return in.getBody() instanceof Buffer buffer ? buffer.getBytes() : in.getBody(byte[].class);
    }

    /** 413 {@code body_too_large}, naming the limit of the endpoint. */
    public static ApiException tooLarge(long maxBytes) {
        return new ApiException(413, "body_too_large", "the request body is larger than the " + maxBytes
                + " bytes this endpoint takes").with("max_bytes", maxBytes);
    }

    public static void checkContentType(String contentType) {
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "the body must be sent as Content-Type: application/json");
        }
    }

    /** {@code body} as one JSON object of at most {@code maxBytes}. */
    public static JsonNode parseObject(byte[] body, long maxBytes) {
        if (body != null && body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try {
            JsonNode node = body == null || body.length == 0 ? null : JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("malformed_json", "the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_json",
                    "the body is not exactly one valid JSON object (no content after it, no key given twice)");
        }
    }
}
