package dev.hrbridge.config;

import java.util.Map;
import java.util.ServiceLoader;

/**
 * What sandbox mode runs in place of Feishu and the IoT gateway. HR Bridge finds it with {@link ServiceLoader}, so
 * production code names no simulator class and binds none of its parts: the simulator wires itself.
 */
public interface SimulatedPlatforms extends AutoCloseable {

    /**
     * Starts the simulated platforms as {@code settings} ask ({@code hrb.sandbox.*}); answers the settings that point
     * HR Bridge at them (base URLs, app credentials).
     */
    Map<String, String> start(Settings settings);

    @Override
    void close();

    /** The simulator packaged with HR Bridge. */
    static SimulatedPlatforms load() {
        return ServiceLoader.load(SimulatedPlatforms.class).findFirst().orElseThrow(() -> new ConfigurationException(
                "sandbox mode needs the built-in simulator, which this build does not contain; set "
                        + Settings.describe("feishu.app-id") + " to run live"));
    }
}
