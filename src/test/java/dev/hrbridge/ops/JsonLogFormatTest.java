package dev.hrbridge.ops;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code HRB_LOG_FORMAT=json} as the packaged logback.xml writes it: what a log shipper reads. */
class JsonLogFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachLineIsOneJsonObjectWithTheFormattedMessageAndAnIncreasingSequenceNumber() throws Exception {
        List<JsonNode> lines = logAsJson(log -> {
            log.info("inbound {} {} route={} trace={} {} ms", "POST", "/webhooks/feishu/events", "feishu-webhook", "ev-1", 3);
            log.warn("a value with a line break: {}", "first\nforged line");
            log.error("failed {}", "ev-2", new IllegalStateException("boom"));
        });

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).path("message").asText())
                .isEqualTo("inbound POST /webhooks/feishu/events route=feishu-webhook trace=ev-1 3 ms");
        assertThat(lines.get(0).path("level").asText()).isEqualTo("INFO");
        assertThat(lines.get(0).path("logger").asText()).isEqualTo("hrb.json-test");
        assertThat(lines.get(0).path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        // a line break stays inside its JSON string: no second line for a log reader to take as its own
        assertThat(lines.get(1).path("message").asText()).isEqualTo("a value with a line break: first\nforged line");
        assertThat(lines.get(2).path("message").asText()).isEqualTo("failed ev-2");
        assertThat(lines.get(2).path("exception").asText()).startsWith("java.lang.IllegalStateException: boom\n\tat ");
        long first = lines.get(0).path("sequenceNumber").asLong();
        assertThat(lines.get(1).path("sequenceNumber").asLong()).isEqualTo(first + 1);
        assertThat(lines.get(2).path("sequenceNumber").asLong()).isEqualTo(first + 2);
    }

    @Test
    void secretsAreMaskedInJsonLinesToo() throws Exception {
        SecretMasking.mask(List.of("json-test-secret-value"));
        List<JsonNode> lines = logAsJson(log -> log.info("calling with app_secret={}", "json-test-secret-value"));
        assertThat(lines.get(0).path("message").asText()).isEqualTo("calling with app_secret=****");
    }

    /** Runs {@code logging} against a logger context configured from the packaged logback.xml in JSON mode. */
    private static List<JsonNode> logAsJson(java.util.function.Consumer<Logger> logging) throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            // the console appender takes System.out when it starts
            System.setOut(new PrintStream(written, true, StandardCharsets.UTF_8));
            context.putProperty("HRB_LOG_FORMAT", "json");
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(JsonLogFormatTest.class.getResource("/logback.xml"));
            logging.accept(context.getLogger("hrb.json-test"));
            context.stop(); // drains the asynchronous appender
        } finally {
            System.setOut(console);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : written.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
