package dev.hrbridge.hire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.Settings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What we offer each of our customers through Feishu Hire: background-check packages and additional items (account
 * scope 1) and exam papers (scope 2), keyed by our customer id. It is configuration ({@code hrb.eco.catalogue}): a JSON
 * file on the classpath ({@code classpath:eco-catalogue.json}, the shipped example) or on disk. The items keep
 * Feishu's field names so that they go out exactly as written; the file is checked at start against Feishu's
 * documented request bodies, so a typo stops the start instead of failing every push.
 */
public final class CustomerCatalogue {

    public static final String SETTING = "hrb.eco.catalogue";

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> TOP_LEVEL = Set.of("about", "customers");
    private static final Set<String> CUSTOMER_FIELDS = Set.of("name", "package_list", "additional_item_list", "paper_list");
    private static final Set<String> PACKAGE_FIELDS = Set.of("id", "name", "description");
    private static final Set<String> PAPER_FIELDS = Set.of("id", "name", "duration", "question_count", "start_time", "end_time");
    /** Feishu's documented limits: package and additional item ids at most 36 characters, paper id and name 255. */
    private static final int PACKAGE_ID_MAX = 36;
    private static final int PAPER_TEXT_MAX = 255;

    private final String location;
    private final Map<String, Customer> customers;

    private CustomerCatalogue(String location, Map<String, Customer> customers) {
        this.location = location;
        this.customers = customers;
    }

