package dev.hrbridge.ops;

import java.util.Map;

/** JMX view of the dead letters: {@code dev.hrbridge:type=DeadLetters}. */
public interface DeadLettersMXBean {

    /** Dead letters waiting for an operator. */
    long getDead();

    /** The same, per flow. */
    Map<String, Long> getDeadByFlow();

    /**
     * Re-drives dead letter {@code id} through its flow once and answers the result; fails as the API refuses:
     * IllegalArgumentException {@code not_found}, IllegalStateException {@code already_replayed}, {@code not_replayable}.
     */
    String replay(String id);

    /**
     * Re-drives the oldest dead letters of {@code flow} with {@code platformCode} created from {@code from} until {@code to}
     * (each empty for "any"; times as 2025-01-31T08:00:00Z), at most {@code limit} (1 to 500), each once; answers what
     * was replayed (JSON) or why it was refused.
     */
    String replayMatching(String flow, String platformCode, String from, String to, int limit);
}
