package io.portcullis.delivery;

import java.nio.file.Files;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;

/**
 * One real embedded Derby gateway store per test class for the Delivery log, emptied for each test. Register it as
 * {@code @RegisterExtension static final DeliveryStoreFixture fixture = new DeliveryStoreFixture();}: the store is
 * opened before the class's tests and closed after them.
 */
public final class DeliveryStoreFixture implements BeforeAllCallback, AfterAllCallback {
    private GatewayStore store;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        store = GatewayStore.open(StoreConfiguration.embeddedDerby(Files.createTempDirectory("portcullis-delivery-test").resolve("store")));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        store.close();
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
}
