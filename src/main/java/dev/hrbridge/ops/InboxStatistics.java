package dev.hrbridge.ops;

import dev.hrbridge.inbox.InboxMessage.State;
import dev.hrbridge.inbox.InboxRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Inbox counts for JMX, metrics and health. Counting a large inbox costs a scan, so one snapshot serves every
 * reader for {@code maxAge}; scrapes and JMX polls never queue up on the database.
 */
public class InboxStatistics {

    private static final Logger LOG = LoggerFactory.getLogger(InboxStatistics.class);

    /** One reading of the inbox. */
    public record Snapshot(Map<State, Long> counts, Instant oldestOpen, Instant takenAt) {
        public long count(State state) {
            return counts.getOrDefault(state, 0L);
        }
    }

    private final InboxRepository repository;
    private final Clock clock;
    private final Duration maxAge;
    private volatile Snapshot snapshot;

    public InboxStatistics(InboxRepository repository, Clock clock, Duration maxAge) {
        this.repository = repository;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    public Snapshot snapshot() {
        Snapshot current = snapshot;
        if (current == null || current.takenAt().plus(maxAge).isBefore(clock.instant())) {
            synchronized (this) {
                current = snapshot;
                if (current == null || current.takenAt().plus(maxAge).isBefore(clock.instant())) {
                    current = read(current);
                    snapshot = current;
                }
            }
        }
        return current;
    }

    private Snapshot read(Snapshot previous) {
        try {
            return new Snapshot(repository.countByState(), repository.oldestOpen(), clock.instant());
        } catch (Exception e) {
            LOG.warn("Could not read inbox statistics: {}", e.toString());
            return previous != null ? previous : new Snapshot(new EnumMap<>(State.class), null, clock.instant());
        }
    }

    public long oldestOpenAgeSeconds() {
        Instant oldest = snapshot().oldestOpen();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toSeconds());
    }
}
