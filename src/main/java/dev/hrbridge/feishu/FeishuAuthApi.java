package dev.hrbridge.feishu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.feishu.FeishuAnswerClassifier.Kind;
import dev.hrbridge.feishu.FeishuAnswerClassifier.Verdict;
import dev.hrbridge.outbound.OutboundMetrics;
import dev.hrbridge.outbound.OutboundOutcome;
import dev.hrbridge.outbound.RetryableFailure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Feishu's {@code /open-apis/auth/v3/*} endpoints, which take the app's credentials in a JSON body instead of a token:
 * the tenant and app tokens and the app_ticket resend. One POST, its answer classified like any other Feishu answer
 * and counted in the outbound metrics under its API name. The body carries secrets: it is never logged.
 */
public class FeishuAuthApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final Duration responseTimeout;
    private final HttpClient http;
    private final FeishuAnswerClassifier classifier;
    private final OutboundMetrics metrics;

    public FeishuAuthApi(String baseUrl, Duration connectTimeout, Duration responseTimeout, FeishuAnswerClassifier classifier,
                         OutboundMetrics metrics) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.responseTimeout = responseTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.classifier = classifier;
        this.metrics = metrics;
    }

    /**
     * POSTs {@code body} to {@code path}; answers Feishu's JSON answer when its code is 0, else throws the
     * {@link dev.hrbridge.outbound.OutboundFailure} the answer means (a refused token too: its code says which).
     */
    public Map<String, Object> post(String api, String path, Map<String, String> body) {
        long begin = System.nanoTime();
        try {
            Map<String, Object> answer = send(api, path, body);
            metrics.record(api, OutboundOutcome.SUCCESS, Duration.ofNanos(System.nanoTime() - begin));
            return answer;
        } catch (RuntimeException e) {
            metrics.record(api, OutboundOutcome.of(e), Duration.ofNanos(System.nanoTime() - begin));
            throw e;
        }
    }

    private Map<String, Object> send(String api, String path, Map<String, String> body) {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                            .timeout(responseTimeout)
                            .header("Content-Type", "application/json; charset=utf-8")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new RetryableFailure(api, null, null, null, api + " unreachable: " + e, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableFailure(api, null, null, null, "interrupted while calling " + api, null, e);
        }
        Verdict verdict = classifier.classify(response.statusCode(), response.body(),
                response.headers().firstValue("x-ogw-ratelimit-reset").orElse(null), Set.of(), Set.of());
        if (verdict.kind() != Kind.SUCCESS) {
            throw verdict.toFailure(api);
        }
        return verdict.answer();
    }
}
