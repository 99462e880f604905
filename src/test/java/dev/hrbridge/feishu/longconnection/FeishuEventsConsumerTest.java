package dev.hrbridge.feishu.longconnection;

import com.fasterxml.jackson.databind.JsonNode;
import com.lark.oapi.ws.pb.Pbbp2;
import dev.hrbridge.feishu.longconnection.ScriptedFeishu.Connection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.hrbridge.feishu.longconnection.ScriptedFeishu.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Events over the long connection become exchanges, and each is acknowledged once its exchange is complete. */
class FeishuEventsConsumerTest {

    private static final String EVENT = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"ev-1\",\"event_type\":"
            + "\"corehr.onboarding_qr_code.inactive_v2\",\"app_id\":\"cli_long_connection_test\"},\"event\":{}}";

    private ScriptedFeishu feishu;
    private LongConnectionBed bed;

    @BeforeEach
    void feishu() throws Exception {
        feishu = new ScriptedFeishu();
    }

    @AfterEach
    void stop() throws Exception {
        if (bed != null) {
            bed.close();
        }
        feishu.close();
    }

    @Test
    void anEventBecomesAnExchangeAndIsAcknowledgedWith200AfterTheRouteCompleted() throws Exception {
        Map<String, Long> routeDone = new ConcurrentHashMap<>();
        bed = LongConnectionBed.start(feishu, "", route -> route
                .delay(300)
                .process(exchange -> routeDone.put(exchange.getIn().getHeader(FeishuEventsHeaders.MESSAGE_ID, String.class), System.nanoTime())));
        Connection connection = bed.connection(1);

        Pbbp2.Frame sent = connection.sendEvent("msg-1", EVENT);

        await().atMost(Duration.ofSeconds(5)).until(() -> connection.ackOf("msg-1") != null);
        Exchange exchange = bed.completed.get(0);
        assertThat(exchange.getIn().getBody(byte[].class)).isEqualTo(EVENT.getBytes(StandardCharsets.UTF_8));
        assertThat(exchange.getIn().getHeaders()).containsEntry(FeishuEventsHeaders.MESSAGE_ID, "msg-1")
                .containsEntry(FeishuEventsHeaders.TRACE_ID, "trace-msg-1")
                .containsEntry(FeishuEventsHeaders.TYPE, "event")
                .containsEntry(FeishuEventsHeaders.CONNECTION_ID, connection.deviceId);
        Pbbp2.Frame ack = connection.ackOf("msg-1");
        assertThat(connection.ackNanos().get(0)).isGreaterThan(routeDone.get("msg-1"));
        assertThat(ack.getSeqID()).isEqualTo(sent.getSeqID());
        assertThat(ack.getLogID()).isEqualTo(sent.getLogID());
        assertThat(ack.getService()).isEqualTo(sent.getService());
        assertThat(ack.getMethod()).isEqualTo(1);
        assertThat(ack.getHeadersList().subList(0, sent.getHeadersCount())).isEqualTo(sent.getHeadersList());
        assertThat(Long.parseLong(value(ack, "biz_rt"))).isBetween(300L, 3000L);
        JsonNode answer = ScriptedFeishu.ackPayload(ack);
        assertThat(answer.get("code").asInt()).isEqualTo(200);
        assertThat(answer.has("headers")).isTrue();
        assertThat(answer.get("data").isNull()).as("the event is not echoed back").isTrue();
        assertThat(bed.status().eventsReceived()).isEqualTo(1);
        await().untilAsserted(() -> assertThat(bed.status().acksByCode()).containsEntry(200, 1L));
    }

    @Test
    void aSlowRouteDoesNotHoldUpOtherEvents() throws Exception {
        CountDownLatch slowMayFinish = new CountDownLatch(1);
        bed = LongConnectionBed.start(feishu, "maxInFlight=4", route -> route.process(exchange -> {
            if ("slow".equals(exchange.getIn().getHeader(FeishuEventsHeaders.MESSAGE_ID))) {
                slowMayFinish.await(2, TimeUnit.SECONDS);
            }
        }));
        Connection connection = bed.connection(1);

        connection.sendEvent("slow", EVENT);
        connection.sendEvent("fast-1", EVENT);
        connection.sendEvent("fast-2", EVENT);

        await().atMost(Duration.ofSeconds(1)).until(() -> connection.ackOf("fast-1") != null && connection.ackOf("fast-2") != null);
        assertThat(connection.ackOf("slow")).as("acknowledged only once its route completed").isNull();
        slowMayFinish.countDown();
        await().atMost(Duration.ofSeconds(3)).until(() -> connection.ackOf("slow") != null);
    }

