package dev.hrbridge.outbound;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * One outbound call is one plain HTTP request.
 * <ul>
 *   <li>No automatic retry: Apache HttpClient would silently repeat a 429 or 503 once after a second, even a POST.
 *       Retries belong to the dispatcher, where they are delayed without a thread, counted and end as dead
 *       letters.</li>
 *   <li>No cookie store and no compression negotiation: Feishu authenticates by header and answers small JSON;
 *       both cost work on every call (a cookie spec per request) for nothing.</li>
 * </ul>
 */
public class PlainHttpClient implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder clientBuilder) {
        clientBuilder.disableAutomaticRetries().disableCookieManagement().disableContentCompression();
    }
}
