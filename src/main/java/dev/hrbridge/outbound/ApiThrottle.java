package dev.hrbridge.outbound;

import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Our own rate limit per outbound API: never more than {@code hrb.throttle.<api>.per-minute} calls in any 60 seconds
 * nor {@code hrb.throttle.<api>.per-second} in any second (sliding windows, so a burst at the end of one minute and
 * the start of the next cannot double it, whichever way Feishu counts its windows). An API with neither setting is
 * not throttled. No permit means {@link DeferredFailure} with the wait until the next one; no thread ever waits here.
 * <p>
 * Feishu counts per app, tenant and API ({@link ThrottleKey}), not per process: on PostgreSQL every instance of the
 * deployment takes its permits from the same count in the database ({@link SharedPermitLog}); on embedded H2, which
 * one instance uses, the count is kept in memory ({@link LocalPermitLog}).
 */
public class ApiThrottle {

    /** Calls allowed in any minute and in any second; 0 where there is no such limit. */
    public record Limits(int perMinute, int perSecond) {

        boolean none() {
            return perMinute == 0 && perSecond == 0;
        }
    }

    private final Settings settings;
    private final String appId;
    private final PermitLog permits;
    private final Map<String, Limits> limits = new ConcurrentHashMap<>();

    ApiThrottle(Settings settings, PermitLog permits) {
        this.settings = settings;
        this.appId = settings.get("feishu.app-id", "");
        this.permits = permits;
    }

    /** The throttle of a deployment on {@code database}: shared by its instances on PostgreSQL, in memory on H2. */
    public static ApiThrottle of(Settings settings, Database database) {
        return new ApiThrottle(settings, database.vendor() == Database.Vendor.POSTGRESQL
                ? new SharedPermitLog(database.dataSource()) : new LocalPermitLog(System::nanoTime));
    }

    /** Takes a permit for one call of {@code api}, or throws {@link DeferredFailure}. */
    public void acquire(String api) {
        Limits limits = this.limits.computeIfAbsent(api, name -> limits(settings, name));
        if (!limits.none()) {
            permits.take(new ThrottleKey(appId, api), limits);
        }
    }

    /** The configured limits of {@code api}. */
    public static Limits limits(Settings settings, String api) {
        return new Limits(limit(settings, "hrb.throttle." + api + ".per-minute"),
                limit(settings, "hrb.throttle." + api + ".per-second"));
    }

    private static int limit(Settings settings, String key) {
        return settings.isSet(key) ? settings.getInt(key, 1, 1_000_000) : 0;
    }
}
