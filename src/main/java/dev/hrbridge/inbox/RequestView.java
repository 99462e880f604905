package dev.hrbridge.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.api.ApiException;
import dev.hrbridge.api.FilterValues;
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
    private final MessageStory story;

    public RequestView(InboxRepository repository, MessageStory story) {
        this.repository = repository;
        this.story = story;
    }

    public String request(@Header("id") String id) throws Exception {
        return JSON.writeValueAsString(view(id));
    }

    /** The request's answer: its state as its caller sees it, and its story; 404 when there is no such request. */
    public Map<String, Object> view(String id) throws Exception {
        InboxMessage message = InboxView.find(repository, id)
                .filter(found -> found.kind() == Kind.REQUEST)
                .orElseThrow(() -> ApiException.notFound("request " + FilterValues.abbreviated(id)));
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
        view.put("created_at", message.createdAt().toString());
        view.put("updated_at", message.updatedAt().toString());
        return story.tell(message, view);
    }
}
