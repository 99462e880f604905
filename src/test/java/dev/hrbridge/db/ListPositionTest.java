package dev.hrbridge.db;

import dev.hrbridge.PagedList;
import dev.hrbridge.config.Settings;
import dev.hrbridge.hire.EcoAccountRepository;
import dev.hrbridge.inbox.DeadLetters;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.qrcode.ManagedQrCode;
import dev.hrbridge.qrcode.QrCodeRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Newest-first keyset paging through each repository's list, on embedded H2 and on PostgreSQL: a walk page by page
 * gives every row once, in order, with page boundaries inside runs of rows that share one created_at, and rows
 * stored while it goes on (newer than where it started) stay out of it.
 */
class ListPositionTest {

    private static final Instant BASE = Instant.parse("2026-11-22T10:00:00.123456Z");

    @TempDir
    Path dir;
    private Database database;
    private int storedDuringWalks;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aWalkGivesEveryRowOnceNewestFirstAcrossRowsWithTheSameCreatedAt(String vendor) throws Exception {
        open(vendor);
        for (PagedList list : PagedList.values()) {
            // 23 rows in runs of 5 sharing one created_at: pages of 4 end inside the runs
            for (int i = 0; i < 23; i++) {
                list.insert(database.dataSource(), UUID.randomUUID().toString(), BASE.plusSeconds(i / 5), i % 3 == 0);
            }
            List<ListPosition> all = list(list, false, null, 1000);

            List<ListPosition> walked = walk(list, false, 4, () -> { });

            assertThat(all).as(list.name()).hasSize(23)
                    .isSortedAccordingTo(Comparator.comparing(ListPosition::createdAt).reversed());
            assertThat(all.stream().map(ListPosition::createdAt).distinct()).as(list.name()).hasSize(5);
            assertThat(walked).as(list.name()).containsExactlyElementsOf(all);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void rowsStoredDuringAWalkStayOutOfItAndNothingIsSkippedOrRepeated(String vendor) throws Exception {
        open(vendor);
        for (PagedList list : PagedList.values()) {
            for (int i = 0; i < 17; i++) {
                list.insert(database.dataSource(), UUID.randomUUID().toString(), BASE.plusSeconds(i / 3), i % 2 == 0);
            }
            List<ListPosition> before = list(list, false, null, 1000);
            List<ListPosition> walked = walk(list, false, 3, () -> storeTwoNewer(list));
            List<ListPosition> beforeFiltered = list(list, true, null, 1000);
            List<ListPosition> walkedFiltered = walk(list, true, 2, () -> storeTwoNewer(list));

            assertThat(walked).as(list.name()).containsExactlyElementsOf(before);
            assertThat(walkedFiltered).as(list.name()).containsExactlyElementsOf(beforeFiltered).isNotEmpty()
                    .hasSizeLessThan(before.size());
        }
    }

    /** Two rows, one passing the filter, sharing a created_at later than any before. */
    private void storeTwoNewer(PagedList list) {
        Instant at = BASE.plusSeconds(3600 + ++storedDuringWalks);
        try {
            list.insert(database.dataSource(), UUID.randomUUID().toString(), at, true);
            list.insert(database.dataSource(), UUID.randomUUID().toString(), at, false);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every page of {@code list} of {@code limit} rows, {@code between} run after each. */
    private List<ListPosition> walk(PagedList list, boolean filtered, int limit, Runnable between) throws Exception {
        List<ListPosition> walked = new ArrayList<>();
        ListPosition after = null;
        while (true) {
            List<ListPosition> page = list(list, filtered, after, limit);
            walked.addAll(page);
            between.run();
            if (page.size() < limit) {
                return walked;
            }
            after = page.get(page.size() - 1);
        }
    }

    private List<ListPosition> list(PagedList list, boolean filtered, ListPosition after, int limit) throws SQLException {
        return switch (list) {
            case EVENTS -> new InboxRepository(database.dataSource(), database.vendor())
                    .list(InboxMessage.Kind.EVENT, filtered ? InboxMessage.State.DEAD : null, after, limit).stream()
                    .map(message -> new ListPosition(message.createdAt(), message.id())).toList();
            case DEAD_LETTERS -> new DeadLetters(new InboxRepository(database.dataSource(), database.vendor()), null, null)
                    .find(filtered ? "replayed" : null, filtered ? "paging-b" : null, after, limit).stream()
                    .map(letter -> new ListPosition(letter.createdAt(), letter.id())).toList();
            case QR_CODES -> new QrCodeRepository(database.dataSource())
                    .list(filtered ? ManagedQrCode.Status.REPLACED : null, after, limit).stream()
                    .map(code -> new ListPosition(code.createdAt(), code.id())).toList();
            case ECO_ACCOUNTS -> new EcoAccountRepository(database.dataSource())
                    .list(filtered ? "unmatched" : null, null, after, limit).stream()
                    .map(account -> new ListPosition(account.createdAt(), account.accountId())).toList();
        };
    }

    private void open(String vendor) {
        database = Database.open(Settings.load(PostgresServer.newDatabase(vendor, dir)));
    }
}
