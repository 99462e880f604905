package dev.hrbridge.feishu;

import dev.hrbridge.db.Database;
import dev.hrbridge.outbound.OutboundFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static dev.hrbridge.db.SqlColumns.instant;
import static dev.hrbridge.db.SqlColumns.time;

/**
 * The app_ticket of each store app (商店应用), as Feishu documents it ("app_ticket 事件", "重新获取 app_ticket"): Feishu
 * pushes one about every hour to the app's webhook; HR Bridge keeps the newest in {@code feishu_app_ticket}, shared by
 * every instance on the database, and fetches the app_access_token with it. At start, a store app whose ticket is
 * missing or older than an hour asks Feishu to push one now ({@code POST /open-apis/auth/v3/app_ticket/resend}); so does
 * a token fetch that finds none, or whose ticket Feishu refused. A ticket is a credential: never logged.
 */
public class AppTickets {

    public static final String RESEND_API = "auth.app_ticket.resend";
    static final String RESEND_PATH = "/open-apis/auth/v3/app_ticket/resend";
    /** Feishu pushes a ticket every hour: one older than that at start is worth asking anew for. */
    static final Duration FRESH = Duration.ofHours(1);
    /** Two pushes missed: events of the app do not reach us (health says degraded). */
    static final Duration STALE = Duration.ofHours(2);
    /** Resend requests of one app at most this often from one instance: Feishu answers each with a push. */
    static final Duration RESEND_INTERVAL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(AppTickets.class);

    private final DataSource dataSource;
    private final FeishuApps apps;
    private final FeishuAuthApi auth;
    private final Clock clock;
    private final Map<String, Instant> lastResend = new ConcurrentHashMap<>();

    /** The newest ticket of an app, when Feishu sent it and when it reached us. */
    public record Ticket(String value, Instant sentAt, Instant receivedAt) {

        @Override
        public String toString() {
            return "Ticket[sentAt=" + sentAt + ", receivedAt=" + receivedAt + "]";
        }
    }

    public AppTickets(DataSource dataSource, FeishuApps apps, FeishuAuthApi auth, Clock clock) {
        this.dataSource = dataSource;
        this.apps = apps;
        this.auth = auth;
        this.clock = clock;
    }

    /**
     * The route step for an app_ticket event: stored unless a newer one is, then acknowledged (Feishu's 200). A ticket
     * for a self-built app, which has no use for one, is acknowledged and dropped.
     */
    public String receive(FeishuWebhook.AppTicket ticket) throws SQLException {
        FeishuApp app = apps.require(ticket.feishuApp());
        if (!app.store()) {
            LOG.info("Feishu app {} is self-built and has no use for the app_ticket it was sent; dropped", app.name());
            return "{\"status\":\"ignored\"}";
        }
        Instant now = clock.instant();
        boolean newest = store(ticket.appId(), ticket.ticket(), sentAt(ticket.sentAt(), now), now);
        LOG.info("app_ticket of store app {} received{}", app.name(), newest ? "" : "; a newer one is kept");
        return "{\"status\":\"stored\"}";
    }

