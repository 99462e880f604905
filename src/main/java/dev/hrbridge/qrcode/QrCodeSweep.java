package dev.hrbridge.qrcode;

import dev.hrbridge.inbox.InboxRepository;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.List;

/**
 * The expiry sweep: schedules a rotation for every managed code that is inactive but not replaced (an earlier
 * rotation died, or the event was missed) and, with {@code qr.max-age}, for active codes older than that. It only
 * stores tasks; the tasks call Feishu through the throttle, so a backlog of thousands drains at the create API's
 * rate. A rotation whose task is already dead is reopened with fresh attempts.
 */
public class QrCodeSweep {

    private static final Logger LOG = LoggerFactory.getLogger(QrCodeSweep.class);
    private static final int KEPT_TICKS = 100;

    private final QrCodeRepository codes;
    private final QrCodeRotation rotation;
    private final InboxRepository inbox;
    private final Duration maxAge;
    private final Clock clock;
    private final ArrayDeque<Instant> ticks = new ArrayDeque<>();
    private volatile Instant lastRunAt;
    private volatile String lastResult = "not run yet";

    public QrCodeSweep(QrCodeRepository codes, QrCodeRotation rotation, InboxRepository inbox, Duration maxAge, Clock clock) {
        this.codes = codes;
        this.rotation = rotation;
        this.inbox = inbox;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** One scheduled tick (the qr-sweep route); remembers its scheduled time, then sweeps. */
    public int tick(@Header("scheduledFireTime") Date scheduledFireTime) throws Exception {
        synchronized (ticks) {
            ticks.addLast(scheduledFireTime == null ? clock.instant() : scheduledFireTime.toInstant());
            if (ticks.size() > KEPT_TICKS) {
                ticks.removeFirst();
            }
        }
        return runNow();
    }

    /** Sweeps now (operators: API or JMX). Returns how many rotation tasks it scheduled or reopened. */
    public int runNow() throws Exception {
        Instant now = clock.instant();
        lastRunAt = now;
        try {
            int scheduled = sweep(now);
            lastResult = scheduled + " rotation(s) scheduled";
            return scheduled;
        } catch (Exception e) {
            lastResult = "failed: " + e;
            throw e;
        }
    }

    /** When this instance last swept, or null. */
    public Instant lastRunAt() {
        return lastRunAt;
    }

    public String lastResult() {
        return lastResult;
    }

    private int sweep(Instant now) throws Exception {
        List<String> due = codes.dueForRotation(maxAge == null ? null : now.minus(maxAge));
        String trace = "qr-sweep-" + now;
        boolean[] stored = rotation.scheduleRotations(due, trace);
        int scheduled = 0;
        for (int i = 0; i < due.size(); i++) {
            if (stored[i] || inbox.reopen(QrCodeRotation.rotationKey(due.get(i)), now)) {
                scheduled++;
            }
        }
        if (!due.isEmpty()) {
            LOG.info("QR code sweep: {} code(s) due for rotation, {} rotation(s) scheduled", due.size(), scheduled);
        }
        return scheduled;
    }

    /** The scheduled times of the last ticks this instance ran, oldest first. */
    public List<Instant> ticks() {
        synchronized (ticks) {
            return List.copyOf(ticks);
        }
    }
}
