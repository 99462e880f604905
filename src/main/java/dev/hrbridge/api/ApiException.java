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

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found");
    }
}
