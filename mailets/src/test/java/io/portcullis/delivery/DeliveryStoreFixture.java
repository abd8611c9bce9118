package io.portcullis.delivery;

import java.io.IOException;
import java.nio.file.Files;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;

/** One real embedded Derby gateway store per test class for the Delivery log, emptied for each test. */
public final class DeliveryStoreFixture implements AutoCloseable {
    private final GatewayStore store;

    private DeliveryStoreFixture(GatewayStore store) {
        this.store = store;
    }

    public static DeliveryStoreFixture open() throws IOException {
        return new DeliveryStoreFixture(GatewayStore.open(StoreConfiguration.embeddedDerby(
            Files.createTempDirectory("portcullis-delivery-test").resolve("store"))));
    }

    /** Deletes every delivery attempt and returns a Delivery log on the store. */
    public DeliveryLog emptyLog() throws Exception {
        try (var connection = store.connection(); var statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM portcullis_delivery_attempt");
        }
        return new DeliveryLog(store);
    }

    public GatewayStore store() {
        return store;
    }

    @Override
    public void close() {
        store.close();
    }
}
