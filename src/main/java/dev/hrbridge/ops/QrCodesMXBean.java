package dev.hrbridge.ops;

import java.util.Map;

/** JMX view of the managed onboarding QR codes and their expiry sweep: {@code dev.hrbridge:type=QrCodes}. */
public interface QrCodesMXBean {

    /** Managed codes per status (active, inactive, replaced) and inactive_not_replaced. */
    Map<String, Long> getCounts();

    /** Inactive codes still waiting for their replacement. */
    long getInactiveNotReplaced();

    /** When this instance last swept (ISO-8601), or empty. */
    String getLastSweepAt();

    String getLastSweepResult();

    /** Runs the sweep now; answers how many rotations it scheduled, or fails saying that it failed. */
    int runSweepNow();
}
