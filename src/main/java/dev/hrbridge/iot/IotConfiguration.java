package dev.hrbridge.iot;

import dev.hrbridge.config.Settings;
import dev.hrbridge.outbound.OutboundMetrics;
import dev.hrbridge.outbound.RetryPolicy;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.LoggingLevel;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.DefaultHeaderFilterStrategy;

/** Beans of the IoT gateway calls (the {@code aliyun-iot-gateway-action} Kamelet) and the IoT employee flow. */
public class IotConfiguration implements CamelConfiguration {

    @BeanInject
    private Settings settings;

    @BeanInject
    private OutboundMetrics outboundMetrics;

    @BindToRegistry
    public IotGatewayCall iotGatewayCall() {
        String appKey = settings.get("iot.app-key");
        String appSecret = settings.get("iot.app-secret");
        return new IotGatewayCall(appKey == null || appSecret == null ? null : new ApiGatewaySigner(appKey, appSecret));
    }

    @BindToRegistry
    public IotAnswerClassifier iotAnswerClassifier() {
        return new IotAnswerClassifier(outboundMetrics);
    }

    @BindToRegistry
    public IotEmployeeAnswers iotEmployeeAnswers() {
        return new IotEmployeeAnswers();
    }

    /**
     * Sends exactly the headers the call step set. Camel's default HTTP filter drops {@code Date}, which the gateway
     * signature covers; here only Camel's own headers and the ones the HTTP client writes itself stay behind.
     */
    @BindToRegistry
    public HeaderFilterStrategy iotHeaderFilter() {
        DefaultHeaderFilterStrategy filter = new DefaultHeaderFilterStrategy();
        filter.setLowerCase(true);
        filter.setOutFilterStartsWith(DefaultHeaderFilterStrategy.CAMEL_FILTER_STARTS_WITH);
        filter.setInFilterStartsWith(DefaultHeaderFilterStrategy.CAMEL_FILTER_STARTS_WITH);
        filter.getOutFilter().add("content-length");
        filter.getOutFilter().add("content-type");
        filter.getOutFilter().add("host");
        filter.getOutFilter().add("transfer-encoding");
        filter.getOutFilter().add("connection");
        return filter;
    }

    /**
     * Retries of the synchronous IoT employee call: {@code hrb.retry.iot-employee.*}, else {@code hrb.retry.*}.
     * Asynchronous delayed redelivery (no thread sleeps), exponential backoff with jitter.
     */
    @BindToRegistry
    public RedeliveryPolicy iotEmployeeRetryPolicy() {
        return retryPolicy("iot-employee");
    }

    private RedeliveryPolicy retryPolicy(String flow) {
        RedeliveryPolicy policy = new RetryPolicy(settings).asCamelRedelivery(flow);
        // the gateway call logs every attempt itself, without the exchange body (it carries the auth code)
        policy.setLogRetryAttempted(false);
        policy.setLogExhausted(false);
        policy.setLogStackTrace(false);
        policy.setRetriesExhaustedLogLevel(LoggingLevel.DEBUG);
        return policy;
    }
}
