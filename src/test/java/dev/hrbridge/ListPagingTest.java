package dev.hrbridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hrbridge.api.ListPages;
import dev.hrbridge.db.ListPosition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.hrbridge.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every /api list pages: {@code ?limit=} items newest first and a {@code next_cursor} while more follow, walked with
 * {@code ?cursor=}; a cursor that is not one the list gave out is 400 invalid_cursor; filters and limit come from
 * the query string, never from request headers of the same name.
 */
class ListPagingTest {

    private static final String TOKEN = "paging-token";
    /** Each list holds 23 seeded rows in runs of 5 sharing one created_at, 1 in 3 passing its filter. */
    private static final int SEEDED = 23;

    private static Path dir;
    private static TestBridge bridge;
    private static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("hrb-list-paging");
        bridge = TestBridge.start(dir, Map.of("hrb.api.token", TOKEN));
        api = new ApiClient(bridge, TOKEN);
        // an hour ago: inside the inbox's retention, older than anything a test stores while walking
        Instant base = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        for (PagedList list : PagedList.values()) {
            for (int i = 0; i < SEEDED; i++) {
                list.insert(dataSource(), UUID.randomUUID().toString(), base.plusSeconds(i / 5), i % 3 == 0);
            }
        }
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    @ParameterizedTest
    @EnumSource(PagedList.class)
    void aWalkWithNextCursorGivesEveryItemOnceInTheListsOrderAcrossItemsWithTheSameCreatedAt(PagedList list) throws Exception {
        List<JsonNode> all = items(api.getJson(list.path + "?limit=1000"));

        List<JsonNode> pages = pages(list.path + "?limit=4", () -> { });

        assertThat(all).hasSizeGreaterThanOrEqualTo(SEEDED);
        assertThat(keys(list, pages.stream().flatMap(page -> items(page).stream()).toList())).containsExactlyElementsOf(keys(list, all));
        assertThat(pages).hasSize((all.size() + 3) / 4);
        assertThat(pages.subList(0, pages.size() - 1)).allMatch(page -> items(page).size() == 4 && page.has("next_cursor"));
        assertThat(pages.get(pages.size() - 1).has("next_cursor")).isFalse();
        for (int i = 1; i < all.size(); i++) {
            Instant newer = Instant.parse(all.get(i - 1).path("created_at").asText());
            Instant older = Instant.parse(all.get(i).path("created_at").asText());
            assertThat(newer).isAfterOrEqualTo(older);
            if (newer.equals(older)) {
                assertThat(key(list, all.get(i - 1))).isGreaterThan(key(list, all.get(i)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(PagedList.class)
    void aPageHoldingTheLastItemsHasNoNextCursor(PagedList list) throws Exception {
        int size = items(api.getJson(list.path + "?limit=1000")).size();

        JsonNode exact = api.getJson(list.path + "?limit=" + size);
        JsonNode oneShort = api.getJson(list.path + "?limit=" + (size - 1));
        JsonNode last = api.getJson(list.path + "?limit=" + (size - 1) + "&cursor=" + oneShort.path("next_cursor").asText());

        assertThat(items(exact)).hasSize(size);
        assertThat(exact.has("next_cursor")).isFalse();
        assertThat(items(oneShort)).hasSize(size - 1);
        assertThat(items(last)).hasSize(1);
        assertThat(last.has("next_cursor")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(PagedList.class)
    void itemsStoredWhileAWalkGoesOnStayOutOfItAndNothingIsSkippedOrRepeated(PagedList list) throws Exception {
        List<String> before = keys(list, items(api.getJson(list.path + "?limit=1000")));
        List<String> stored = new ArrayList<>();

        List<JsonNode> pages = pages(list.path + "?limit=3", () -> {
            // two at one instant, one passing the filter, between every two pages
            Instant now = Instant.now();
            for (boolean matching : new boolean[]{true, false}) {
                String key = UUID.randomUUID().toString();
                insert(list, key, now, matching);
                stored.add(key);
            }
        });

        assertThat(pages).hasSizeGreaterThan(1).allMatch(page -> items(page).size() <= 3);
        assertThat(keys(list, pages.stream().flatMap(page -> items(page).stream()).toList())).containsExactlyElementsOf(before);
        assertThat(keys(list, items(api.getJson(list.path + "?limit=1000")))).containsAll(stored).containsAll(before);
    }

    @ParameterizedTest
    @EnumSource(PagedList.class)
    void filtersKeepTheirMeaningAlongAWalk(PagedList list) throws Exception {
        List<JsonNode> all = items(api.getJson(list.path + "?limit=1000"));
        List<JsonNode> filtered = items(api.getJson(list.path + "?limit=1000&" + list.filter));

        List<JsonNode> pages = pages(list.path + "?limit=2&" + list.filter, () -> { });

        assertThat(filtered).isNotEmpty().hasSizeLessThan(all.size());
        assertThat(pages).hasSizeGreaterThan(1).allMatch(page -> items(page).size() <= 2);
        assertThat(keys(list, pages.stream().flatMap(page -> items(page).stream()).toList())).containsExactlyElementsOf(keys(list, filtered));
        for (String condition : list.filter.split("&")) {
            String[] field = condition.split("=");
            assertThat(filtered).allMatch(item -> item.path(field[0]).asText().equalsIgnoreCase(field[1]));
        }
    }

    @Test
    void aCursorThatWasCutEditedSignedElsewhereOrMadeForAnotherListIs400InvalidCursor() throws Exception {
        String cursor = api.getJson("/api/v1/events?limit=1").path("next_cursor").asText();
        String payload = cursor.substring(0, cursor.indexOf('.'));
        String signature = cursor.substring(cursor.indexOf('.') + 1);
        String[] fields = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).split("\n");
        String otherKey = Base64.getUrlEncoder().withoutPadding().encodeToString(
                (fields[0] + "\n" + fields[1] + "\n" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        ListPages elsewhere = new ListPages("another-deployments-token");
        ListPages.Page onePerPage = new ListPages.Page("events", null, 1);
        Object foreign = elsewhere.answer(onePerPage, List.of(new ListPosition(Instant.now(), "a"),
                new ListPosition(Instant.now(), "b")), position -> position, position -> Map.of()).get("next_cursor");

        List<String> refused = List.of("garbage", "a.b", cursor.substring(0, cursor.length() - 3), payload,
                otherKey + "." + signature, payload + "." + signature.replace(signature.charAt(2), signature.charAt(2) == 'A' ? 'B' : 'A'),
                payload + "x." + signature, String.valueOf(foreign), cursor + "." + cursor, "x".repeat(1500), "%00%ff.%0a");
        for (String bad : refused) {
            HttpResponse<String> answer = api.get("/api/v1/events?cursor=" + bad);
            assertThat(answer.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(answer).path("error").asText()).as(bad).isEqualTo("invalid_cursor");
        }
        for (PagedList other : List.of(PagedList.DEAD_LETTERS, PagedList.QR_CODES, PagedList.ECO_ACCOUNTS)) {
            HttpResponse<String> answer = api.get(other.path + "?cursor=" + cursor);
            assertThat(answer.statusCode()).as(other.path).isEqualTo(400);
            assertThat(json(answer).path("error").asText()).isEqualTo("invalid_cursor");
            assertThat(json(answer).path("message").asText()).contains("another list");
        }
        assertThat(api.get("/api/v1/events?cursor=" + cursor).statusCode()).isEqualTo(200);
    }

    @Test
    void requestHeadersNamedLikeQueryParametersChangeNothing() throws Exception {
        JsonNode firstPage = api.getJson("/api/v1/events");
        JsonNode plain = api.getJson("/api/v1/events?limit=1000");
        String cursor = api.getJson("/api/v1/events?limit=1").path("next_cursor").asText();

        assertThat(json(api.send("GET", "/api/v1/events", null, "limit", "1"))).isEqualTo(firstPage);
        assertThat(json(api.send("GET", "/api/v1/events", null, "CamelHttpQuery", "limit=1"))).isEqualTo(firstPage);
        assertThat(json(api.send("GET", "/api/v1/events?limit=1000", null, "state", "DEAD"))).isEqualTo(plain);
        assertThat(json(api.send("GET", "/api/v1/events?limit=1000", null, "cursor", cursor))).isEqualTo(plain);
        assertThat(json(api.send("GET", "/api/v1/events?limit=1000", null, "CamelHttpRawQuery", "state=DEAD"))).isEqualTo(plain);
        for (PagedList list : List.of(PagedList.QR_CODES, PagedList.ECO_ACCOUNTS)) {
            HttpResponse<String> header = api.send("GET", list.path + "?limit=1000", null, "status", "lost");
            assertThat(header.statusCode()).isEqualTo(200);
            assertThat(json(header)).isEqualTo(api.getJson(list.path + "?limit=1000"));
            assertThat(api.get(list.path + "?status=lost").statusCode()).isEqualTo(422);
        }
        assertThat(items(api.getJson("/api/v1/events?limit=1"))).hasSize(1);
        assertThat(items(api.getJson("/api/v1/events?limit=1000&state=DEAD")))
                .hasSizeLessThan(items(plain).size()).allMatch(item -> item.path("state").asText().equals("DEAD"));
    }

    @Test
    void aParameterGivenTwiceOrAMalformedQueryStringIs400() throws Exception {
        HttpResponse<String> twice = api.get("/api/v1/dead-letters?state=dead&state=replayed");

        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(json(twice).path("error").asText()).isEqualTo("invalid_query");
        assertThat(json(twice).path("parameter").asText()).isEqualTo("state");
        // the Java client refuses to send a malformed %-escape; a raw request does (the server refuses it first)
        String malformed = rawGet("/api/v1/events?limit=%zz");
        assertThat(malformed).startsWith("HTTP/1.1 400").contains("application/json", "\"error\":\"bad_request\"");
        // a parameter the list does not know is refused, not ignored: a misspelt filter never reads as "everything"
        HttpResponse<String> unknown = api.get("/api/v1/events?unknown=1&unknown=2&limit=1");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("parameter").asText()).isEqualTo("unknown");
    }

    private static String rawGet(String target) throws IOException {
        try (Socket socket = new Socket(bridge.api("/").getHost(), bridge.api("/").getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every page of {@code first}, following next_cursor; {@code between} runs after each page. */
    private static List<JsonNode> pages(String first, Runnable between) throws Exception {
        List<JsonNode> pages = new ArrayList<>();
        JsonNode page = api.getJson(first);
        while (true) {
            pages.add(page);
            between.run();
            if (!page.has("next_cursor")) {
                return pages;
            }
            page = api.getJson(first + "&cursor=" + page.path("next_cursor").asText());
        }
    }

    private static List<JsonNode> items(JsonNode page) {
        List<JsonNode> items = new ArrayList<>();
        page.path("items").forEach(items::add);
        return items;
    }

    private static List<String> keys(PagedList list, List<JsonNode> items) {
        return items.stream().map(item -> key(list, item)).toList();
    }

    private static String key(PagedList list, JsonNode item) {
        return item.path(list.keyField).asText();
    }

    private static void insert(PagedList list, String key, Instant createdAt, boolean matching) {
        try {
            list.insert(dataSource(), key, createdAt, matching);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static DataSource dataSource() {
        return bridge.bridge().database().dataSource();
    }
}
