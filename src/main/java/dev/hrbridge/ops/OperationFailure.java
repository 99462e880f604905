package dev.hrbridge.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an operation of HR Bridge's MBeans fails: with an exception of the JDK (a JMX client such as jconsole can read
 * it without HR Bridge's classes; Jolokia answers it with an error status and {@code error_type}), a message for the
 * operator, no stack trace and no cause, whose message could carry a database URL or a secret.
 */
final class OperationFailure {

    private static final Logger LOG = LoggerFactory.getLogger(OperationFailure.class);

    private OperationFailure() {
    }

    /** The caller named something that does not exist or is not valid. */
    static IllegalArgumentException badArgument(String message) {
        return bare(new IllegalArgumentException(SecretMasking.masked(message)));
    }

    /** The operation does not apply to the thing in its present state (replayed already, connection stopped). */
    static IllegalStateException refused(String message) {
        return bare(new IllegalStateException(SecretMasking.masked(message)));
    }

    /** {@code what} failed on the way; the log keeps the cause, the caller gets what failed and the cause's kind. */
    static IllegalStateException failed(String what, Exception cause) {
        LOG.warn("{} failed over JMX", what, cause);
        return bare(new IllegalStateException(what + " failed (" + cause.getClass().getSimpleName()
                + "); the log of HR Bridge has the details"));
    }

    private static <T extends RuntimeException> T bare(T exception) {
        exception.setStackTrace(new StackTraceElement[0]);
        return exception;
    }
}
