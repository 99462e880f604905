package dev.hrbridge.sandbox;

import dev.hrbridge.config.Settings;
import dev.hrbridge.config.SimulatedPlatforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sandbox mode's Feishu and IoT gateway, found by HR Bridge through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.hrbridge.config.SimulatedPlatforms}): one simulator on a loopback port, with the
 * sandbox's own app credentials, which it hands to HR Bridge as settings.
 */
public final class Sandbox implements SimulatedPlatforms {

    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    static final String APP_ID = "cli_hrbridge_sandbox";
    static final String APP_SECRET = "hrbridge-sandbox-secret";
    static final String IOT_APP_KEY = "hrbridge-sandbox-iot";
    static final String IOT_APP_SECRET = "hrbridge-sandbox-iot-secret";

    private PlatformSimulator simulator;

    @Override
    public Map<String, String> start(Settings settings) {
        simulator = PlatformSimulator.start(APP_ID, APP_SECRET);
        simulator.feishu().frequencyLimits(settings.getBoolean("hrb.sandbox.frequency-limits"));
        simulator.serve("/user/", new IotGatewaySandbox(IOT_APP_KEY, IOT_APP_SECRET));
        LOG.info("Sandbox simulator of the Feishu OpenAPI and the IoT gateway listening on {}", simulator.baseUrl());
        Map<String, String> simulated = new LinkedHashMap<>();
        simulated.put("feishu.base-url", simulator.baseUrl());
        simulated.put("iot.base-url", simulator.baseUrl());
        simulated.put("feishu.app-id", APP_ID);
        simulated.put("feishu.app-secret", APP_SECRET);
        simulated.put("iot.app-key", IOT_APP_KEY);
        simulated.put("iot.app-secret", IOT_APP_SECRET);
        return simulated;
    }

    /** The running simulator, for tests and tools that inject faults or look at what it holds. */
    public PlatformSimulator simulator() {
        return simulator;
    }

    @Override
    public void close() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
