package io.portcullis.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;

/** The allowed senders of ReportStore on embedded Derby: reused between messages, never stale after an allow here. */
class ReportStoreTest {
    @TempDir
    static Path dir;
    static GatewayStore gatewayStore;
    ReportStore store;

    @BeforeAll
    static void openStore() {
        gatewayStore = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("store")));
    }

    @AfterAll
    static void closeStore() {
        gatewayStore.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        try (java.sql.Connection connection = gatewayStore.connection(); java.sql.Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM report_allowed_sender");
        }
        store = new ReportStore(gatewayStore);
    }

    @Test
    void isAllowedShouldAnswerPerRecipientAndSenderIgnoringCase() throws Exception {
        store.allowSender("Bob@Portcullis.test", "Friend@Remote.example", Instant.now());

        assertThat(store.isAllowed("bob@portcullis.test", "friend@remote.example")).isTrue();
        assertThat(store.isAllowed("BOB@portcullis.test", "FRIEND@remote.example")).isTrue();
        assertThat(store.isAllowed("bob@portcullis.test", "other@remote.example")).isFalse();
        assertThat(store.isAllowed("alice@portcullis.test", "friend@remote.example")).isFalse();
    }

    @Test
    void anAllowShouldBeSeenAtOnceEvenAfterARefusalWasRemembered() throws Exception {
        assertThat(store.isAllowed("bob@portcullis.test", "friend@remote.example")).isFalse();

        store.allowSender("bob@portcullis.test", "friend@remote.example", Instant.now());

        assertThat(store.isAllowed("bob@portcullis.test", "friend@remote.example")).isTrue();
    }

    @Test
    void anAnswerShouldBeReusedWithoutReadingTheStoreAgain() throws Exception {
        assertThat(store.isAllowed("bob@portcullis.test", "friend@remote.example")).isFalse();
        // written behind the store's back (as another node sharing the database would): not seen until the entry expires
        try (java.sql.Connection connection = gatewayStore.connection(); java.sql.Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO report_allowed_sender (recipient, sender, created) VALUES ('bob@portcullis.test', 'friend@remote.example', 0)");
        }

        assertThat(store.isAllowed("bob@portcullis.test", "friend@remote.example")).isFalse();
        assertThat(new ReportStore(gatewayStore).isAllowed("bob@portcullis.test", "friend@remote.example")).isTrue();
    }
}
