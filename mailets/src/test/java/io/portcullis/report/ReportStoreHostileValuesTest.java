package io.portcullis.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.HostileText;
import io.portcullis.store.StoreConfiguration;

/** Report addresses longer than their column, or with characters a database refuses, are stored and found again. */
class ReportStoreHostileValuesTest {
    @TempDir
    static Path dir;
    static GatewayStore gatewayStore;

    @BeforeAll
    static void openStore() {
        gatewayStore = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("store")));
    }

    @AfterAll
    static void closeStore() {
        gatewayStore.close();
    }

    @Test
    void allowAndLastReportShouldSucceedAndBeFoundWhenAddressesAreHostile() throws Exception {
        ReportStore store = new ReportStore(gatewayStore);
        Instant at = Instant.parse("2026-11-18T10:00:00Z");
        for (String hostile : HostileText.ALL) {
            String recipient = hostile + "@acme.test";
            String sender = hostile + "@remote.example";

            store.allowSender(recipient, sender, at);
            store.setLastReport(recipient, at);

            assertThat(store.isAllowed(recipient, sender)).isTrue();
            assertThat(store.lastReport(recipient)).contains(at);
        }
    }
}