    @Test
    void beyondMaxInFlightTheSocketIsNotReadUntilAnEventCompletes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        bed = LongConnectionBed.start(feishu, "maxInFlight=1&pongTimeout=5000", route -> route.process(exchange -> release.await(3, TimeUnit.SECONDS)));
        Connection connection = bed.connection(1);

        connection.sendEvent("first", EVENT);
        connection.sendEvent("second", EVENT);
        connection.sendEvent("third", EVENT);

        await().atMost(Duration.ofSeconds(2)).until(() -> bed.status().eventsReceived() == 1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                .until(() -> bed.status().eventsReceived() == 1 && bed.status().inFlight() == 1);
        release.countDown();
        await().atMost(Duration.ofSeconds(3)).until(() -> connection.acks().size() == 3);
        assertThat(bed.completed).extracting(exchange -> exchange.getIn().getHeader(FeishuEventsHeaders.MESSAGE_ID))
                .containsExactly("first", "second", "third");
    }

    @Test
    void theAckCodeIsTheOneTheRouteChose() throws Exception {
        bed = LongConnectionBed.start(feishu, "", route -> route.setHeader(FeishuEventsHeaders.ACK_CODE, constant(429)));
        Connection connection = bed.connection(1);

        connection.sendEvent("msg-1", EVENT);

        await().atMost(Duration.ofSeconds(3)).until(() -> connection.ackOf("msg-1") != null);
        assertThat(ScriptedFeishu.ackPayload(connection.ackOf("msg-1")).get("code").asInt()).isEqualTo(429);
    }

    private static org.apache.camel.Expression constant(Object value) {
        return org.apache.camel.builder.ExpressionBuilder.constantExpression(value);
    }

    @Test
    void aFailingRouteIsAcknowledgedWith500() throws Exception {
        bed = LongConnectionBed.start(feishu, "", route -> route.throwException(new IllegalStateException("inbox down")));
        Connection connection = bed.connection(1);

        connection.sendEvent("msg-1", EVENT);

        await().atMost(Duration.ofSeconds(3)).until(() -> connection.ackOf("msg-1") != null);
        assertThat(ScriptedFeishu.ackPayload(connection.ackOf("msg-1")).get("code").asInt()).isEqualTo(500);
        assertThat(bed.status().acksByCode()).containsEntry(500, 1L);
    }

    @Test
    void theRoutesAnswerBodyIsTheAcksData() throws Exception {
        bed = LongConnectionBed.start(feishu, "", route -> route.setBody(constant("{\"toast\":\"ok\"}")));
        Connection connection = bed.connection(1);

        connection.sendEvent("msg-1", EVENT);

        await().atMost(Duration.ofSeconds(3)).until(() -> connection.ackOf("msg-1") != null);
        JsonNode answer = ScriptedFeishu.ackPayload(connection.ackOf("msg-1"));
        assertThat(new String(Base64.getDecoder().decode(answer.get("data").asText()), StandardCharsets.UTF_8))
                .isEqualTo("{\"toast\":\"ok\"}");
    }

    @Test
    void aSplitPayloadOutOfOrderWithADuplicatedPartBecomesOneExchange() throws Exception {
        bed = LongConnectionBed.start(feishu, "");
        Connection connection = bed.connection(1);
        byte[] whole = EVENT.getBytes(StandardCharsets.UTF_8);
        byte[][] parts = {slice(whole, 0, 20), slice(whole, 20, 50), slice(whole, 50, whole.length)};

        connection.send(feishu.dataFrame("event", "split-1", 3, 2, parts[2]));
        connection.send(feishu.dataFrame("event", "split-1", 3, 0, parts[0]));
        connection.send(feishu.dataFrame("event", "split-1", 3, 0, parts[0]));
        connection.send(feishu.dataFrame("event", "split-1", 3, 1, parts[1]));

        await().atMost(Duration.ofSeconds(3)).until(() -> connection.ackOf("split-1") != null);
        await().during(Duration.ofMillis(200)).until(() -> bed.completed.size() == 1);
        assertThat(bed.completed.get(0).getIn().getBody(byte[].class)).isEqualTo(whole);
        assertThat(connection.acks()).hasSize(1);
    }

