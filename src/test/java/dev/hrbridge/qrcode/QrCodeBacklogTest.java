package dev.hrbridge.qrcode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.inbox.InboxRepository;
import dev.hrbridge.qrcode.ManagedQrCode.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sweep's qr.max-age rotation and a large inactive event against the create API's throttle, on a sandbox
 * instance whose throttle is small (40 a minute) so the limit shows within seconds.
 */
class QrCodeBacklogTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int PER_MINUTE = 40;
    static final String TOKEN = "backlog-token";
    static final String DIMENSIONS = "[{\"dimension\":{\"api_name\":\"company\"},\"value\":{\"select_value\":\"1\"}}]";

    @TempDir
    static Path dir;
    static TestBridge bridge;
    static QrCodeRepository codes;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(dir, Map.of(
                "hrb.api.token", TOKEN,
                "qr.max-age", "1h",
                "qr.sweep.cron", "0 0 3 1 1 ?",
                "hrb.throttle.corehr.onboarding_qr_codes.create.per-minute", String.valueOf(PER_MINUTE)));
        codes = bridge.bridge().context().getRegistry().lookupByNameAndType("qrCodes", QrCodeRepository.class);
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void anActiveCodeOlderThanMaxAgeIsRotatedByTheSweepAndAYoungOneIsNot() throws Exception {
        Instant now = Instant.now();
        codes.insert(new ManagedQrCode("old-1", "u", "p", DIMENSIONS, Status.ACTIVE, null, null, now.minus(Duration.ofHours(2))));
        codes.insert(new ManagedQrCode("young-1", "u", "p", DIMENSIONS, Status.ACTIVE, null, null, now.minus(Duration.ofMinutes(5))));

        HttpResponse<String> sweep = TestBridge.HTTP.send(HttpRequest.newBuilder(bridge.api("/api/v1/onboarding-qr-codes/sweep"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(sweep.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(sweep.body()).path("scheduled").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> codes.find("old-1").orElseThrow().status() == Status.REPLACED);
        ManagedQrCode replacement = codes.find(codes.find("old-1").orElseThrow().replacedBy()).orElseThrow();
        assertThat(replacement.replaces()).isEqualTo("old-1");
        assertThat(replacement.dimensionValueList()).isEqualTo(DIMENSIONS);
        assertThat(codes.find("young-1").orElseThrow().status()).isEqualTo(Status.ACTIVE);
    }

    @Test
    void anEventWith10000CodesIsAcknowledgedAtOnceAndItsRotationsKeepToTheThrottle() throws Exception {
        Instant now = Instant.now();
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String id = "code-" + i;
            if (i % 100 == 0) {
                codes.insert(new ManagedQrCode(id, "u", "p", DIMENSIONS, Status.ACTIVE, null, null, now));
            }
            entries.add("{\"id\":\"" + id + "\",\"png\":\"https://open.feishu.cn/png?" + i + "\",\"url\":\"https://open.feishu.cn/url?" + i + "\"}");
        }
        String event = FeishuPush.v2Event("corehr.onboarding_qr_code.inactive_v2", UUID.randomUUID().toString(), "t",
                "{\"code_lists\":[" + String.join(",", entries) + "]}");

        long begin = System.nanoTime();
        HttpResponse<String> ack = new FeishuPush(bridge.api("/webhooks/feishu/events"), null).plain(event);
        long ackMillis = (System.nanoTime() - begin) / 1_000_000;
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(ackMillis).as("ack in ms").isLessThan(2000);

        List<String> managed = new ArrayList<>();
        for (int i = 0; i < 10_000; i += 100) {
            managed.add("code-" + i);
        }
        // every managed code gets its task; the throttle lets PER_MINUTE creates through, the rest wait unattempted
        await().atMost(Duration.ofSeconds(20)).until(() -> tasks(managed).size() == 100
                && tasks(managed).stream().noneMatch(task -> task.state() == InboxMessage.State.PROCESSING)
                && tasks(managed).stream().filter(task -> task.state() == InboxMessage.State.SUCCEEDED).count() >= PER_MINUTE - 5);
        List<InboxMessage> tasks = tasks(managed);
        long rotated = tasks.stream().filter(task -> task.state() == InboxMessage.State.SUCCEEDED).count();
        long createsThisMinute = codes.list(null, null, 1000).stream().filter(code -> code.replaces() != null).count();
        assertThat(createsThisMinute).as("creates within the first minute").isLessThanOrEqualTo(PER_MINUTE);
        assertThat(rotated).isLessThan(100);
        assertThat(tasks).filteredOn(task -> task.state() != InboxMessage.State.SUCCEEDED)
                .allSatisfy(task -> {
                    assertThat(task.state()).isEqualTo(InboxMessage.State.PENDING);
                    assertThat(task.attempts()).as("a throttled rotation uses no attempt").isZero();
                    assertThat(task.nextAttemptAt()).isAfter(Instant.now());
                });
        assertThat(codes.list(Status.INACTIVE, null, 1000)).hasSize(100 - (int) rotated);
    }

    static List<InboxMessage> tasks(List<String> codeIds) throws Exception {
        InboxRepository inbox = bridge.bridge().context().getRegistry().lookupByNameAndType("inboxRepository", InboxRepository.class);
        List<InboxMessage> tasks = new ArrayList<>();
        for (String id : codeIds) {
            inbox.findByDedupKey(QrCodeRotation.rotationKey(id)).ifPresent(tasks::add);
        }
        return tasks;
    }
}
