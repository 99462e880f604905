package dev.hrbridge.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hrbridge.JarProcess;
import dev.hrbridge.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.hrbridge.JarProcess.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator console in a real browser (Debian's headless Chromium), against the packaged jar in sandbox mode: a
 * simulated Feishu fault makes an offboarding revoke DEAD; the console shows the inbox counts, the failure, its story,
 * the token and the long connection; a page of another site cannot replay the dead letter, the operator's click does.
 * With a management token the page is refused without it. Screenshots of the pages go to
 * {@code target/console-screenshots} (the README's pictures, {@code docs/console}, are copies).
 */
class ConsoleBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_TOKEN = "Bearer sandbox-token";
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @TempDir
    Path work;

    @Test
    void theConsoleShowsAFailureWithItsStoryAndTheOperatorReplaysIt() throws Exception {
        try (JarProcess jar = JarProcess.start(work.resolve("run"), env("FEISHU_EVENT_MODE", "both",
                "HRB_RETRY_MAX_ATTEMPTS", "2", "HRB_RETRY_INITIAL_DELAY_MS", "100", "HRB_RETRY_MAX_DELAY_MS", "200"))) {
            jar.awaitHealthy(Duration.ofSeconds(90));
            URI simulator = simulator(jar);
            // Feishu's CoreHR answers every revoke 1160101 (internal error, retried) until the fault is cleared
            assertThat(post(simulator.resolve("/sandbox/faults"), "{\"pathPrefix\":\"/open-apis/corehr/\",\"status\":400,"
                    + "\"code\":1160101,\"msg\":\"internal error\",\"count\":0}", Map.of()).statusCode()).isLessThan(300);
            HttpResponse<String> accepted = post(jar.api("/api/v1/offboardings/revoke"),
                    "{\"offboarding_id\":\"7095671727698478604\"}", Map.of("Authorization", API_TOKEN));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String request = JSON.readTree(accepted.body()).path("request_id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(jar, request).equals("DEAD"));
            // and traffic that went well, for the counts
            for (int i = 0; i < 3; i++) {
                post(jar.api("/webhooks/feishu/events"), "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"console-" + i
                        + "\",\"event_type\":\"console.demo_v1\",\"create_time\":\"1608725989000\",\"token\":\"t\","
                        + "\"app_id\":\"cli_demo\",\"tenant_key\":\"demo\"},\"event\":{}}", Map.of());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> inboxCount(jar, "UNHANDLED") == 3);

            try (Browser browser = new Browser(Chromium.start(work.resolve("profile"), 1440, 1200))) {
                ChromeDriver page = browser.driver;
                page.get(jar.management("/console").toString());
                await().atMost(Duration.ofSeconds(15)).until(() -> !page.findElements(By.cssSelector("#failures tr[data-message]")).isEmpty());

                // the inbox by state and flow
                assertThat(tile(page, "DEAD")).isEqualTo("1");
                assertThat(tile(page, "UNHANDLED")).isEqualTo("3");
                WebElement revokes = page.findElement(By.cssSelector("#inbox-flows tr[data-flow='offboarding-revoke']"));
                assertThat(revokes.findElements(By.tagName("td")).get(6).getText()).isEqualTo("1");
                // the failure, listed with its state, flow and attempts
                WebElement failure = page.findElement(By.cssSelector("#failures tr[data-message='" + request + "']"));
                assertThat(failure.getText()).contains("DEAD").contains("offboarding-revoke").contains("retries_exhausted");
                // Feishu's token and the long connection
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    assertThat(page.findElement(By.cssSelector("#long-connections tbody")).getText()).contains("default").contains("CONNECTED");
                    assertThat(page.findElement(By.cssSelector("#tokens tbody")).getText()).contains("tenant_access_token").contains("VALID");
                });
                assertThat(page.findElement(By.cssSelector("#paused-flows")).getText()).contains("no flow is paused");
                Chromium.screenshot(page, SCREENSHOTS.resolve("console.png"));

                // its story
                failure.findElement(By.cssSelector("button.story-button")).click();
                await().atMost(Duration.ofSeconds(10)).until(() -> page.findElement(By.id("story")).isDisplayed()
                        && !page.findElements(By.cssSelector("#story dd[data-field='state']")).isEmpty());
                assertThat(page.findElement(By.cssSelector("#story dd[data-field='state']")).getText()).isEqualTo("DEAD");
                assertThat(page.findElement(By.cssSelector("#story dd[data-field='flow']")).getText()).isEqualTo("offboarding-revoke");
                assertThat(page.findElement(By.cssSelector("#story dd[data-field='attempts']")).getText()).isEqualTo("2");
                assertThat(page.findElement(By.cssSelector("#story dd[data-field='platform_code']")).getText()).isEqualTo("1160101");
                assertThat(page.findElement(By.id("story-dead-letters")).getText()).contains("dead after 2 attempt(s)");
                // attempt by attempt, as the API tells it: both ended in Feishu's 1160101
                assertThat(page.findElements(By.cssSelector("#story-history li"))).hasSize(2);
                assertThat(page.findElement(By.cssSelector("#story-history li[data-attempt='2']")).getText())
                        .contains("attempt 2").contains("code 1160101");
                Chromium.window(page, SCREENSHOTS.resolve("console-story.png"));
                page.findElement(By.id("story-close")).click();

                // a page of another site (the simulator's origin) tries to replay it, with and without a preflight
                String letter = page.findElement(By.cssSelector("#dead-letters tr[data-dead-letter]")).getAttribute("data-dead-letter");
                page.get(simulator.resolve("/sandbox/faults").toString());
                String replayUrl = jar.management("/console/api/dead-letters/" + letter + "/replay").toString();
                Object forged = page.executeAsyncScript("""
                        const done = arguments[arguments.length - 1];
                        const url = arguments[0];
                        const outcomes = [];
                        fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-HRB-Console': 'replay'}, body: '{}'})
                          .then(r => outcomes.push('preflighted ' + r.status), e => outcomes.push('preflighted refused'))
                          .then(() => fetch(url, {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: '{}'}))
                          .then(r => outcomes.push('simple ' + r.type), e => outcomes.push('simple refused'))
                          .then(() => done(outcomes));
                        """, replayUrl);
                assertThat(forged).asList().contains("preflighted refused");
                assertThat(deadLetterState(jar, letter)).isEqualTo("dead");
                await().atMost(Duration.ofSeconds(5)).until(() -> jar.output()
                        .contains("Management port refused POST /console/api/dead-letters/" + letter + "/replay"));

                // the operator clicks replay once Feishu is healthy again
                assertThat(TestBridge.HTTP.send(HttpRequest.newBuilder(simulator.resolve("/sandbox/faults")).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isLessThan(300);
                page.get(jar.management("/console").toString());
                await().atMost(Duration.ofSeconds(15)).until(() -> !page.findElements(By.cssSelector("#dead-letters button.replay-button")).isEmpty());
                page.findElement(By.cssSelector("#dead-letters tr[data-dead-letter='" + letter + "'] button.replay-button")).click();
                await().atMost(Duration.ofSeconds(10)).until(() -> page.findElement(By.id("replay-result")).getText().contains("replayed"));
                await().atMost(Duration.ofSeconds(30)).until(() -> state(jar, request).equals("SUCCEEDED"));
                assertThat(deadLetterState(jar, letter)).isEqualTo("replayed");
                page.findElement(By.id("refresh")).click();
                await().atMost(Duration.ofSeconds(10)).until(() -> page.findElement(By.cssSelector("#dead-letters tbody")).getText()
                        .contains("no dead letters"));
                assertThat(tile(page, "DEAD")).isEqualTo("0");
                Chromium.screenshot(page, SCREENSHOTS.resolve("console-after-replay.png"));
                assertThat(browser.errors(simulator.toString())).isEmpty();
            }
        }
    }

    @Test
    void withAManagementTokenThePageIsRefusedWithoutItAndShownWithIt() throws Exception {
        String token = "console-token-" + System.nanoTime();
        try (JarProcess jar = JarProcess.start(work.resolve("run"), env("HRB_MANAGEMENT_TOKEN", token));
             Browser browser = new Browser(Chromium.start(work.resolve("profile"), 1280, 900))) {
            awaitHealthy(jar, token);
            ChromeDriver page = browser.driver;
            // without the token the browser gets a 401 with a Basic challenge: it asks for credentials, shows nothing
            page.get(jar.management("/console").toString());
            assertThat(page.getPageSource()).doesNotContain("Last failures").doesNotContain("console.js");
            assertThat(page.findElements(By.id("inbox"))).isEmpty();
            HttpResponse<String> refused = jar.get(jar.management("/console"));
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().allValues("WWW-Authenticate")).anyMatch(challenge -> challenge.startsWith("Basic "));
            assertThat(refused.body()).contains("\"error\":\"unauthorized\"").doesNotContain("<html");
            browser.errors(); // the refusal itself, as the browser reports it

            Chromium.authorize(page, "Bearer " + token);
            page.get(jar.management("/console").toString());
            await().atMost(Duration.ofSeconds(15)).until(() -> !tile(page, "SUCCEEDED").isEmpty());
            assertThat(page.findElement(By.id("instance")).getText()).contains("sandbox mode");
            assertThat(page.findElement(By.id("problem")).isDisplayed()).isFalse();
            assertThat(browser.errors()).isEmpty();
        }
    }

    /** The management port answers health only with the token; JarProcess's probe has none. */
    private static void awaitHealthy(JarProcess jar, String token) {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> jar.get(HttpRequest.newBuilder(
                jar.management("/observe/health")).header("Authorization", "Bearer " + token)).statusCode() == 200);
    }

    private static String tile(ChromeDriver page, String state) {
        List<WebElement> tiles = page.findElements(By.cssSelector("#inbox-states .tile[data-state='" + state + "'] .count"));
        return tiles.isEmpty() ? "" : tiles.get(0).getText();
    }

    private static URI simulator(JarProcess jar) {
        await().atMost(Duration.ofSeconds(10)).until(() -> jar.output().contains("IoT gateway listening on http://"));
        Matcher found = Pattern.compile("IoT gateway listening on (http://127\\.0\\.0\\.1:[0-9]+)").matcher(jar.output());
        assertThat(found.find()).isTrue();
        return URI.create(found.group(1));
    }

    private static String state(JarProcess jar, String request) throws Exception {
        return JSON.readTree(jar.get(HttpRequest.newBuilder(jar.api("/api/v1/requests/" + request))
                .header("Authorization", API_TOKEN)).body()).path("state").asText();
    }

    private static long inboxCount(JarProcess jar, String state) throws Exception {
        return JSON.readTree(jar.get(jar.management("/console/api/overview")).body()).at("/inbox/by_state/" + state).asLong();
    }

    private static String deadLetterState(JarProcess jar, String letter) throws Exception {
        JsonNode answer = JSON.readTree(jar.get(HttpRequest.newBuilder(jar.api("/api/v1/dead-letters/" + letter))
                .header("Authorization", API_TOKEN)).body());
        return answer.path("state").asText();
    }

    private static HttpResponse<String> post(URI uri, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return TestBridge.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The browser, quit at the end; {@link #errors()} are the page's own JavaScript errors. */
    private record Browser(ChromeDriver driver) implements AutoCloseable {

        /** Errors since the last call, but those about pages of {@code otherSites} and the refused cross-site replays. */
        List<String> errors(String... otherSites) {
            return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                    .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                    .map(Object::toString)
                    // a refused cross-site request is the browser reporting the guard's answer, which the test wanted
                    .filter(entry -> !entry.contains("/console/api/dead-letters/"))
                    .filter(entry -> java.util.Arrays.stream(otherSites).noneMatch(entry::contains))
                    .toList();
        }

        @Override
        public void close() {
            driver.quit();
        }
    }
}
