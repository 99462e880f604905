package dev.hrbridge.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hrbridge.inbox.DeadLetters;
import dev.hrbridge.inbox.InboxMessage;
import dev.hrbridge.routes.RouteProblem;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code try} prints: the delivery and its answer, each run's steps and calls, the final states. */
final class TryReport {

    /** Longest body shown in the text form; {@code --json} carries them whole. */
    private static final int SHOWN = 2000;
    private static final int LABEL = 60;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String method;
    private final String path;
    private List<RouteProblem> refused = List.of();
    private int status;
    private String answer;
    private List<FlowRecorder.Run> runs = List.of();
    private List<InboxMessage> messages = List.of();
    private List<DeadLetters.DeadLetter> deadLetters = List.of();
    private boolean settled;
    private Duration timeout;

    TryReport(String method, String path) {
        this.method = method;
        this.path = path;
    }

    void refused(List<RouteProblem> problems) {
        this.refused = problems;
    }

    void delivered(int status, String answer) {
        this.status = status;
        this.answer = answer;
    }

    void finished(List<FlowRecorder.Run> runs, List<InboxMessage> messages, List<DeadLetters.DeadLetter> deadLetters,
                  boolean settled, Duration timeout) {
        this.runs = runs;
        this.messages = messages;
        this.deadLetters = deadLetters;
        this.settled = settled;
        this.timeout = timeout;
    }

    void print(PrintStream out, boolean json) {
        if (json) {
            try {
                out.println(JSON.writeValueAsString(asJson()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        if (!refused.isEmpty()) {
            out.println("The routes directory was refused; nothing was run:");
            refused.forEach(problem -> out.println("  " + problem.describe()));
            return;
        }
        out.println("Delivered " + method + " " + path + " -> " + status + " " + shorten(answer));
        for (FlowRecorder.Run run : runs) {
            out.println();
            out.println(title(run));
            int width = run.steps().stream().mapToInt(step -> step.route().length()).max().orElse(0);
            for (FlowRecorder.Step step : run.steps()) {
                out.println("  " + pad(step.route(), width) + "  " + pad(label(step.step()), LABEL) + "  " + shown(step.location()));
            }
            for (FlowRecorder.Call call : run.calls()) {
                out.println("  call " + call.method() + " " + call.url());
                if (call.request() != null) {
                    out.println("    request " + shorten(call.request()));
                }
                out.println("    answer  " + (call.failure() != null ? "none: " + call.failure()
                        : call.status() + " " + shorten(call.answer())));
            }
            if (run.failure() != null) {
                out.println("  failed: " + shorten(run.failure()));
            }
        }
        if (runs.stream().allMatch(run -> run.calls().isEmpty())) {
            out.println();
            out.println("No outbound call was made.");
        }
        out.println();
        out.println(settled ? "Result" : "Result (not final after " + timeout.toSeconds() + " s: the timeout ran out)");
        if (messages.isEmpty()) {
            out.println("  no inbox message was stored");
        }
        for (InboxMessage message : messages) {
            StringBuilder line = new StringBuilder("  " + message.kind() + " " + describe(message) + ": " + message.state());
            if (message.outcome() != null) {
                line.append(", outcome ").append(message.outcome());
            }
            line.append(", attempts ").append(message.attempts());
            if (message.platformCode() != null) {
                line.append(", platform code ").append(message.platformCode());
                if (message.platformMsg() != null) {
                    line.append(" (").append(message.platformMsg()).append(")");
                }
            }
            out.println(line);
            if (message.lastError() != null) {
                out.println("    last error: " + shorten(message.lastError()));
            }
        }
        if (deadLetters.isEmpty()) {
            out.println("  dead letters: none");
        }
        for (DeadLetters.DeadLetter letter : deadLetters) {
            out.println("  dead letter " + letter.id() + " (" + letter.flow() + "): " + shorten(letter.error()));
        }
    }

    /** A route file of the operator's by its path, relative to the working directory when below it, as validate names it. */
    private static String shown(String location) {
        if (!location.startsWith("file:")) {
            return location;
        }
        Path file = Path.of(location.substring("file:".length()));
        Path here = Path.of("").toAbsolutePath();
        return file.startsWith(here) ? here.relativize(file).toString() : file.toString();
    }

    /** A step's label cut to {@link #LABEL} characters: a choice names all its conditions, a to its whole URI. */
    private static String label(String step) {
        return step.length() <= LABEL ? step : step.substring(0, LABEL - 1) + "…";
    }

    private static String title(FlowRecorder.Run run) {
        if (run.messageId() == null) {
            return "Delivery (route " + run.flow() + ")";
        }
        return "Run of " + run.flow() + " for " + run.traceId() + " (attempt " + run.attempt() + ")";
    }

    private static String describe(InboxMessage message) {
        String what = message.eventType() != null ? message.eventType() : message.flow();
        return what + " " + message.traceId();
    }

    private Map<String, Object> asJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        if (!refused.isEmpty()) {
            json.put("refused", refused.stream().map(RouteProblem::asJson).toList());
            return json;
        }
        json.put("delivery", Map.of("method", method, "path", path, "status", status, "body", answer == null ? "" : answer));
        List<Map<String, Object>> runList = new ArrayList<>();
        for (FlowRecorder.Run run : runs) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("message_id", run.messageId());
            entry.put("trace_id", run.traceId());
            entry.put("route", run.flow());
            entry.put("attempt", run.attempt());
            entry.put("steps", run.steps().stream().map(step -> Map.of("route", step.route(), "step", step.step(),
                    "location", step.location())).toList());
            entry.put("calls", run.calls().stream().map(TryReport::call).toList());
            entry.put("failure", run.failure());
            runList.add(entry);
        }
        json.put("runs", runList);
        json.put("settled", settled);
        json.put("messages", messages.stream().map(TryReport::message).toList());
        json.put("dead_letters", deadLetters.stream().map(letter -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", letter.id());
            entry.put("flow", letter.flow());
            entry.put("error", letter.error());
            return entry;
        }).toList());
        return json;
    }

    private static Map<String, Object> call(FlowRecorder.Call call) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("method", call.method());
        entry.put("url", call.url());
        entry.put("request", call.request());
        entry.put("status", call.status() == 0 ? null : call.status());
        entry.put("answer", call.answer());
        entry.put("failure", call.failure());
        return entry;
    }

    private static Map<String, Object> message(InboxMessage message) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", message.id());
        entry.put("kind", message.kind().name());
        entry.put("flow", message.flow());
        entry.put("event_type", message.eventType());
        entry.put("trace_id", message.traceId());
        entry.put("state", message.state().name());
        entry.put("outcome", message.outcome());
        entry.put("attempts", message.attempts());
        entry.put("platform_code", message.platformCode());
        entry.put("platform_msg", message.platformMsg());
        entry.put("last_error", message.lastError());
        return entry;
    }

    private static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replace("\r", "").replace("\n", " ");
        return line.length() <= SHOWN ? line : line.substring(0, SHOWN) + "… (" + line.length() + " characters)";
    }

    private static String pad(String text, int width) {
        String value = text == null ? "" : text;
        return value.length() >= width ? value : value + " ".repeat(width - value.length());
    }
}
