package dev.hrbridge.outbound;

/** A failure that trying again cannot fix: invalid parameters, a missing object, a refused permission. */
public class PermanentFailure extends OutboundFailure {

    public PermanentFailure(String api, Integer httpStatus, Integer platformCode, String platformMsg, String message) {
        super(api, httpStatus, platformCode, platformMsg, message, null);
    }
}
