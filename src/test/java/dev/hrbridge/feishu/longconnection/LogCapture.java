package dev.hrbridge.feishu.longconnection;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Every log line written while it is open, of every logger, as the text an operator would read. */
final class LogCapture implements AutoCloseable {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger ours = (Logger) LoggerFactory.getLogger(LogCapture.class.getPackageName());
    private final Level oursBefore = ours.getLevel();

    LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    /** Also the long connection's debug lines (what is ignored, and why). */
    LogCapture withDebug() {
        ours.setLevel(Level.DEBUG);
        return this;
    }

    /** Each line: level, logger, message, and the stack trace when there is one. */
    List<String> lines() {
        synchronized (appender) {
            return appender.list.stream().map(event -> event.getLevel() + " " + event.getLoggerName() + " "
                    + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy())))
                    .toList();
        }
    }

    @Override
    public void close() {
        ours.setLevel(oursBefore);
        root.detachAppender(appender);
    }
}
