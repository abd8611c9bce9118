package io.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayStoreTest {
    @TempDir
    Path dir;

    @Test
    void openShouldMigrateAnEmptyDerbyDatabase() throws Exception {
        try (GatewayStore store = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("db")));
             Connection connection = store.connection();
             ResultSet rs = connection.createStatement().executeQuery("SELECT info_value FROM portcullis_store_info WHERE info_key = 'product'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("portcullis");
        }
    }

    @Test
    void reopenShouldKeepDataAndNotMigrateTwice() throws Exception {
        StoreConfiguration configuration = StoreConfiguration.embeddedDerby(dir.resolve("db"));
        try (GatewayStore store = GatewayStore.open(configuration); Connection c = store.connection()) {
            c.createStatement().executeUpdate("INSERT INTO portcullis_store_info VALUES ('k', 'v')");
        }
        try (GatewayStore store = GatewayStore.open(configuration); Connection c = store.connection();
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM portcullis_store_info")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void configurationShouldRejectNonJdbcUrl() {
        Properties properties = new Properties();
        properties.setProperty("store.url", "derby:/tmp/x");

        assertThatThrownBy(() -> StoreConfiguration.from(properties, dir))
            .hasMessageContaining("store.url has invalid value 'derby:/tmp/x'");
    }

    @Test
    void configurationShouldDefaultToAbsoluteEmbeddedDerby() {
        StoreConfiguration configuration = StoreConfiguration.from(new Properties(), Path.of("relative/db"));

        assertThat(configuration.url()).startsWith("jdbc:derby:/").endsWith("relative/db;create=true");
        assertThat(configuration.user()).isEqualTo(Optional.empty());
    }
}
