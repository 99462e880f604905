package dev.hrbridge.config;

import dev.hrbridge.feishu.FeishuApps;
import dev.hrbridge.hire.CustomerCatalogue;
import dev.hrbridge.offboarding.OffboardingRevoke;
import dev.hrbridge.outbound.ApiThrottle;
import dev.hrbridge.outbound.RetryPolicy;
import org.quartz.CronExpression;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads every setting HR Bridge uses once at start, so a malformed value stops it with a clear message. */
public final class SettingsValidator {

    private static final Pattern THROTTLE_KEY = Pattern.compile("hrb\\.throttle\\.(.+)\\.per-(minute|second)");
    private static final Pattern RETRY_FLOW_KEY =
            Pattern.compile("hrb\\.retry\\.(.+)\\.(max-attempts|initial-delay-ms|max-delay-ms|multiplier)");

    private static final Duration FEISHU_REDELIVERY = Duration.ofHours(8);

    private SettingsValidator() {
    }

    public static void validate(Settings settings) {
        List<String> problems = new ArrayList<>();
        check(problems, () -> settings.getInt("camel.server.port", 0, 65535));
        check(problems, () -> settings.getInt("hrb.management.port", 0, 65535));
        check(problems, () -> {
            String token = settings.get("hrb.management.token");
            if (token != null && !token.matches("[\\x21-\\x7e]{16,}")) {
                // never the value: it is a secret
                throw new ConfigurationException(Settings.describe("hrb.management.token") + " must be at least 16 "
                        + "printable ASCII characters without spaces, got " + token.length() + " characters");
            }
        });
        check(problems, () -> settings.getLong("hrb.server.head-timeout-ms", 1, 600_000));
        check(problems, () -> settings.getLong("hrb.server.body-timeout-ms", 1, 600_000));
        check(problems, () -> settings.getLong("hrb.server.idle-timeout-ms", 1, 3_600_000));
        check(problems, () -> settings.getInt("hrb.server.max-connections", 1, 1_000_000));
        check(problems, () -> settings.getInt("hrb.db.pool-size", 1, 200));
        check(problems, () -> settings.getHttpUrl("feishu.base-url"));
        check(problems, () -> settings.getHttpUrl("iot.base-url"));
        check(problems, () -> FeishuEventMode.of(settings));
        check(problems, () -> FeishuApps.of(settings));
        check(problems, () -> settings.getLong("feishu.long-connection.connect-timeout-ms", 1, 600_000));
        check(problems, () -> settings.getLong("feishu.long-connection.pong-timeout-ms", 100, 600_000));
        check(problems, () -> {
            if (settings.isSet("feishu.long-connection.ping-interval-ms")) {
                settings.getLong("feishu.long-connection.ping-interval-ms", 100, 3_600_000);
            }
        });
        check(problems, () -> settings.getLong("feishu.long-connection.reconnect-max-backoff-ms", 1, 86_400_000));
        check(problems, () -> settings.getInt("feishu.long-connection.max-in-flight", 1, 10_000));
        check(problems, () -> settings.getLong("feishu.long-connection.stop-timeout-ms", 0, 600_000));
        check(problems, () -> FeishuEventMode.proxy(settings));
        check(problems, () -> settings.getInt("hrb.retry.max-attempts", 1, 100));
        check(problems, () -> settings.getLong("hrb.retry.initial-delay-ms", 0, 86_400_000));
        check(problems, () -> settings.getLong("hrb.retry.max-delay-ms", 0, 86_400_000));
        check(problems, () -> settings.getDouble("hrb.retry.multiplier", 1.0, 10.0));
        check(problems, () -> settings.getLong("hrb.http.connect-timeout-ms", 1, 600_000));
        check(problems, () -> settings.getLong("hrb.http.response-timeout-ms", 1, 600_000));
        check(problems, () -> settings.getLong("hrb.http.pool-timeout-ms", 1, 600_000));
        check(problems, () -> settings.getLong("iot.http.connect-timeout-ms", 1, 600_000));
        check(problems, () -> settings.getLong("iot.http.response-timeout-ms", 1, 600_000));
        check(problems, () -> settings.getLong("iot.http.pool-timeout-ms", 1, 600_000));
        // per-API throttles and per-flow retry settings, read the way the outbound beans read them
        RetryPolicy retry = new RetryPolicy(settings);
        Set<String> flows = new LinkedHashSet<>();
        for (String key : settings.asMap().keySet()) {
            Matcher throttled = THROTTLE_KEY.matcher(key);
            if (throttled.matches()) {
                check(problems, () -> ApiThrottle.limits(settings, throttled.group(1)));
            }
            Matcher flow = RETRY_FLOW_KEY.matcher(key);
            if (flow.matches()) {
                flows.add(flow.group(1));
            }
        }
        for (String flow : flows) {
            check(problems, () -> retry.maxAttempts(flow));
            check(problems, () -> retry.delayBeforeAttempt(flow, 1, null));
        }
        check(problems, () -> settings.require("hrb.eco.customer-field"));
        check(problems, () -> CustomerCatalogue.load(settings));
        check(problems, () -> {
            String type = settings.require("hrb.offboarding.default-user-id-type");
            if (!OffboardingRevoke.USER_ID_TYPES.contains(type)) {
                throw new ConfigurationException(Settings.describe("hrb.offboarding.default-user-id-type")
                        + " must be one of open_id, union_id, user_id, people_corehr_id, got '" + type + "'");
            }
        });
        check(problems, () -> settings.getDuration("qr.max-age"));
        check(problems, () -> checkWebhookMaxAge(settings));
        check(problems, () -> settings.getLong("hrb.webhook.max-body-bytes", 1 << 20, 1 << 26));
        check(problems, () -> settings.getBoolean("hrb.routes.reload"));
        check(problems, () -> settings.getBoolean("hrb.sandbox.frequency-limits"));
        check(problems, () -> settings.getBoolean("hrb.inbox.journal.enabled"));
        check(problems, () -> settings.getBoolean("hrb.inbox.journal.force"));
        check(problems, () -> settings.getLong("hrb.inbox.journal.segment-bytes", 1 << 20, 1L << 34));
        check(problems, () -> settings.getInt("hrb.inbox.journal.max-backlog", 1000, 10_000_000));
        check(problems, () -> settings.getLong("hrb.inbox.journal.hold-above", 0, 1_000_000));
        check(problems, () -> settings.getLong("hrb.inbox.journal.hold-longest-ms", 0, 3_600_000));
        check(problems, () -> settings.getLong("hrb.inbox.journal.max-lag-ms", 1000, 3_600_000));
        check(problems, () -> {
            String cron = settings.require("qr.sweep.cron");
            if (!CronExpression.isValidExpression(cron)) {
                throw new ConfigurationException(Settings.describe("qr.sweep.cron")
                        + " must be a Quartz cron expression such as '0 0/5 * * * ?', got '" + cron + "'");
            }
        });
        check(problems, () -> {
            if (settings.isSet("qr.notify.url")) {
                settings.getHttpUrl("qr.notify.url");
            }
        });
        check(problems, () -> {
            if (settings.isSet("hrb.alerts.url")) {
                settings.getHttpUrl("hrb.alerts.url");
            }
        });
        check(problems, () -> settings.getDuration("hrb.alerts.flow-failing-after"));
        check(problems, () -> settings.getLong("hrb.flows.refresh-ms", 100, 60_000));
        check(problems, () -> {
            String dir = settings.get("hrb.routes.dir");
            if (dir != null && !Files.isDirectory(Path.of(dir))) {
                throw new ConfigurationException(Settings.describe("hrb.routes.dir") + " must be an existing directory, got '"
                        + dir + "'");
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("; ", problems));
        }
    }

    /** Feishu redelivers for about 7 h (15 s, 5 min, 1 h, 6 h); dedup keys live for hrb.inbox.retention. */
    private static void checkWebhookMaxAge(Settings settings) {
        Duration maxAge = settings.getDuration("feishu.webhook.max-age");
        Duration retention = settings.getDuration("hrb.inbox.retention");
        if (maxAge == null || maxAge.compareTo(FEISHU_REDELIVERY) < 0 || retention != null && maxAge.compareTo(retention) >= 0) {
            throw new ConfigurationException(Settings.describe("feishu.webhook.max-age") + " must be at least "
                    + FEISHU_REDELIVERY.toHours() + "h (Feishu redelivers for about 7 h) and shorter than "
                    + Settings.describe("hrb.inbox.retention") + " (" + retention + "), got '"
                    + settings.get("feishu.webhook.max-age") + "'");
        }
    }

    private static void check(List<String> problems, Runnable read) {
        try {
            read.run();
        } catch (ConfigurationException e) {
            problems.add(e.getMessage());
        }
    }
}
