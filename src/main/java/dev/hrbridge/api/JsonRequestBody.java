package dev.hrbridge.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    /**
     * {@code body} as one JSON object of at most {@code maxBytes}, every byte of it checked as strictly as
     * {@link #parseObject(byte[], long)} does, but with containers nested deeper than {@code depth} left out: an empty
     * container of the same kind stands for each. The reader of a 10,000-code event needs its header, not a tree of
     * its codes.
     */
    public static JsonNode parseObject(byte[] body, long maxBytes, int depth) {
        return parseObject(body, maxBytes, depth, null);
    }

    /**
     * As {@link #parseObject(byte[], long, int)}, and the top-level string field {@code base64Field} is decoded from
     * base64 as it is read (a binary node; a missing node when it does not decode): a 4 MB encrypted event is then
     * never held as text besides its bytes.
     */
    public static JsonNode parseObject(byte[] body, long maxBytes, int depth, String base64Field) {
        if (body != null && body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try (JsonParser parser = JSON.createParser(body == null ? new byte[0] : body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("malformed_json", "the body must be a JSON object");
            }
            JsonNode node = read(parser, depth, base64Field);
            if (base64Field != null && node.has(base64Field) && node.get(base64Field).isMissingNode()) {
                return node;
            }
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "content after the object");
            }
            return node;
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_json",
                    "the body is not exactly one valid JSON object (no content after it, no key given twice)");
        }
    }

    /** The value at the parser's current token, containers below {@code depth} skipped (but still checked). */
    private static JsonNode read(JsonParser parser, int depth) throws IOException {
        return read(parser, depth, null);
    }

    private static JsonNode read(JsonParser parser, int depth, String base64Field) throws IOException {
        JsonNodeFactory nodes = JSON.getNodeFactory();
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                ObjectNode object = nodes.objectNode();
                if (depth == 0) {
                    parser.skipChildren();
                    return object;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    if (parser.nextToken() == JsonToken.VALUE_STRING && name.equals(base64Field)) {
                        try {
                            object.set(name, nodes.binaryNode(parser.getBinaryValue()));
                        } catch (StreamReadException notBase64) {
                            // the rest cannot be read past a broken value; whoever asked for it answers
                            object.set(name, MissingNode.getInstance());
                            return object;
                        }
                    } else {
                        object.set(name, read(parser, depth - 1));
                    }
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = nodes.arrayNode();
                if (depth == 0) {
                    parser.skipChildren();
                    return array;
                }
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(parser, depth - 1));
                }
                return array;
            }
            case VALUE_STRING -> {
                return nodes.textNode(parser.getText());
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return parser.getNumberType() == JsonParser.NumberType.BIG_DECIMAL || token == JsonToken.VALUE_NUMBER_FLOAT
                        ? nodes.numberNode(parser.getDecimalValue()) : nodes.numberNode(parser.getBigIntegerValue());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return nodes.booleanNode(token == JsonToken.VALUE_TRUE);
            }
            default -> {
                return nodes.nullNode();
            }
        }
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
