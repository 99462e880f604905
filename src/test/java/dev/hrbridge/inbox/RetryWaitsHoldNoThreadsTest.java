package dev.hrbridge.inbox;

import dev.hrbridge.ApiClient;
import dev.hrbridge.feishu.FeishuPush;
import dev.hrbridge.offboarding.StubFeishuBridge;
import dev.hrbridge.inbox.InboxMessage.Kind;
import dev.hrbridge.inbox.InboxMessage.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.hrbridge.offboarding.StubFeishuBridge.REVOKE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 4's rule: a retry waits as a row with a later due time, not as a thread. 200 revoke requests sit in backoff
 * behind a Feishu that answers 503, while webhooks keep being acknowledged at normal speed and no worker is busy.
 */
class RetryWaitsHoldNoThreadsTest {

    private static final int IN_BACKOFF = 200;
    private static final int EVENTS = 100;

    @RegisterExtension
    static final StubFeishuBridge stage = new StubFeishuBridge(Map.of(
            "hrb.retry.offboarding-revoke.max-attempts", "6",
            "hrb.retry.offboarding-revoke.initial-delay-ms", "600000",
            "hrb.retry.offboarding-revoke.max-delay-ms", "600000"));

    @Test
    void twoHundredRequestsInBackoffHoldNoWorkerAndWebhooksAreStillAcknowledgedFast() throws Exception {
        stage.feishu.stubFor(post(urlPathEqualTo(REVOKE)).willReturn(aResponse().withStatus(503).withBody("service unavailable")));
        ApiClient api = stage.api;
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> accepted = new ArrayList<>();
            for (int i = 0; i < IN_BACKOFF; i++) {
                String offboardingId = String.valueOf(7_000_000_000_000_000_000L + i);
                accepted.add(callers.submit(() -> api.post("/api/v1/offboardings/revoke",
                        "{\"offboarding_id\":\"" + offboardingId + "\"}")));
            }
            for (Future<HttpResponse<String>> answer : accepted) {
                assertThat(answer.get().statusCode()).isEqualTo(202);
            }
        } finally {
            callers.shutdownNow();
        }
        InboxRepository repository = stage.bean("inboxRepository", InboxRepository.class);
        InboxDispatcher dispatcher = stage.bean("inboxDispatcher", InboxDispatcher.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> inBackoff(repository) == IN_BACKOFF);

        assertThat(dispatcher.inFlight()).as("workers busy or queued while every request waits").isZero();
        List<Long> millis = acknowledge(EVENTS);

        Collections.sort(millis);
        long p99 = millis.get((int) Math.ceil(EVENTS * 0.99) - 1);
        long median = millis.get(EVENTS / 2);
        System.out.printf("%d webhooks acknowledged with %d requests in backoff: median %d ms, p99 %d ms, max %d ms%n",
                EVENTS, IN_BACKOFF, median, p99, millis.get(EVENTS - 1));
        assertThat(p99).as("p99 of the webhook acknowledgements in ms").isLessThan(500);
        await().atMost(Duration.ofSeconds(10)).until(() -> repository.list(Kind.EVENT, State.UNHANDLED, null, 1000).size() == EVENTS);
        // still waiting, one call each so far, and no worker held by the wait
        assertThat(inBackoff(repository)).isEqualTo(IN_BACKOFF);
        assertThat(dispatcher.inFlight()).isZero();
        stage.feishu.verify(IN_BACKOFF, postRequestedFor(urlPathEqualTo(REVOKE)));
    }

    /** Posts {@code count} webhooks, four senders at a time, and answers each one's time to its 200 in ms. */
    private static List<Long> acknowledge(int count) throws Exception {
        FeishuPush push = new FeishuPush(stage.bridge.api("/webhooks/feishu/events"), null);
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> timings = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                timings.add(senders.submit(() -> {
                    String event = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"" + UUID.randomUUID()
                            + "\",\"event_type\":\"hrb.test.ping_v1\",\"create_time\":\"" + System.currentTimeMillis()
                            + "\",\"token\":\"\",\"app_id\":\"" + FeishuPush.APP_ID + "\",\"tenant_key\":\"tenant\"},\"event\":{}}";
                    long begin = System.nanoTime();
                    HttpResponse<String> answer = push.plain(event);
                    long took = (System.nanoTime() - begin) / 1_000_000;
                    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                    return took;
                }));
            }
            List<Long> millis = new ArrayList<>();
            for (Future<Long> timing : timings) {
                millis.add(timing.get());
            }
            return millis;
        } finally {
            senders.shutdownNow();
        }
    }

    private static long inBackoff(InboxRepository repository) throws Exception {
        return repository.list(Kind.REQUEST, State.PENDING, null, 1000).stream()
                .filter(message -> message.attempts() == 1 && message.lastError() != null)
                .count();
    }

}
