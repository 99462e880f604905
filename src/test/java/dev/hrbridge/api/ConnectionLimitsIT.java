package dev.hrbridge.api;

import dev.hrbridge.JarProcess;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.hrbridge.JarProcess.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

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
            FeishuPush feishu = new FeishuPush(jar.api("/webhooks/feishu/events"), null);
            assertThat(feishu.plain(event()).statusCode()).isEqualTo(200);

            for (int i = 0; i < 50; i++) {
                crowd.add(new RawConnection(jar.serverPort()).send("POST /webhooks/feishu/events HTTP/1.1\r\nHost: hr-bridge\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"));
            }
            assertThat(crowd.get(49).readUntilClosed()).startsWith("HTTP/1.1 408 ");
            for (int i = 0; i < 1_100; i++) {
                crowd.add(new RawConnection(jar.serverPort()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> openFiles(jar) >= 600);

            long webhookMs = 0;
            long healthMs = 0;
            for (int i = 0; i < 10; i++) {
                long start = System.nanoTime();
                HttpResponse<String> stored = feishu.plain(event());
                webhookMs = Math.max(webhookMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
                start = System.nanoTime();
                HttpResponse<String> health = jar.get(jar.management("/observe/health"));
                healthMs = Math.max(healthMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                assertThat(health.body()).contains("\"UP\"");
            }
            long files = openFiles(jar);
            System.out.printf("jar under a 1200-file limit, 1,150 connections thrown at it: %d files open, webhook at most %d ms, "
                    + "health at most %d ms (10 each)%n", files, webhookMs, healthMs);
            assertThat(files).isLessThan(1_200 - 300);
            assertThat(webhookMs).isLessThan(1_000);
            assertThat(healthMs).isLessThan(1_000);
            assertThat(jar.output()).doesNotContain("Too many open files").doesNotContain(" ERROR ");
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

    private static String event() {
        return FeishuPush.v2Event("test.connection_limits_v1", UUID.randomUUID().toString(), "token", "{}");
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
