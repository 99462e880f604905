package dev.hrbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.feishu.FeishuCrypto;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed requests on every endpoint: each gets a 4xx JSON error ({"error", "message"}), never a 5xx or a stack
 * trace, and nothing is stored.
 */
class BadInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "bad-input-encrypt-key";
    private static final String TOKEN = "bad-input-verification-token";
    private static final String API = "Bearer sandbox-token";
    private static final String[] TABLES = {"inbox", "dead_letter", "onboarding_qr_code", "eco_account"};

    @TempDir
    static Path dir;
    static TestBridge bridge;

    /**
     * One malformed request, the status it must get (0: any 4xx) and, for a value too long to store, the field the
     * answer must name.
     */
    record Case(String name, String method, String path, byte[] body, int status, String tooLong, String[] headers) {
        static Case of(String name, String method, String path, byte[] body, int status, String... headers) {
            return new Case(name, method, path, body, status, null, headers);
        }

        Case tooLong(String field) {
            return new Case(name, method, path, body, status, field, headers);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of("feishu.encrypt-key", KEY, "feishu.verification-token", TOKEN));
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    static Stream<Case> cases() {
        String event = FeishuPush.v2Event("hire.eco_account.created_v1", "bad-input-1", TOKEN, "{\"scope\":1}");
        List<Case> cases = new ArrayList<>();
        // the webhook: JSON, envelope, encryption, signature, token, transport
        cases.add(webhook("truncated JSON", "{\"schema\":\"2.0\",\"header\":{".getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("empty body", new byte[0], 400));
        cases.add(webhook("a JSON array", "[1,2,3]".getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("a JSON string", "\"event\"".getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("nesting 10000 deep", ("{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}")
                .getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("invalid UTF-8", concat("{\"schema\":\"2.0\",\"header\":{\"event_id\":\"".getBytes(StandardCharsets.UTF_8),
                new byte[]{(byte) 0xff, (byte) 0xfe, (byte) 0xc3}, "\"}}".getBytes(StandardCharsets.UTF_8)), 400));
        cases.add(webhook("event id missing", event.replace("\"event_id\":\"bad-input-1\",", "").getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("event type a number", event.replace("\"hire.eco_account.created_v1\"", "42").getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("header not an object", "{\"schema\":\"2.0\",\"header\":\"x\",\"event\":{}}".getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("event not an object", event.replace("\"event\":{\"scope\":1}", "\"event\":[1]").getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("unknown envelope", "{\"type\":\"something\"}".getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("v1 without uuid", FeishuPush.v1Event("hire.eco_account.created_v1", "u", TOKEN).replace("\"uuid\":\"u\",", "")
                .getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("wrong verification token", event.replace(TOKEN, "not-the-token").getBytes(StandardCharsets.UTF_8), 401));
        cases.add(webhook("handshake with a wrong token", "{\"type\":\"url_verification\",\"challenge\":\"c\",\"token\":\"x\"}"
                .getBytes(StandardCharsets.UTF_8), 401));
        cases.add(webhook("encrypt not base64", "{\"encrypt\":\"%%%\"}".getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("encrypt a number", "{\"encrypt\":12345}".getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("encrypted with another key", ("{\"encrypt\":\"" + new FeishuCrypto("another").encrypt(event) + "\"}")
                .getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("encrypted garbage", ("{\"encrypt\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[64]) + "\"}")
                .getBytes(StandardCharsets.UTF_8), 400));
        // values longer than the column they are kept in: refused before the 200, never acknowledged and then stuck
        cases.add(webhook("event id over 128 characters", FeishuPush.v2Event("hire.eco_account.created_v1", "e".repeat(129),
                TOKEN, "{\"scope\":1}").getBytes(StandardCharsets.UTF_8), 400, "header.event_id"));
        cases.add(webhook("event id of 5,000 characters", FeishuPush.v2Event("hire.eco_account.created_v1", "e".repeat(5000),
                TOKEN, "{\"scope\":1}").getBytes(StandardCharsets.UTF_8), 400, "header.event_id"));
        cases.add(webhook("event type over 128 characters", FeishuPush.v2Event("t".repeat(129), "bad-input-2", TOKEN, "{}")
                .getBytes(StandardCharsets.UTF_8), 400, "header.event_type"));
        cases.add(webhook("app id over 128 characters", event.replace(FeishuPush.APP_ID, "cli_" + "a".repeat(125))
                .getBytes(StandardCharsets.UTF_8), 400, "header.app_id"));
        cases.add(webhook("tenant key over 128 characters", event.replace("2ca1d211f64f6438", "k".repeat(129))
                .getBytes(StandardCharsets.UTF_8), 400, "header.tenant_key"));
        cases.add(webhook("tenant key a number", event.replace("\"2ca1d211f64f6438\"", "7").getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("v1 uuid over 128 characters", FeishuPush.v1Event("hire.eco_account.created_v1", "u".repeat(129), TOKEN)
                .getBytes(StandardCharsets.UTF_8), 400, "uuid"));
        cases.add(webhook("v1 event type over 128 characters", FeishuPush.v1Event("t".repeat(129), "u-2", TOKEN)
                .getBytes(StandardCharsets.UTF_8), 400, "event.type"));
        cases.add(webhook("encrypted, event id over 128 characters", new FeishuPush(null, KEY).encryptedBody(
                FeishuPush.v2Event("hire.eco_account.created_v1", "e".repeat(300), TOKEN, "{\"scope\":1}")), 400, "header.event_id"));
        // one JSON object and nothing else: a second reader must not be able to take the bytes another way
        cases.add(webhook("an event followed by garbage", (event + " GARBAGE").getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("two events in one body", (event + event.replace("bad-input-1", "bad-input-3"))
                .getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("an event followed by a second value", (event + " 1").getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("event id given twice", event.replace("\"event_id\":\"bad-input-1\",",
                "\"event_id\":\"bad-input-1\",\"event_id\":\"bad-input-4\",").getBytes(StandardCharsets.UTF_8), 400));
        // the reader builds no tree of the event's content, but every byte of it is checked all the same
        cases.add(webhook("a key given twice deep inside the event", FeishuPush.v2Event("corehr.onboarding_qr_code.inactive_v2",
                "bad-input-6", TOKEN, "{\"code_lists\":[{\"id\":\"1\",\"id\":\"2\"}]}").getBytes(StandardCharsets.UTF_8), 400));
        String open = FeishuPush.v2Event("corehr.onboarding_qr_code.inactive_v2", "bad-input-7", TOKEN, "{\"code_lists\":[{\"id\":\"");
        cases.add(webhook("invalid UTF-8 deep inside the event", concat(open.substring(0, open.length() - 1).getBytes(StandardCharsets.UTF_8),
                new byte[]{(byte) 0xc3, (byte) 0x28}, "\"}]}}".getBytes(StandardCharsets.UTF_8)), 400));
        cases.add(webhook("an unclosed array deep inside the event", FeishuPush.v2Event("corehr.onboarding_qr_code.inactive_v2",
                "bad-input-8", TOKEN, "{\"code_lists\":[{\"id\":\"1\"}}").getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("encrypt given twice", ("{\"encrypt\":\"" + new FeishuCrypto(KEY).encrypt(event) + "\",\"encrypt\":\""
                + new FeishuCrypto(KEY).encrypt(event.replace("bad-input-1", "bad-input-5")) + "\"}").getBytes(StandardCharsets.UTF_8), 400));
        cases.add(webhook("encrypted event followed by garbage", new FeishuPush(null, KEY).encryptedBody(event + "{}"), 400));
        cases.add(webhook("encrypted body followed by garbage", concat(new FeishuPush(null, KEY).encryptedBody(event),
                " x".getBytes(StandardCharsets.UTF_8)), 400));
        byte[] body = event.getBytes(StandardCharsets.UTF_8);
        cases.add(Case.of("webhook unsigned", "POST", "/webhooks/feishu/events", body, 401, "Content-Type", "application/json"));
        cases.add(Case.of("webhook with a forged signature", "POST", "/webhooks/feishu/events", body, 401,
                "Content-Type", "application/json", "X-Lark-Request-Timestamp", "1700000000", "X-Lark-Request-Nonce", "n",
                "X-Lark-Signature", "0".repeat(64)));
        FeishuCrypto crypto = new FeishuCrypto(KEY);
        String replayedSignature = crypto.signature("1700000000", "n", "{\"other\":1}".getBytes(StandardCharsets.UTF_8));
        cases.add(Case.of("webhook with a signature replayed from another body", "POST", "/webhooks/feishu/events", body, 401,
                "Content-Type", "application/json", "X-Lark-Request-Timestamp", "1700000000", "X-Lark-Request-Nonce", "n",
                "X-Lark-Signature", replayedSignature));
        // signature before decryption: every unsigned or badly signed body gets the same 401, whatever it holds
        cases.add(Case.of("webhook unsigned and encrypted", "POST", "/webhooks/feishu/events",
                new FeishuPush(null, KEY).encryptedBody(event), 401, "Content-Type", "application/json"));
        cases.add(Case.of("webhook unsigned, encrypt not base64", "POST", "/webhooks/feishu/events",
                "{\"encrypt\":\"%%%\"}".getBytes(StandardCharsets.UTF_8), 401, "Content-Type", "application/json"));
        cases.add(Case.of("webhook unsigned, encrypted with another key", "POST", "/webhooks/feishu/events",
                ("{\"encrypt\":\"" + new FeishuCrypto("another").encrypt(event) + "\"}").getBytes(StandardCharsets.UTF_8), 401,
                "Content-Type", "application/json"));
        cases.add(Case.of("webhook with a forged signature and garbage encrypted", "POST", "/webhooks/feishu/events",
                ("{\"encrypt\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[64]) + "\"}").getBytes(StandardCharsets.UTF_8),
                401, "Content-Type", "application/json", "X-Lark-Request-Timestamp", "1700000000", "X-Lark-Request-Nonce", "n",
                "X-Lark-Signature", "0".repeat(64)));
        // a correctly signed request, captured and sent again a day later
        String stale = String.valueOf(System.currentTimeMillis() / 1000 - 25 * 3600);
        cases.add(Case.of("webhook signed 25 hours ago", "POST", "/webhooks/feishu/events", body, 401,
                "Content-Type", "application/json", "X-Lark-Request-Timestamp", stale, "X-Lark-Request-Nonce", "n",
                "X-Lark-Signature", new FeishuCrypto(KEY).signature(stale, "n", body)));
        String future = String.valueOf(System.currentTimeMillis() / 1000 + 25 * 3600);
        cases.add(Case.of("webhook signed 25 hours ahead", "POST", "/webhooks/feishu/events", body, 401,
                "Content-Type", "application/json", "X-Lark-Request-Timestamp", future, "X-Lark-Request-Nonce", "n",
                "X-Lark-Signature", new FeishuCrypto(KEY).signature(future, "n", body)));
        cases.add(Case.of("webhook signed with a timestamp that is not a number", "POST", "/webhooks/feishu/events", body, 401,
                "Content-Type", "application/json", "X-Lark-Request-Timestamp", "yesterday", "X-Lark-Request-Nonce", "n",
                "X-Lark-Signature", new FeishuCrypto(KEY).signature("yesterday", "n", body)));
        // the signature belongs in the request's headers: the same values as query parameters are no signature
        String now = String.valueOf(System.currentTimeMillis() / 1000);
        cases.add(Case.of("webhook signed in the query string", "POST", "/webhooks/feishu/events?X-Lark-Request-Timestamp=" + now
                + "&X-Lark-Request-Nonce=n&X-Lark-Signature=" + new FeishuCrypto(KEY).signature(now, "n", body), body, 401,
                "Content-Type", "application/json"));
        cases.add(Case.of("webhook as text/plain", "POST", "/webhooks/feishu/events", body, 415, "Content-Type", "text/plain"));
        cases.add(Case.of("webhook without content type", "POST", "/webhooks/feishu/events", body, 415));
        cases.add(Case.of("webhook over 8 MiB", "POST", "/webhooks/feishu/events", spaces(9 * 1024 * 1024), 413,
                "Content-Type", "application/json"));
        cases.add(Case.of("webhook GET", "GET", "/webhooks/feishu/events", null, 405));
        cases.add(Case.of("webhook DELETE", "DELETE", "/webhooks/feishu/events", null, 405));
        // offboarding revoke
        cases.add(api("revoke: truncated JSON", "POST", "/api/v1/offboardings/revoke", "{\"offboarding_id\":", 400));
        cases.add(api("revoke: id a number", "POST", "/api/v1/offboardings/revoke", "{\"offboarding_id\":7095671727698478604}", 422));
        cases.add(api("revoke: id not digits", "POST", "/api/v1/offboardings/revoke", "{\"offboarding_id\":\"abc\"}", 422));
        cases.add(api("revoke: id missing", "POST", "/api/v1/offboardings/revoke", "{\"operator_id\":\"1\"}", 422));
        cases.add(api("revoke: unknown user_id_type", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"7095671727698478604\",\"user_id_type\":\"email\"}", 422));
        cases.add(api("revoke: operator_id an object", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"7095671727698478604\",\"operator_id\":{}}", 422));
        cases.add(api("revoke: an array", "POST", "/api/v1/offboardings/revoke", "[]", 400));
        cases.add(Case.of("revoke: no token", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"7095671727698478604\"}".getBytes(StandardCharsets.UTF_8), 401, "Content-Type", "application/json"));
        cases.add(Case.of("revoke: form encoded", "POST", "/api/v1/offboardings/revoke",
                "offboarding_id=1".getBytes(StandardCharsets.UTF_8), 415, "Content-Type", "application/x-www-form-urlencoded",
                "Authorization", API));
        cases.add(Case.of("revoke: over 1 MiB", "POST", "/api/v1/offboardings/revoke", spaces(2 * 1024 * 1024), 413,
                "Content-Type", "application/json", "Authorization", API));
        cases.add(api("revoke: GET", "GET", "/api/v1/offboardings/revoke", null, 405));
        cases.add(api("revoke: followed by garbage", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"7095671727698478604\"} GARBAGE", 400));
        cases.add(api("revoke: two objects", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"7095671727698478604\"}{\"offboarding_id\":\"7095671727698478605\"}", 400));
        cases.add(api("revoke: offboarding_id given twice", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"7095671727698478604\",\"offboarding_id\":\"7095671727698478605\"}", 400));
        cases.add(api("revoke: offboarding_id of 65 digits", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"" + "7".repeat(65) + "\"}", 400, "offboarding_id"));
        cases.add(api("revoke: operator_id of 5,000 characters", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"7095671727698478604\",\"operator_id\":\"" + "6".repeat(5000) + "\"}", 400, "operator_id"));
        cases.add(Case.of("revoke: Idempotency-Key of 201 characters", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"7095671727698478604\"}".getBytes(StandardCharsets.UTF_8), 400,
                "Content-Type", "application/json", "Authorization", API, "Idempotency-Key", "k".repeat(201))
                .tooLong("Idempotency-Key"));
        cases.add(Case.of("revoke: Idempotency-Key given twice", "POST", "/api/v1/offboardings/revoke",
                "{\"offboarding_id\":\"7095671727698478604\"}".getBytes(StandardCharsets.UTF_8), 400,
                "Content-Type", "application/json", "Authorization", API, "Idempotency-Key", "k-1", "Idempotency-Key", "k-2"));
        // onboarding QR codes
        cases.add(api("qr: empty dimension list", "POST", "/api/v1/onboarding-qr-codes", "{\"dimension_value_list\":[]}", 422));
        cases.add(api("qr: dimension missing", "POST", "/api/v1/onboarding-qr-codes",
                "{\"dimension_value_list\":[{\"value\":{\"select_value\":\"1\"}}]}", 422));
        cases.add(api("qr: two kinds of value", "POST", "/api/v1/onboarding-qr-codes",
                "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"1\",\"bool_value\":true}}]}", 422));
        cases.add(api("qr: bool_value a string", "POST", "/api/v1/onboarding-qr-codes",
                "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"b\"},\"value\":{\"bool_value\":\"yes\"}}]}", 422));
        cases.add(api("qr: 1001 multi-select values", "POST", "/api/v1/onboarding-qr-codes",
                "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"m\"},\"value\":{\"multi_select_value\":["
                        + String.join(",", java.util.Collections.nCopies(1001, "\"1\"")) + "]}}]}", 422));
        cases.add(api("qr: 1001 dimensions", "POST", "/api/v1/onboarding-qr-codes", "{\"dimension_value_list\":["
                + String.join(",", java.util.Collections.nCopies(1001,
                "{\"dimension\":{\"api_name\":\"c\"},\"value\":{\"select_value\":\"1\"}}")) + "]}", 422));
        cases.add(api("qr: list a string", "POST", "/api/v1/onboarding-qr-codes", "{\"dimension_value_list\":\"x\"}", 422));
        cases.add(api("qr: followed by garbage", "POST", "/api/v1/onboarding-qr-codes",
                "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"1\"}}]}]", 400));
        cases.add(api("qr: list given twice", "POST", "/api/v1/onboarding-qr-codes",
                "{\"dimension_value_list\":[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"1\"}}],"
                        + "\"dimension_value_list\":[]}", 400));
        cases.add(api("qr: unknown status filter", "GET", "/api/v1/onboarding-qr-codes?status=lost", null, 422));
        // IoT employee
        cases.add(api("iot: unknown codeType", "POST", "/api/v1/iot/employees", "{\"authCode\":\"ok-1\",\"codeType\":\"TOKEN\"}", 422));
        cases.add(api("iot: authCode missing", "POST", "/api/v1/iot/employees", "{\"codeType\":\"AUTH_CODE\"}", 422));
        cases.add(api("iot: authCode a number", "POST", "/api/v1/iot/employees", "{\"authCode\":5,\"codeType\":\"AUTH_CODE\"}", 422));
        cases.add(api("iot: not JSON", "POST", "/api/v1/iot/employees", "authCode=1", 400));
        cases.add(api("iot: followed by garbage", "POST", "/api/v1/iot/employees",
                "{\"authCode\":\"ok-1\",\"codeType\":\"AUTH_CODE\"} {}", 400));
        cases.add(api("iot: authCode given twice", "POST", "/api/v1/iot/employees",
                "{\"authCode\":\"ok-1\",\"authCode\":\"ok-2\",\"codeType\":\"AUTH_CODE\"}", 400));
        // operations endpoints
        cases.add(api("events: limit 0", "GET", "/api/v1/events?limit=0", null, 422));
        cases.add(api("events: unknown state", "GET", "/api/v1/events?state=LOST", null, 422));
        cases.add(api("requests: unknown id", "GET", "/api/v1/requests/no-such-request", null, 404));
        cases.add(api("dead letters: unknown state", "GET", "/api/v1/dead-letters?state=buried", null, 422));
        cases.add(api("dead letters: replay unknown", "POST", "/api/v1/dead-letters/no-such-letter/replay", "{}", 404));
        cases.add(api("eco accounts: unknown status", "GET", "/api/v1/eco-accounts?status=lost", null, 422));
        cases.add(api("no such endpoint", "GET", "/api/v2/everything", null, 404));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyMalformedRequestGetsA4xxJsonErrorAndStoresNothing(Case request) throws Exception {
        long[] before = counts();
        HttpRequest.Builder builder = HttpRequest.newBuilder(bridge.api(request.path()))
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        if (request.headers().length > 0) {
            builder.headers(request.headers());
        }
        HttpResponse<String> answer = TestBridge.HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        if (request.status() == 0) {
            assertThat(answer.statusCode()).as(answer.body()).isBetween(400, 499);
        } else {
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(request.status());
        }
        JsonNode error = JSON.readTree(answer.body());
        assertThat(error.path("error").asText()).isNotBlank();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
        if (request.tooLong() != null) {
            assertThat(error.path("error").asText()).isEqualTo("field_too_long");
            assertThat(error.path("field").asText()).isEqualTo(request.tooLong());
        }
        assertThat(counts()).as("rows in " + Arrays.toString(TABLES)).containsExactly(before);
    }

    private static Case webhook(String name, byte[] body, int status) {
        return webhook(name, body, status, null);
    }

    private static Case webhook(String name, byte[] body, int status, String tooLong) {
        // signed as Feishu would sign it, so each case fails for its own reason, not the signature
        String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
        return Case.of("webhook " + name, "POST", "/webhooks/feishu/events", body, status,
                "Content-Type", "application/json", "X-Lark-Request-Timestamp", timestamp, "X-Lark-Request-Nonce", "nonce",
                "X-Lark-Signature", new FeishuCrypto(KEY).signature(timestamp, "nonce", body)).tooLong(tooLong);
    }

    private static Case api(String name, String method, String path, String body, int status) {
        return api(name, method, path, body, status, null);
    }

    private static Case api(String name, String method, String path, String body, int status, String tooLong) {
        return Case.of(name, method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), status,
                "Content-Type", "application/json", "Authorization", API).tooLong(tooLong);
    }

    private static byte[] spaces(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        body[size - 1] = '}';
        return body;
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static long[] counts() throws Exception {
        long[] counts = new long[TABLES.length];
        try (Connection connection = bridge.bridge().database().dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            for (int i = 0; i < TABLES.length; i++) {
                try (ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + TABLES[i])) {
                    rows.next();
                    counts[i] = rows.getLong(1);
                }
            }
        }
        return counts;
    }
}
