package dev.hrbridge.api;

import dev.hrbridge.db.ListPosition;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How every /api list pages: {@code ?limit=} (1 to 1000, default 100) items, newest first, and a {@code next_cursor}
 * when more follow; {@code ?cursor=<next_cursor>} asks for the next page. The cursor carries the list's name and
 * the {@link ListPosition} of the page's last item, signed, so a cursor that was cut, edited or made for another
 * list is refused (400 {@code invalid_cursor}) rather than read as some other position.
 */
public final class ListPages {

    private static final int MAX_CURSOR = 1000;
    private static final int SIGNATURE_BYTES = 16;

    private final SecretKeySpec key;

    /**
     * The signing key comes from the API token, which every instance of a deployment shares: a walk may go on at
     * any instance and survives a restart; a new token ends open walks (their next page is 400 invalid_cursor).
     */
    public ListPages(String apiToken) {
        byte[] derived = hmac(new SecretKeySpec(apiToken.getBytes(StandardCharsets.UTF_8), "HmacSHA256"),
                "hr-bridge list cursor".getBytes(StandardCharsets.UTF_8));
        this.key = new SecretKeySpec(derived, "HmacSHA256");
    }

    /** What one request asks of the list {@code list}; {@link #fetch()} rows tell whether another page follows. */
    public record Page(String list, ListPosition after, int limit) {
        public int fetch() {
            return limit + 1;
        }
    }

    /**
     * The page {@code query} asks of {@code list}, whose filters are {@code filters}: any other parameter is refused
     * ({@code 400 invalid_query}) rather than ignored, so a misspelt filter never reads as "everything".
     */
    public Page page(String list, QueryParameters query, String... filters) {
        Set<String> known = new TreeSet<>(List.of(filters));
        known.add("limit");
        known.add("cursor");
        for (String name : query.names()) {
            if (!known.contains(name)) {
                throw ApiException.badRequest("invalid_query", "unknown query parameter '" + FilterValues.abbreviated(name)
                        + "'; this list takes " + known).with("parameter", FilterValues.abbreviated(name));
            }
        }
        String cursor = query.get("cursor");
        return new Page(list, cursor == null ? null : read(list, cursor), limit(query.get("limit")));
    }

    /** {@code {"items": [...], "next_cursor": ...}} from the rows read for {@code page}, at most {@code fetch()}. */
    public <T> Map<String, Object> answer(Page page, List<T> rows, Function<T, ListPosition> position,
                                          Function<T, Map<String, Object>> view) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", rows.stream().limit(page.limit()).map(view).toList());
        if (rows.size() > page.limit()) {
            answer.put("next_cursor", write(page.list(), position.apply(rows.get(page.limit() - 1))));
        }
        return answer;
    }

    private static int limit(String limit) {
        if (limit == null) {
            return 100;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= 1000) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.invalidField("limit", "limit must be a whole number from 1 to 1000");
    }

    private String write(String list, ListPosition position) {
        byte[] payload = String.join("\n", list, position.createdAt().toString(), position.key())
                .getBytes(StandardCharsets.UTF_8);
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString(payload) + "." + base64.encodeToString(signature(payload));
    }

    private ListPosition read(String list, String cursor) {
        String[] fields = verified(cursor);
        if (fields == null || fields.length != 3) {
            throw invalidCursor("the cursor is not one this API gave out");
        }
        if (!fields[0].equals(list)) {
            throw invalidCursor("the cursor belongs to another list");
        }
        return new ListPosition(Instant.parse(fields[1]), fields[2]);
    }

    /** The fields of a cursor this API signed; null for anything else. */
    private String[] verified(String cursor) {
        int dot = cursor.indexOf('.');
        if (cursor.length() > MAX_CURSOR || dot < 0) {
            return null;
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(cursor.substring(0, dot));
            byte[] signature = Base64.getUrlDecoder().decode(cursor.substring(dot + 1));
            return MessageDigest.isEqual(signature(payload), signature)
                    ? new String(payload, StandardCharsets.UTF_8).split("\n", 3) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private byte[] signature(byte[] payload) {
        return Arrays.copyOf(hmac(key, payload), SIGNATURE_BYTES);
    }

    private static byte[] hmac(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static ApiException invalidCursor(String message) {
        return ApiException.badRequest("invalid_cursor", message + "; start again without cursor");
    }
}
