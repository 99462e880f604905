package dev.hrbridge.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static dev.hrbridge.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Integration engineers add and replace routes from a directory, while HR Bridge runs, without a rebuild. */
class ExternalRoutesTest {

    @TempDir
    Path dir;
    private Path routes;
    private TestBridge bridge;
    private FeishuPush feishu;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("eco-override.camel.yaml"), route("eco-account-created", "direct:eco-account-created",
                "replaced_from_directory"));
        ((Logger) LoggerFactory.getLogger(ExternalRoutes.class)).addAppender(log);
        log.start();
        bridge = TestBridge.start(dir, Map.of("hrb.routes.dir", routes.toString(), "hrb.routes.reload", "true"));
        feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
    }

    @AfterEach
    void stop() {
        bridge.close();
        ((Logger) LoggerFactory.getLogger(ExternalRoutes.class)).detachAppender(log);
    }

    @Test
    void aRouteInTheDirectoryReplacesThePackagedRouteWithItsId() throws Exception {
        assertThat(outcomeOf("hire.eco_account.created_v1")).isEqualTo("replaced_from_directory");
    }

    @Test
    void aRouteDroppedInAtRuntimeHandlesTheNextEventOfANewType() throws Exception {
        assertThat(outcomeOf("test.greeting_v1")).isEqualTo("no_flow_for_event_type");
        Files.writeString(routes.resolve("greeting.camel.yaml"),
                route("on-test.greeting_v1", "direct:on-test.greeting_v1", "greeted"));
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.bridge().context().getRoute("on-test.greeting_v1") != null);
        assertThat(outcomeOf("test.greeting_v1")).isEqualTo("greeted");
    }

    @Test
    void aFlowDroppedInIsNamedByItsRouteAndPausedByThatName() throws Exception {
        Files.writeString(routes.resolve("greeting.camel.yaml"),
                route("on-test.paused_v1", "direct:on-test.paused_v1", "greeted"));
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.bridge().context().getRoute("on-test.paused_v1") != null);
        ApiClient api = new ApiClient(bridge, "sandbox-token");

        assertThat(json(api.post("/api/v1/flows/on-test.paused_v1/pause", null)).path("event_types"))
                .extracting(JsonNode::asText).containsExactly("test.paused_v1");
        String eventId = UUID.randomUUID().toString();
        assertThat(feishu.plain(FeishuPush.v2Event("test.paused_v1", eventId, "t", "{}")).statusCode()).isEqualTo(200);
        String key = "feishu:cli_9f5343c580712544:test.paused_v1:" + eventId;
        InboxRepository inbox = bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
        InboxMessage waiting = await().atMost(Duration.ofSeconds(10)).until(() -> inbox.findByDedupKey(key).orElse(null),
                m -> m != null && InboxRepository.PARKED.equals(m.nextAttemptAt()));
        assertThat(waiting.state()).isEqualTo(InboxMessage.State.PENDING);

        api.post("/api/v1/flows/on-test.paused_v1/resume", null);

        JsonNode story = await().atMost(Duration.ofSeconds(10)).until(() -> api.getJson("/api/v1/events/" + waiting.id()),
                event -> event.path("state").asText().equals("SUCCEEDED"));
        assertThat(story.path("flow").asText()).isEqualTo("on-test.paused_v1");
        assertThat(story.path("attempt_history").get(0).path("flow").asText()).isEqualTo("on-test.paused_v1");
        assertThat(story.path("attempt_history").get(0).path("outcome").asText()).isEqualTo("greeted");
    }

    @Test
    void aBrokenFileIsReportedWithItsNameAndTheOldRoutesKeepServing() throws Exception {
        Files.writeString(routes.resolve("eco-override.camel.yaml"), "- route:\n    id: eco-account-created\n    from: [unclosed\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> log.list.stream().anyMatch(e ->
                e.getFormattedMessage().contains("eco-override.camel.yaml was not loaded")));
        assertThat(log.list.stream().filter(e -> e.getFormattedMessage().contains("was not loaded")).findFirst().orElseThrow()
                .getFormattedMessage()).containsIgnoringCase("line");
        assertThat(outcomeOf("hire.eco_account.created_v1")).isEqualTo("replaced_from_directory");
    }

    @Test
    void aFileWrittenInStepsIsLoadedOnceComplete() throws Exception {
        String yaml = route("on-test.steps_v1", "direct:on-test.steps_v1", "written_in_steps");
        Path file = routes.resolve("steps.camel.yaml");
        try (var out = Files.newBufferedWriter(file)) {
            out.write(yaml, 0, yaml.length() / 2);
            out.flush();
            Thread.sleep(ExternalRoutes.QUIET.toMillis() / 3); // an editor between two writes, not a wait for a result
            out.write(yaml, yaml.length() / 2, yaml.length() - yaml.length() / 2);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.bridge().context().getRoute("on-test.steps_v1") != null);
        assertThat(outcomeOf("test.steps_v1")).isEqualTo("written_in_steps");
        assertThat(log.list).noneMatch(e -> e.getFormattedMessage().contains("was not loaded"));
    }

    @Test
    void aRouteThatCannotStartIsRolledBackToTheOneBefore() throws Exception {
        Files.writeString(routes.resolve("eco-override.camel.yaml"), route("eco-account-created", "direct:eco-account-created",
                "never").replace("- setHeader:", "- to: \"no-such-component:x\"\n        - setHeader:"));
        await().atMost(Duration.ofSeconds(20)).until(() -> log.list.stream().anyMatch(e ->
                e.getFormattedMessage().contains("was not loaded")));
        assertThat(outcomeOf("hire.eco_account.created_v1")).isEqualTo("replaced_from_directory");
    }

    private String outcomeOf(String eventType) throws Exception {
        String eventId = UUID.randomUUID().toString();
        assertThat(feishu.plain(FeishuPush.v2Event(eventType, eventId, "t", "{}")).statusCode()).isEqualTo(200);
        InboxRepository inbox = bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
        String key = "feishu:cli_9f5343c580712544:" + eventType + ":" + eventId;
        return await().atMost(Duration.ofSeconds(10)).until(() -> inbox.findByDedupKey(key).orElse(null),
                m -> m != null && m.state() != InboxMessage.State.PENDING && m.state() != InboxMessage.State.PROCESSING).outcome();
    }

    private static String route(String id, String from, String outcome) {
        return "- route:\n"
                + "    id: " + id + "\n"
                + "    from:\n"
                + "      uri: " + from + "\n"
                + "      steps:\n"
                + "        - setHeader:\n"
                + "            name: HrbOutcome\n"
                + "            constant: " + outcome + "\n";
    }
}
