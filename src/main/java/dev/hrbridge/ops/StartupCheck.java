package dev.hrbridge.ops;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Readiness: DOWN until the whole start-up is done — Camel's routes run a moment before the operator's routes
 * directory is loaded and the MBeans are registered, and no event should arrive in that gap.
 */
public class StartupCheck extends AbstractHealthCheck {

    private volatile boolean started;

    public StartupCheck() {
        super("hrb", "startup");
    }

    public void started() {
        started = true;
    }

    public boolean isStarted() {
        return started;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (started) {
            builder.up();
        } else {
            builder.message("HR Bridge is still starting").down();
        }
    }
}
