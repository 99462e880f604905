package dev.hrbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.sandbox.FeishuSandbox.Caller;
import dev.hrbridge.sandbox.FrequencyLimit.Window;
import dev.hrbridge.sandbox.PlatformSimulator.Reply;
import dev.hrbridge.sandbox.PlatformSimulator.Request;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The two Feishu Hire endpoints a background-check / exam provider calls after the account binding of seed 003,
 * written from their documents (hire-v1 eco_background_check_package/create and eco_exam_paper/create), each
 * limited to 1000 calls a minute and 50 a second:
 * <ul>
 *   <li>{@code POST /open-apis/hire/v1/eco_background_check_packages}: {@code account_id} (string), {@code package_list}
 *       (required) and {@code additional_item_list} (optional) of {@code {id, name, description?}}, ids at most 36
 *       characters. Creation is incremental: "已经创建过的套餐 ID和附加调查项 ID无法重复创建".</li>
 *   <li>{@code POST /open-apis/hire/v1/eco_exam_papers}: {@code account_id}, {@code paper_list} of {@code {id, name}}
 *       (at least 1 character; "超出部分将被截断" after 255) with optional int {@code duration} and
 *       {@code question_count} and millisecond-timestamp strings {@code start_time} before {@code end_time}. The list
 *       replaces the account's papers ("全量更新").</li>
 * </ul>
 * A body that breaks this is HTTP 400 {@code 1002002 Parameter illegal}, Hire's code for bad parameters.
 * <p>
 * Each account belongs to the app and tenant whose {@code hire.eco_account.created_v1} event announced it (seed 003:
 * the event's {@code header.app_id} and {@code header.tenant_key}; the store app's accounts are recorded when
 * {@link StoreAppSandbox} pushes that event); an account never announced belongs to the self-built app in the
 * sandbox's own tenant, as every account did before the store app. A push whose tenant_access_token speaks for another
 * app or tenant is refused with the same {@code 1002002}: inside the caller's tenant that {@code account_id} names no
 * account, so it is an illegal parameter. Feishu publishes no code of its own for this. {@code 99991672} would be
 * wrong: "如何为应用申请所需权限？" documents it as a missing API scope ({@code permission_violations} of type
 * {@code action_scope_required}), which the caller has; and the token itself is valid, so {@code 99991663} would
 * send a client into a pointless token refresh.
 * <p>
 * Two account ids play Hire's other answers; Feishu's ids are digits only, so no real id looks like them: one ending in
 * {@code -1002001} gets HTTP 500 {@code 1002001 System error} on its first push and is accepted on the next, one
 * ending in {@code -1002002} is refused with {@code 1002002} on every push.
 */
public final class HireEcoSandbox {

    static final String PACKAGES_PATH = "/open-apis/hire/v1/eco_background_check_packages";
    static final String PAPERS_PATH = "/open-apis/hire/v1/eco_exam_papers";
    static final int SYSTEM_ERROR = 1002001;
    static final int PARAMETER_ILLEGAL = 1002002;
    private static final int PACKAGE_ID_MAX = 36;
    private static final int PAPER_TEXT_MAX = 255;

    private final Map<String, Set<String>> packages = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> additionalItems = new ConcurrentHashMap<>();
    private final Map<String, List<String>> papers = new ConcurrentHashMap<>();
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    private final Map<String, Caller> owners = new ConcurrentHashMap<>();
    private final Caller selfBuilt;

    /** Hire for the sandbox's tenants; an account never announced belongs to {@code selfBuilt}. */
    HireEcoSandbox(Caller selfBuilt) {
        this.selfBuilt = selfBuilt;
    }

    void serveOn(FeishuSandbox feishu) {
        feishu.register("POST", PACKAGES_PATH, this::createPackages, Window.perMinute(1000), Window.perSecond(50));
        feishu.register("POST", PAPERS_PATH, this::createPapers, Window.perMinute(1000), Window.perSecond(50));
    }

    /**
     * Records that {@code owner}'s event announced {@code accountId}; false, changing nothing, when another app or
     * tenant announced it before (Feishu's account ids are unique).
     */
    boolean announced(String accountId, Caller owner) {
        return owners.putIfAbsent(accountId, owner) == null || owners.get(accountId).equals(owner);
    }

