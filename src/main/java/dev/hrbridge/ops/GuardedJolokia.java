package dev.hrbridge.ops;

import dev.hrbridge.api.HttpErrorAnswers;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.Utils;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.plugin.JolokiaPlatformHttpPlugin;
import org.apache.camel.support.service.ServiceSupport;
import org.jolokia.core.api.LogHandler;
import org.jolokia.json.JSONArray;
import org.jolokia.json.JSONObject;
import org.jolokia.json.JSONStructure;
import org.jolokia.server.core.config.ConfigKey;
import org.jolokia.server.core.config.StaticConfiguration;
import org.jolokia.server.core.http.HttpRequestHandler;
import org.jolokia.server.core.request.BadRequestException;
import org.jolokia.server.core.request.EmptyResponseException;
import org.jolokia.server.core.request.JolokiaRequest;
import org.jolokia.server.core.service.JolokiaServiceManagerFactory;
import org.jolokia.server.core.service.api.JolokiaContext;
import org.jolokia.server.core.service.api.JolokiaServiceManager;
import org.jolokia.server.core.util.NetworkUtil;
import org.jolokia.service.jmx.LocalRequestHandler;
import org.jolokia.service.serializer.JolokiaSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Jolokia under {@code /observe/jolokia}, bound as Camel's "jolokia" plugin in place of Camel's own, which allows
 * every MBean operation when no {@code jolokia-access.xml} is found. What it may do is {@link JolokiaPolicy}; a
 * refused request is answered {@code 403 {"error": "forbidden", "message": ...}} and logged once. Configured secrets
 * are masked in every answer, in case an attribute nobody thought of carries one.
 */
public final class GuardedJolokia extends ServiceSupport implements JolokiaPlatformHttpPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedJolokia.class);
    private static final int FORBIDDEN = 403;

    private final JolokiaPolicy policy = new JolokiaPolicy();
    private CamelContext camelContext;
    private JolokiaServiceManager services;
    private HttpRequestHandler jolokia;

    @Override
    protected void doStart() {
        services = JolokiaServiceManagerFactory.createJolokiaServiceManager(
                new StaticConfiguration(ConfigKey.AGENT_ID, NetworkUtil.getAgentId(hashCode(), "vertx"),
                        // no stack traces or serialized exceptions in answers
                        ConfigKey.ALLOW_ERROR_DETAILS, "false"),
                new Slf4jLog(LOG), policy);
        services.addService(new JolokiaSerializer());
        services.addService(new LocalRequestHandler(1));
        jolokia = new PolicyCheckingHandler(services.start(), policy);
    }

    @Override
    protected void doStop() {
        if (services != null) {
            services.stop();
        }
    }

    @Override
    public Object getHandler() {
        return (Handler<RoutingContext>) this::handle;
    }

    private void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        JSONStructure answer;
        try {
            Map<String, String[]> parameters = new HashMap<>();
            request.params().names().forEach(name -> parameters.put(name, request.params().getAll(name).toArray(String[]::new)));
            if (request.method() == HttpMethod.GET) {
                answer = jolokia.handleGetRequest(request.uri(), Utils.pathOffset(request.path(), context), parameters);
            } else {
                byte[] body = context.body() == null || context.body().buffer() == null ? new byte[0]
                        : context.body().buffer().getBytes();
                InputStream in = new ByteArrayInputStream(body);
                answer = jolokia.handlePostRequest(request.uri(), in, "UTF-8", parameters);
            }
        } catch (BadRequestException e) {
            HttpErrorAnswers.respond(context, 400, "bad_request", SecretMasking.masked(String.valueOf(e.getMessage())));
            return;
        } catch (Exception e) {
            LOG.warn("Jolokia could not answer {} {}: {}", request.method(), request.path(), e.toString());
            HttpErrorAnswers.respond(context, 500, "internal_error", "Jolokia could not answer this request");
            return;
        }
        ownFailureStatus(answer);
        List<String> refused = refusals(answer);
        if (!refused.isEmpty()) {
            LOG.warn("Management port refused {} Jolokia request(s) from {}: {}", refused.size(),
                    request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress(), refused.get(0));
        }
        if (answer instanceof JSONObject && !refused.isEmpty()) {
            HttpErrorAnswers.respond(context, FORBIDDEN, "forbidden", SecretMasking.masked(refused.get(0)));
            return;
        }
        context.response().putHeader("Content-Type", "application/json")
                .end(SecretMasking.masked(answer.toJSONString()));
    }

    /**
     * Jolokia answers every exception of an operation with status 500. HR Bridge's own operations fail with
     * IllegalArgumentException where the API answers 400 or 404 (no such dead letter, no such app) and
     * IllegalStateException where it answers 409 (replayed already): those get 400 and 409, as over HTTP.
     */
    private static void ownFailureStatus(JSONStructure answer) {
        List<?> results = answer instanceof JSONArray array ? array : List.of(answer);
        for (Object result : results) {
            if (result instanceof JSONObject json && json.get("request") instanceof JSONObject request
                    && String.valueOf(request.get("mbean")).startsWith(JolokiaPolicy.OWN_DOMAIN + ":")) {
                Object type = json.get("error_type");
                if ("java.lang.IllegalArgumentException".equals(type)) {
                    json.put("status", 400);
                } else if ("java.lang.IllegalStateException".equals(type)) {
                    json.put("status", 409);
                }
            }
        }
    }

    /** Why each refused request of {@code answer} (one, or a bulk array) was refused. */
    private static List<String> refusals(JSONStructure answer) {
        List<String> reasons = new ArrayList<>();
        List<?> results = answer instanceof JSONArray array ? array : List.of(answer);
        for (Object result : results) {
            if (result instanceof JSONObject json && json.get("status") instanceof Number status
                    && status.intValue() == FORBIDDEN) {
                String error = String.valueOf(json.get("error"));
                // Jolokia writes "<exception class> : <reason>"
                reasons.add(error.contains(" : ") ? error.substring(error.indexOf(" : ") + 3) : error);
            }
        }
        return reasons;
    }

    @Override
    public String getId() {
        return NAME;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** Jolokia asks a policy about request types for list and search only; this asks it for every request. */
    private static final class PolicyCheckingHandler extends HttpRequestHandler {

        private final JolokiaPolicy policy;

        PolicyCheckingHandler(JolokiaContext context, JolokiaPolicy policy) {
            super(context);
            this.policy = policy;
        }

        @Override
        protected JSONObject executeRequest(JolokiaRequest request) throws BadRequestException, EmptyResponseException {
            if (!policy.isTypeAllowed(request.getType())) {
                return getErrorJSON(FORBIDDEN, new SecurityException("Command type " + request.getType().getName()
                        + " is not allowed on HR Bridge's management port"), request);
            }
            return super.executeRequest(request);
        }
    }

    private record Slf4jLog(Logger log) implements LogHandler {

        @Override
        public void debug(String message) {
            log.debug(message);
        }

        @Override
        public void info(String message) {
            log.info(message);
        }

        @Override
        public void error(String message, Throwable t) {
            log.error(message, t);
        }

        @Override
        public boolean isDebug() {
            return log.isDebugEnabled();
        }
    }
}
