package dev.hrbridge.inbox;

import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.feishu.Fixtures;
import dev.hrbridge.inbox.InboxMessage.State;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLDataException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A flow whose data the database refuses (a value too long for its column, a broken constraint) fails the same way
 * however often it runs: the message ends FAILED with the reason at once, not after six retries and a dead letter.
 * A database that cannot be reached is a different matter, and is retried.
 */
class DataErrorsArePermanentTest {

    @TempDir
    static Path dir;
    static TestBridge bridge;
    static FeishuPush feishu;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir);
        bridge.bridge().context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:on-test.too_long_v1").routeId("on-test.too_long_v1")
                        .throwException(new SQLDataException("Value too long for column \"NAME CHARACTER VARYING(10)\"", "22001"));
                from("direct:on-test.constraint_v1").routeId("on-test.constraint_v1")
                        .throwException(new SQLIntegrityConstraintViolationException("NULL not allowed for column", "23502"));
                from("direct:on-test.unreachable_v1").routeId("on-test.unreachable_v1")
                        .throwException(new SQLTransientConnectionException("connection is not available", "08001"));
            }
        });
        feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @Test
    void aValueTooLongForItsColumnEndsFailedAfterOneAttemptWithoutADeadLetter() throws Exception {
        InboxMessage message = sendAndAwaitFinal("test.too_long_v1", "too-long-1");
        assertThat(message.state()).isEqualTo(State.FAILED);
        assertThat(message.attempts()).isEqualTo(1);
        assertThat(message.outcome()).isEqualTo("unstorable_data");
        assertThat(message.lastError()).contains("Value too long for column");
        assertThat(deadLetters().find(null, null, null, 100)).noneMatch(letter -> letter.messageId().equals(message.id()));
    }

    @Test
    void aBrokenConstraintEndsFailedAfterOneAttempt() throws Exception {
        InboxMessage message = sendAndAwaitFinal("test.constraint_v1", "constraint-1");
        assertThat(message.state()).isEqualTo(State.FAILED);
        assertThat(message.attempts()).isEqualTo(1);
    }

    @Test
    void anUnreachableDatabaseIsRetried() throws Exception {
        assertThat(feishu.plain(FeishuPush.v2Event("test.unreachable_v1", "unreachable-1", "t", "{}")).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            InboxMessage message = find("test.unreachable_v1", "unreachable-1").orElseThrow();
            assertThat(message.state()).isEqualTo(State.PENDING);
            assertThat(message.attempts()).isEqualTo(1);
            assertThat(message.lastError()).contains("connection is not available");
        });
    }

    @Test
    void anEcoAccountIdLongerThanItsColumnIsUnhandledAtOnce() throws Exception {
        String event = Fixtures.read("event-eco-account-created.json")
                .replace("\"6931286400470354183\"", "\"" + "6".repeat(5000) + "\"")
                .replace("5e3702a84e847582be8db7fb73283c02", "eco-too-long-1");
        assertThat(feishu.plain(event).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            InboxMessage message = find("hire.eco_account.created_v1", "eco-too-long-1").orElseThrow();
            assertThat(message.state()).isEqualTo(State.UNHANDLED);
            assertThat(message.attempts()).isEqualTo(1);
            assertThat(message.outcome()).isEqualTo("invalid_eco_account_event");
        });
    }

    private static InboxMessage sendAndAwaitFinal(String type, String eventId) throws Exception {
        assertThat(feishu.plain(FeishuPush.v2Event(type, eventId, "t", "{}")).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> find(type, eventId)
                .filter(m -> m.state() != State.PENDING && m.state() != State.PROCESSING).isPresent());
        return find(type, eventId).orElseThrow();
    }

    private static Optional<InboxMessage> find(String type, String eventId) throws Exception {
        return bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class)
                .findByDedupKey("feishu:" + FeishuPush.APP_ID + ":" + type + ":" + eventId);
    }

    private static DeadLetters deadLetters() {
        return bridge.bridge().context().getRegistry().lookupByNameAndType("deadLetters", DeadLetters.class);
    }
}