    /** Keeps {@code ticket} unless the stored one was sent later; true when {@code ticket} is now the stored one. */
    boolean store(String appId, String ticket, Instant sentAt, Instant receivedAt) throws SQLException {
        if (replaceOlder(appId, ticket, sentAt, receivedAt)) {
            return true;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO feishu_app_ticket (app_id, ticket, sent_at, received_at) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, appId);
            insert.setString(2, ticket);
            insert.setObject(3, time(sentAt));
            insert.setObject(4, time(receivedAt));
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            if (!Database.refused(e)) {
                throw e;
            }
            // another instance stored one meanwhile: the newer of the two stays
            return replaceOlder(appId, ticket, sentAt, receivedAt);
        }
    }

    private boolean replaceOlder(String appId, String ticket, Instant sentAt, Instant receivedAt) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE feishu_app_ticket SET ticket = ?, sent_at = ?, "
                     + "received_at = ? WHERE app_id = ? AND sent_at <= ?")) {
            update.setString(1, ticket);
            update.setObject(2, time(sentAt));
            update.setObject(3, time(receivedAt));
            update.setString(4, appId);
            update.setObject(5, time(sentAt));
            return update.executeUpdate() == 1;
        }
    }

    /** The stored ticket of {@code app}, received by any instance. */
    public Optional<Ticket> current(FeishuApp app) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT ticket, sent_at, received_at FROM feishu_app_ticket WHERE app_id = ?")) {
            select.setString(1, app.appId());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(new Ticket(rows.getString(1), instant(rows, "sent_at"),
                        instant(rows, "received_at"))) : Optional.empty();
            }
        }
    }

    /** Feishu refused {@code ticket}: dropped (unless a newer one came meanwhile), and a new one asked for. */
    public void refused(FeishuApp app, String ticket) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "DELETE FROM feishu_app_ticket WHERE app_id = ? AND ticket = ?")) {
            delete.setString(1, app.appId());
            delete.setString(2, ticket);
            delete.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("Could not drop the refused app_ticket of store app {}: {}", app.name(), e.toString());
        }
        requestResend(app, "Feishu refused its app_ticket");
    }

    /**
     * Asks Feishu to push {@code app}'s ticket now, at most once per {@link #RESEND_INTERVAL}; the ticket arrives as
     * an event. A failure is logged, not thrown: the caller has its own reason to fail, and the hourly push goes on.
     */
    public void requestResend(FeishuApp app, String why) {
        Instant now = clock.instant();
        boolean[] due = {false};
        lastResend.compute(app.name(), (name, last) -> {
            if (last != null && now.isBefore(last.plus(RESEND_INTERVAL))) {
                return last;
            }
            due[0] = true;
            return now;
        });
        if (!due[0]) {
            return;
        }
        try {
            auth.post(RESEND_API, RESEND_PATH, Map.of("app_id", app.appId(), "app_secret", app.appSecret()));
            LOG.info("Asked Feishu to push the app_ticket of store app {} again ({})", app.name(), why);
        } catch (OutboundFailure e) {
            LOG.warn("Asking Feishu to push the app_ticket of store app {} again failed: {}", app.name(), e.getMessage());
        }
    }

    /** At start: each store app without a ticket younger than an hour asks for one. */
    public void requestMissing() {
        for (FeishuApp app : apps.stores()) {
            try {
                Optional<Ticket> ticket = current(app);
                if (ticket.isEmpty() || ticket.get().receivedAt().isBefore(clock.instant().minus(FRESH))) {
                    requestResend(app, ticket.isEmpty() ? "none stored" : "the stored one is older than " + FRESH.toMinutes() + " min");
                }
            } catch (SQLException e) {
                LOG.warn("Could not read the app_ticket of store app {}: {}", app.name(), e.toString());
            }
        }
    }

    /**
     * Why {@code app} has no usable ticket (none stored, or none for two hours: Feishu's hourly pushes do not reach us),
     * or null when it has one.
     */
    public String problem(FeishuApp app) throws SQLException {
        Optional<Ticket> ticket = current(app);
        if (ticket.isEmpty()) {
            return "no app_ticket received";
        }
        if (ticket.get().receivedAt().isBefore(clock.instant().minus(STALE))) {
            return "the newest app_ticket came " + Duration.between(ticket.get().receivedAt(), clock.instant()).toMinutes()
                    + " min ago; Feishu pushes one every hour";
        }
        return null;
    }

    /** The envelope's {@code ts} ("1502199207.7171419", seconds), or {@code fallback} when it is none. */
    static Instant sentAt(String ts, Instant fallback) {
        if (ts == null) {
            return fallback;
        }
        try {
            BigDecimal seconds = new BigDecimal(ts.trim());
            return Instant.ofEpochSecond(seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        } catch (NumberFormatException | ArithmeticException | java.time.DateTimeException e) {
            return fallback;
        }
    }
}
