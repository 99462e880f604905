package dev.hrbridge.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.BuriedEvents;
import dev.hrbridge.TestBridge;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Failures as operators meet them: an operation of HR Bridge's MBeans that cannot do what it was asked fails as a
 * failure (a JMX client gets an exception of the JDK with the reason, Jolokia an error status and {@code error_type},
 * neither a stack trace), and a degraded check says so in the health answer that lists each check.
 */
class MBeanOperationFailuresTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @TempDir
    static Path dir;
    static TestBridge bridge;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of("feishu.event-mode", "both"));
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @Test
    void fullHealthShowsADeadLetterCheckDegradedWhileStayingUp() throws Exception {
        JsonNode before = deadLettersCheck();
        assertThat(before.path("status").asText()).isEqualTo("UP");
        BuriedEvents.bury(bridge);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode check = deadLettersCheck();
            assertThat(check.path("status").asText()).isEqualTo("UP");
            assertThat(check.path("message").asText()).matches("degraded: \\d+ new dead letter\\(s\\) since .*");
        });
    }

    /** The dead-letters check as {@code ?exposureLevel=full} shows it, without {@code data=true}. */
    private static JsonNode deadLettersCheck() throws Exception {
        JsonNode health = JSON.readTree(bridge.get(bridge.management("/observe/health?exposureLevel=full")).body());
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals("dead-letters")) {
                return check;
            }
        }
        throw new AssertionError("no dead-letters check in " + health);
    }

    @Test
    void replayingAnUnknownDeadLetterFailsAsNotFound() throws Exception {
        RuntimeMBeanException jmx = catchThrowableOfType(RuntimeMBeanException.class,
                () -> JMX.invoke(mbean("DeadLetters"), "replay", new Object[]{"no-such-dead-letter"}, new String[]{"java.lang.String"}));
        assertThat(jmx.getTargetException()).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("not_found: dead letter no-such-dead-letter not found").hasNoCause();
        assertThat(jmx.getTargetException().getStackTrace()).isEmpty();

        JsonNode jolokia = exec("DeadLetters", "replay", "no-such-dead-letter");
        assertThat(jolokia.path("status").asInt()).isEqualTo(400);
        assertThat(jolokia.path("error_type").asText()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(jolokia.path("error").asText()).contains("not_found: dead letter no-such-dead-letter not found");
        assertThat(jolokia.has("value")).isFalse();
        assertThat(jolokia.toString()).doesNotContain("stacktrace").doesNotContain("\\tat ");
    }

    @Test
    void replayingADeadLetterTwiceFailsTheSecondTimeAsTheApiAnswers409() throws Exception {
        String letter = BuriedEvents.bury(bridge);
        JsonNode first = exec("DeadLetters", "replay", letter);
        assertThat(first.path("status").asInt()).isEqualTo(200);
        assertThat(first.path("value").asText()).contains("\"state\":\"replayed\"");

        JsonNode second = exec("DeadLetters", "replay", letter);
        assertThat(second.path("status").asInt()).isEqualTo(409);
        assertThat(second.path("error_type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(second.path("error").asText()).contains("already_replayed");
        RuntimeMBeanException jmx = catchThrowableOfType(RuntimeMBeanException.class,
                () -> JMX.invoke(mbean("DeadLetters"), "replay", new Object[]{letter}, new String[]{"java.lang.String"}));
        assertThat(jmx.getTargetException()).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("already_replayed: ");
    }

    @Test
    void aBlankIdIsRefusedBeforeAnythingIsLookedUp() throws Exception {
        JsonNode blank = exec("DeadLetters", "replay", " ");
        assertThat(blank.path("status").asInt()).isEqualTo(400);
        assertThat(blank.path("error").asText()).contains("invalid_field");
    }

    @Test
    void droppingTheTokenOfAnAppThatIsNotConfiguredFailsNamingTheApps() throws Exception {
        JsonNode unknown = exec("TenantToken", "invalidateTenant", "no-such-app", "tenant-x");
        assertThat(unknown.path("status").asInt()).isEqualTo(400);
        assertThat(unknown.path("error").asText()).contains("no Feishu app is named 'no-such-app'").contains("default");
        // an app that is configured but holds no token of that tenant is an answer, not a failure
        JsonNode none = exec("TenantToken", "invalidateTenant", "store", "tenant-nobody");
        assertThat(none.path("status").asInt()).isEqualTo(200);
        assertThat(none.path("value").asBoolean()).isFalse();
    }

    @Test
    void reconnectingALongConnectionWhoseRouteIsStoppedFails() throws Exception {
        ObjectName connection = new ObjectName(mbean("LongConnection").getCanonicalName() + ",app=default");
        await().atMost(Duration.ofSeconds(20)).until(() -> "CONNECTED".equals(JMX.getAttribute(connection, "State")));
        bridge.bridge().context().getRouteController().stopRoute("feishu-long-connection");
        try {
            RuntimeMBeanException jmx = catchThrowableOfType(RuntimeMBeanException.class,
                    () -> JMX.invoke(connection, "reconnect", new Object[0], new String[0]));
            assertThat(jmx.getTargetException()).isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is STOPPED with its route");
        } finally {
            bridge.bridge().context().getRouteController().startRoute("feishu-long-connection");
        }
    }

    private static ObjectName mbean(String type) throws Exception {
        return new ObjectName("dev.hrbridge:context=" + bridge.bridge().context().getManagementName() + ",type=" + type);
    }

    private static JsonNode exec(String type, String operation, String... arguments) throws Exception {
        Map<String, Object> request = Map.of("type", "exec", "mbean", mbean(type).getCanonicalName(),
                "operation", operation, "arguments", List.of(arguments));
        HttpResponse<String> answer = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.management("/observe/jolokia"))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(answer.body());
    }
}
