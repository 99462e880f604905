package dev.hrbridge.qrcode;

import dev.hrbridge.db.Database;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The Quartz scheduler behind the {@code qr-sweep} route: a JDBC job store in our own database (the QRTZ_ tables of
 * db/vendor). On PostgreSQL it is clustered: every instance of one deployment joins the scheduler named
 * {@link #CLUSTER} and each tick fires on one of them only. H2 is embedded in a single process, so there the store
 * is not clustered (it still keeps the trigger across restarts).
 */
public final class SweepScheduler {

    /** The scheduler name every instance shares; Quartz clusters by it. */
    static final String CLUSTER = "hr-bridge";

    private SweepScheduler() {
    }

    public static Scheduler create(DataSource dataSource, Database.Vendor vendor, String nodeId) throws SchedulerException {
        // Quartz finds data sources by name in a JVM-wide registry; one name per instance keeps two instances in one
        // JVM (tests) apart
        String dataSourceName = "hrb-" + nodeId;
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void shutdown() {
                // the pool belongs to Database
            }

            @Override
            public void initialize() {
                // nothing to set up
            }
        });
        boolean clustered = vendor == Database.Vendor.POSTGRESQL;
        Properties quartz = new Properties();
        quartz.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, CLUSTER);
        quartz.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, nodeId);
        quartz.setProperty("org.quartz.threadPool.threadCount", "2");
        quartz.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        quartz.setProperty("org.quartz.jobStore.driverDelegateClass", clustered
                ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate" : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
        quartz.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        quartz.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        quartz.setProperty("org.quartz.jobStore.isClustered", String.valueOf(clustered));
        quartz.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
        Scheduler scheduler = new StdSchedulerFactory(quartz).getScheduler();
        // Quartz keeps one scheduler per name per JVM; every instance needs its own, under the shared cluster name
        SchedulerRepository.getInstance().remove(CLUSTER);
        return scheduler;
    }
}
