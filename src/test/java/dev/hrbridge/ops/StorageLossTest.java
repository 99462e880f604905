package dev.hrbridge.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.ApiClient;
import dev.hrbridge.TestBridge;
import dev.hrbridge.feishu.FeishuPush;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Storage that disappears under a running instance is noticed before anything more is acknowledged: an event
 * acknowledged into a deleted file would be gone at the next start, so Feishu is answered 503 (and redelivers), API
 * callers too, and readiness says why.
 */
class StorageLossTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "test.storage_probe_v1";

    @TempDir
    Path dir;

    @Test
    void deletingTheDataFolderStopsAcknowledgementsAndTakesReadinessDown() throws Exception {
        Path data = dir.resolve("data");
        try (TestBridge bridge = TestBridge.start(data)) {
            FeishuPush feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
            assertThat(feishu.plain(FeishuPush.v2Event(TYPE, "before", "t", "{}")).statusCode()).isEqualTo(200);

            deleteRecursively(data);

            assertRefused(feishu.plain(FeishuPush.v2Event(TYPE, "after", "t", "{}")));
            assertRefused(new ApiClient(bridge, "sandbox-token").post("/api/v1/offboardings/revoke",
                    "{\"offboarding_id\":\"7095671727698478604\"}"));
            HttpResponse<String> health = bridge.get(bridge.management("/observe/health?exposureLevel=full"));
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("storage lost").contains("is gone");
        }
    }

    @Test
    void aDatabaseFileReplacedWhileInUseStopsAcknowledgementsWithTheJournalSwitchedOff() throws Exception {
        Path data = dir.resolve("data");
        try (TestBridge bridge = TestBridge.start(data, Map.of("hrb.inbox.journal.enabled", "false"))) {
            FeishuPush feishu = new FeishuPush(bridge.api("/webhooks/feishu/events"), null);
            assertThat(feishu.plain(FeishuPush.v2Event(TYPE, "before", "t", "{}")).statusCode()).isEqualTo(200);

            // an operator restores a copy over the file the process has open
            Path file = data.resolve("hrb.mv.db");
            Path copy = data.resolve("restored.mv.db");
            Files.copy(file, copy);
            Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING);

            assertRefused(feishu.plain(FeishuPush.v2Event(TYPE, "after", "t", "{}")));
            HttpResponse<String> health = bridge.get(bridge.management("/observe/health?exposureLevel=full"));
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("storage lost").contains("was replaced");
        }
    }

    private static void assertRefused(HttpResponse<String> answer) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(JSON.readTree(answer.body()).path("error").asText()).isEqualTo("storage_unavailable");
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
