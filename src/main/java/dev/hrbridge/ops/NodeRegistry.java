package dev.hrbridge.ops;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/**
 * This instance's row in {@code hrb_node}: who it is and when it last proved alive. Other instances read the
 * heartbeat to decide whether work this one claimed is orphaned.
 */
public class NodeRegistry {

    private final DataSource dataSource;
    private final String nodeId;
    private final Instant startedAt = Instant.now();

    public NodeRegistry(DataSource dataSource) {
        this.dataSource = dataSource;
        this.nodeId = hostName() + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    public String nodeId() {
        return nodeId;
    }

    /** Registers on the first call, then refreshes the heartbeat. */
    public void heartbeat() throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE hrb_node SET heartbeat_at = ? WHERE node_id = ?")) {
                update.setTimestamp(1, now);
                update.setString(2, nodeId);
                if (update.executeUpdate() == 1) {
                    return;
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO hrb_node (node_id, host_name, version, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, nodeId);
                insert.setString(2, hostName());
                insert.setString(3, version());
                insert.setTimestamp(4, Timestamp.from(startedAt));
                insert.setTimestamp(5, now);
                insert.executeUpdate();
            }
        }
    }

    private static String version() {
        String version = NodeRegistry.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
