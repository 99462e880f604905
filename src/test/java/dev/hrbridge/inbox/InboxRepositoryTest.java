package dev.hrbridge.inbox;

import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;
import dev.hrbridge.db.PostgresServer;
import dev.hrbridge.inbox.InboxMessage.Kind;
import dev.hrbridge.inbox.InboxMessage.State;
import dev.hrbridge.inbox.InboxRepository.Finish;
import dev.hrbridge.inbox.InboxRepository.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The inbox's storage rules, on embedded H2 and on a real PostgreSQL server alike. */
class InboxRepositoryTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir
    Path dir;
    private Database database;
    private InboxRepository inbox;

    private void open(String vendor) {
        database = Database.open(Settings.load(PostgresServer.newDatabase(vendor, dir)));
        inbox = new InboxRepository(database.dataSource(), database.vendor());
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDedupKeyIsStoredOnceEvenTwiceInOneBatch(String vendor) throws Exception {
        open(vendor);
        boolean[] first = inbox.write(List.of(message("k1"), message("k1"), message("k2")), List.of(), LEASE, NOW);
        boolean[] again = inbox.write(List.of(message("k2")), List.of(), LEASE, NOW);
        assertThat(first).containsExactly(true, false, true);
        assertThat(again).containsExactly(false);
        assertThat(inbox.countByState().get(State.PENDING)).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void dedupLookUpsLongerThanOneQueryBlockFindExactlyTheStoredKeys(String vendor) throws Exception {
        open(vendor);
        List<String> stored = IntStream.range(0, 45).mapToObj(i -> "s" + i).toList();
        inbox.write(stored.stream().map(InboxRepositoryTest::message).toList(), List.of(), LEASE, NOW);
        // the 45 stored and 45 new keys, interleaved: three blocks, the last one short
        List<String> asked = IntStream.range(0, 90).mapToObj(i -> i % 2 == 0 ? "s" + i / 2 : "n" + i).toList();
        try (Connection connection = database.dataSource().getConnection()) {
            assertThat(InboxRepository.storedKeys(connection, asked)).containsExactlyInAnyOrderElementsOf(stored);
        }
        boolean[] again = inbox.write(asked.stream().map(InboxRepositoryTest::message).toList(), List.of(), LEASE, NOW);
        for (int i = 0; i < asked.size(); i++) {
            assertThat(again[i]).as(asked.get(i)).isEqualTo(asked.get(i).startsWith("n"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aMessageStoredAsClaimedIsProcessingUnderItsOwnersLease(String vendor) throws Exception {
        open(vendor);
        beat("node-a", NOW);
        InboxMessage.New claimed = message("k").claimedBy("node-a");
        inbox.write(List.of(claimed), List.of(), LEASE, NOW);
        InboxMessage stored = inbox.find(claimed.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(State.PROCESSING);
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(stored.leaseOwner()).isEqualTo("node-a");
        assertThat(inbox.claim(claimed.id(), "node-b", NOW.plusSeconds(1), LEASE, NOW.minusSeconds(60))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anExpiredLeaseIsTakenOverAndCountsAnAttempt(String vendor) throws Exception {
        open(vendor);
        InboxMessage.New claimed = message("k").claimedBy("node-a");
        inbox.write(List.of(claimed), List.of(), LEASE, NOW);
        Instant later = NOW.plus(LEASE).plusSeconds(1);
        assertThat(inbox.claimableIds("node-b", later, NOW.minusSeconds(60), 10)).containsExactly(claimed.id());
        InboxMessage taken = inbox.claim(claimed.id(), "node-b", later, LEASE, NOW.minusSeconds(60)).orElseThrow();
        assertThat(taken.leaseOwner()).isEqualTo("node-b");
        assertThat(taken.attempts()).isEqualTo(2);
        // the first owner's late result is dropped
        inbox.write(List.of(), List.of(new Finish(claimed.id(), "node-a", success())), LEASE, later);
        assertThat(inbox.find(claimed.id()).orElseThrow().state()).isEqualTo(State.PROCESSING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void workOfANodeWhoseHeartbeatStoppedIsTakenOverBeforeItsLeaseEnds(String vendor) throws Exception {
        open(vendor);
        beat("dead-node", NOW.minusSeconds(60));
        InboxMessage.New claimed = message("k").claimedBy("dead-node");
        inbox.write(List.of(claimed), List.of(), LEASE, NOW);
        Instant staleBefore = NOW.minusSeconds(20);
        assertThat(inbox.claimableIds("node-b", NOW.plusSeconds(1), staleBefore, 10)).containsExactly(claimed.id());
        assertThat(inbox.claim(claimed.id(), "node-b", NOW.plusSeconds(1), LEASE, staleBefore)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aNodeWhoseOwnHeartbeatIsLateNeverTakesBackTheWorkItIsRunning(String vendor) throws Exception {
        // right after the database was gone the node's own heartbeat is old: its running work is not orphaned
        open(vendor);
        beat("node-a", NOW.minusSeconds(60));
        InboxMessage.New running = message("k").claimedBy("node-a");
        inbox.write(List.of(running), List.of(), LEASE, NOW);
        Instant staleBefore = NOW.minusSeconds(20);

        assertThat(inbox.claimableIds("node-a", NOW.plusSeconds(1), staleBefore, 10)).isEmpty();
        assertThat(inbox.claim(running.id(), "node-a", NOW.plusSeconds(1), LEASE, staleBefore)).isEmpty();
        assertThat(inbox.find(running.id()).orElseThrow().attempts()).isEqualTo(1);
        // another node takes it over, and the owner itself once its lease ran out
        assertThat(inbox.claimableIds("node-b", NOW.plusSeconds(1), staleBefore, 10)).containsExactly(running.id());
        assertThat(inbox.claimableIds("node-a", NOW.plus(LEASE).plusSeconds(1), staleBefore, 10)).containsExactly(running.id());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aPollTakesOrphanedWorkFirstThenTheLongestDueUpToItsLimit(String vendor) throws Exception {
        open(vendor);
        beat("dead-node", NOW.minusSeconds(60));
        List<InboxMessage.New> orphaned = List.of(message("o1").claimedBy("dead-node"), message("o2").claimedBy("dead-node"));
        inbox.write(orphaned, List.of(), LEASE, NOW);
        List<InboxMessage.New> due = IntStream.range(0, 5).mapToObj(i -> message("d" + i)).toList();
        for (int i = 0; i < due.size(); i++) {
            // d4 has waited longest
            inbox.write(List.of(due.get(i)), List.of(), LEASE, NOW.minusSeconds(i));
        }
        inbox.write(List.of(message("later")), List.of(), LEASE, NOW.plusSeconds(60));
        List<String> ids = inbox.claimableIds("node-b", NOW.plusSeconds(1), NOW.minusSeconds(20), 4);
        assertThat(ids.subList(0, 2)).containsExactlyInAnyOrder(orphaned.get(0).id(), orphaned.get(1).id());
        assertThat(ids.subList(2, 4)).containsExactly(due.get(4).id(), due.get(3).id());
        assertThat(inbox.claimableIds("node-b", NOW.plusSeconds(1), NOW.minusSeconds(20), 100)).hasSize(7);
    }

    @org.junit.jupiter.api.Test
    void onH2APollReadsTheStateIndexInItsOrderNeverTheWholeTable() throws Exception {
        open("h2");
        for (String query : List.of(InboxRepository.ORPHANED_IDS, InboxRepository.DUE_IDS)) {
            try (Connection connection = database.dataSource().getConnection();
                 PreparedStatement explain = connection.prepareStatement("EXPLAIN " + query)) {
                int parameters = explain.getParameterMetaData().getParameterCount();
                for (int i = 1; i < parameters; i++) {
                    explain.setObject(i, OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC));
                }
                explain.setInt(parameters, 1000);
                try (ResultSet plan = explain.executeQuery()) {
                    plan.next();
                    assertThat(plan.getString(1)).as(query).contains("IX_INBOX_STATE_DUE").contains("index sorted")
                            .doesNotContain("INBOX.tableScan");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aRetryIsNotClaimableBeforeItIsDue(String vendor) throws Exception {
        open(vendor);
        InboxMessage.New claimed = message("k").claimedBy("node-a");
        inbox.write(List.of(claimed), List.of(), LEASE, NOW);
        Result retry = new Result(State.PENDING, NOW.plusSeconds(10), true, null, 500, null, null, "HTTP 500");
        inbox.write(List.of(), List.of(new Finish(claimed.id(), "node-a", retry)), LEASE, NOW);
        assertThat(inbox.claim(claimed.id(), "node-a", NOW.plusSeconds(5), LEASE, NOW.minusSeconds(60))).isEmpty();
        assertThat(inbox.claimableIds("node-b", NOW.plusSeconds(5), NOW.minusSeconds(60), 10)).isEmpty();
        assertThat(inbox.claim(claimed.id(), "node-a", NOW.plusSeconds(11), LEASE, NOW.minusSeconds(60)))
                .hasValueSatisfying(m -> assertThat(m.attempts()).isEqualTo(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aPollsClaimsTakeOnlyWhatIsClaimableEachOnceInOneGo(String vendor) throws Exception {
        open(vendor);
        beat("node-a", NOW);
        beat("node-b", NOW);
        InboxMessage.New due = message("due");
        InboxMessage.New running = message("running").claimedBy("node-a");
        InboxMessage.New finished = message("finished").claimedBy("node-a");
        InboxMessage.New unhandled = message("unhandled").unhandled("no_flow_for_event_type");
        inbox.write(List.of(due, running, finished, unhandled), List.of(), LEASE, NOW);
        inbox.write(List.of(), List.of(new Finish(finished.id(), "node-a", success())), LEASE, NOW);

        List<String> asked = List.of(due.id(), running.id(), finished.id(), unhandled.id(), "no-such-id", due.id());
        List<InboxMessage> claimed = inbox.claimAll(asked, "node-b", NOW.plusSeconds(1), LEASE, NOW.minusSeconds(60));

        assertThat(claimed).extracting(InboxMessage::id).containsExactly(due.id());
        assertThat(claimed.get(0).leaseOwner()).isEqualTo("node-b");
        assertThat(claimed.get(0).attempts()).isEqualTo(1);
        assertThat(inbox.claimAll(List.of(due.id()), "node-c", NOW.plusSeconds(2), LEASE, NOW.minusSeconds(60))).isEmpty();
        assertThat(inbox.claimAll(List.of(), "node-c", NOW.plusSeconds(2), LEASE, NOW.minusSeconds(60))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anEventStoredUnhandledIsFinalAtOnceNeverClaimedAndPurgedLikeAnyFinishedOne(String vendor) throws Exception {
        open(vendor);
        InboxMessage.New unhandled = message("k").unhandled("no_flow_for_event_type");
        assertThat(inbox.write(List.of(unhandled, message("k").unhandled("again")), List.of(), LEASE, NOW))
                .containsExactly(true, false);
        InboxMessage stored = inbox.find(unhandled.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(State.UNHANDLED);
        assertThat(stored.outcome()).isEqualTo("no_flow_for_event_type");
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(stored.leaseOwner()).isNull();
        assertThat(inbox.claimableIds("node-a", NOW.plus(LEASE).plusSeconds(1), NOW, 10)).isEmpty();
        assertThat(inbox.claim(unhandled.id(), "node-a", NOW.plusSeconds(1), LEASE, NOW.minusSeconds(60))).isEmpty();
        assertThat(inbox.purgeFinishedBefore(NOW.plusSeconds(1))).isEqualTo(1);
        assertThat(inbox.find(unhandled.id())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void buryingStoresTheDeadLetterWithTheFinalState(String vendor) throws Exception {
        open(vendor);
        InboxMessage.New claimed = message("k").claimedBy("node-a");
        inbox.write(List.of(claimed), List.of(), LEASE, NOW);
        Result dead = new Result(State.DEAD, null, true, "retries_exhausted", 503, 1160101, "unknown error", "HTTP 503");
        assertThat(inbox.bury(inbox.find(claimed.id()).orElseThrow(), "offboarding-revoke",
                new Finish(claimed.id(), "node-a", dead), MessageIds.next(), null, NOW)).isTrue();
        assertThat(inbox.find(claimed.id()).orElseThrow().state()).isEqualTo(State.DEAD);
        try (Connection c = database.dataSource().getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT flow, state, http_status, platform_code, attempts, payload FROM dead_letter WHERE message_id = ?")) {
            select.setString(1, claimed.id());
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("offboarding-revoke");
                assertThat(row.getString(2)).isEqualTo("dead");
                assertThat(row.getInt(3)).isEqualTo(503);
                assertThat(row.getInt(4)).isEqualTo(1160101);
                assertThat(row.getInt(5)).isEqualTo(1);
                assertThat(row.getString(6)).isEqualTo("{}");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void purgeRemovesOldFinishedRowsButKeepsOpenAndDeadOnes(String vendor) throws Exception {
        open(vendor);
        InboxMessage.New done = message("done").claimedBy("n");
        InboxMessage.New open = message("open");
        InboxMessage.New dead = message("dead").claimedBy("n");
        inbox.write(List.of(done, open, dead), List.of(), LEASE, NOW.minus(Duration.ofDays(8)));
        inbox.write(List.of(), List.of(new Finish(done.id(), "n", success())), LEASE, NOW.minus(Duration.ofDays(8)));
        inbox.bury(inbox.find(dead.id()).orElseThrow(), "f",
                new Finish(dead.id(), "n", new Result(State.DEAD, null, true, null, null, null, null, "x")), MessageIds.next(),
                null, NOW.minus(Duration.ofDays(8)));
        assertThat(inbox.purgeFinishedBefore(NOW.minus(Duration.ofDays(7)))).isEqualTo(1);
        assertThat(inbox.find(done.id())).isEmpty();
        assertThat(inbox.find(open.id())).isPresent();
        assertThat(inbox.find(dead.id())).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void workOfANodeThatNeverBeatIsTakenOver(String vendor) throws Exception {
        open(vendor);
        InboxMessage.New claimed = message("k").claimedBy("never-registered");
        inbox.write(List.of(claimed), List.of(), LEASE, NOW);
        assertThat(inbox.claim(claimed.id(), "node-b", NOW.plusSeconds(1), LEASE, NOW.minusSeconds(20))).isPresent();
    }

    private void beat(String node, Instant at) throws Exception {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO hrb_node (node_id, host_name, version, started_at, heartbeat_at) VALUES (?, 'h', 'v', ?, ?)")) {
            insert.setString(1, node);
            insert.setObject(2, OffsetDateTime.ofInstant(at.minusSeconds(60), ZoneOffset.UTC));
            insert.setObject(3, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            insert.executeUpdate();
        }
    }

    private static Result success() {
        return new Result(State.SUCCEEDED, null, true, "ok", null, null, null, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aRefusedRecordSetAsideTwiceAfterACrashIsOneDeadLetter(String vendor) throws Exception {
        open(vendor);
        InboxMessage.New refused = new InboxMessage.New(UUID.randomUUID().toString(), Kind.EVENT, "k-refused", "event-router",
                "t", "e".repeat(5000), "{\"raw\":true}");
        inbox.setAside(refused, "Value too long for column TRACE_ID", NOW);
        // the ingester died before it moved on; the restart reads the same record and sets it aside again
        inbox.setAside(refused, "Value too long for column TRACE_ID", NOW);
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT kind, message_id, trace_id, payload, error FROM dead_letter WHERE message_id = ?")) {
            select.setString(1, refused.id());
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString("kind")).isEqualTo("ingest");
                assertThat(rows.getString("trace_id")).hasSize(128);
                assertThat(rows.getString("payload")).isEqualTo("{\"raw\":true}");
                assertThat(rows.getString("error")).contains("too long");
                assertThat(rows.next()).isFalse();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theAttemptHistoryKeepsTheFirstFiveAndTheLastTwentyAttemptsOfAMessageRetriedForEver(String vendor) throws Exception {
        open(vendor);
        InboxMessage.New claimed = message("k").claimedBy("node-a");
        inbox.write(List.of(claimed), List.of(), LEASE, NOW);
        Instant now = NOW;
        for (int attempt = 1; attempt <= 40; attempt++) {
            InboxMessage running = inbox.find(claimed.id()).orElseThrow();
            assertThat(running.attemptSeq()).isEqualTo(attempt);
            Result retry = new Result(State.PENDING, now.plusMillis(1), true, null, 503, null, null, "HTTP 503 #" + attempt);
            inbox.write(List.of(), List.of(new Finish(claimed.id(), "node-a", retry,
                    new InboxRepository.Attempt(running.attemptSeq(), running.attempts(), now, 7, "f", "r"))), LEASE, now);
            now = now.plusSeconds(1);
            assertThat(inbox.claim(claimed.id(), "node-a", now, LEASE, NOW.minusSeconds(60))).isPresent();
        }
        assertThat(attemptSeqs(claimed.id())).containsExactlyElementsOf(
                IntStream.concat(IntStream.rangeClosed(1, 5), IntStream.rangeClosed(21, 40)).boxed().toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anAttemptWhoseLeaseWasTakenOverLeavesNoHistoryAndAHandBackIsNoAttempt(String vendor) throws Exception {
        open(vendor);
        InboxMessage.New claimed = message("k").claimedBy("node-a");
        inbox.write(List.of(claimed), List.of(), LEASE, NOW);
        Instant later = NOW.plus(LEASE).plusSeconds(1);
        InboxMessage taken = inbox.claim(claimed.id(), "node-b", later, LEASE, NOW.minusSeconds(60)).orElseThrow();
        inbox.write(List.of(), List.of(new Finish(claimed.id(), "node-a", success(),
                new InboxRepository.Attempt(1, 1, NOW, 5, "f", "r"))), LEASE, later);
        assertThat(attemptSeqs(claimed.id())).isEmpty();
        // node-b hands it back unrun: the attempt and its number are given back too
        inbox.write(List.of(), List.of(new Finish(claimed.id(), "node-b",
                new Result(State.PENDING, later, false, null, null, null, null, "handed back"))), LEASE, later);
        InboxMessage back = inbox.find(claimed.id()).orElseThrow();
        assertThat(back.attemptSeq()).isEqualTo(taken.attemptSeq() - 1);
        assertThat(back.attempts()).isEqualTo(taken.attempts() - 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aMessagesHistoryIsPurgedWithIt(String vendor) throws Exception {
        open(vendor);
        Instant old = NOW.minus(Duration.ofDays(8));
        InboxMessage.New done = message("done").claimedBy("n");
        inbox.write(List.of(done), List.of(), LEASE, old);
        inbox.write(List.of(), List.of(new Finish(done.id(), "n", success(),
                new InboxRepository.Attempt(1, 1, old, 3, "f", "r"))), LEASE, old);
        assertThat(attemptSeqs(done.id())).containsExactly(1);
        assertThat(inbox.purgeFinishedBefore(NOW.minus(Duration.ofDays(7)))).isEqualTo(1);
        assertThat(attemptSeqs(done.id())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aFlowsWritesGoWithItsResultOnlyWhileItHoldsTheMessageAndFailWithIt(String vendor) throws Exception {
        open(vendor);
        try (Connection c = database.dataSource().getConnection()) {
            c.createStatement().execute("CREATE TABLE flow_note (message_id VARCHAR(36) PRIMARY KEY, note VARCHAR(8))");
        }
        InboxMessage.New kept = message("kept").claimedBy("node-a");
        InboxMessage.New lost = message("lost").claimedBy("node-a");
        inbox.write(List.of(kept, lost), List.of(), LEASE, NOW);
        Instant later = NOW.plus(LEASE).plusSeconds(1);
        inbox.claim(lost.id(), "node-b", later, LEASE, NOW.minusSeconds(60)).orElseThrow();

        // one batch: the result that still holds its message writes its note, the one taken over writes nothing
        inbox.write(List.of(), List.of(finishWithNote(kept.id(), "node-a", "done"), finishWithNote(lost.id(), "node-a", "late")),
                LEASE, later);
        assertThat(notes()).containsExactly(kept.id() + "=done");
        assertThat(inbox.find(lost.id()).orElseThrow().state()).isEqualTo(State.PROCESSING);

        // a note the table refuses takes the result with it: nothing of the batch is committed
        InboxMessage.New refused = message("refused").claimedBy("node-a");
        inbox.write(List.of(refused), List.of(), LEASE, NOW);
        assertThatThrownBy(() -> inbox.write(List.of(message("new-in-batch")),
                List.of(finishWithNote(refused.id(), "node-a", "far too long for its column")), LEASE, NOW))
                .isInstanceOf(java.sql.SQLException.class);
        assertThat(inbox.find(refused.id()).orElseThrow().state()).isEqualTo(State.PROCESSING);
        assertThat(notes()).containsExactly(kept.id() + "=done");
        assertThat(inbox.countByState().get(State.PENDING)).isZero();
    }

    private static Finish finishWithNote(String id, String owner, String note) {
        return new Finish(id, owner, success(), null, List.of(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO flow_note VALUES (?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, note);
                insert.executeUpdate();
            }
        }));
    }

    private List<String> notes() throws Exception {
        try (Connection c = database.dataSource().getConnection();
             ResultSet rows = c.createStatement().executeQuery("SELECT message_id, note FROM flow_note ORDER BY note")) {
            List<String> notes = new java.util.ArrayList<>();
            while (rows.next()) {
                notes.add(rows.getString(1) + "=" + rows.getString(2));
            }
            return notes;
        }
    }

    private List<Integer> attemptSeqs(String messageId) throws Exception {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement select = c.prepareStatement("SELECT seq FROM inbox_attempt WHERE message_id = ? ORDER BY seq")) {
            select.setString(1, messageId);
            List<Integer> seqs = new java.util.ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    seqs.add(rows.getInt(1));
                }
            }
            return seqs;
        }
    }

    private static InboxMessage.New message(String dedupKey) {
        return new InboxMessage.New(UUID.randomUUID().toString(), Kind.EVENT, dedupKey, "event-router", "t", "trace-" + dedupKey, "{}");
    }
}
