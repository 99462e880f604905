package dev.hrbridge.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * The values an operator narrows a list or a bulk action with, from the query string or a JSON body alike: times as
 * ISO-8601 instants ({@code 2025-01-31T08:00:00Z}, or with an offset), whole numbers, names. A value that is not what
 * its field takes is {@code 422 invalid_field} naming it; a field the endpoint does not know is {@code 400}, never
 * ignored, so a misspelt filter cannot widen what a call reads or changes.
 */
public final class FilterValues {

    private FilterValues() {
    }

    public static Instant instant(String field, String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.invalidField(field, field + " must be a time such as 2025-01-31T08:00:00Z");
        }
    }

    public static Integer integer(String field, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(text);
        } catch (NumberFormatException e) {
            throw ApiException.invalidField(field, field + " must be a whole number");
        }
    }

    /** {@code from} must come before {@code to} when both are given. */
    public static void checkRange(Instant from, Instant to) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw ApiException.invalidField("to", "to must be later than from");
        }
    }

    /** 400 {@code unknown_field} for a field of {@code body} not in {@code known}. */
    public static void onlyKnown(JsonNode body, Set<String> known) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw ApiException.badRequest("unknown_field", "unknown field '" + abbreviated(name) + "'; this endpoint takes "
                        + new TreeSet<>(known)).with("field", abbreviated(name));
            }
        }
    }

    /** A string field; absent or null: null. */
    public static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.invalidField(field, field + " must be a string");
        }
        return value.asText();
    }

    /** A whole-number field within {@code int}; absent or null: null. */
    public static Integer integer(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw ApiException.invalidField(field, field + " must be a whole number");
        }
        return value.intValue();
    }

    /** A name echoed in an error answer, cut so a hostile one does not fill it. */
    public static String abbreviated(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64) + "…";
    }
}
