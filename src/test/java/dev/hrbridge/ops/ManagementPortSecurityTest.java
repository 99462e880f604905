package dev.hrbridge.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hrbridge.TestBridge;
import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.feishu.TenantTokenCache;
import dev.hrbridge.sandbox.PlatformSimulator;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.LogManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The management port as an attacker meets it: a process on the operator's machine, or a web page open in the
 * operator's browser. Jolokia reads attributes and runs HR Bridge's own operations, and nothing else: no secret in
 * any answer, no Camel or JVM operation, no write, no request from another origin.
 */
class ManagementPortSecurityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "cli_management_test";
    private static final String APP_SECRET = secret("app-secret");
    private static final String ENCRYPT_KEY = secret("encrypt-key");
    private static final String VERIFICATION_TOKEN = secret("verification-token");
    private static final String API_TOKEN = secret("api-token");
    private static final String IOT_SECRET = secret("iot-secret");
    private static final String DB_PASSWORD = secret("db-password");
    /** As {@code -Dqr.notify.secret=...}: a setting given to the JVM as a system property. */
    private static final String NOTIFY_SECRET = secret("notify-secret");
    private static final String ALERTS_SECRET = secret("alerts-secret");
    /** As {@code -Djavax.net.ssl.keyStorePassword=...}: a JVM secret HR Bridge does not know of. */
    private static final String JVM_PROPERTY = "hrb.test.keystore-password";
    private static final String JVM_SECRET = secret("keystore-password");

    @TempDir
    static Path dir;
    static PlatformSimulator feishu;
    static TestBridge bridge;
    static String context;
    static List<String> secrets;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("qr.notify.secret", NOTIFY_SECRET);
        System.setProperty(JVM_PROPERTY, JVM_SECRET);
        feishu = PlatformSimulator.start(APP_ID, APP_SECRET);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("feishu.app-id", APP_ID);
        settings.put("feishu.app-secret", APP_SECRET);
        settings.put("feishu.base-url", feishu.baseUrl());
        settings.put("feishu.encrypt-key", ENCRYPT_KEY);
        settings.put("feishu.verification-token", VERIFICATION_TOKEN);
        settings.put("hrb.api.token", API_TOKEN);
        settings.put("iot.app-key", "management-test-iot");
        settings.put("iot.app-secret", IOT_SECRET);
        settings.put("hrb.db.password", DB_PASSWORD);
        settings.put("hrb.alerts.url", "http://127.0.0.1:9/alerts");
        settings.put("hrb.alerts.secret", ALERTS_SECRET);
        bridge = TestBridge.start(dir, settings);
        context = bridge.bridge().context().getManagementName();
        String tenantToken = tokens().token();
        secrets = List.of(APP_SECRET, ENCRYPT_KEY, VERIFICATION_TOKEN, API_TOKEN, IOT_SECRET, DB_PASSWORD, NOTIFY_SECRET,
                ALERTS_SECRET, JVM_SECRET, tenantToken);
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (feishu != null) {
            feishu.close();
        }
        System.clearProperty("qr.notify.secret");
        System.clearProperty(JVM_PROPERTY);
    }

    private static String secret(String name) {
        return name + "-" + UUID.randomUUID();
    }

    @Test
    void noJolokiaAnswerCarriesASecretWhateverIsReadListedOrSearched() throws Exception {
        List<String> answers = new ArrayList<>();
        answers.add(get("/observe/jolokia/version").body());
        answers.add(post("{\"type\":\"config\"}").body());
        answers.add(get("/observe/jolokia/list").body());
        answers.add(post("{\"type\":\"read\",\"mbean\":\"*:*\"}", "ignoreErrors=true").body());
        answers.add(get("/observe/jolokia/read/*:*?ignoreErrors=true").body());
        HttpResponse<String> search = post("{\"type\":\"search\",\"mbean\":\"*:*\"}");
        answers.add(search.body());
        List<String> mbeans = new ArrayList<>();
        JSON.readTree(search.body()).path("value").forEach(name -> mbeans.add(name.asText()));
        assertThat(mbeans).hasSizeGreaterThan(100).contains("java.lang:type=Runtime",
                "com.sun.management:type=DiagnosticCommand", "dev.hrbridge:context=" + context + ",type=Inbox");
        // every readable attribute of every MBean, one bulk request per MBean
        for (String mbean : mbeans) {
            HttpResponse<String> read = post("{\"type\":\"read\",\"mbean\":" + JSON.writeValueAsString(mbean) + "}",
                    "ignoreErrors=true");
            assertThat(read.statusCode()).as(mbean).isEqualTo(200);
            answers.add(read.body());
        }
        assertThat(String.join("\n", answers)).contains("\"HeapMemoryUsage\"").contains("\"OldestOpenAgeSeconds\"");
        assertNoSecretIn(answers);
    }

    @Test
    void theJvmAttributesThatCarrySystemPropertiesAndCommandLineAreRefused() throws Exception {
        for (String attribute : List.of("SystemProperties", "InputArguments")) {
            HttpResponse<String> read = get("/observe/jolokia/read/java.lang:type=Runtime/" + attribute);
            assertForbidden(read, attribute);
            assertForbidden(post("{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"" + attribute
                    + "\",\"path\":\"" + JVM_PROPERTY + "\"}"), attribute);
            assertForbidden(post("{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":[\"Uptime\",\""
                    + attribute + "\"]}"), attribute);
        }
        // the rest of the Runtime MBean stays readable
        HttpResponse<String> uptime = get("/observe/jolokia/read/java.lang:type=Runtime/Uptime");
        assertThat(JSON.readTree(uptime.body()).path("value").asLong()).isPositive();
    }

    @Test
    void noCamelOrJvmOperationRunsThroughJolokia() throws Exception {
        JsonNode list = JSON.readTree(get("/observe/jolokia/list").body()).path("value");
        List<String> answers = new ArrayList<>();
        int refused = 0;
        // every operation of every MBean that is not HR Bridge's own, each in a bulk request per MBean
        for (Iterator<Map.Entry<String, JsonNode>> domains = list.fields(); domains.hasNext(); ) {
            Map.Entry<String, JsonNode> domain = domains.next();
            if (domain.getKey().equals("dev.hrbridge")) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> beans = domain.getValue().fields(); beans.hasNext(); ) {
                Map.Entry<String, JsonNode> bean = beans.next();
                ArrayNode bulk = JSON.createArrayNode();
                bean.getValue().path("op").fieldNames().forEachRemaining(operation -> bulk.addObject().put("type", "exec")
                        .put("mbean", domain.getKey() + ":" + bean.getKey()).put("operation", operation));
                if (bulk.isEmpty()) {
                    continue;
                }
                HttpResponse<String> answer = post(bulk.toString());
                answers.add(answer.body());
                for (JsonNode result : JSON.readTree(answer.body())) {
                    assertThat(result.path("status").asInt()).as(result.path("request").toString()).isEqualTo(403);
                    refused++;
                }
            }
        }
        assertThat(refused).isGreaterThan(1000);

        // and the ones an attacker would call with real arguments
        Path heapDump = dir.resolve("heap.hprof");
        Path written = dir.resolve("written.txt");
        String camel = camelContextMBean();
        String route = "org.apache.camel:context=" + context + ",type=routes,name=\"feishu-webhook\"";
        List<String> attempts = List.of(
                exec(camel, "stop"), exec(camel, "suspend"), exec(camel, "dumpRoutesAsXml(boolean)", true),
                exec(camel, "dumpRoutesAsYaml(boolean,boolean)", true, true),
                exec(camel, "sendBody", "file:" + dir + "?fileName=written.txt", "pwned"),
                exec(camel, "requestBody", "sql:SELECT * FROM inbox?dataSource=#dataSource", "x"),
                exec(camel, "sendStringBody", "kamelet:feishu-openapi-action?api=x&method=POST&path=/open-apis/x", "{}"),
                exec(camel, "createEndpoint", "file:" + dir),
                exec(route, "stop"), exec(route, "remove"),
                exec("com.sun.management:type=HotSpotDiagnostic", "dumpHeap", heapDump.toString(), true),
                exec("com.sun.management:type=HotSpotDiagnostic", "setVMOption", "HeapDumpPath", dir.toString()),
                exec("com.sun.management:type=DiagnosticCommand", "vmSystemProperties"),
                exec("com.sun.management:type=DiagnosticCommand", "vmCommandLine"),
                exec("com.sun.management:type=DiagnosticCommand", "jfrStart", (Object) new String[]{"filename=" + dir}),
                exec("jdk.management.jfr:type=FlightRecorder", "newRecording"),
                exec("java.util.logging:type=Logging", "setLoggerLevel", "", "OFF"),
                exec("java.lang:type=Memory", "gc"),
                exec("java.lang:type=Threading", "dumpAllThreads", true, true));
        for (String attempt : attempts) {
            HttpResponse<String> answer = post(attempt);
            assertForbidden(answer, JSON.readTree(attempt).path("operation").asText().replaceAll("\\(.*", ""));
            answers.add(answer.body());
        }
        assertForbidden(get("/observe/jolokia/exec/" + camel.replace("\"", "%22") + "/stop"), "stop");

        assertCamelRunsUntouched();
        assertThat(heapDump).doesNotExist();
        assertThat(written).doesNotExist();
        assertThat(LogManager.getLogManager().getLogger("").getLevel()).isNotEqualTo(java.util.logging.Level.OFF);
        assertNoSecretIn(answers);
    }

    @Test
    void nothingIsWrittenThroughJolokia() throws Exception {
        String camel = camelContextMBean();
        assertForbidden(post("{\"type\":\"write\",\"mbean\":" + JSON.writeValueAsString(camel)
                + ",\"attribute\":\"Tracing\",\"value\":true}"), "write");
        assertForbidden(post("{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}"),
                "write");
        assertForbidden(get("/observe/jolokia/write/java.lang:type=ClassLoading/Verbose/true"), "write");
        assertForbidden(post("{\"type\":\"notification\",\"command\":\"register\"}"), "notification");
        assertThat(bridge.bridge().context().isTracing()).isFalse();
        assertThat(java.lang.management.ManagementFactory.getMemoryMXBean().isVerbose()).isFalse();
        assertThat(java.lang.management.ManagementFactory.getClassLoadingMXBean().isVerbose()).isFalse();
    }

    @Test
    void jolokiaErrorsCarryNoStackTraceOrSerializedException() throws Exception {
        JsonNode missing = JSON.readTree(get("/observe/jolokia/read/java.lang:type=NoSuchMBean/Anything"
                + "?includeStackTrace=true&serializeException=true").body());
        assertThat(missing.path("status").asInt()).isEqualTo(404);
        assertThat(missing.has("stacktrace")).isFalse();
        assertThat(missing.has("error_value")).isFalse();
    }

    @Test
    void aBulkRequestRunsItsAllowedPartsAndRefusesTheRest() throws Exception {
        HttpResponse<String> answer = post("[" + exec(camelContextMBean(), "stop") + ",{\"type\":\"read\",\"mbean\":\""
                + ownMBean("Inbox") + "\",\"attribute\":\"Pending\"}]");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode results = JSON.readTree(answer.body());
        assertThat(results.get(0).path("status").asInt()).isEqualTo(403);
        assertThat(results.get(1).path("status").asInt()).isEqualTo(200);
        assertCamelRunsUntouched();
    }

    @Test
    void aRefusedRequestIsLoggedOnceAtWarnWithoutTheArgumentsItCarried() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(GuardedJolokia.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            assertForbidden(post(exec(camelContextMBean(), "sendBody", "kamelet:feishu-openapi-action?api=x&method=POST&path=/open-apis/x", APP_SECRET)), "sendBody");
        } finally {
            logger.detachAppender(log);
        }
        assertThat(log.list).hasSize(1);
        assertThat(log.list.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(log.list.get(0).getFormattedMessage()).contains("sendBody").doesNotContain(APP_SECRET);
    }

    @Test
    void requestsSentByAWebPageOfAnotherOriginAreRefused() throws Exception {
        TenantTokenCache tokens = tokens();
        tokens.token();
        String invalidate = exec(ownMBean("TenantToken"), "invalidate");
        String evil = "http://evil.example";
        assertRefused(send(HttpRequest.newBuilder(management("/observe/health")).header("Origin", evil)), "foreign_origin");
        assertRefused(send(HttpRequest.newBuilder(management("/observe/metrics")).header("Origin", evil)), "foreign_origin");
        assertRefused(send(HttpRequest.newBuilder(management("/observe/jolokia/read/" + ownMBean("Inbox")))
                .header("Origin", evil)), "foreign_origin");
        // the "simple" request a page may send anywhere without asking: a text/plain POST
        assertRefused(send(HttpRequest.newBuilder(management("/observe/jolokia")).header("Origin", evil)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(invalidate))), "foreign_origin");
        assertRefused(send(HttpRequest.newBuilder(management("/observe/jolokia")).header("Origin", "null")
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(invalidate))), "foreign_origin");
        // an <img> or <script> GET carries no Origin, but a browser names its site
        assertRefused(send(HttpRequest.newBuilder(management("/observe/jolokia/exec/" + ownMBean("TenantToken") + "/invalidate"))
                .header("Sec-Fetch-Site", "cross-site")), "foreign_origin");
        assertThat(tokens.expiresAt()).as("the tenant token was not dropped").isNotNull();

        // a page of the attacker's domain, re-pointed at 127.0.0.1 (DNS rebinding), is its own origin but not our host
        int port = management("/").getPort();
        String rebound = rawGet("evil.example:" + port, "/observe/jolokia/read/" + ownMBean("Inbox"));
        assertThat(rebound).startsWith("HTTP/1.1 403").contains("\"error\":\"foreign_host\"");
        assertThat(rawGet("localhost:" + port, "/observe/health")).startsWith("HTTP/1.1 200");

        String own = "http://127.0.0.1:" + port;
        assertThat(send(HttpRequest.newBuilder(management("/observe/health")).header("Origin", own)).statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(management("/observe/health")).header("Sec-Fetch-Site", "same-origin"))
                .statusCode()).isEqualTo(200);
    }

    @Test
    void theProjectsOwnOperationsStillRun() throws Exception {
        JsonNode replay = JSON.readTree(post(exec(ownMBean("DeadLetters"), "replay", "no-such-dead-letter")).body());
        // the operation ran and failed as the API fails: no such dead letter
        assertThat(replay.path("status").asInt()).isEqualTo(400);
        assertThat(replay.path("error").asText()).startsWith("not_found");

        JsonNode sweep = JSON.readTree(post(exec(ownMBean("QrCodes"), "runSweepNow")).body());
        assertThat(sweep.path("status").asInt()).isEqualTo(200);
        assertThat(sweep.path("value").isInt()).isTrue();

        TenantTokenCache tokens = tokens();
        tokens.token();
        JsonNode invalidate = JSON.readTree(get("/observe/jolokia/exec/" + ownMBean("TenantToken") + "/invalidate").body());
        assertThat(invalidate.path("status").asInt()).isEqualTo(200);
        assertThat(tokens.expiresAt()).isNull();
    }

    @Test
    void healthAndMetricsStillAnswer() throws Exception {
        HttpResponse<String> health = get("/observe/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("UP");
        HttpResponse<String> metrics = get("/observe/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("camel_exchanges_total");
    }

    private static String basic(String credentials) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void withAManagementTokenEveryManagementPathAsksForIt(@TempDir Path own) throws Exception {
        String token = secret("management-token");
        try (TestBridge guarded = TestBridge.start(own, Map.of("hrb.management.token", token))) {
            for (String path : List.of("/observe/health", "/observe/metrics", "/observe/jolokia/version",
                    "/observe/jolokia/read/java.lang:type=Memory/HeapMemoryUsage")) {
                URI uri = guarded.management(path);
                for (String authorization : new String[]{null, "Bearer wrong-" + token, "Bearer ", token, "Basic " + token,
                        "Bearer " + token + "x", basic("operator:" + token + "x"), basic(token), basic("operator:"),
                        basic(":" + token.substring(1)), "Basic !!not-base64!!", "Basic "}) {
                    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
                    if (authorization != null) {
                        request.header("Authorization", authorization);
                    }
                    HttpResponse<String> refused = send(request);
                    assertThat(refused.statusCode()).as(path + " with " + authorization).isEqualTo(401);
                    assertThat(JSON.readTree(refused.body()).path("error").asText()).isEqualTo("unauthorized");
                    assertThat(refused.headers().allValues("WWW-Authenticate")).containsExactly(
                            "Bearer realm=\"HR Bridge management\"", "Basic realm=\"HR Bridge management\", charset=\"UTF-8\"");
                }
                HttpResponse<String> allowed = send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token));
                assertThat(allowed.statusCode()).as(path).isEqualTo(200);
                // a browser's Basic authentication, the token as the password and any user name
                for (String user : List.of("operator", "", "an operator")) {
                    assertThat(send(HttpRequest.newBuilder(uri).header("Authorization", basic(user + ":" + token))).statusCode())
                            .as(path + " as " + user).isEqualTo(200);
                }
            }
            HttpResponse<String> exec = send(HttpRequest.newBuilder(guarded.management("/observe/jolokia"))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(exec("dev.hrbridge:context="
                            + guarded.bridge().context().getManagementName() + ",type=QrCodes", "runSweepNow"))));
            assertThat(JSON.readTree(exec.body()).path("status").asInt()).isEqualTo(200);
        }
    }

    @Test
    void aShortManagementTokenStopsTheStartWithoutShowingIt(@TempDir Path own) {
        assertThatThrownBy(() -> TestBridge.start(own, Map.of("hrb.management.token", "short one")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("hrb.management.token (HRB_MANAGEMENT_TOKEN) must be at least 16")
                .hasMessageNotContaining("short one");
    }

    @Test
    void prodRefusesAManagementPortBeyondLoopbackWithoutAToken(@TempDir Path own) {
        Map<String, String> prod = new LinkedHashMap<>();
        prod.put("hrb.profile", "prod");
        prod.put("feishu.app-id", APP_ID);
        prod.put("feishu.app-secret", APP_SECRET);
        prod.put("feishu.encrypt-key", ENCRYPT_KEY);
        prod.put("hrb.api.token", API_TOKEN);
        prod.put("hrb.management.host", "0.0.0.0");
        assertThatThrownBy(() -> TestBridge.start(own, prod))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("hrb.management.token (HRB_MANAGEMENT_TOKEN)")
                .hasMessageContaining("hrb.management.host (HRB_MANAGEMENT_HOST) is '0.0.0.0'");
    }

    private static void assertCamelRunsUntouched() {
        assertThat(bridge.bridge().context().getStatus()).isEqualTo(ServiceStatus.Started);
        assertThat(bridge.bridge().context().getRoutes()).hasSizeGreaterThan(20);
        for (Route route : bridge.bridge().context().getRoutes()) {
            assertThat(bridge.bridge().context().getRouteController().getRouteStatus(route.getRouteId()))
                    .as(route.getRouteId()).isEqualTo(ServiceStatus.Started);
        }
    }

    private static void assertNoSecretIn(List<String> answers) {
        for (String answer : answers) {
            for (String secret : secrets) {
                assertThat(answer).doesNotContain(secret);
            }
        }
    }

    private static void assertForbidden(HttpResponse<String> answer, String mentioned) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(403);
        JsonNode error = JSON.readTree(answer.body());
        assertThat(error.path("error").asText()).isEqualTo("forbidden");
        assertThat(error.path("message").asText()).contains(mentioned);
    }

    private static void assertRefused(HttpResponse<String> answer, String error) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(403);
        assertThat(JSON.readTree(answer.body()).path("error").asText()).isEqualTo(error);
    }

    private static String camelContextMBean() {
        return "org.apache.camel:context=" + context + ",type=context,name=\"" + bridge.bridge().context().getName() + "\"";
    }

    private static String ownMBean(String type) {
        return "dev.hrbridge:context=" + context + ",type=" + type;
    }

    private static TenantTokenCache tokens() {
        return bridge.bridge().context().getRegistry().lookupByNameAndType("tenantTokenCache", TenantTokenCache.class);
    }

    private static String exec(String mbean, String operation, Object... arguments) {
        ObjectNode request = JSON.createObjectNode().put("type", "exec").put("mbean", mbean).put("operation", operation);
        request.set("arguments", JSON.valueToTree(arguments));
        return request.toString();
    }

    private static URI management(String path) {
        return bridge.management(path);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(management(path)));
    }

    private static HttpResponse<String> post(String body, String... query) throws Exception {
        String uri = "/observe/jolokia" + (query.length == 0 ? "" : "?" + String.join("&", query));
        return send(HttpRequest.newBuilder(management(uri)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return TestBridge.HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with a Host header of our choosing, which the JDK's client does not allow. */
    private static String rawGet(String host, String path) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), management("/").getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
