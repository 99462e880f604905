package dev.hrbridge.ops;

import dev.hrbridge.feishu.longconnection.FeishuEventsConsumer;
import dev.hrbridge.feishu.longconnection.LongConnectionStatus;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.Objects;

/**
 * One app's long connection as operators see it: the MBean, and the readiness check {@code feishu-long-connection-<app>}:
 * UP while connected; UP and degraded while (re)connecting, since events wait at Feishu and come on the next
 * connection; DOWN when Feishu refused the app (wrong credentials, too many connections): no event arrives until an
 * operator acts, and that must be seen.
 */
public final class LongConnectionView implements LongConnectionMXBean {

    private final FeishuEventsConsumer consumer;

    public LongConnectionView(FeishuEventsConsumer consumer) {
        this.consumer = consumer;
    }

    public HealthCheck healthCheck() {
        return new AbstractHealthCheck("hrb", "feishu-long-connection-" + consumer.appName()) {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                LongConnectionStatus status = consumer.status();
                builder.detail("state", status.state().name()).detail("reconnects", status.reconnects());
                if (status.connectionId() != null) {
                    builder.detail("connection_id", status.connectionId());
                }
                switch (status.state()) {
                    case CONNECTED -> builder.up();
                    case CONNECTING, RECONNECTING -> {
                        DegradedChecks.degraded(builder, "the Feishu long connection is not open: "
                                + text(status.lastDisconnectReason()));
                        builder.up();
                    }
                    case REFUSED -> builder.message("Feishu refused the long connection: " + getRefusal()).down();
                    case STOPPING, STOPPED -> builder.message("the Feishu long connection is stopped").down();
                }
            }
        };
    }

    @Override
    public String getState() {
        return consumer.status().state().name();
    }

    @Override
    public String getConnectionId() {
        return text(consumer.status().connectionId());
    }

    @Override
    public String getConnectedSince() {
        return text(consumer.status().connectedSince());
    }

    @Override
    public String getLastPong() {
        return text(consumer.status().lastPong());
    }

    @Override
    public String getLastDisconnectReason() {
        return text(consumer.status().lastDisconnectReason());
    }

    @Override
    public String getRefusal() {
        LongConnectionStatus status = consumer.status();
        return status.refusalCode() == null ? "" : status.refusalCode() + " " + text(status.refusalMessage());
    }

    @Override
    public long getConnects() {
        return consumer.status().connects();
    }

    @Override
    public long getReconnects() {
        return consumer.status().reconnects();
    }

    @Override
    public long getFramesReceived() {
        return consumer.status().framesReceived();
    }

    @Override
    public long getEventsReceived() {
        return consumer.status().eventsReceived();
    }

    @Override
    public long getAcksSent() {
        return consumer.status().acksSent();
    }

    @Override
    public long getUnparseableFrames() {
        return consumer.status().unparseableFrames();
    }

    @Override
    public int getInFlight() {
        return consumer.status().inFlight();
    }

    @Override
    public void reconnect() {
        String state = getState();
        if (state.equals("STOPPED") || state.equals("STOPPING")) {
            throw OperationFailure.refused("the long connection of app " + consumer.appName() + " is " + state
                    + " with its route; start the route (or restart HR Bridge) to connect again");
        }
        consumer.reconnect();
    }

    private static String text(Object value) {
        return Objects.toString(value, "");
    }
}
