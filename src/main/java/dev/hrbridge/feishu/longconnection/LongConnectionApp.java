package dev.hrbridge.feishu.longconnection;

import java.net.URI;
import java.util.Objects;

/**
 * A Feishu app whose events arrive over the long connection: its credentials and Feishu's base URL
 * ({@code https://open.feishu.cn}, or the sandbox). Given to {@link FeishuEventsComponent#addApp}, never put in an
 * endpoint URI: the secret must not reach URIs, JMX or logs ({@link #toString()} leaves it out).
 */
public record LongConnectionApp(String appId, String appSecret, URI baseUrl) {

    public LongConnectionApp {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(appSecret, "appSecret");
        Objects.requireNonNull(baseUrl, "baseUrl");
    }

    @Override
    public String toString() {
        return "LongConnectionApp[appId=" + appId + ", baseUrl=" + baseUrl + "]";
    }
}
