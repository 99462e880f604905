package dev.hrbridge.feishu.longconnection;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Failures told in a log line or status: the cause's kind and message, never a URL's query (it holds a ticket). */
final class Failures {

    private Failures() {
    }

    /** The cause behind the wrappers of futures. */
    static Throwable cause(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static String describe(Throwable failure) {
        Throwable cause = cause(failure);
        String message = cause.getMessage();
        String kind = cause.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : kind + ": " + message.replaceAll("\\?\\S*", "?…");
    }
}
