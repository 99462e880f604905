package dev.hrbridge.api;

import dev.hrbridge.config.ConfigurationException;
import dev.hrbridge.config.Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.main.MainHttpServerFactory;

import java.util.function.BooleanSupplier;

/**
 * Camel main asks the registry for this before its own factory: the business port ({@code camel.server.*}) becomes
 * a {@link BusinessHttpServer}; the management port stays Camel's.
 */
public final class BusinessHttpServerFactory implements MainHttpServerFactory {

    private final Settings settings;
    private final BooleanSupplier ready;
    private final DefaultMainHttpServerFactory camel = new DefaultMainHttpServerFactory();

    /** {@code ready}: whether HR Bridge has started; until then the business port answers 503. */
    public BusinessHttpServerFactory(Settings settings, BooleanSupplier ready) {
        this.settings = settings;
        this.ready = ready;
    }

    @Override
    public Service newHttpServer(CamelContext camelContext, HttpServerConfigurationProperties properties) {
        if (properties.isUseGlobalSslContextParameters() || properties.isAuthenticationEnabled() || properties.isStaticEnabled()) {
            throw new ConfigurationException("camel.server.useGlobalSslContextParameters, authenticationEnabled and staticEnabled "
                    + "are not supported on the business port; terminate TLS in front of HR Bridge");
        }
        VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
        configuration.setBindHost(properties.getHost());
        configuration.setBindPort(properties.getPort());
        configuration.setPath(properties.getPath());
        configuration.setMaxBodySize(properties.getMaxBodySize());
        configuration.setServerType(VertxPlatformHttpRouter.SERVER_TYPE_SERVER);
        BusinessHttpServer server = new BusinessHttpServer(configuration, ConnectionLimits.of(settings, properties.getPort()), ready)
                // the largest event Feishu documents (seed 000: 10,000 QR codes) is about 4 MB encrypted
                .limitBody("/webhooks/", settings.getLong("hrb.webhook.max-body-bytes", 1 << 20, 1 << 26));
        server.setCamelContext(camelContext);
        return server;
    }

    @Override
    public Service newHttpManagementServer(CamelContext camelContext, HttpManagementServerConfigurationProperties properties) {
        return camel.newHttpManagementServer(camelContext, properties);
    }
}
