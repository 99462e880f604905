package dev.hrbridge.iot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.outbound.PermanentFailure;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Turns the params of an IoT API call into the gateway's request envelope
 * {@code {"id", "version": "1.0", "request": {"apiVer"}, "params"}} and signs it. A fresh envelope id and nonce
 * every time, so a redelivered call is a new request to the gateway, not a replay it would refuse.
 */
public class IotGatewayCall {

    public static final String API = "iotApi";
    public static final String API_VER = "iotApiVer";
    public static final String REQUEST_ID = "iotRequestId";
    static final String STARTED = "iotCallStartedNanos";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiGatewaySigner signer;

    /** {@code signer} is null when no app key and secret are configured: every call then fails permanently. */
    public IotGatewayCall(ApiGatewaySigner signer) {
        this.signer = signer;
    }

    public void prepare(Exchange exchange) throws IOException {
        String api = exchange.getProperty(API, String.class);
        String apiVer = exchange.getProperty(API_VER, String.class);
        if (api == null || apiVer == null) {
            throw new IllegalArgumentException("aliyun-iot-gateway-action needs the parameters path and apiVersion");
        }
        if (signer == null) {
            throw new PermanentFailure(api, null, null, null,
                    "the IoT gateway cannot be called: iot.app-key (IOT_APP_KEY) and iot.app-secret (IOT_APP_SECRET) are not set");
        }
        String requestId = UUID.randomUUID().toString();
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("id", requestId);
        envelope.put("version", "1.0");
        envelope.put("request", Map.of("apiVer", apiVer));
        envelope.put("params", params(exchange.getMessage().getBody()));
        byte[] body = JSON.writeValueAsBytes(envelope);

        Message message = exchange.getMessage();
        message.setBody(body);
        signer.signJsonPost(api, body).forEach(message::setHeader);
        exchange.setProperty(REQUEST_ID, requestId);
        exchange.setProperty(STARTED, System.nanoTime());
    }

    private static Object params(Object body) throws IOException {
        if (body == null) {
            return Map.of();
        }
        if (body instanceof Map<?, ?> map) {
            return map;
        }
        if (body instanceof String text) {
            return JSON.readTree(text);
        }
        if (body instanceof byte[] bytes) {
            return JSON.readTree(bytes);
        }
        return body;
    }
}
