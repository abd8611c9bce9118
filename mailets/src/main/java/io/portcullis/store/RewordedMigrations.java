package io.portcullis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migrations whose comments were reworded after stores had applied them. Flyway keeps a checksum of every applied
 * file and refuses to start when a file changed; for these files, and only when the recorded checksum is exactly the
 * one of the old wording, the record is moved to the new checksum before Flyway validates. Any other change to an
 * applied migration still stops start-up.
 */
final class RewordedMigrations {
    private static final Logger LOGGER = LoggerFactory.getLogger(RewordedMigrations.class);

    /** Version → {checksum of the old wording, checksum of the file now}. */
    static final Map<String, int[]> CHECKSUMS = Map.ofEntries(
        Map.entry("2", new int[] {1058143493, -509774939}),
        Map.entry("4", new int[] {-433394725, 392331887}),
        Map.entry("6", new int[] {177464767, -1389181781}),
        Map.entry("8", new int[] {551270697, 1090860005}),
        Map.entry("9", new int[] {-343454648, 61365185}),
        Map.entry("10", new int[] {1718162991, 1140373861}),
        Map.entry("11", new int[] {-482161956, -744096018}));

    private RewordedMigrations() {
    }

    /** Moves the old-wording checksums of the history {@code table} (when it exists) to the current ones. */
    static void realign(DataSource dataSource, String table) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            if (!exists(connection, table)) {
                return;
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE \"" + table + "\" SET \"checksum\" = ? WHERE \"version\" = ? AND \"checksum\" = ?")) {
                for (Map.Entry<String, int[]> migration : CHECKSUMS.entrySet()) {
                    update.setInt(1, migration.getValue()[1]);
                    update.setString(2, migration.getKey());
                    update.setInt(3, migration.getValue()[0]);
                    if (update.executeUpdate() > 0) {
                        LOGGER.info("Gateway store: migration V{} recorded with its reworded comments", migration.getKey());
                    }
                }
            }
        }
    }

    private static boolean exists(Connection connection, String table) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, null, table, null)) {
            return tables.next();
        }
    }
}
