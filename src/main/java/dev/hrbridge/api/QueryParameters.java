package dev.hrbridge.api;

import org.apache.camel.Exchange;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The query string of an /api request, exactly as the caller wrote it. platform-http copies query parameters and
 * request headers alike into message headers, so a request header named like a parameter ({@code limit: 1}) would
 * pass for it there. This reads {@code CamelHttpQuery} instead: platform-http sets it from the request line after
 * copying the headers, and drops request headers whose names start with "Camel", so no header can stand in for it.
 */
public final class QueryParameters {

    private final Map<String, List<String>> values;

    private QueryParameters(Map<String, List<String>> values) {
        this.values = values;
    }

    public static QueryParameters of(Exchange exchange) {
        String query = exchange.getIn().getHeader(Exchange.HTTP_QUERY, String.class);
        Map<String, List<String>> values = new HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                values.computeIfAbsent(name, ignored -> new ArrayList<>()).add(equals < 0 ? "" : decode(pair.substring(equals + 1)));
            }
        }
        return new QueryParameters(values);
    }

    /** The names of the parameters given. */
    public Set<String> names() {
        return values.keySet();
    }

    /** The trimmed value of {@code name}; null when it is absent or blank. Given twice it is refused, not guessed at. */
    public String get(String name) {
        List<String> given = values.getOrDefault(name, List.of());
        if (given.size() > 1) {
            throw ApiException.badRequest("invalid_query", "query parameter " + name + " is given more than once")
                    .with("parameter", name);
        }
        return given.isEmpty() || given.get(0).isBlank() ? null : given.get(0).trim();
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_query", "the query string has a malformed %-escape");
        }
    }
}
