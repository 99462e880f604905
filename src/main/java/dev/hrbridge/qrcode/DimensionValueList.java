package dev.hrbridge.qrcode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hrbridge.api.ApiException;

import java.util.ArrayList;
import java.util.List;

/**
 * Seed 001's {@code dimension_value_list}: 1 to 1000 entries, each {@code {dimension: {api_name}, value: {...}}}
 * with exactly one of {@code select_value} (string), {@code multi_select_value} (1 to 1000 strings) or
 * {@code bool_value} (boolean).
 */
public final class DimensionValueList {

    public static final int MAX_ENTRIES = 1000;
    public static final int MAX_MULTI_SELECT = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DimensionValueList() {
    }

    /** The first rule {@code request} breaks: the field path and what is wrong, or null when it is valid. */
    public record Problem(String field, String message) {
    }

    /** Validates the request body and answers the list as Feishu should get it (known fields only), as JSON. */
    public static String read(JsonNode request) {
        Problem problem = problemIn(request);
        if (problem != null) {
            throw ApiException.invalidField(problem.field(), problem.message());
        }
        ArrayNode clean = JSON.createArrayNode();
        for (JsonNode entry : request.get("dimension_value_list")) {
            ObjectNode value = JSON.createObjectNode();
            entry.get("value").properties().stream().filter(field -> isValueField(field.getKey()))
                    .filter(field -> !field.getValue().isNull())
                    .forEach(field -> value.set(field.getKey(), field.getValue()));
            ObjectNode item = clean.addObject();
            item.putObject("dimension").put("api_name", entry.get("dimension").get("api_name").asText());
            item.set("value", value);
        }
        return clean.toString();
    }

    /** The api_names the list uses. */
    public static List<String> apiNames(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(entry -> names.add(entry.path("dimension").path("api_name").asText()));
        return names;
    }

    public static Problem problemIn(JsonNode request) {
        JsonNode list = request == null ? null : request.get("dimension_value_list");
        if (list == null || list.isNull()) {
            return new Problem("dimension_value_list", "dimension_value_list is required");
        }
        if (!list.isArray() || list.isEmpty() || list.size() > MAX_ENTRIES) {
            return new Problem("dimension_value_list",
                    "dimension_value_list must be an array of 1 to " + MAX_ENTRIES + " dimension values");
        }
        for (int i = 0; i < list.size(); i++) {
            Problem problem = problemInEntry(list.get(i), "dimension_value_list[" + i + "]");
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static Problem problemInEntry(JsonNode entry, String path) {
        if (!entry.isObject()) {
            return new Problem(path, path + " must be an object with dimension and value");
        }
        JsonNode apiName = entry.path("dimension").path("api_name");
        if (!entry.path("dimension").isObject()) {
            return new Problem(path + ".dimension", path + ".dimension must be an object with api_name");
        }
        if (!apiName.isTextual() || apiName.asText().isBlank()) {
            return new Problem(path + ".dimension.api_name", path + ".dimension.api_name must be a non-empty string");
        }
        JsonNode value = entry.path("value");
        if (!value.isObject()) {
            return new Problem(path + ".value", path + ".value must be an object");
        }
        int given = 0;
        JsonNode select = value.get("select_value");
        if (select != null && !select.isNull()) {
            given++;
            if (!select.isTextual() || select.asText().isEmpty()) {
                return new Problem(path + ".value.select_value", path + ".value.select_value must be a non-empty string");
            }
        }
        JsonNode multi = value.get("multi_select_value");
        if (multi != null && !multi.isNull()) {
            given++;
            if (!multi.isArray() || multi.isEmpty() || multi.size() > MAX_MULTI_SELECT) {
                return new Problem(path + ".value.multi_select_value",
                        path + ".value.multi_select_value must be an array of 1 to " + MAX_MULTI_SELECT + " strings");
            }
            for (int j = 0; j < multi.size(); j++) {
                if (!multi.get(j).isTextual() || multi.get(j).asText().isEmpty()) {
                    return new Problem(path + ".value.multi_select_value[" + j + "]",
                            path + ".value.multi_select_value[" + j + "] must be a non-empty string");
                }
            }
        }
        JsonNode bool = value.get("bool_value");
        if (bool != null && !bool.isNull()) {
            given++;
            if (!bool.isBoolean()) {
                return new Problem(path + ".value.bool_value", path + ".value.bool_value must be true or false");
            }
        }
        if (given != 1) {
            return new Problem(path + ".value",
                    path + ".value must have exactly one of select_value, multi_select_value, bool_value");
        }
        return null;
    }

    private static boolean isValueField(String name) {
        return name.equals("select_value") || name.equals("multi_select_value") || name.equals("bool_value");
    }
}
