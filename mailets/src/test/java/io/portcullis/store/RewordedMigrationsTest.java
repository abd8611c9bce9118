package io.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewordedMigrationsTest {
    @TempDir
    Path dir;

    @Test
    void aNewStoreShouldRecordTheChecksumsListedAsCurrent() throws SQLException {
        try (GatewayStore store = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("db")))) {
            Map<String, Integer> recorded = checksums(store);
            RewordedMigrations.CHECKSUMS.forEach((version, checksums) -> assertThat(recorded.get(version)).as("V" + version).isEqualTo(checksums[1]));
        }
    }

    @Test
    void aStoreThatAppliedTheOldWordingShouldOpenAndRecordTheCurrentChecksums() throws SQLException {
        StoreConfiguration configuration = StoreConfiguration.embeddedDerby(dir.resolve("db"));
        try (GatewayStore store = GatewayStore.open(configuration)) {
            for (Map.Entry<String, int[]> migration : RewordedMigrations.CHECKSUMS.entrySet()) {
                setChecksum(store, migration.getKey(), migration.getValue()[0]);
            }
        }
        try (GatewayStore store = GatewayStore.open(configuration)) {
            Map<String, Integer> recorded = checksums(store);
            RewordedMigrations.CHECKSUMS.forEach((version, checksums) -> assertThat(recorded.get(version)).isEqualTo(checksums[1]));
        }
    }

    @Test
    void anyOtherChangeOfAnAppliedMigrationShouldStillStopTheStore() throws SQLException {
        StoreConfiguration configuration = StoreConfiguration.embeddedDerby(dir.resolve("db"));
        try (GatewayStore store = GatewayStore.open(configuration)) {
            setChecksum(store, "2", 42);
        }
        assertThatThrownBy(() -> GatewayStore.open(configuration)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("checksum mismatch").hasMessageContaining("2");
    }

    private static void setChecksum(GatewayStore store, String version, int checksum) throws SQLException {
        try (Connection connection = store.connection();
             PreparedStatement update = connection.prepareStatement("UPDATE \"" + GatewayStore.HISTORY_TABLE
                 + "\" SET \"checksum\" = ? WHERE \"version\" = ?")) {
            update.setInt(1, checksum);
            update.setString(2, version);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    private static Map<String, Integer> checksums(GatewayStore store) throws SQLException {
        Map<String, Integer> checksums = new HashMap<>();
        try (Connection connection = store.connection();
             PreparedStatement select = connection.prepareStatement("SELECT \"version\", \"checksum\" FROM \"" + GatewayStore.HISTORY_TABLE + "\"");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                checksums.put(rows.getString(1), rows.getInt(2));
            }
        }
        return checksums;
    }
}
