package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Feishu Hire's eco endpoints a background-check / exam provider calls after an account binding: create background
 * check packages (incremental: an id already created for the account is refused) and create exam papers (a full
 * replacement). Bodies are checked as Feishu documents them; a malformed one gets Hire's 1002002 "Parameter illegal".
 */
public final class HireEcoSandbox {

    public static final String PACKAGES_PATH = "/open-apis/hire/v1/eco_background_check_packages";
    public static final String PAPERS_PATH = "/open-apis/hire/v1/eco_exam_papers";

    static final int PARAMETER_ILLEGAL = 1002002;
    private static final int PACKAGE_ID_MAX = 36;

    private final Map<String, Set<String>> packages = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> additionalItems = new ConcurrentHashMap<>();
    private final Map<String, List<String>> papers = new ConcurrentHashMap<>();

    public void serveOn(FeishuSandbox feishu) {
        feishu.register("POST", PACKAGES_PATH, this::createPackages);
        feishu.register("POST", PAPERS_PATH, this::createPapers);
    }

    /** Package ids created so far under {@code accountId}. */
    public Set<String> packagesOf(String accountId) {
        return Set.copyOf(packages.getOrDefault(accountId, Set.of()));
    }

    public Set<String> additionalItemsOf(String accountId) {
        return Set.copyOf(additionalItems.getOrDefault(accountId, Set.of()));
    }

    /** Exam paper ids of {@code accountId}, as the last create call set them. */
    public List<String> papersOf(String accountId) {
        return List.copyOf(papers.getOrDefault(accountId, List.of()));
    }

    private synchronized Reply createPackages(Request request) {
        JsonNode body = request.json();
        if (body == null) {
            return FeishuSandbox.error(400, 9499, "Bad Request: the body must be a JSON object");
        }
        List<String> problems = new ArrayList<>();
        String accountId = accountId(body, problems);
        List<String> packageIds = packageItems(body, "package_list", true, problems);
        List<String> itemIds = packageItems(body, "additional_item_list", false, problems);
        if (accountId != null) {
            alreadyCreated(packageIds, packages.get(accountId), "package", problems);
            alreadyCreated(itemIds, additionalItems.get(accountId), "additional item", problems);
        }
        if (!problems.isEmpty()) {
            return illegal(problems);
        }
        packages.computeIfAbsent(accountId, id -> new LinkedHashSet<>()).addAll(packageIds);
        additionalItems.computeIfAbsent(accountId, id -> new LinkedHashSet<>()).addAll(itemIds);
        return success();
    }

    private synchronized Reply createPapers(Request request) {
        JsonNode body = request.json();
        if (body == null) {
            return FeishuSandbox.error(400, 9499, "Bad Request: the body must be a JSON object");
        }
        List<String> problems = new ArrayList<>();
        String accountId = accountId(body, problems);
        JsonNode list = body.get("paper_list");
        List<String> ids = new ArrayList<>();
        if (list == null || !list.isArray()) {
            problems.add("paper_list is required and must be an array");
        } else {
            for (int i = 0; i < list.size(); i++) {
                JsonNode paper = list.get(i);
                String where = "paper_list[" + i + "]";
                ids.add(requiredText(paper, "id", Integer.MAX_VALUE, where, problems));
                requiredText(paper, "name", Integer.MAX_VALUE, where, problems);
                for (String count : List.of("duration", "question_count")) {
                    if (paper.has(count) && !paper.get(count).isIntegralNumber()) {
                        problems.add(where + "." + count + " must be an int");
                    }
                }
                Long start = millis(paper, "start_time", where, problems);
                Long end = millis(paper, "end_time", where, problems);
                if (start != null && end != null && start >= end) {
                    problems.add(where + ".start_time must be less than end_time");
                }
            }
        }
        if (!problems.isEmpty()) {
            return illegal(problems);
        }
        papers.put(accountId, List.copyOf(ids));
        return success();
    }

    private static String accountId(JsonNode body, List<String> problems) {
        JsonNode value = body.get("account_id");
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            problems.add("account_id is required");
            return null;
        }
        return value.asText();
    }

    private static List<String> packageItems(JsonNode body, String field, boolean required, List<String> problems) {
        JsonNode list = body.get(field);
        List<String> ids = new ArrayList<>();
        if (list == null || list.isNull()) {
            if (required) {
                problems.add(field + " is required");
            }
            return ids;
        }
        if (!list.isArray()) {
            problems.add(field + " must be an array");
            return ids;
        }
        for (int i = 0; i < list.size(); i++) {
            String where = field + "[" + i + "]";
            JsonNode item = list.get(i);
            String id = requiredText(item, "id", PACKAGE_ID_MAX, where, problems);
            requiredText(item, "name", Integer.MAX_VALUE, where, problems);
            if (item.has("description") && !item.get("description").isTextual()) {
                problems.add(where + ".description must be a string");
            }
            if (id != null && ids.contains(id)) {
                problems.add(where + ".id " + id + " is repeated");
            }
            ids.add(id);
        }
        return ids;
    }

    private static void alreadyCreated(List<String> ids, Set<String> existing, String what, List<String> problems) {
        if (existing == null) {
            return;
        }
        ids.stream().filter(existing::contains)
                .forEach(id -> problems.add(what + " id " + id + " was created before for this account; use batch_update"));
    }

    private static String requiredText(JsonNode item, String field, int max, String where, List<String> problems) {
        JsonNode value = item == null ? null : item.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            problems.add(where + "." + field + " is required");
            return null;
        }
        if (value.asText().length() > max) {
            problems.add(where + "." + field + " is longer than " + max + " characters");
        }
        return value.asText();
    }

    private static Long millis(JsonNode paper, String field, String where, List<String> problems) {
        JsonNode value = paper.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty())) {
            return null;
        }
        if (!value.isTextual() || !value.asText().matches("\\d{1,15}")) {
            problems.add(where + "." + field + " must be a millisecond timestamp string");
            return null;
        }
        return Long.parseLong(value.asText());
    }

    private static Reply illegal(List<String> problems) {
        return FeishuSandbox.error(400, PARAMETER_ILLEGAL, "Parameter illegal: " + String.join("; ", problems));
    }

    private static Reply success() {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("code", 0);
        answer.put("msg", "success");
        answer.put("data", Map.of());
        return Reply.json(200, answer);
    }
}
