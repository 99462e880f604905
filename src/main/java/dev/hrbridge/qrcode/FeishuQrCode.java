package dev.hrbridge.qrcode;

import dev.hrbridge.outbound.RetryableFailure;

import java.time.Instant;
import java.util.Map;

/** The {@code data.qr_code} of Feishu's answer to seed 001's create call. */
record FeishuQrCode(String id, String url, String png, Instant createdAt, Map<String, Object> raw) {

    static final String API = "corehr.onboarding_qr_codes.create";

    /** Reads the answer; one without id, url and png is no answer Feishu gives, so it is retryable like a cut body. */
    @SuppressWarnings("unchecked")
    static FeishuQrCode of(Object answer, Instant now) {
        Object data = answer instanceof Map<?, ?> map ? map.get("data") : null;
        Object code = data instanceof Map<?, ?> map ? map.get("qr_code") : null;
        if (!(code instanceof Map<?, ?> qr) || !(qr.get("id") instanceof String id) || !(qr.get("url") instanceof String url)
                || !(qr.get("png") instanceof String png)) {
            throw new RetryableFailure(API, 200, 0, null, API + " answered code 0 without data.qr_code id, url and png",
                    null, null);
        }
        Instant createdAt = qr.get("created_at") instanceof Number seconds ? Instant.ofEpochSecond(seconds.longValue()) : now;
        return new FeishuQrCode(id, url, png, createdAt, (Map<String, Object>) qr);
    }
}
