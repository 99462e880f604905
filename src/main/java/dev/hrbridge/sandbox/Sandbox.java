package dev.hrbridge.sandbox;

import dev.hrbridge.config.Settings;
import dev.hrbridge.config.SimulatedPlatforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sandbox mode's Feishu and IoT gateway, found by HR Bridge through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.hrbridge.config.SimulatedPlatforms}): one simulator on a loopback port, with the
 * sandbox's own app credentials, which it hands to HR Bridge as settings: the self-built app as the default app
 * ({@code feishu.*}), the store app as the named app {@value #STORE_APP_NAME} ({@code feishu.apps.store.*}), whose
 * events the simulator pushes to {@code /webhooks/feishu/store/events} on HR Bridge's {@code camel.server.port}.
 */
public final class Sandbox implements SimulatedPlatforms {

    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    static final String APP_ID = "cli_hrbridge_sandbox";
    static final String APP_SECRET = "hrbridge-sandbox-secret";
    static final String IOT_APP_KEY = "hrbridge-sandbox-iot";
    static final String IOT_APP_SECRET = "hrbridge-sandbox-iot-secret";
    static final String STORE_APP_NAME = "store";
    /** How often the store app gets a fresh app_ticket pushed (Feishu: hourly); empty = only on resend or on demand. */
    static final String TICKET_INTERVAL = "hrb.sandbox.store-app.app-ticket-interval";

    private PlatformSimulator simulator;

    @Override
    public Map<String, String> start(Settings settings) {
        boolean frequencyLimits = settings.getBoolean("hrb.sandbox.frequency-limits");
        int port = settings.getInt("camel.server.port", 0, 65535);
        Duration ticketInterval = settings.getDuration(TICKET_INTERVAL);
        simulator = PlatformSimulator.start(APP_ID, APP_SECRET);
        simulator.feishu().frequencyLimits(frequencyLimits);
        simulator.serve("/user/", new IotGatewaySandbox(IOT_APP_KEY, IOT_APP_SECRET));
        StoreAppSandbox storeApp = simulator.storeApp();
        if (port > 0) {
            storeApp.deliverTo(URI.create("http://127.0.0.1:" + port + "/webhooks/feishu/" + STORE_APP_NAME + "/events"));
        } else {
            LOG.info("Sandbox store app pushes nothing: camel.server.port is 0, so the simulator cannot know HR Bridge's port");
        }
        storeApp.pushAppTicketsEvery(ticketInterval);
        LOG.info("Sandbox simulator of the Feishu OpenAPI and the IoT gateway listening on {}", simulator.baseUrl());
        Map<String, String> simulated = new LinkedHashMap<>();
        simulated.put("feishu.base-url", simulator.baseUrl());
        simulated.put("iot.base-url", simulator.baseUrl());
        simulated.put("feishu.app-id", APP_ID);
        simulated.put("feishu.app-secret", APP_SECRET);
        simulated.put("iot.app-key", IOT_APP_KEY);
        simulated.put("iot.app-secret", IOT_APP_SECRET);
        String named = "feishu.apps." + STORE_APP_NAME + ".";
        simulated.put(named + "app-id", StoreAppSandbox.APP_ID);
        simulated.put(named + "app-secret", StoreAppSandbox.APP_SECRET);
        simulated.put(named + "type", "store");
        simulated.put(named + "encrypt-key", StoreAppSandbox.ENCRYPT_KEY);
        simulated.put(named + "verification-token", StoreAppSandbox.VERIFICATION_TOKEN);
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
