package dev.hrbridge.outbound;

import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;
import dev.hrbridge.feishu.AppTickets;
import dev.hrbridge.feishu.FeishuAnswerClassifier;
import dev.hrbridge.feishu.FeishuApps;
import dev.hrbridge.feishu.FeishuAuthApi;
import dev.hrbridge.feishu.FeishuCall;
import dev.hrbridge.feishu.TenantTokenCache;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import java.time.Clock;
import java.time.Duration;

/**
 * Beans of the outbound side: the steps of the feishu-openapi-action Kamelet, the tokens of every (app, tenant) and
 * the store apps' app_tickets, throttles, retry policy, metrics.
 */
public class OutboundConfiguration implements CamelConfiguration {

    @BeanInject
    private Settings settings;

    @BeanInject
    private Database database;

    @BeanInject
    private FeishuApps feishuApps;

    private volatile CamelContext camelContext;
    private OutboundMetrics metrics;
    private FeishuAnswerClassifier classifier;
    private TenantTokenCache tokens;
    private AppTickets tickets;
    private FeishuAuthApi auth;

    @Override
    public void configure(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @BindToRegistry
    public synchronized OutboundMetrics outboundMetrics() {
        if (metrics == null) {
            // Camel's Prometheus support binds its registry as "metricsRegistry" while the context starts
            metrics = new OutboundMetrics(() -> camelContext == null ? null
                    : camelContext.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class));
        }
        return metrics;
    }

    @BindToRegistry
    public synchronized FeishuAnswerClassifier feishuAnswerClassifier() {
        if (classifier == null) {
            classifier = new FeishuAnswerClassifier();
        }
        return classifier;
    }

    private synchronized FeishuAuthApi feishuAuthApi() {
        if (auth == null) {
            auth = new FeishuAuthApi(settings.require("feishu.base-url"),
                    Duration.ofMillis(settings.getLong("hrb.http.connect-timeout-ms", 1, 600_000)),
                    Duration.ofMillis(settings.getLong("hrb.http.response-timeout-ms", 1, 600_000)),
                    feishuAnswerClassifier(), outboundMetrics());
        }
        return auth;
    }

    @BindToRegistry
    public synchronized AppTickets appTickets() {
        if (tickets == null) {
            tickets = new AppTickets(database.dataSource(), feishuApps, feishuAuthApi(), Clock.systemUTC());
        }
        return tickets;
    }

    @BindToRegistry
    public synchronized TenantTokenCache tenantTokenCache() {
        if (tokens == null) {
            tokens = new TenantTokenCache(feishuAuthApi(), feishuApps, appTickets(), Clock.systemUTC());
        }
        return tokens;
    }

    @BindToRegistry
    public FeishuCall feishuCall() {
        return new FeishuCall(tenantTokenCache(), feishuApps, feishuAnswerClassifier(), outboundMetrics());
    }

    @BindToRegistry
    public PlainHttpClient plainHttpClient() {
        return new PlainHttpClient();
    }

    @BindToRegistry
    public ApiThrottle apiThrottle() {
        return ApiThrottle.of(settings, database);
    }

    @BindToRegistry
    public RetryPolicy retryPolicy() {
        return new RetryPolicy(settings);
    }
}
