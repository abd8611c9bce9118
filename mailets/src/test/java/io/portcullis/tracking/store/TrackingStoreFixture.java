package io.portcullis.tracking.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;

/** One real embedded Derby gateway store per test class, emptied between tests. */
public final class TrackingStoreFixture implements AutoCloseable {
    private final GatewayStore store;

    public TrackingStoreFixture() throws Exception {
        Path dir = Files.createTempDirectory("portcullis-tracking-test");
        store = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("db")));
    }

    public GatewayStore store() {
        return store;
    }

    public void clear() throws Exception {
        try (Connection connection = store.connection(); Statement statement = connection.createStatement()) {
            for (String table : new String[] {"tracking_event", "tracking_recipient", "tracking_recipient_domain", "tracking_attachment",
                "tracking_subject_token", "tracking_message", "tracking_count", "tracking_count_day"}) {
                statement.executeUpdate("DELETE FROM " + table);
            }
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
