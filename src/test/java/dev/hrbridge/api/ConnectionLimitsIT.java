package dev.hrbridge.api;

import dev.hrbridge.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.hrbridge.JarProcess.env;
import static dev.hrbridge.api.RawConnection.exchange;
import static dev.hrbridge.api.RawConnection.webhook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The packaged jar started by {@code bin/hr-bridge} under the file limits of a real process: the launcher hands the
 * JVM the hard limit, the connection cap stays below the limit the process got, and a port that is taken stops it.
 */
class ConnectionLimitsIT {

    @TempDir
    Path work;

    @Test
    void theLauncherRaisesTheOpenFileLimitToTheHardLimit() throws Exception {
        long hard = hardFileLimit();
        assumeThat(hard).as("the hard limit on open files of this machine").isGreaterThan(2048);
        // -XX:-MaxFDLimit: HotSpot would raise it by itself; what is checked here is the launcher
        try (JarProcess jar = JarProcess.startUnderLimits("-S -n 1024", work, env("JAVA_OPTS", "-Xmx256m -XX:-MaxFDLimit"))) {
            jar.awaitHealthy(Duration.ofSeconds(90));
            assertThat(jar.output()).contains("(the process may open " + hard + " files)");
            assertThat(Files.readString(Path.of("/proc", String.valueOf(jar.process().pid()), "limits")))
                    .containsPattern("Max open files +" + hard + " +" + hard);
        }
    }

    @Test
    void underALowFileLimitTheCapLeavesRoomForTheRestAndWebhookAndHealthKeepAnswering() throws Exception {
        List<RawConnection> crowd = new ArrayList<>();
        try (JarProcess jar = JarProcess.startUnderLimits("-n 1200", work, env("HRB_SERVER_BODY_TIMEOUT_MS", "1000"))) {
            jar.awaitHealthy(Duration.ofSeconds(90));
            assertThat(jar.output()).contains("hrb.server.max-connections (HRB_SERVER_MAX_CONNECTIONS) is 4096, but this process "
                    + "may open only 1200 files").contains("takes at most 600 connections");
            int management = jar.management("/").getPort();
            assertThat(exchange(jar.serverPort(), webhook("close"))).startsWith("HTTP/1.1 200 ");

            for (int i = 0; i < 50; i++) {
                crowd.add(new RawConnection(jar.serverPort()).send("POST /webhooks/feishu/events HTTP/1.1\r\nHost: hr-bridge\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"));
            }
            assertThat(crowd.get(49).readUntilClosed()).startsWith("HTTP/1.1 408 ");
            for (int i = 0; i < 1_500; i++) {
                crowd.add(new RawConnection(jar.serverPort()));
            }
            long burst = System.nanoTime();
            // queued behind the whole burst, so answered once the server has set up or closed every connection of it
            assertThat(exchange(jar.serverPort(), webhook("close"))).startsWith("HTTP/1.1 200 ");
            long burstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burst);

            long webhookMs = 0;
            long healthMs = 0;
            for (int i = 0; i < 10; i++) {
                long start = System.nanoTime();
                assertThat(exchange(jar.serverPort(), webhook("close"))).startsWith("HTTP/1.1 200 ");
                webhookMs = Math.max(webhookMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                start = System.nanoTime();
                assertThat(exchange(management, ConnectionLimitsTest.HEALTH)).startsWith("HTTP/1.1 200 ").contains("UP");
                healthMs = Math.max(healthMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            long files = openFiles(jar);
            System.out.printf("jar under a 1200-file limit, 1,550 connections thrown at it: %d files open; on new connections, "
                    + "a webhook sent right after the burst answered in %d ms, then webhooks in at most %d ms and health in "
                    + "at most %d ms (10 each); accept paused by EMFILE during the burst: %s%n", files, burstMs, webhookMs, healthMs,
                    jar.output().contains("Too many open files"));
            assertThat(files).isLessThan(1_200 - 300);
            assertThat(webhookMs).isLessThan(1_000);
            assertThat(healthMs).isLessThan(1_000);
            assertThat(jar.output()).doesNotContain(" ERROR ");
        } finally {
            for (RawConnection client : crowd) {
                client.close();
            }
        }
    }

    @Test
    void aPortAlreadyInUseStopsTheStartNamingThePortAndItsSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
             JarProcess jar = JarProcess.start(work, env("CAMEL_SERVER_PORT", String.valueOf(taken.getLocalPort())))) {
            assertThat(jar.awaitExit(Duration.ofSeconds(60))).isNotZero();
            assertThat(jar.output()).contains("HR Bridge cannot start: cannot listen on 0.0.0.0:" + taken.getLocalPort())
                    .contains("camel.server.port (CAMEL_SERVER_PORT)");
        }
    }

    private static long openFiles(JarProcess jar) throws IOException {
        try (var files = Files.list(Path.of("/proc", String.valueOf(jar.process().pid()), "fd"))) {
            return files.count();
        }
    }

    private static long hardFileLimit() throws Exception {
        Process ulimit = new ProcessBuilder("bash", "-c", "ulimit -H -n").start();
        String limit = new String(ulimit.getInputStream().readAllBytes()).trim();
        ulimit.waitFor();
        return "unlimited".equals(limit) ? Long.MAX_VALUE : Long.parseLong(limit);
    }
}
