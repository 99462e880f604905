package dev.hrbridge;

import dev.hrbridge.config.Settings;
import org.apache.camel.CamelContext;

/** A Camel context configured as HR Bridge runs it, never started ({@link HrBridge#configureOnly}). */
public final class ConfiguredContext implements AutoCloseable {

    private final CamelContext context;
    private final Settings settings;
    private final Runnable close;

    ConfiguredContext(CamelContext context, Settings settings, Runnable close) {
        this.context = context;
        this.settings = settings;
        this.close = close;
    }

    public CamelContext context() {
        return context;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void close() {
        close.run();
    }
}
