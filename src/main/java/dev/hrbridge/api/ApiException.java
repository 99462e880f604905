package dev.hrbridge.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A caller's request that HR Bridge answers with an error: the HTTP status, a stable machine-readable code and
 * a human message. Extra fields (the offending field, the platform's code) travel along in {@link #details()}.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String errorCode;
    private final Map<String, Object> details = new LinkedHashMap<>();

    public ApiException(int status, String errorCode, String message) {
        super(message, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
    }

    public ApiException with(String field, Object value) {
        details.put(field, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String errorCode() {
        return errorCode;
    }

    public Map<String, Object> details() {
        return details;
    }

    public static ApiException badRequest(String errorCode, String message) {
        return new ApiException(400, errorCode, message);
    }

    /** 422: the request is well-formed JSON but {@code field} is invalid. */
    public static ApiException invalidField(String field, String message) {
        return new ApiException(422, "invalid_field", message).with("field", field);
    }

    /**
     * 400 {@code field_too_long}: {@code value} of {@code field} is longer than the {@code max} characters HR Bridge can
     * store. Checked before anything is acknowledged, so such a message is refused whole rather than half-stored.
     */
    public static String checkLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw new ApiException(400, "field_too_long", field + " is longer than " + max + " characters")
                    .with("field", field).with("max_length", max);
        }
        return value;
    }

    /** Whether this is the refusal of {@link #checkLength}: a value that can never be stored, however often it is tried. */
    public boolean fieldTooLong() {
        return "field_too_long".equals(errorCode);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found");
    }
}
