package dev.hrbridge.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * {@code HRB_LOG_FORMAT=json}: one JSON object per line, {@code timestamp}, {@code level}, {@code logger},
 * {@code thread}, {@code sequenceNumber}, {@code message} (formatted, its arguments in place), {@code mdc} when set and
 * {@code exception} with its stack trace. Logback's own JSON encoder writes the message's template, {@code "inbound {}
 * {}"}, which a log search cannot find an event id in.
 */
public class JsonLogEncoder extends EncoderBase<ILoggingEvent> {

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] NOTHING = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            json.writeStringField("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("logger", event.getLoggerName());
            json.writeStringField("thread", event.getThreadName());
            json.writeNumberField("sequenceNumber", event.getSequenceNumber());
            json.writeStringField("message", event.getFormattedMessage());
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null && !mdc.isEmpty()) {
                json.writeObjectFieldStart("mdc");
                for (Map.Entry<String, String> entry : mdc.entrySet()) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
            }
            if (event.getThrowableProxy() != null) {
                json.writeStringField("exception", stackTrace(event.getThrowableProxy()));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        line.write('\n');
        return line.toByteArray();
    }

    private static String stackTrace(IThrowableProxy throwable) {
        StringBuilder text = new StringBuilder();
        for (IThrowableProxy cause = throwable; cause != null; cause = cause.getCause()) {
            text.append(cause == throwable ? "" : "Caused by: ").append(cause.getClassName());
            if (cause.getMessage() != null) {
                text.append(": ").append(cause.getMessage());
            }
            text.append('\n');
            for (StackTraceElementProxy frame : cause.getStackTraceElementProxyArray()) {
                text.append('\t').append(frame.getSTEAsString()).append('\n');
            }
        }
        return text.toString();
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }
}
