package dev.hrbridge.tools;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.net.InetAddress;
import java.net.URI;

/**
 * What {@code try} adds to the runtime it starts, after HR Bridge's own configuration: the {@link FlowRecorder}, bound
 * as {@value #RECORDER}, and a guard that no HTTP endpoint of a
 * route calls a host outside this machine. The sandbox's Feishu and IoT gateway are on loopback; a route naming another
 * host fails its call instead.
 */
final class TrySandbox implements CamelConfiguration {

    static final String RECORDER = "hrbTryRecorder";

    private final String mark;

    /** {@code mark}: the value of {@link FlowRecorder#MARK} on the request {@code try} delivers. */
    TrySandbox(String mark) {
        this.mark = mark;
    }

    @Override
    public void configure(CamelContext context) {
        FlowRecorder recorder = new FlowRecorder(mark);
        context.getRegistry().bind(RECORDER, recorder);
        context.getManagementStrategy().addEventNotifier(recorder);
        context.getCamelContextExtension().registerEndpointCallback((uri, endpoint) ->
                outside(endpoint) ? new Refused(endpoint) : endpoint);
    }

    /** An http(s) endpoint whose host is not a loopback address. */
    static boolean outside(Endpoint endpoint) {
        String uri = endpoint.getEndpointUri();
        if (!uri.startsWith("http:") && !uri.startsWith("https:")) {
            return false;
        }
        try {
            String host = URI.create(uri.split("\\?", 2)[0]).getHost();
            return host == null || !InetAddress.getByName(host).isLoopbackAddress();
        } catch (Exception e) {
            return true;
        }
    }

    /** Stands in for an endpoint outside the machine: every call fails, saying why. */
    private static final class Refused extends DefaultEndpoint {
        private final String target;

        Refused(Endpoint original) {
            super(original.getEndpointUri(), original.getCamelContext().getComponent("http"));
            this.target = original.getEndpointBaseUri();
        }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    exchange.setException(new java.io.IOException(
                            "try calls nothing outside this machine, so " + target + " was not called"));
                }
            };
        }

        @Override
        public org.apache.camel.Consumer createConsumer(org.apache.camel.Processor processor) {
            throw new UnsupportedOperationException("try: no consumer outside this machine");
        }
    }
}
