package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.inbox.InboxMessage.Kind;
import dev.hrbridge.inbox.InboxMessage.State;
import org.apache.camel.Header;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.hrbridge.inbox.DeadLetters.putIfSet;

/** {@code GET /api/v1/requests/{id}}: what became of an accepted API request, for the caller who polls it. */
public class RequestView {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InboxRepository repository;

    public RequestView(InboxRepository repository) {
        this.repository = repository;
    }

    public String request(@Header("id") String id) throws Exception {
        InboxMessage message = repository.find(id)
                .filter(found -> found.kind() == Kind.REQUEST)
                .orElseThrow(() -> ApiException.notFound("request " + id));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("request_id", message.id());
        view.put("flow", message.flow());
        // a request being worked on right now is, to its caller, still pending
        view.put("state", (message.state() == State.PROCESSING ? State.PENDING : message.state()).name());
        view.put("attempts", message.attempts());
        putIfSet(view, "outcome", message.outcome());
        putIfSet(view, "http_status", message.httpStatus());
        putIfSet(view, "platform_code", message.platformCode());
        putIfSet(view, "platform_msg", message.platformMsg());
        if (message.state() != State.SUCCEEDED) {
            putIfSet(view, "last_error", message.lastError());
        }
        if (message.state() == State.PENDING && message.lastError() != null) {
            view.put("next_attempt_at", message.nextAttemptAt().toString());
        }
        view.put("created_at", message.createdAt().toString());
        view.put("updated_at", message.updatedAt().toString());
        return JSON.writeValueAsString(view);
    }
}
