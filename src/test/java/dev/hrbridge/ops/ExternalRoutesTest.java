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
import dev.hrbridge.tools.RouteTools;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    void anEventRouterReplacedFromTheDirectoryRunsForTypesOnlyItsOwnBranchesKnow() throws Exception {
        // the packaged router has no branch for this type: stored UNHANDLED without running it
        assertThat(outcomeOf("test.own_branch_v1")).isEqualTo("no_flow_for_event_type");
        Files.writeString(routes.resolve("event-router.camel.yaml"), """
                - route:
                    id: event-router
                    from:
                      uri: direct:event-router
                      steps:
                        - choice:
                            when:
                              - simple: "${header.HrbEventType} == 'test.own_branch_v1'"
                                steps:
                                  - setHeader:
                                      name: HrbOutcome
                                      constant: own_branch
                            otherwise:
                              steps:
                                - setHeader:
                                    name: HrbFinalState
                                    constant: UNHANDLED
                """);
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.bridge().context().getRoute("event-router")
                .getSourceResource().getLocation().startsWith("file:"));
        assertThat(outcomeOf("test.own_branch_v1")).isEqualTo("own_branch");
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
                .getFormattedMessage()).contains("eco-override.camel.yaml:4: ");
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
    void aReloadThatValidateRejectsIsRefusedWithTheMessageValidatePrints() throws Exception {
        Path file = routes.resolve("broken.camel.yaml");
        Files.writeString(file, route("on-test.broken_v1", "direct:on-test.broken_v1", "never")
                .replace("- setHeader:", "- process:\n            ref: apiTokenChek\n        - setHeader:"));
        await().atMost(Duration.ofSeconds(20)).until(() -> log.list.stream().anyMatch(e ->
                e.getFormattedMessage().contains("broken.camel.yaml was not loaded")));

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = RouteTools.run(new String[]{"validate", file.toString()}, new PrintStream(printed, true, StandardCharsets.UTF_8),
                System.err);
        String problem = printed.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertThat(status).isEqualTo(1);
        assertThat(problem).isEqualTo(file + ":6: no bean named 'apiTokenChek' (did you mean 'apiTokenCheck'?)");
        assertThat(log.list.stream().filter(e -> e.getFormattedMessage().contains("broken.camel.yaml was not loaded"))
                .findFirst().orElseThrow().getFormattedMessage()).endsWith(": " + problem);
        assertThat(bridge.bridge().context().getRoute("on-test.broken_v1")).isNull();
        assertThat(outcomeOf("test.broken_v1")).isEqualTo("no_flow_for_event_type");
    }

    @Test
    void aSecondFileTakingAnotherFilesRouteIdIsRefused() throws Exception {
        Files.writeString(routes.resolve("eco-again.camel.yaml"), route("eco-account-created", "direct:eco-account-created",
                "second_file"));
        await().atMost(Duration.ofSeconds(20)).until(() -> log.list.stream().anyMatch(e ->
                e.getFormattedMessage().contains("eco-again.camel.yaml was not loaded")));

        assertThat(log.list.stream().filter(e -> e.getFormattedMessage().contains("eco-again.camel.yaml was not loaded"))
                .findFirst().orElseThrow().getFormattedMessage())
                .contains("route id 'eco-account-created' is used twice: also at " + routes.resolve("eco-override.camel.yaml") + ":1");
        assertThat(outcomeOf("hire.eco_account.created_v1")).isEqualTo("replaced_from_directory");
    }

    @Test
    void aRouteThatCannotStartIsRolledBackToTheOneBefore() throws Exception {
        // passes the checks (a simple expression's syntax is Camel's to judge when the route starts), fails to start
        Files.writeString(routes.resolve("eco-override.camel.yaml"), route("eco-account-created", "direct:eco-account-created",
                "never").replace("- setHeader:", "- filter:\n            simple: \"${header.unclosed\"\n"
                + "            steps:\n              - log: x\n        - setHeader:"));
        await().atMost(Duration.ofSeconds(20)).until(() -> log.list.stream().anyMatch(e ->
                e.getFormattedMessage().contains("was not loaded")));
        assertThat(outcomeOf("hire.eco_account.created_v1")).isEqualTo("replaced_from_directory");
    }

    @Test
    void aFileNamingAPlatformRouteIsRefusedWholeAndTheIngressKeepsServing() throws Exception {
        Files.writeString(routes.resolve("ingress.camel.yaml"),
                route("on-test.sneaked_in_v1", "direct:on-test.sneaked_in_v1", "sneaked_in")
                + route("feishu-webhook-receive", "direct:feishu-webhook-receive", "hijacked"));
        ILoggingEvent line = notLoaded("ingress.camel.yaml");

        assertThat(line.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
        assertThat(line.getFormattedMessage()).contains("route id 'feishu-webhook-receive' is HR Bridge's own platform route");
        // the webhook still stores and routes events, and nothing of the refused file runs
        assertThat(outcomeOf("hire.eco_account.created_v1")).isEqualTo("replaced_from_directory");
        assertThat(outcomeOf("test.sneaked_in_v1")).isEqualTo("no_flow_for_event_type");
        assertThat(bridge.bridge().context().getRoute("feishu-webhook-receive").getGroup()).isEqualTo("platform");
    }

    @Test
    void everyPlatformRouteIsJavaInThePlatformGroupAndEveryPackagedFlowIsYaml() {
        List<String> platform = bridge.bridge().context().getRoutes().stream()
                .filter(r -> "platform".equals(r.getGroup())).map(Route::getRouteId).sorted().toList();
        assertThat(platform).containsExactly("feishu-app-webhook", "feishu-webhook", "feishu-webhook-receive", "inbox-poller",
                "inbox-purge", "qr-sweep", "runtime-heartbeat");
        assertThat(bridge.bridge().context().getRoute("events-api").getGroup()).isNull();
        assertThat(bridge.bridge().context().getRoute("offboarding-revoke").getGroup()).isNull();
    }

    @Test
    void anEngineersRouteCallsFeishuThroughTheKameletAndGetsTheClassifiedAnswer() throws Exception {
        Files.writeString(routes.resolve("revoke.camel.yaml"), """
                - route:
                    id: on-test.revoke_v1
                    from:
                      uri: direct:on-test.revoke_v1
                      steps:
                        - setBody:
                            constant: '{"offboarding_id":"7000000000000000042"}'
                        - to:
                            uri: kamelet:feishu-openapi-action
                            parameters:
                              api: corehr.offboardings.revoke
                              method: POST
                              path: /open-apis/corehr/v2/offboardings/revoke?user_id_type=people_corehr_id
                              acceptedCodes: "1160202"
                              app: default
                        - setHeader:
                            name: HrbOutcome
                            simple: "feishu_${header.HrbHttpStatus}_${header.HrbPlatformCode}"
                """);
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.bridge().context().getRoute("on-test.revoke_v1") != null);

        // the sandbox's Feishu withdraws the offboarding, then answers 400 1160202 "already withdrawn": accepted here
        assertThat(outcomeOf("test.revoke_v1")).isEqualTo("feishu_200_0");
        assertThat(outcomeOf("test.revoke_v1")).isEqualTo("feishu_400_1160202");
    }

    @Test
    void aKameletCallWithoutARequiredParameterIsReportedWithItsNameAndNotLoaded() throws Exception {
        Files.writeString(routes.resolve("incomplete.camel.yaml"), """
                - route:
                    id: on-test.incomplete_v1
                    from:
                      uri: direct:on-test.incomplete_v1
                      steps:
                        - to:
                            uri: kamelet:feishu-openapi-action
                            parameters:
                              api: corehr.offboardings.revoke
                              path: /open-apis/corehr/v2/offboardings/revoke
                """);
        assertThat(notLoaded("incomplete.camel.yaml").getFormattedMessage())
                .contains("feishu-openapi-action").contains("needs parameter 'method'").contains("method");
        assertThat(outcomeOf("test.incomplete_v1")).isEqualTo("no_flow_for_event_type");
    }

    /** The log line reporting that {@code fileName} was not loaded, once it is written. */
    private ILoggingEvent notLoaded(String fileName) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> log.list.stream()
                .filter(e -> e.getFormattedMessage().contains(fileName + " was not loaded")).findFirst().orElse(null),
                java.util.Objects::nonNull);
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