    @Test
    void anIncompleteSplitPayloadExpiresWithoutAnExchange() throws Exception {
        bed = LongConnectionBed.start(feishu, "splitPayloadTimeout=300");
        Connection connection = bed.connection(1);
        byte[] whole = EVENT.getBytes(StandardCharsets.UTF_8);

        connection.send(feishu.dataFrame("event", "split-2", 3, 0, slice(whole, 0, 20)));
        connection.send(feishu.dataFrame("event", "split-2", 3, 1, slice(whole, 20, 50)));
        Thread.sleep(700); // lets the parts' time run out: the outcome asserted is that nothing happens
        connection.send(feishu.dataFrame("event", "split-2", 3, 2, slice(whole, 50, whole.length)));

        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> bed.completed.isEmpty() && connection.acks().isEmpty());
        assertThat(bed.status().eventsReceived()).isZero();
    }

    @Test
    void aCardCallbackIsAcknowledgedWith200AndNotRouted() throws Exception {
        bed = LongConnectionBed.start(feishu, "");
        Connection connection = bed.connection(1);

        connection.send(feishu.dataFrame("card", "card-1", 1, 0, "{\"action\":{}}".getBytes(StandardCharsets.UTF_8)));

        await().atMost(Duration.ofSeconds(3)).until(() -> connection.ackOf("card-1") != null);
        assertThat(ScriptedFeishu.ackPayload(connection.ackOf("card-1")).get("code").asInt()).isEqualTo(200);
        assertThat(bed.completed).isEmpty();
    }

    @Test
    void anUnparseableFrameOrATextMessageIsCountedAndTheConnectionGoesOn() throws Exception {
        bed = LongConnectionBed.start(feishu, "");
        Connection connection = bed.connection(1);

        connection.sendBytes(new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
        connection.sendText("{\"not\":\"a frame\"}");
        connection.sendEvent("msg-1", EVENT);

        await().atMost(Duration.ofSeconds(3)).until(() -> connection.ackOf("msg-1") != null);
        assertThat(bed.status().unparseableFrames()).isEqualTo(2);
        assertThat(bed.status().connects()).isEqualTo(1);
    }

    @Test
    void aMessageOverMaxFrameBytesIsSkippedNotBuffered() throws Exception {
        bed = LongConnectionBed.start(feishu, "maxFrameBytes=4096");
        Connection connection = bed.connection(1);

        connection.send(feishu.dataFrame("event", "huge", 1, 0, new byte[100_000]));
        connection.sendEvent("msg-1", EVENT);

        await().atMost(Duration.ofSeconds(3)).until(() -> connection.ackOf("msg-1") != null);
        assertThat(connection.ackOf("huge")).isNull();
        assertThat(bed.status().unparseableFrames()).isEqualTo(1);
    }

    @Test
    void metricsAreRecordedWhenCamelHasAMeterRegistry() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        bed = LongConnectionBed.start(feishu, "", route -> { });
        // bound after the start, as Camel's Prometheus support binds it while the context starts
        bed.camel.getRegistry().bind("metricsRegistry", meters);
        bed.consumer().reconnect();
        Connection connection = bed.connection(2);

        connection.sendEvent("msg-1", EVENT);

        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(meters.get("hrb.feishu.long.connection.acks").tag("app", "default").tag("code", "200").counter().count()).isEqualTo(1);
            assertThat(meters.get("hrb.feishu.long.connection.ack.latency").tag("app", "default").timer().count()).isEqualTo(1);
            assertThat(meters.get("hrb.feishu.long.connection.frames").tags("app", "default", "kind", "event", "direction", "in").counter().count()).isEqualTo(1);
            assertThat(meters.get("hrb.feishu.long.connection.frames").tags("app", "default", "kind", "ping", "direction", "out").counter().count()).isPositive();
            assertThat(meters.get("hrb.feishu.long.connection.frames").tags("app", "default", "kind", "pong", "direction", "in").counter().count()).isPositive();
            assertThat(meters.get("hrb.feishu.long.connection.reconnects").tags("app", "default", "reason", "reconnect_requested").counter().count()).isEqualTo(1);
            assertThat(meters.get("hrb.feishu.long.connection.connected").tag("app", "default").gauge().value()).isEqualTo(1.0);
        });
        bed.close();
        bed = null;
        assertThat(meters.find("hrb.feishu.long.connection.connected").gauge()).isNull();
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        byte[] part = new byte[to - from];
        System.arraycopy(bytes, from, part, 0, part.length);
        return part;
    }

    static List<String> ids(List<Exchange> exchanges) {
        return exchanges.stream().map(exchange -> exchange.getIn().getHeader(FeishuEventsHeaders.MESSAGE_ID, String.class)).toList();
    }
}
