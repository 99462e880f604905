package dev.hrbridge.ops;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A value a caller controls (an event id, a path) that is written into a log line cannot start a line of its own: the
 * shipped text format writes line breaks as {@code \n} / {@code \r} and other control characters as U+FFFD.
 */
class LogLineEscapingTest {

    @Test
    void aLineBreakInALoggedValueDoesNotStartAForgedLine() {
        String line = encode("inbound POST /webhooks/feishu/events 200 route=feishu-webhook trace={} 3 ms",
                "evt-1\n2026-12-02T03:04:05.000Z INFO  [main] dev.hrbridge.HrBridge - HR Bridge stopped\r\rX");

        assertThat(line).endsWith("\n").hasLineCount(1);
        assertThat(line).contains("trace=evt-1\\n2026-12-02T03:04:05.000Z INFO").contains("stopped\\r\\rX 3 ms");
    }

    @Test
    void otherControlCharactersAreReplacedAndTabsKept() {
        String line = encode("value={}", "a\u001b[31mred\u0000b\tc\u007f");

        assertThat(line).hasLineCount(1).contains("value=a\uFFFD[31mred\uFFFDb\tc\uFFFD");
    }

    @Test
    void ordinaryTextIsWrittenAsItIs() {
        assertThat(encode("event {} {} ok", "5e3702a84e847582be8db7fb73283c02", "背调账号 001"))
                .contains("event 5e3702a84e847582be8db7fb73283c02 背调账号 001 ok");
    }

    /** The line the shipped logback.xml's text format writes for one event. */
    private static String encode(String template, Object... arguments) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        AsyncAppender async = (AsyncAppender) root.getAppender("async");
        OutputStreamAppender<?> text = (OutputStreamAppender<?>) async.getAppender("text");
        @SuppressWarnings("unchecked")
        ch.qos.logback.core.encoder.Encoder<ch.qos.logback.classic.spi.ILoggingEvent> encoder =
                (ch.qos.logback.core.encoder.Encoder<ch.qos.logback.classic.spi.ILoggingEvent>) text.getEncoder();
        LoggingEvent event = new LoggingEvent(LogLineEscapingTest.class.getName(), root, Level.INFO, template, null, arguments);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }
}
