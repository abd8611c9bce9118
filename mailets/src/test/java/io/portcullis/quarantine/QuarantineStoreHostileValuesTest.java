package io.portcullis.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.HostileText;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.TrackedEvent;

/** Quarantine metadata a sender controls (subject, sender, recipients, reasons, unscannable reason) always fits its columns. */
class QuarantineStoreHostileValuesTest {
    @TempDir
    static Path dir;
    static GatewayStore gatewayStore;
    QuarantineFixture fixture;

    @BeforeAll
    static void openStore() {
        gatewayStore = QuarantineFixture.openStore(dir);
    }

    @AfterAll
    static void closeStore() {
        gatewayStore.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        fixture = new QuarantineFixture(gatewayStore);
    }

    @Test
    void insertShouldSucceedWhenEveryValueIsHostile() throws Exception {
        for (String hostile : HostileText.ALL) {
            HeldMessage message = new HeldMessage(QuarantineStore.newId(), hostile, hostile, hostile + "@remote.example", Optional.of(hostile),
                "stalled", Optional.of(10), List.of(hostile, hostile), List.of(hostile), Optional.of(hostile), Optional.of(hostile),
                Optional.of(hostile), QuarantineFixture.START, 3);
            TrackedEvent held = new TrackedEvent("t", EventType.HELD, QuarantineFixture.START, Map.of("Threats Found", hostile, "Recipients", hostile));

            QuarantineStore.Inserted inserted = fixture.store.insert(message, new byte[] {1, 2, 3},
                List.of(new QuarantineStore.NewEntry(hostile + "@acme.test", Optional.empty())), true, List.of(held), Instant.now());

            QuarantineEntry entry = fixture.store.entry(inserted.ids().get(0)).orElseThrow();
            assertThat(entry.message().subject().orElseThrow()).matches(s -> HostileText.fits(s, 998));
            assertThat(entry.message().sender()).matches(s -> HostileText.fits(s, 320));
            assertThat(entry.recipient()).matches(s -> HostileText.fits(s, 320));
            assertThat(entry.message().unscannableReason().orElseThrow()).matches(s -> HostileText.fits(s, 2000));
            assertThat(String.join("\n", entry.message().reasons())).matches(s -> HostileText.fits(s, 8000));
            assertThat(fixture.store.raw(entry.entryId()).orElseThrow()).containsExactly(1, 2, 3);
        }
    }
}
