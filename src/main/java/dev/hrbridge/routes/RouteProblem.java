package dev.hrbridge.routes;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One mistake in a route file: where it is ({@code file}, {@code line}, 0 when the line is not known), what kind of
 * mistake ({@link Kind}) and a sentence saying it. {@link #describe()} is the one text both {@code validate} and a
 * refused reload print.
 */
public record RouteProblem(String file, int line, Kind kind, String message) {

    /** The kinds of mistake, as {@code validate --json} names them. */
    public enum Kind {
        YAML("yaml"),
        UNKNOWN_EIP("unknown_eip"),
        UNKNOWN_OPTION("unknown_option"),
        UNKNOWN_SCHEME("unknown_scheme"),
        INVALID_ENDPOINT_OPTION("invalid_endpoint_option"),
        UNRESOLVED_PROPERTY("unresolved_property"),
        UNKNOWN_BEAN("unknown_bean"),
        UNKNOWN_BEAN_METHOD("unknown_bean_method"),
        UNKNOWN_ROUTE_CONFIGURATION("unknown_route_configuration"),
        UNKNOWN_KAMELET("unknown_kamelet"),
        UNKNOWN_KAMELET_PARAMETER("unknown_kamelet_parameter"),
        MISSING_KAMELET_PARAMETER("missing_kamelet_parameter"),
        DUPLICATE_ROUTE_ID("duplicate_route_id"),
        /** A file's route takes the id of a platform route (Java: ingress, inbox plumbing, heartbeat), which no file replaces. */
        PLATFORM_ROUTE("platform_route"),
        UNCONSUMED_DIRECT("unconsumed_direct"),
        UNREADABLE_FILE("unreadable_file"),
        /** Passed the checks but its routes did not start (a reload's, never validate's). */
        NOT_STARTED("not_started");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    static final Comparator<RouteProblem> BY_PLACE = Comparator.comparing(RouteProblem::file)
            .thenComparingInt(RouteProblem::line).thenComparing(RouteProblem::message);

    /** {@code file:line: message}, the form compilers use, so editors and CI logs link to the place. */
    public String describe() {
        return file + (line > 0 ? ":" + line : "") + ": " + message;
    }

    /** The problem as {@code validate --json} writes it. */
    public Map<String, Object> asJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("file", file);
        json.put("line", line > 0 ? line : null);
        json.put("kind", kind.code());
        json.put("message", message);
        return json;
    }
}
