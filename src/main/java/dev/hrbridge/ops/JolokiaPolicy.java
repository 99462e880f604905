package dev.hrbridge.ops;

import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;

import javax.management.ObjectName;
import java.util.Map;
import java.util.Set;

/**
 * What Jolokia on the management port may do: read attributes (except the few that carry secrets), list and search
 * MBeans, and run the operations of HR Bridge's own MBeans ({@code dev.hrbridge:*}: replay a dead letter, run the
 * sweep, drop the tenant token). Nothing else is executed and nothing is written: Camel's operations send messages,
 * stop the context and dump routes with their resolved settings, and the JVM's dump heaps and run diagnostic commands.
 */
public final class JolokiaPolicy implements Restrictor {

    static final String OWN_DOMAIN = "dev.hrbridge";

    private static final Set<RequestType> ALLOWED_TYPES =
            Set.of(RequestType.READ, RequestType.LIST, RequestType.SEARCH, RequestType.VERSION, RequestType.CONFIG,
                    RequestType.EXEC);
    /** Settings reach the JVM as {@code -Dfeishu.app-secret=...} as well as through the environment. */
    private static final Map<String, Set<String>> SECRET_ATTRIBUTES =
            Map.of("java.lang:type=Runtime", Set.of("SystemProperties", "InputArguments"));

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.POST;
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return ALLOWED_TYPES.contains(type);
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return !SECRET_ATTRIBUTES.getOrDefault(name.getCanonicalName(), Set.of()).contains(attribute);
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return false;
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        return OWN_DOMAIN.equals(name.getDomain()) && !name.isPattern();
    }

    /** Who may connect is the port's business: its bind address and {@code hrb.management.token}. */
    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return true;
    }

    /** No cross-origin access: {@link ManagementPortGuard} refuses foreign origins before Jolokia sees them. */
    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        return false;
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return false;
    }
}
