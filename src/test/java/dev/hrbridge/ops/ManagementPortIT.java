package dev.hrbridge.ops;

import dev.hrbridge.JarProcess;
import dev.hrbridge.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static dev.hrbridge.JarProcess.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The management port and the process around it, as {@code bin/hr-bridge} runs the packaged jar: a secret in the JVM's
 * options stays out of Jolokia; Camel stopped by a JMX client ends the process with exit code 3 for its supervisor to
 * restart it, SIGTERM is an orderly stop (exit 0); a management port already taken stops the start; the prod profile does not start with the port open beyond loopback and no token.
 */
class ManagementPortIT {

    private static final String UNEXPECTED_STOP = "Camel is stopping although HR Bridge was not asked to shut down";

    @TempDir
    Path work;

    @Test
    void aSecretInTheJvmOptionsIsNotReadableAndCamelStoppedOverJmxEndsTheProcessWithCode3() throws Exception {
        String secret = "jvm-option-secret-" + UUID.randomUUID();
        int jmx = TestBridge.freePort();
        String options = "-Xmx256m -Dhrb.test.keystore-password=" + secret
                + " -Dcom.sun.management.jmxremote.port=" + jmx + " -Dcom.sun.management.jmxremote.rmi.port=" + jmx
                + " -Dcom.sun.management.jmxremote.host=127.0.0.1 -Djava.rmi.server.hostname=127.0.0.1"
                + " -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false";
        try (JarProcess jar = JarProcess.start(work, env("JAVA_OPTS", options))) {
            jar.awaitHealthy(Duration.ofSeconds(90));
            HttpResponse<String> arguments = jar.get(jar.management("/observe/jolokia/read/java.lang:type=Runtime/InputArguments"));
            assertThat(arguments.statusCode()).isEqualTo(403);
            assertThat(jar.get(jar.management("/observe/jolokia/read/java.lang:*?ignoreErrors=true")).body())
                    .contains("\"Uptime\"").doesNotContain(secret);

            try (JMXConnector connector = JMXConnectorFactory.connect(
                    new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmx + "/jmxrmi"))) {
                connector.getMBeanServerConnection().invoke(
                        new ObjectName("org.apache.camel:context=hr-bridge,type=context,name=\"hr-bridge\""), "stop", null, null);
            } catch (java.io.IOException processExitedBeforeAnswering) {
                // the exit may cut the JMX answer short
            }
            assertThat(jar.awaitExit(Duration.ofSeconds(30))).isEqualTo(3);
            assertThat(jar.output()).contains(UNEXPECTED_STOP).contains("HR Bridge stopped");
        }
    }

    @Test
    void sigtermIsAnOrderlyShutdownWithExitStatus0NotAnUnexpectedStop() throws Exception {
        try (JarProcess jar = JarProcess.start(work, Map.of())) {
            jar.awaitHealthy(Duration.ofSeconds(90));
            // the start-up log names the address the management port is bound to, loopback by default
            String management = "http://127.0.0.1:" + jar.management("").getPort();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(jar.output())
                    .contains(management + "/observe/health").contains(management + "/observe/metrics")
                    .doesNotContain("0.0.0.0:" + jar.management("").getPort()));
            assertThat(jar.stop()).isZero();
            assertThat(jar.output()).contains("HR Bridge stopped").doesNotContain(UNEXPECTED_STOP);
        }
    }

    @Test
    void aManagementPortTakenByAnotherProcessStopsTheStartWithANonZeroExitNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             JarProcess jar = JarProcess.start(work, Map.of(), TestBridge.freePort(), taken.getLocalPort())) {
            assertThat(jar.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(jar.output()).contains("HR Bridge cannot start: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + " for the management port").contains("hrb.management.port (HRB_MANAGEMENT_PORT)")
                    .doesNotContain("HR Bridge started");
        }
    }

    @Test
    void prodDoesNotStartWithTheManagementPortBeyondLoopbackAndNoToken() throws Exception {
        try (JarProcess jar = JarProcess.start(work, env("HRB_PROFILE", "prod", "FEISHU_APP_ID", "cli_prod",
                "FEISHU_APP_SECRET", "prod-app-secret", "FEISHU_ENCRYPT_KEY", "prod-encrypt-key",
                "HRB_API_TOKEN", "prod-api-token", "HRB_MANAGEMENT_HOST", "0.0.0.0"))) {
            assertThat(jar.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(jar.output()).contains("HR Bridge cannot start")
                    .contains("hrb.management.token (HRB_MANAGEMENT_TOKEN)").doesNotContain("Exception");
        }
    }
}
