package io.portcullis.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.apache.commons.dbcp2.BasicDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway store: one JDBC database (embedded Derby by default, PostgreSQL for several nodes) holding
 * tracking, quarantine and report data. The schema comes from versioned Flyway migrations under
 * {@code classpath:db/migration/portcullis} (files {@code V<n>__<what>.sql}, SQL that runs on Derby and
 * PostgreSQL). Each capability owns its own tables and its own migration files; DAOs take {@link #dataSource()}.
 */
public class GatewayStore implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(GatewayStore.class);
    public static final String MIGRATIONS = "classpath:db/migration/portcullis";
    static final String HISTORY_TABLE = "portcullis_schema_history";

    private final StoreConfiguration configuration;
    private final BasicDataSource dataSource;

    private GatewayStore(StoreConfiguration configuration, BasicDataSource dataSource) {
        this.configuration = configuration;
        this.dataSource = dataSource;
    }

    /** Opens the pool and applies pending migrations; fails with a clear message when the database is unreachable. */
    public static GatewayStore open(StoreConfiguration configuration) {
        BasicDataSource dataSource = new BasicDataSource();
        dataSource.setUrl(configuration.url());
        configuration.user().ifPresent(dataSource::setUsername);
        configuration.password().ifPresent(dataSource::setPassword);
        dataSource.setMaxTotal(configuration.maxConnections());
        dataSource.setMaxIdle(configuration.maxConnections());
        dataSource.setDefaultAutoCommit(true);
        if (configuration.isDerby()) {
            dataSource.setDriverClassName("org.apache.derby.jdbc.EmbeddedDriver");
        }
        try {
            RewordedMigrations.realign(dataSource, HISTORY_TABLE);
            Flyway.configure(GatewayStore.class.getClassLoader())
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                .table(HISTORY_TABLE)
                .placeholders(placeholders(configuration))
                .load()
                .migrate();
        } catch (RuntimeException | SQLException e) {
            try {
                dataSource.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw new IllegalStateException("Gateway store " + redacted(configuration.url()) + " cannot be opened or migrated: " + e.getMessage(), e);
        }
        LOGGER.info("Gateway store ready at {}", redacted(configuration.url()));
        return new GatewayStore(configuration, dataSource);
    }

    /**
     * Placeholders usable in migrations for the few types that differ between databases:
     * {@code ${binaryType}} (large binary: BLOB on Derby, BYTEA on PostgreSQL).
     */
    static java.util.Map<String, String> placeholders(StoreConfiguration configuration) {
        return java.util.Map.of("binaryType", configuration.isPostgres() ? "BYTEA" : "BLOB");
    }

    private static String redacted(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    public StoreConfiguration configuration() {
        return configuration;
    }

    @Override
    public void close() {
        try {
            dataSource.close();
        } catch (SQLException e) {
            LOGGER.warn("Closing the gateway store pool failed", e);
        }
        if (configuration.isDerby()) {
            String base = configuration.url().split(";")[0];
            try {
                DriverManager.getConnection(base + ";shutdown=true").close();
            } catch (SQLException e) {
                // Derby reports a successful database shutdown as SQLState 08006.
                if (!"08006".equals(e.getSQLState())) {
                    LOGGER.warn("Derby shutdown of {} failed", base, e);
                }
            }
        }
    }
}
