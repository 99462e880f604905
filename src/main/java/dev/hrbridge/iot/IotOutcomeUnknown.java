package dev.hrbridge.iot;

import dev.hrbridge.outbound.PermanentFailure;

/**
 * The IoT platform may or may not have run the call: no answer in time, the connection lost after the request was
 * sent, or an answer that says the backend failed or timed out. Never tried again, because a create is not
 * idempotent: a second try of one that did create the employee is answered 2441 "employee is already existed".
 */
public class IotOutcomeUnknown extends PermanentFailure {

    public IotOutcomeUnknown(String api, Integer httpStatus, Integer platformCode, String platformMsg, String message) {
        super(api, httpStatus, platformCode, platformMsg, message);
    }
}
