package dev.hrbridge.outbound;

/**
 * What one throttle counts. Feishu limits every API per app and per tenant; HR Bridge calls with one app for one
 * tenant today, so the key is the app and the API, and a tenant joins the record once calls are made for several.
 */
public record ThrottleKey(String appId, String api) {

    /** The key as the shared throttle stores it: {@code <app id>/<api>}, e.g. {@code cli_a1b2/corehr.offboardings.revoke}. */
    public String id() {
        return appId + "/" + api;
    }
}
