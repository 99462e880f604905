package dev.hrbridge.ops;

/** JMX view of the durable inbox: {@code dev.hrbridge:type=Inbox}. Counts are at most a few seconds old. */
public interface InboxMXBean {

    long getPending();

    long getProcessing();

    long getUnhandled();

    long getFailed();

    long getDead();

    long getSucceeded();

    /** Age in seconds of the oldest message still waiting or running; 0 when none is. */
    long getOldestOpenAgeSeconds();

    /** Messages queued or running on this instance's workers now. */
    int getInFlightHere();

    /** Webhook events acknowledged from the embedded inbox's journal and not yet in the table (0 on PostgreSQL). */
    int getJournalBacklog();

    /** Age in seconds of the oldest acknowledged event not yet moved from the journal into the table (0 on PostgreSQL). */
    long getJournalOldestAgeSeconds();

    /** Events stored UNHANDLED as they moved into the table since start: no flow takes their type, the router never ran them. */
    long getUnhandledAtIngest();

    /** Events the table refused since start, set aside as dead letters of kind ingest. */
    long getIngestSetAside();

    /** Why acknowledged events are stuck outside the table, or empty when they are not (readiness is DOWN meanwhile). */
    String getIngestStuck();
}
