package dev.hrbridge.feishu.longconnection;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What Feishu tells the client in the endpoint answer and in every pong ({@code ClientConfig}, in seconds):
 * how often to ping, how long to wait before reconnecting and how much random spread to add to that wait.
 * {@code ReconnectCount} is kept for the status only: HR Bridge reconnects for ever unless refused.
 */
record ClientConfig(int reconnectCount, int reconnectIntervalSeconds, int reconnectNonceSeconds, int pingIntervalSeconds) {

    /** Feishu's documented defaults, used until it says otherwise. */
    static final ClientConfig DEFAULT = new ClientConfig(-1, 120, 30, 120);

    /** This configuration with the fields present in {@code json} replaced; absent or non-numeric ones are kept. */
    ClientConfig with(JsonNode json) {
        if (json == null || !json.isObject()) {
            return this;
        }
        return new ClientConfig(
                number(json, "ReconnectCount", reconnectCount, Integer.MIN_VALUE),
                number(json, "ReconnectInterval", reconnectIntervalSeconds, 0),
                number(json, "ReconnectNonce", reconnectNonceSeconds, 0),
                number(json, "PingInterval", pingIntervalSeconds, 1));
    }

    private static int number(JsonNode json, String field, int current, int least) {
        JsonNode value = json.get(field);
        return value != null && value.canConvertToInt() && value.asInt() >= least ? value.asInt() : current;
    }
}
