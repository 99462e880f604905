package dev.hrbridge.sandbox;

import com.alibaba.cloudapi.sdk.enums.HttpMethod;
import com.alibaba.cloudapi.sdk.enums.Scheme;
import com.alibaba.cloudapi.sdk.model.ApiRequest;
import com.alibaba.cloudapi.sdk.util.ApiRequestMaker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.iot.ApiGatewaySigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sandbox mode end to end: {@code POST /api/v1/iot/employees} of a real HR Bridge reaches the simulated IoT gateway.
 * Every row of README's "IoT scenarios" table ends as it promises; a create whose outcome is unknown ran once and
 * never turns into 409; the simulated gateway checks the signature as Alibaba documents it (requests signed by
 * Alibaba's own signer pass) and refuses a bad one the gateway's way; injected faults answer in the IoT shape.
 */
class IotGatewaySandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/user/account/employee/createbyauthcode";
    private static final String KEY = "hrbridge-sandbox-iot";
    private static final String SECRET = "hrbridge-sandbox-iot-secret";
    private static final byte[] ENVELOPE = envelope("ok-signed", "AUTH_CODE");

    @TempDir
    static Path dir;

    private static TestBridge bridge;
    private static IotGatewaySandbox iot;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of(
                "hrb.retry.iot-employee.initial-delay-ms", "20",
                "hrb.retry.iot-employee.max-delay-ms", "50"));
        iot = bridge.simulator().served("/user/", IotGatewaySandbox.class);
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @AfterEach
    void clearFaults() {
        bridge.simulator().clearFaults();
    }

    @ParameterizedTest(name = "{0}… is answered {1} {2} after {3} attempt(s)")
    @MethodSource("readmeScenarios")
    void everySandboxScenarioEndsAsTheReadmesIotScenariosTablePromises(String prefix, int status, String error,
                                                                       int attempts) throws Exception {
        String authCode = prefix + UUID.randomUUID();

        HttpResponse<String> response = create(authCode, "AUTH_CODE");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (error != null) {
            assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo(error);
        }
        assertThat(iot.createCalls(authCode)).as("calls that reached the platform").isEqualTo(attempts);
    }

    @Test
    void theReadmesIotScenariosTableNamesEveryScenarioOfTheSimulator() throws Exception {
        Set<String> documented = readmeScenarios().map(row -> (String) row.get()[0]).collect(Collectors.toSet());
        assertThat(documented).containsExactlyInAnyOrderElementsOf(
                IotGatewaySandbox.SCENARIOS.stream().map(IotGatewaySandbox.Scenario::prefix).toList());
    }

    @Test
    void anyOtherAuthCodeIsAnExpiredOneByItsCodeType() throws Exception {
        HttpResponse<String> pc = create("other-" + UUID.randomUUID(), "AUTH_CODE");
        HttpResponse<String> app = create("other-" + UUID.randomUUID(), "SESSION_ID");

        assertThat(pc.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(pc.body()).path("platform_code").asInt()).isEqualTo(2401);
        assertThat(app.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(app.body()).path("platform_code").asInt()).isEqualTo(2459);
        assertThat(JSON.readTree(app.body()).path("platform_localized_msg").asText()).isEqualTo("会话Id不存在");
    }

    @Test
    void theReadmeExampleCreatesTheEmployeeAndTheSameCallAgainIs409() throws Exception {
        HttpResponse<String> first = create("ok-123", "AUTH_CODE");
        HttpResponse<String> again = create("ok-123", "AUTH_CODE");

        assertThat(first.statusCode()).isEqualTo(201);
        JsonNode employee = JSON.readTree(first.body());
        assertThat(employee.path("employeeId").asText()).startsWith("50f4op");
        assertThat(employee.path("companyName").asText()).isEqualTo("HR Bridge Sandbox");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).path("error").asText()).isEqualTo("employee_exists");
    }

    // the platform created the employee but its answer said Hsf Invoke Timeout / nothing in time: a retry inside the
    // request would have been answered 2441 and reported 409 as if someone else had created it
    @ParameterizedTest(name = "{0}: created, answered 504 outcome_unknown, one call; the same request again is 409")
    @ValueSource(strings = {"busy-", "cut-"})
    void aCreateThatRanButGotNoUsableAnswerIsOutcomeUnknownNot409AndRanOnce(String prefix) throws Exception {
        String authCode = prefix + UUID.randomUUID();

        HttpResponse<String> response = create(authCode, "AUTH_CODE");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("outcome_unknown");
        assertThat(iot.createCalls(authCode)).isEqualTo(1);
        assertThat(iot.employeeCreated(authCode)).isTrue();

        HttpResponse<String> asTheReadmeSays = create(authCode, "AUTH_CODE");
        assertThat(asTheReadmeSays.statusCode()).as("the same request again, as README tells the caller").isEqualTo(409);
    }

    @Test
    void theSimulatorAcceptsACorrectSignatureOnceThenTheNonceIsUsed() throws Exception {
        Map<String, String> headers = new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE);
        HttpResponse<String> accepted = send(PATH, headers, ENVELOPE);
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(accepted.headers().firstValue("X-Ca-Request-Id")).isPresent();
        assertThat(JSON.readTree(accepted.body()).path("code").asInt()).isEqualTo(200);
        assertThat(gatewayRefusal(send(PATH, headers, ENVELOPE), 400)).isEqualTo("Nonce Used");
    }

    @Test
    void concurrentCreatesOfOneAccountCreateItOnce() throws Exception {
        String authCode = "ok-concurrent-" + UUID.randomUUID();

        List<Integer> statuses = concurrently(8, () -> create(authCode, "AUTH_CODE").statusCode());

        assertThat(statuses).containsOnlyOnce(201).containsOnly(201, 409);
        assertThat(iot.createCalls(authCode)).isEqualTo(8);
    }

    @ParameterizedTest(name = "signed by Alibaba's own signer with {0}")
    @ValueSource(strings = {"HmacSHA256", "HmacSHA1"})
    void aRequestSignedByAlibabasOwnSignerIsAccepted(String signatureMethod) throws Exception {
        byte[] body = envelope("ok-alibaba-" + signatureMethod, "AUTH_CODE");
        URI uri = URI.create(bridge.simulator().baseUrl());
        ApiRequest request = new ApiRequest(HttpMethod.POST_BODY, PATH, body);
        request.setScheme(Scheme.HTTP);
        request.setHost(uri.getHost() + ":" + uri.getPort());
        request.setSignatureMethod(signatureMethod);
        request.addHeader("content-type", "application/json; charset=UTF-8");
        ApiRequestMaker.make(request, KEY, SECRET);
        Map<String, String> headers = new LinkedHashMap<>();
        request.getHeaders().forEach((name, values) -> {
            if (!name.equals("host") && !name.equals("content-length")) {
                headers.put(name, values.get(0));
            }
        });

        HttpResponse<String> response = send(PATH, headers, body);

        assertThat(response.statusCode()).as(response.headers().firstValue("X-Ca-Error-Message").orElse("")).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("data").path("employeeId").asText()).startsWith("50f4op");
    }

    @Test
    void aTamperedSignatureIsRefusedWithTheGatewaysOwnAnswerShowingItsStringToSign() throws Exception {
        String authCode = "ok-tampered-" + UUID.randomUUID();
        byte[] body = envelope(authCode, "AUTH_CODE");
        Map<String, String> headers = new LinkedHashMap<>(new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, body));
        String signature = headers.get("X-Ca-Signature");
        headers.put("X-Ca-Signature", (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1));

        HttpResponse<String> refused = send(PATH, headers, body);

        assertThat(gatewayRefusal(refused, 400)).isEqualTo("Invalid Signature, Server StringToSign:POST#application/json#"
                + headers.get("Content-MD5") + "#application/json; charset=UTF-8#" + headers.get("Date")
                + "#x-ca-key:" + KEY + "#x-ca-nonce:" + headers.get("X-Ca-Nonce") + "#x-ca-signature-method:HmacSHA256"
                + "#x-ca-timestamp:" + headers.get("X-Ca-Timestamp") + "#" + PATH);
        assertThat(refused.body()).as("the API Gateway's refusals have no body").isEmpty();
        assertThat(iot.createCalls(authCode)).as("nothing reached the platform").isZero();
    }

    @Test
    void aSignatureByAnotherSecretIsRefusedAndAnotherOrNoAppKeyIsInvalid() throws Exception {
        assertThat(gatewayRefusal(send(PATH, new ApiGatewaySigner(KEY, "guessed").signJsonPost(PATH, ENVELOPE), ENVELOPE), 400))
                .startsWith("Invalid Signature");
        assertThat(gatewayRefusal(send(PATH, new ApiGatewaySigner("other-app", SECRET).signJsonPost(PATH, ENVELOPE), ENVELOPE), 400))
                .isEqualTo("Invalid AppKey");
        Map<String, String> keyless = new LinkedHashMap<>(new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE));
        keyless.remove("X-Ca-Key");
        assertThat(gatewayRefusal(send(PATH, keyless, ENVELOPE), 400)).isEqualTo("Invalid AppKey");
    }

    @Test
    void aChangedBodyFailsTheContentMd5() throws Exception {
        Map<String, String> headers = new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE);
        assertThat(gatewayRefusal(send(PATH, headers, envelope("ok-other", "AUTH_CODE")), 400)).isEqualTo("Invalid Content-MD5");
    }

    @Test
    void aMissingSignatureIs401EmptySignatureWithSeed004sAnswer() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE));
        headers.remove("X-Ca-Signature");

        HttpResponse<String> refused = send(PATH, headers, ENVELOPE);

        assertThat(gatewayRefusal(refused, 401)).isEqualTo("Empty Signature");
        JsonNode answer = JSON.readTree(refused.body());
        assertThat(answer.path("code").asInt()).isEqualTo(401);
        assertThat(answer.path("message").asText()).isEqualTo("Empty Signature");
    }

    @Test
    void aTimestampOlderThan15MinutesOrNotANumberIsRefusedEvenWhenCorrectlySigned() throws Exception {
        assertThat(gatewayRefusal(send(PATH, resigned("X-Ca-Timestamp",
                String.valueOf(System.currentTimeMillis() - Duration.ofMinutes(16).toMillis())), ENVELOPE), 400))
                .isEqualTo("Timestamp Expired");
        assertThat(gatewayRefusal(send(PATH, resigned("X-Ca-Timestamp", "yesterday"), ENVELOPE), 400))
                .isEqualTo("Invalid Timestamp");
    }

    @Test
    void anotherPathOrMethodIsInvalidUrl() throws Exception {
        String other = "/user/account/employee/deletebyauthcode";
        assertThat(gatewayRefusal(send(other, new ApiGatewaySigner(KEY, SECRET).signJsonPost(other, ENVELOPE), ENVELOPE), 400))
                .isEqualTo("Invalid Url");
    }

    @Test
    void aBodyThatIsNotTheEnvelopeIsRequestFormatError() throws Exception {
        byte[] notEnvelope = "{\"authCode\":\"ok-1\",\"codeType\":\"AUTH_CODE\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> refused = send(PATH, new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, notEnvelope), notEnvelope);
        assertThat(gatewayRefusal(refused, 400)).isEqualTo("Request Format Error");
        assertThat(JSON.readTree(refused.body()).path("code").asInt()).isEqualTo(400);
    }

    // a hostile header value must not break the refusal that quotes it
    @Test
    void aRefusalQuotingHostileHeaderBytesCarriesOnlyPrintableAscii() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE));
        headers.put("X-Ca-Signature-Headers", headers.get("X-Ca-Signature-Headers") + ",x-ca-evil");
        StringBuilder raw = new StringBuilder("POST " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        headers.forEach((name, value) -> raw.append(name).append(": ").append(value).append("\r\n"));
        raw.append("X-Ca-Evil: ");
        URI base = URI.create(bridge.simulator().baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(raw.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[]{(byte) 0xE8, (byte) 0xAE, (byte) 0xA4, 0x7F, 0x01});
            out.write(("\r\nContent-Length: " + ENVELOPE.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(ENVELOPE);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            Matcher error = Pattern.compile("(?im)^x-ca-error-message: ([^\r\n]*)").matcher(answer);
            assertThat(answer).as(answer).startsWith("HTTP/1.1 400");
            assertThat(error.find()).as(answer).isTrue();
            assertThat(error.group(1)).startsWith("Invalid Signature").contains("x-ca-evil:").matches("[\\x20-\\x7e]+");
        }
    }

    @Test
    void anInjectedPlatformFaultAnswersInTheIotShapeForTheEnvelopeReceived() throws Exception {
        bridge.simulator().injectFault(SandboxFault.answer("/user/", 1, 200, 20056, "Hsf Invoke Timeout"));
        byte[] body = envelope("ok-fault-shape", "AUTH_CODE");

        HttpResponse<String> faulty = send(PATH, new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, body), body);

        assertThat(faulty.statusCode()).isEqualTo(200);
        assertThat(faulty.headers().firstValue("X-Ca-Request-Id")).isPresent();
        JsonNode answer = JSON.readTree(faulty.body());
        List<String> fields = new ArrayList<>();
        answer.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "code", "message", "localizedMsg", "data");
        assertThat(answer.path("id").asText()).isEqualTo(JSON.readTree(body).path("id").asText());
        assertThat(answer.path("code").asInt()).isEqualTo(20056);
        assertThat(answer.path("message").asText()).isEqualTo("Hsf Invoke Timeout");
        assertThat(answer.path("data").isNull()).isTrue();
    }

    @Test
    void anInjectedGatewayThrottleOverHttpIsTheGateways403AndHrBridgeAnswers429AfterRetrying() throws Exception {
        HttpResponse<String> injected = TestBridge.HTTP.send(HttpRequest.newBuilder(
                        URI.create(bridge.simulator().baseUrl() + "/sandbox/faults"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"pathPrefix\":\"/user/\",\"status\":403,\"msg\":\"Request Limited\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(injected.statusCode()).isEqualTo(201);

        HttpResponse<String> direct = send(PATH, new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE), ENVELOPE);
        assertThat(gatewayRefusal(direct, 403)).isEqualTo("Request Limited");
        assertThat(direct.body()).doesNotContain("msg");

        HttpResponse<String> response = create("ok-" + UUID.randomUUID(), "AUTH_CODE");
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("rate_limited");
    }

    @Test
    void theSimulatedGatewaySharesNoCodeWithHrBridgesIotClient() throws Exception {
        URL here = IotGatewaySandbox.class.getResource("IotGatewaySandbox.class");
        Path classes = Path.of(here.toURI()).getParent();
        try (Stream<Path> files = Files.list(classes)) {
            List<Path> simulator = files.filter(f -> f.getFileName().toString().startsWith("IotGatewaySandbox")).toList();
            assertThat(simulator).isNotEmpty();
            for (Path file : simulator) {
                String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(constants.replace("dev/hrbridge/sandbox/", "")).as(file.getFileName().toString())
                        .doesNotContain("dev/hrbridge/");
            }
        }
    }

    /** README's "IoT scenarios" table: prefix, status, error code, attempts. */
    static Stream<Arguments> readmeScenarios() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("### IoT scenarios"));
        table = table.substring(table.indexOf("\n|"), table.indexOf("\n\n", table.indexOf("\n|")));
        Pattern row = Pattern.compile("^\\| `([a-z]+-)…` \\|[^|]*\\|[^|]*\\| `(\\d{3})(?: ([a-z_]+))?` \\| (\\d) \\|$");
        List<Arguments> rows = new ArrayList<>();
        for (String line : table.split("\n")) {
            Matcher cells = row.matcher(line);
            if (cells.matches()) {
                rows.add(Arguments.of(cells.group(1), Integer.parseInt(cells.group(2)), cells.group(3),
                        Integer.parseInt(cells.group(4))));
            }
        }
        assertThat(rows).as("rows of README's IoT scenarios table").hasSizeGreaterThan(20);
        return rows.stream();
    }

    /** {@code calls} runs of {@code call}, started together. */
    private static List<Integer> concurrently(int calls, Callable<Integer> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> result : results) {
                statuses.add(result.get(30, TimeUnit.SECONDS));
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, String> resigned(String header, String value) {
        Map<String, String> headers = new LinkedHashMap<>(new ApiGatewaySigner(KEY, SECRET).signJsonPost(PATH, ENVELOPE));
        headers.put(header, value);
        headers.put("X-Ca-Signature", ApiGatewaySigner.signature(SECRET,
                ApiGatewaySigner.stringToSignOf("POST", PATH, Map.of(), headers::get)));
        return headers;
    }

    private static byte[] envelope(String authCode, String codeType) {
        return ("{\"id\":\"" + UUID.randomUUID() + "\",\"version\":\"1.0\",\"request\":{\"apiVer\":\"1.0.0\"},"
                + "\"params\":{\"authCode\":\"" + authCode + "\",\"codeType\":\"" + codeType + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    /** The gateway's refusal: the status, its request id, the reason in X-Ca-Error-Message. */
    private static String gatewayRefusal(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("X-Ca-Request-Id")).isPresent();
        return response.headers().firstValue("X-Ca-Error-Message").orElse("");
    }

    private static HttpResponse<String> send(String path, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bridge.simulator().baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return TestBridge.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> create(String authCode, String codeType) throws Exception {
        return TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/iot/employees"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer sandbox-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"authCode\":\"" + authCode + "\",\"codeType\":\"" + codeType + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
