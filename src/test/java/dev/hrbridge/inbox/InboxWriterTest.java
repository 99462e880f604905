package dev.hrbridge.inbox;

import dev.hrbridge.api.ApiException;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One message the table refuses never fails the others it is committed with: without the journal (PostgreSQL, or
 * the journal switched off) the writer retries a failed group's members one by one, so only the bad one gets its
 * error, and its sender gets a 4xx, never a 503 that would have it send the same bytes again.
 */
class InboxWriterTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private Database database;
    private InboxRepository repository;
    private InboxWriter writer;

    private void open(String vendor) {
        Map<String, String> settings = vendor.equals("h2")
                ? Map.of("hrb.db.url", "jdbc:h2:file:" + dir.resolve("hrb").toAbsolutePath())
                : Map.of("hrb.db.url", PostgresServer.newDatabase(), "hrb.db.user", "postgres", "hrb.db.password", "postgres");
        database = Database.open(Settings.load(settings));
        repository = new InboxRepository(database.dataSource(), database.vendor());
        writer = new InboxWriter(repository, Clock.systemUTC(), LEASE, 1000, database.storage());
    }

    @AfterEach
    void close() {
        if (writer != null) {
            writer.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aRowTheTableRefusesFailsAloneAndTheRestOfItsGroupIsStored(String vendor) throws Exception {
        open(vendor);
        repository.write(List.of(message("blocker").claimedBy("node-1")), List.of(), LEASE, Instant.now());
        String blocker = repository.findByDedupKey("request:test:blocker").orElseThrow().id();
        List<CompletableFuture<Boolean>> stored = new ArrayList<>();
        CompletableFuture<Boolean> refused;
        CompletableFuture<Void> recorded;
        // a row lock holds the writer's first commit, so everything below queues up and goes as one group
        try (Connection holder = database.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("UPDATE inbox SET updated_at = updated_at WHERE id = ?")) {
                lock.setString(1, blocker);
                lock.executeUpdate();
            }
            recorded = writer.record(new Finish(blocker, "node-1", succeeded()));
            for (int i = 0; i < 25; i++) {
                stored.add(writer.append(message("good-" + i)));
            }
            // a producer that skipped the bounds check: its trace id is far over its column
            refused = writer.append(new InboxMessage.New(MessageIds.next(), Kind.REQUEST, "request:test:bad", "test", null,
                    "t".repeat(300), "{}"));
            for (int i = 25; i < 50; i++) {
                stored.add(writer.append(message("good-" + i)));
            }
            holder.commit();
        }

        for (CompletableFuture<Boolean> each : stored) {
            assertThat(each.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(Database.refused(e.getCause())).as(e.getCause().toString()).isTrue());
        recorded.get(10, TimeUnit.SECONDS);
        assertThat(repository.find(blocker).orElseThrow().state()).isEqualTo(State.SUCCEEDED);
        for (int i = 0; i < 50; i++) {
            assertThat(repository.findByDedupKey("request:test:good-" + i)).as("good-" + i).isPresent();
        }
        assertThat(repository.findByDedupKey("request:test:bad")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theSenderOfAMessageTheTableRefusesIsAnswered400AndTheOthersAreStored(String vendor) throws Exception {
        open(vendor);
        Inbox inbox = new Inbox(repository, writer, new InboxDispatcher(repository, writer, null, null, "node-1",
                Clock.systemUTC(), 1, LEASE, LEASE), Duration.ofSeconds(5));
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> good = IntStream.range(0, 40)
                    .mapToObj(i -> senders.submit(() -> inbox.store(message("sent-" + i)))).toList();
            // within every bound HR Bridge checks, but refused by the table all the same (trace_id is NOT NULL)
            Future<Boolean> bad = senders.submit(() -> inbox.store(new InboxMessage.New(MessageIds.next(), Kind.REQUEST,
                    "request:test:no-trace", "test", null, null, "{}")));
            for (Future<Boolean> each : good) {
                assertThat(each.get(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ApiException.class)
                    .satisfies(e -> {
                        ApiException answer = (ApiException) e.getCause();
                        assertThat(answer.status()).isEqualTo(400);
                        assertThat(answer.errorCode()).isEqualTo("unstorable");
                    });
        } finally {
            senders.shutdownNow();
        }
        assertThat(repository.countByState().get(State.PENDING)).isEqualTo(40);
    }

    private static InboxMessage.New message(String key) {
        return new InboxMessage.New(MessageIds.next(), Kind.REQUEST, "request:test:" + key, "test", null, key, "{}");
    }

    private static Result succeeded() {
        return new Result(State.SUCCEEDED, null, true, "done", null, null, null, null);
    }
}