    /** The app and tenant {@code accountId} belongs to. */
    public Caller ownerOf(String accountId) {
        return owners.getOrDefault(accountId, selfBuilt);
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

    private synchronized Reply createPackages(JsonNode body, Request request, Caller caller) {
        List<String> problems = new ArrayList<>();
        String accountId = accountId(body, problems);
        List<String> packageIds = items(body, "package_list", true, problems);
        List<String> itemIds = items(body, "additional_item_list", false, problems);
        if (accountId != null && ownerOf(accountId).equals(caller)) {
            alreadyCreated(packageIds, packages.get(accountId), "package", problems);
            alreadyCreated(itemIds, additionalItems.get(accountId), "additional item", problems);
        }
        Reply refused = refused(accountId, caller, problems);
        if (refused != null) {
            return refused;
        }
        packages.computeIfAbsent(accountId, id -> new LinkedHashSet<>()).addAll(packageIds);
        additionalItems.computeIfAbsent(accountId, id -> new LinkedHashSet<>()).addAll(itemIds);
        return FeishuSandbox.success(Map.of());
    }

    private synchronized Reply createPapers(JsonNode body, Request request, Caller caller) {
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
                String id = requiredText(paper, "id", where, problems);
                ids.add(id == null ? null : id.substring(0, Math.min(id.length(), PAPER_TEXT_MAX)));
                requiredText(paper, "name", where, problems);
                for (String count : List.of("duration", "question_count")) {
                    JsonNode value = paper.path(count);
                    if (!value.isMissingNode() && !value.isNull() && !value.isIntegralNumber()) {
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
        Reply refused = refused(accountId, caller, problems);
        if (refused != null) {
            return refused;
        }
        papers.put(accountId, List.copyOf(ids));
        return FeishuSandbox.success(Map.of());
    }

    /** The refusal the body's problems, the account's owner or the account's scenario call for, or null. */
    private Reply refused(String accountId, Caller caller, List<String> problems) {
        if (accountId != null && !ownerOf(accountId).equals(caller)) {
            problems.add("account_id " + accountId + " is not an account of this app and tenant");
        }
        if (accountId != null && accountId.endsWith("-1002002")) {
            problems.add("account " + accountId + " refuses every push (sandbox scenario -1002002)");
        }
        if (!problems.isEmpty()) {
            return FeishuSandbox.error(400, PARAMETER_ILLEGAL, "Parameter illegal: " + String.join("; ", problems));
        }
        if (accountId.endsWith("-1002001") && failedOnce.add(accountId)) {
            return FeishuSandbox.error(500, SYSTEM_ERROR, "System error");
        }
        return null;
    }

    private static String accountId(JsonNode body, List<String> problems) {
        JsonNode value = body.get("account_id");
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            problems.add("account_id is required");
            return null;
        }
        return value.asText();
    }

    private static List<String> items(JsonNode body, String field, boolean required, List<String> problems) {
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
            String id = requiredText(item, "id", where, problems);
            if (id != null && id.length() > PACKAGE_ID_MAX) {
                problems.add(where + ".id is longer than " + PACKAGE_ID_MAX + " characters");
            }
            requiredText(item, "name", where, problems);
            JsonNode description = item.path("description");
            if (!description.isMissingNode() && !description.isNull() && !description.isTextual()) {
                problems.add(where + ".description must be a string");
            }
            if (id != null && ids.contains(id)) {
                problems.add(where + ".id " + id + " is given twice");
            }
            ids.add(id);
        }
        return ids;
    }

    private static void alreadyCreated(List<String> ids, Set<String> existing, String what, List<String> problems) {
        if (existing != null) {
            ids.stream().filter(existing::contains)
                    .forEach(id -> problems.add(what + " id " + id + " was created before for this account"));
        }
    }

    private static String requiredText(JsonNode item, String field, String where, List<String> problems) {
        JsonNode value = item == null ? null : item.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            problems.add(where + "." + field + " is required");
            return null;
        }
        return value.asText();
    }

    /** A millisecond timestamp in a string; empty or absent means "no limit". */
    private static Long millis(JsonNode paper, String field, String where, List<String> problems) {
        JsonNode value = paper.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty())) {
            return null;
        }
        if (!value.isTextual() || !value.asText().matches("[0-9]{1,15}")) {
            problems.add(where + "." + field + " must be a millisecond timestamp string");
            return null;
        }
        return Long.parseLong(value.asText());
    }
}
