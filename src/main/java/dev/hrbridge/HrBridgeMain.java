package dev.hrbridge;

import dev.hrbridge.config.ConfigurationException;

import java.util.Map;

/**
 * {@code java -jar hr-bridge.jar}: starts HR Bridge and runs until it is stopped (SIGTERM, Ctrl-C). Exit codes: 0 after
 * an orderly stop, 2 for settings it cannot start with (a port already taken among them), 1 for another start failure
 * or a stop that met an error, 3 when Camel stopped without being asked to.
 */
public final class HrBridgeMain {

    private HrBridgeMain() {
    }

    public static void main(String[] args) {
        HrBridge bridge;
        try {
            bridge = HrBridge.start(Map.of(), () -> System.exit(3));
        } catch (ConfigurationException e) {
            System.err.println("HR Bridge cannot start: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            System.err.println("HR Bridge failed to start: " + e);
            System.exit(1);
            return;
        }
        bridge.awaitShutdown();
        System.exit(bridge.stoppedCleanly() ? 0 : 1);
    }
}