    /** One customer's offer; each list holds Feishu request items ({@code id}, {@code name}, ...). */
    public record Customer(String id, String name, List<Map<String, Object>> packageList,
                           List<Map<String, Object>> additionalItemList, List<Map<String, Object>> paperList) {

        /** Whether there is anything to push to an account of {@code scope}. */
        public boolean serves(int scope) {
            return scope == EcoAccount.BACKGROUND_CHECK ? !packageList.isEmpty() : !paperList.isEmpty();
        }

        /** The body of the create call for an account of {@code scope}, as Feishu documents it. */
        public Map<String, Object> pushRequest(String accountId, int scope) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("account_id", accountId);
            if (scope == EcoAccount.BACKGROUND_CHECK) {
                body.put("package_list", packageList);
                if (!additionalItemList.isEmpty()) {
                    body.put("additional_item_list", additionalItemList);
                }
            } else {
                body.put("paper_list", paperList);
            }
            return body;
        }
    }

    /** Reads and checks the catalogue {@code hrb.eco.catalogue} names. */
    public static CustomerCatalogue load(Settings settings) {
        return read(settings.require(SETTING));
    }

    /** {@code classpath:name}, {@code file:path} or a plain path. */
    public static CustomerCatalogue read(String location) {
        JsonNode root;
        try (InputStream in = open(location)) {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw problem(location, "is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw problem(location, "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw problem(location, "must be a JSON object {\"customers\": {...}}");
        }
        List<String> problems = new ArrayList<>();
        unknownFields(root, TOP_LEVEL, "the top level", problems);
        JsonNode list = root.path("customers");
        if (!list.isObject()) {
            problems.add("\"customers\" must be an object keyed by customer id");
        }
        Map<String, Customer> customers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Customer customer = customer(entry.getKey(), entry.getValue(), problems);
            if (customer != null) {
                customers.put(entry.getKey(), customer);
            }
        }
        if (!problems.isEmpty()) {
            throw problem(location, "is malformed: " + String.join("; ", problems));
        }
        return new CustomerCatalogue(location, Map.copyOf(customers));
    }

    public Optional<Customer> customer(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(customers.get(id.trim()));
    }

    public int size() {
        return customers.size();
    }

    public String location() {
        return location;
    }

    private static Customer customer(String id, JsonNode node, List<String> problems) {
        String where = "customer '" + id + "'";
        if (id.isBlank()) {
            problems.add("a customer id must not be blank");
            return null;
        }
        if (!node.isObject()) {
            problems.add(where + " must be an object");
            return null;
        }
        unknownFields(node, CUSTOMER_FIELDS, where, problems);
        if (node.has("name") && !node.get("name").isTextual()) {
            problems.add(where + ": name must be a string");
        }
        List<Map<String, Object>> packages = items(node, "package_list", where, problems, CustomerCatalogue::packageItem);
        List<Map<String, Object>> additional = items(node, "additional_item_list", where, problems, CustomerCatalogue::packageItem);
        List<Map<String, Object>> papers = items(node, "paper_list", where, problems, CustomerCatalogue::paperItem);
        if (packages.isEmpty() && papers.isEmpty()) {
            problems.add(where + " offers nothing: give a package_list (background checks) or a paper_list (exams)");
        }
        if (!additional.isEmpty() && packages.isEmpty()) {
            problems.add(where + ": additional_item_list needs a package_list (Feishu requires one in the same call)");
        }
        return new Customer(id, node.path("name").asText(null), packages, additional, papers);
    }

    private interface ItemReader {
        Map<String, Object> read(JsonNode item, String where, List<String> problems);
    }

    private static List<Map<String, Object>> items(JsonNode customer, String field, String where, List<String> problems,
                                                   ItemReader reader) {
        JsonNode list = customer.get(field);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            problems.add(where + ": " + field + " must be an array");
            return List.of();
        }
        List<Map<String, Object>> items = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String itemWhere = where + " " + field + "[" + i + "]";
            JsonNode item = list.get(i);
            if (!item.isObject()) {
                problems.add(itemWhere + " must be an object");
                continue;
            }
            Map<String, Object> read = reader.read(item, itemWhere, problems);
            if (read.get("id") instanceof String id && !ids.add(id)) {
                problems.add(itemWhere + ": id '" + id + "' appears twice");
            }
            items.add(read);
        }
        return List.copyOf(items);
    }

    private static Map<String, Object> packageItem(JsonNode item, String where, List<String> problems) {
        unknownFields(item, PACKAGE_FIELDS, where, problems);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", text(item, "id", PACKAGE_ID_MAX, where, problems));
        result.put("name", text(item, "name", Integer.MAX_VALUE, where, problems));
        if (item.has("description")) {
            if (!item.get("description").isTextual()) {
                problems.add(where + ": description must be a string");
            }
            result.put("description", item.get("description").asText());
        }
        return result;
    }

    private static Map<String, Object> paperItem(JsonNode item, String where, List<String> problems) {
        unknownFields(item, PAPER_FIELDS, where, problems);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", text(item, "id", PAPER_TEXT_MAX, where, problems));
        result.put("name", text(item, "name", PAPER_TEXT_MAX, where, problems));
        for (String count : List.of("duration", "question_count")) {
            if (item.has(count)) {
                JsonNode value = item.get(count);
                if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
                    problems.add(where + ": " + count + " must be a whole number of at least 0");
                }
                result.put(count, value.asInt());
            }
        }
        Long start = millis(item, "start_time", where, problems, result);
        Long end = millis(item, "end_time", where, problems, result);
        if (start != null && end != null && start >= end) {
            problems.add(where + ": start_time must be before end_time");
        }
        return result;
    }

    /** Feishu takes exam times as millisecond timestamps in strings ("1658676234053"). */
    private static Long millis(JsonNode item, String field, String where, List<String> problems, Map<String, Object> into) {
        if (!item.has(field)) {
            return null;
        }
        JsonNode value = item.get(field);
        if (!value.isTextual() || !value.asText().matches("\\d{1,15}")) {
            problems.add(where + ": " + field + " must be a millisecond timestamp in a string, e.g. \"1658676234053\"");
            return null;
        }
        into.put(field, value.asText());
        return Long.parseLong(value.asText());
    }

    private static String text(JsonNode item, String field, int max, String where, List<String> problems) {
        JsonNode value = item.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            problems.add(where + ": " + field + " is required (a non-empty string)");
            return null;
        }
        if (value.asText().length() > max) {
            problems.add(where + ": " + field + " is longer than Feishu's " + max + " characters");
        }
        return value.asText();
    }

    private static void unknownFields(JsonNode node, Set<String> known, String where, List<String> problems) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                problems.add(where + ": unknown field '" + name + "' (expected " + known.stream().sorted().toList() + ")");
            }
        });
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            String name = location.substring("classpath:".length()).replaceFirst("^/", "");
            InputStream in = CustomerCatalogue.class.getClassLoader().getResourceAsStream(name);
            if (in == null) {
                throw new IOException("no such classpath resource");
            }
            return in;
        }
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        return Files.newInputStream(Path.of(path));
    }

    private static ConfigurationException problem(String location, String what) {
        return new ConfigurationException(Settings.describe(SETTING) + ": the customer catalogue '" + location + "' " + what);
    }
}
