package dev.hrbridge.ops;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Camel stopping when no stop is {@code expected} (HR Bridge is started and not shutting down) — a JMX client called
 * stop, a failure inside Camel — leaves a process that runs on with its ports closed, which no supervisor restarts.
 * This notices it and runs {@code action} once (the launcher's: exit with code 3) on a thread of its own, so that the
 * shutdown the action starts does not wait for the stop still under way.
 */
public class UnexpectedStop extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedStop.class);

    private final BooleanSupplier expected;
    private final Runnable action;
    private final AtomicBoolean fired = new AtomicBoolean();

    public UnexpectedStop(BooleanSupplier expected, Runnable action) {
        this.expected = expected;
        this.action = action;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStoppingEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (!expected.getAsBoolean() && fired.compareAndSet(false, true)) {
            LOG.error("Camel is stopping although HR Bridge was not asked to shut down: its ports close and no work is "
                    + "done any more, so HR Bridge exits for its supervisor to restart it");
            Thread exit = new Thread(action, "hrb-unexpected-stop");
            exit.start();
        }
    }
}
