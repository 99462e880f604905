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
}
