package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.db.StorageFiles;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.inbox.InboxMessage.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The embedded inbox's journal: acknowledged events reach the table, across a killed run, and the files go away. */
class InboxJournalTest {

    /** The eco flow ends an event without an account UNHANDLED: an event type with a flow, which runs (one without is UNHANDLED at once). */
    private static final String TYPE = "hire.eco_account.created_v1";

    @TempDir
    Path dir;

    @Test
    void eventsAKilledRunLeftInTheJournalAreMovedInAtStartAndItsTornLastRecordIsDropped() throws Exception {
        Path journalDir = dir.resolve("hrb.inbox-journal");
        InboxJournal journal = new InboxJournal(journalDir, 1 << 20, false, 100, keys -> Set.of(), new StorageFiles());
        for (String id : List.of("left-1", "left-2", "left-3")) {
            journal.append(event(id)).get();
        }
        journal.close();
        Path segment = segments(journalDir).get(0);
        // a writer killed in the middle of a record: a header that promises more bytes than follow
        Files.write(segment, ByteBuffer.allocate(12).putInt(500).putInt(42).putInt(7).array(), StandardOpenOption.APPEND);

        try (TestBridge bridge = TestBridge.start(dir)) {
            InboxRepository inbox = repository(bridge);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (String id : List.of("left-1", "left-2", "left-3")) {
                    assertThat(inbox.findByDedupKey(key(id))).get().extracting(InboxMessage::state)
                            .isEqualTo(State.UNHANDLED);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(segment));
            assertThat(segments(journalDir)).hasSize(1);
        }
    }

