package dev.hrbridge;

import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.tools.RouteTools;

import java.util.Map;

/**
 * {@code java -jar hr-bridge.jar}: starts HR Bridge and runs until it is stopped (SIGTERM, Ctrl-C). Exit codes: 0 after
 * an orderly stop, 2 for settings it cannot start with (a port already taken among them), 1 for another start failure
 * or a stop that met an error, 3 when Camel stopped without being asked to.
 * {@code java -jar hr-bridge.jar validate ...} and {@code ... try ...} run the route tools instead ({@link RouteTools}),
 * with the runtime's log on standard error at WARN and above, so their output on standard out stays readable.
 */
public final class HrBridgeMain {

    private HrBridgeMain() {
    }

    public static void main(String[] args) {
        if (RouteTools.selected(args)) {
            // before the first logger exists: logback reads its configuration once
            System.setProperty("logback.configurationFile", "logback-tools.xml");
            System.exit(RouteTools.run(args, System.out, System.err));
            return;
        }
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
