package dev.hrbridge.feishu;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The inbox stores an event UNHANDLED at once when the router has no branch for it: both must know the same branches. */
class EventHandlersTest {

    @Test
    void theRoutersOwnBranchesAreTheTypesTheInboxRoutes() throws Exception {
        String router;
        try (InputStream in = EventHandlers.class.getResourceAsStream("/routes/event-router.camel.yaml")) {
            router = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher branch = Pattern.compile("\\$\\{header\\.HrbEventType} == '([^']+)'").matcher(router);
        Set<String> types = branch.results().map(m -> m.group(1)).collect(Collectors.toSet());
        assertThat(types).isNotEmpty().isEqualTo(EventHandlers.ROUTER_TYPES);
        assertThat(router).contains("constant: " + dev.hrbridge.inbox.InboxDispatcher.NO_FLOW);
    }
}
