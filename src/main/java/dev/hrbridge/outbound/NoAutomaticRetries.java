package dev.hrbridge.outbound;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * Turns off Apache HttpClient's own retry (it silently repeats a 429 or 503 once after a second, even a POST).
 * One outbound call is one HTTP request: retries belong to the dispatcher, where they are delayed without a
 * thread, counted and end as dead letters.
 */
public class NoAutomaticRetries implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder clientBuilder) {
        clientBuilder.disableAutomaticRetries();
    }
}