    @Test
    void aFullSegmentIsDeletedOnceEveryEventInItIsInTheTable() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir, Map.of("hrb.inbox.journal.segment-bytes", "1048576"))) {
            FeishuPush feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
            String padding = "x".repeat(8000);
            for (int i = 0; i < 150; i++) {
                HttpResponse<String> answer = feishu.plain(FeishuPush.v2Event(TYPE, "big-" + i, "t",
                        "{\"padding\":\"" + padding + "\"}"));
                assertThat(answer.statusCode()).isEqualTo(200);
            }
            InboxRepository inbox = repository(bridge);
            awaitAll(inbox, IntStream.range(0, 150).mapToObj(i -> "big-" + i).toList(), Duration.ofSeconds(15), m -> true);
            // 1.2 MB of events filled the first 1 MiB segment; only the one being written stays
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(segments(dir.resolve("hrb.inbox-journal"))).hasSize(1));
        }
    }

    @Test
    void withTheJournalSwitchedOffAnEventIsInTheTableWhenItIsAcknowledged() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir, Map.of("hrb.inbox.journal.enabled", "false"))) {
            FeishuPush feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
            assertThat(feishu.plain(FeishuPush.v2Event(TYPE, "direct-1", "t", "{}")).statusCode()).isEqualTo(200);
            assertThat(repository(bridge).findByDedupKey(key("direct-1"))).isPresent();
            assertThat(dir.resolve("hrb.inbox-journal")).doesNotExist();
        }
    }

    @Test
    void eventsHeldBackDuringABurstOfAcknowledgementsAreProcessedOnceItEnds() throws Exception {
        // a threshold any sequence of local webhook calls exceeds
        try (TestBridge bridge = TestBridge.start(dir, Map.of("hrb.inbox.journal.hold-above", "10"))) {
            FeishuPush feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
            Inbox inbox = inbox(bridge);
            int backlogAtTheEnd = 0;
            for (int i = 0; i < 300; i++) {
                assertThat(feishu.plain(FeishuPush.v2Event(TYPE, "burst-" + i, "t", "{}")).statusCode()).isEqualTo(200);
                backlogAtTheEnd = inbox.journalBacklog();
            }
            assertThat(backlogAtTheEnd).as("events acknowledged and still in the journal").isGreaterThan(150);
            InboxRepository repository = repository(bridge);
            awaitAll(repository, IntStream.range(0, 300).mapToObj(i -> "burst-" + i).toList(), Duration.ofSeconds(15),
                    m -> m.state() == State.UNHANDLED);
            assertThat(inbox.journalBacklog()).isZero();
        }
    }

    @Test
    void aBurstBeyondHalfTheMaxBacklogMovesIntoTheTableAndWaitsThereUntilItEnds() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir, Map.of("hrb.inbox.journal.hold-above", "10",
                "hrb.inbox.journal.max-backlog", "1000"))) {
            FeishuPush feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
            Inbox inbox = inbox(bridge);
            InboxRepository repository = repository(bridge);
            List<String> ids = IntStream.range(0, 1000).mapToObj(i -> "long-" + i).toList();
            for (String id : ids) {
                assertThat(feishu.plain(FeishuPush.v2Event(TYPE, id, "t", "{}")).statusCode()).isEqualTo(200);
            }
            assertThat(inbox.journalBacklog()).as("the journal's share, about half the max backlog").isLessThanOrEqualTo(600);
            assertThat(count(repository, ids, m -> m.state() == State.PENDING)).as("moved into the table, not processed")
                    .isGreaterThan(200);
            awaitAll(repository, ids, Duration.ofSeconds(20), m -> m.state() == State.UNHANDLED);
        }
    }

    @Test
    void whileAHoldIsOnTheNodeClaimsNoNewWorkAndTakesItUpOnceTheHoldEnds() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir)) {
            Inbox inbox = inbox(bridge);
            InboxRepository repository = repository(bridge);
            AtomicBoolean holding = hold(inbox);
            List<String> ids = IntStream.range(0, 20).mapToObj(i -> "held-" + i).toList();
            assertThat(inbox.storeAll(ids.stream().map(InboxJournalTest::event).toList())).doesNotContain(false);
            // a single store is not claimed by this node either while the hold is on
            assertThat(inbox.store(event("held-single"))).isTrue();
            assertThat(inbox.dispatcher().pollOnce()).isZero();
            for (String id : ids) {
                assertThat(find(repository, id)).get().extracting(InboxMessage::state).isEqualTo(State.PENDING);
            }
            InboxMessage single = find(repository, "held-single").orElseThrow();
            assertThat(single.state()).isEqualTo(State.PENDING);
            assertThat(single.attempts()).isZero();
            assertThat(single.lastError()).isNull();
            holding.set(false);
            awaitAll(repository, ids, Duration.ofSeconds(10), m -> m.state() == State.UNHANDLED);
        }
    }

    @Test
    void workClaimedAtStoreButNotStartedWhenAHoldBeginsIsHandedBackAndRunsAfterIt() throws Exception {
        try (TestBridge bridge = TestBridge.start(dir)) {
            Inbox inbox = inbox(bridge);
            InboxRepository repository = repository(bridge);
            List<String> ids = IntStream.range(0, 20).mapToObj(i -> "claimed-" + i).toList();
            // stored as claimed by this node's free workers, as when there was room at the commit
            List<InboxMessage.New> claimed = ids.stream().map(id -> event(id).claimedBy(inbox.dispatcher().nodeId())).toList();
            repository.write(claimed, List.of(), Duration.ofMinutes(1), Instant.now());
            // the hold begins before they start
            AtomicBoolean holding = hold(inbox);
            claimed.forEach(message -> inbox.dispatcher().run(message.asClaimed(Instant.now())));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (String id : ids) {
                    InboxMessage message = find(repository, id).orElseThrow();
                    assertThat(message.state()).isEqualTo(State.PENDING);
                    assertThat(message.attempts()).isZero();
                    assertThat(message.lastError()).isEqualTo("handed back: burst hold");
                }
            });
            holding.set(false);
            awaitAll(repository, ids, Duration.ofSeconds(10), m -> m.state() == State.UNHANDLED && m.attempts() == 1);
        }
    }

    @Test
    void aRecordTheTableRefusesIsSetAsideAndTheThousandEventsBehindItAreProcessed() throws Exception {
        // acknowledged by a run whose reader let a 5,000-character event id through: the table refuses it for ever
        InboxMessage.New refused = event("e".repeat(5000));
        InboxJournal journal = new InboxJournal(dir.resolve("hrb.inbox-journal"), 1 << 20, false, 100, keys -> Set.of(),
                new StorageFiles());
        journal.append(refused).get();
        journal.close();

        try (TestBridge bridge = TestBridge.start(dir)) {
            FeishuPush feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
            List<String> ids = IntStream.range(0, 1000).mapToObj(i -> "behind-" + i).toList();
            for (String id : ids) {
                assertThat(feishu.plain(FeishuPush.v2Event(TYPE, id, "t", "{}")).statusCode()).isEqualTo(200);
            }
            awaitAll(repository(bridge), ids, Duration.ofSeconds(60), m -> m.state() == State.UNHANDLED);

            ApiClient api = new ApiClient(bridge, "sandbox-token");
            JsonNode listed = api.getJson("/api/v1/dead-letters");
            assertThat(listed.path("items")).anySatisfy(item -> {
                assertThat(item.path("id").asText()).isEqualTo(refused.id());
                assertThat(item.path("kind").asText()).isEqualTo("ingest");
            });
            JsonNode letter = api.getJson("/api/v1/dead-letters/" + refused.id());
            assertThat(letter.path("error").asText()).containsIgnoringCase("too long");
            assertThat(letter.path("payload").path("header").path("event_id").asText()).hasSize(5000);
            HttpResponse<String> replay = api.post("/api/v1/dead-letters/" + refused.id() + "/replay", "{}");
            assertThat(replay.statusCode()).isEqualTo(409);
            assertThat(ApiClient.json(replay).path("error").asText()).isEqualTo("not_replayable");
            assertThat(bridge.get(bridge.management("/observe/metrics")).body())
                    .contains("hrb_inbox_ingest_set_aside_total 1.0");
            assertThat(bridge.get(bridge.management("/observe/health")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readinessIsDownWhileAcknowledgedEventsCannotMoveIntoTheTableAndUpOnceTheyCan() throws Exception {
        try (TestBridge first = TestBridge.start(dir)) {
            assertThat(first.get(first.management("/observe/health")).statusCode()).isEqualTo(200);
        }
        // events an earlier run acknowledged, and a table they cannot reach (any failure that is not a refusal)
        InboxJournal journal = new InboxJournal(dir.resolve("hrb.inbox-journal"), 1 << 20, false, 100, keys -> Set.of(),
                new StorageFiles());
        for (String id : List.of("stuck-1", "stuck-2", "stuck-3")) {
            journal.append(event(id)).get();
        }
        journal.close();
        try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("hrb").toAbsolutePath(), "hrb", "");
             Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE inbox RENAME TO inbox_away");
        }

        try (TestBridge bridge = TestBridge.start(dir, Map.of("hrb.inbox.journal.max-lag-ms", "1000"))) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                HttpResponse<String> health = bridge.get(bridge.management("/observe/health?exposureLevel=full"));
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("inbox-ingest").contains("acknowledged events are stuck");
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    bridge.get(bridge.management("/observe/metrics")).body()).containsPattern("hrb_inbox_ingest_failing_seconds [1-9]"));
            try (Connection connection = bridge.bridge().database().dataSource().getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute("ALTER TABLE inbox_away RENAME TO inbox");
            }
            awaitAll(repository(bridge), List.of("stuck-1", "stuck-2", "stuck-3"), Duration.ofSeconds(20),
                    m -> m.state() == State.UNHANDLED);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(bridge.get(bridge.management("/observe/health")).statusCode()).isEqualTo(200));
        }
    }

    private static Inbox inbox(TestBridge bridge) {
        return bridge.bridge().context().getRegistry().lookupByNameAndType("inbox", Inbox.class);
    }

    /** Holds the node's processing back, as a burst does, until the answer is set false. */
    private static AtomicBoolean hold(Inbox inbox) {
        AtomicBoolean holding = new AtomicBoolean(true);
        inbox.dispatcher().holdWhile(holding::get);
        return holding;
    }

    /** Waits until every event of {@code ids} is in the table and {@code done}. */
    private static void awaitAll(InboxRepository repository, List<String> ids, Duration limit, Predicate<InboxMessage> done) {
        await().atMost(limit).untilAsserted(() -> assertThat(count(repository, ids, done)).isEqualTo(ids.size()));
    }

    /** How many events of {@code ids} are in the table and match {@code test}. */
    private static long count(InboxRepository repository, List<String> ids, Predicate<InboxMessage> test) {
        return ids.stream().map(id -> find(repository, id)).filter(m -> m.isPresent() && test.test(m.get())).count();
    }

    private static InboxMessage.New event(String id) {
        return new InboxMessage.New(MessageIds.next(), InboxMessage.Kind.EVENT, key(id), Inbox.EVENT_FLOW, TYPE, id,
                FeishuPush.v2Event(TYPE, id, "t", "{}"));
    }

    private static String key(String eventId) {
        return "feishu:cli_9f5343c580712544:" + TYPE + ":" + eventId;
    }

    private static Optional<InboxMessage> find(InboxRepository inbox, String id) {
        try {
            return inbox.findByDedupKey(key(id));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static InboxRepository repository(TestBridge bridge) {
        return bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
    }

    private static List<Path> segments(Path journalDir) throws Exception {
        try (Stream<Path> files = Files.list(journalDir)) {
            return files.sorted().toList();
        }
    }
}
