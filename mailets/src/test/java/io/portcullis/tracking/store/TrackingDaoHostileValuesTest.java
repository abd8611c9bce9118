package io.portcullis.tracking.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.portcullis.store.HostileText;
import io.portcullis.store.StoredText;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.OutboxEntry;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.TrackingInfo;

/** Values a sender controls (subjects, file names, addresses, hosts, additional information) always fit the tracking tables. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrackingDaoHostileValuesTest {
    private static final Instant NOW = Instant.parse("2026-11-18T10:00:00Z");

    private TrackingStoreFixture fixture;
    private TrackingDao dao;

    @BeforeAll
    void openStore() throws Exception {
        fixture = new TrackingStoreFixture();
        dao = new TrackingDao(fixture.store().dataSource(), "node-a");
    }

    @AfterAll
    void closeStore() {
        fixture.close();
    }

    @BeforeEach
    void clear() throws Exception {
        fixture.clear();
    }

    @Test
    void writeShouldSucceedWhenEveryValueIsHostile() throws Exception {
        int n = 0;
        for (String hostile : HostileText.ALL) {
            String id = "hostile-" + n++;
            Map<String, String> info = new LinkedHashMap<>();
            info.put(TrackingInfo.ATTACHMENTS, hostile);
            info.put("Reason", hostile);
            MessageInfo message = MessageInfo.builder().sender(hostile + "@remote.example")
                .recipients(List.of(hostile + "@acme.test", hostile + "y@acme.test")).subject(hostile).messageId(hostile)
                .sendingHost(hostile).sendingIp(hostile).helo(hostile).attachments(List.of(hostile, hostile + ".exe"))
                .authUser(hostile).build();

            dao.writeAll(List.of(new TrackingDao.Write(new TrackedEvent(id, EventType.RECEIVED_BY_MTA, NOW, info), message)));

            MessageDetail detail = dao.find(id).orElseThrow();
            TrackedMessage stored = detail.message();
            assertThat(stored.subject().orElseThrow()).matches(s -> HostileText.fits(s, 998), "fits VARCHAR(998)");
            assertThat(stored.helo().orElseThrow()).matches(s -> HostileText.fits(s, 255));
            assertThat(stored.sender()).matches(s -> HostileText.fits(s, 320));
            assertThat(stored.attachments()).isNotEmpty().allMatch(s -> HostileText.fits(s, 4000));
            assertThat(detail.events()).hasSize(1);
            Map<String, String> storedInfo = detail.events().get(0).info();
            assertThat(storedInfo).containsKeys(TrackingInfo.ATTACHMENTS, "Reason");
            String kept = storedInfo.get(TrackingInfo.ATTACHMENTS);
            assertThat(kept).matches(s -> StoredText.clean(s).equals(s));
            String prefix = kept.endsWith(StoredText.ELLIPSIS) ? kept.substring(0, kept.length() - 1) : kept;
            assertThat(StoredText.clean(hostile)).startsWith(prefix);
        }
    }

    @Test
    void quotesInAnAttachmentNameShouldBeKeptInTheEventInformationUpToItsColumn() throws Exception {
        Map<String, String> info = Map.of(TrackingInfo.ATTACHMENTS, HostileText.QUOTES + ".pdf");

        dao.writeAll(List.of(new TrackingDao.Write(new TrackedEvent("quotes", EventType.RECEIVED_BY_MTA, NOW, info),
            MessageInfo.builder().sender("a@remote.example").recipients(List.of("b@acme.test")).attachments(List.of(HostileText.QUOTES + ".pdf")).build())));

        String kept = dao.find("quotes").orElseThrow().events().get(0).info().get(TrackingInfo.ATTACHMENTS);
        assertThat(kept).startsWith("\"\"\"\"\"").endsWith(StoredText.ELLIPSIS);
        assertThat(kept.length()).isGreaterThan(3900);
    }

    @Test
    void recipientsLongerThanTheirColumnShouldBeStoredOnceEachWhenTheyShareTheirStart() throws Exception {
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            recipients.add(HostileText.LONG.substring(0, 400) + i + "@acme.test");
        }

        dao.writeAll(List.of(new TrackingDao.Write(new TrackedEvent("same-start", EventType.RECEIVED_BY_MTA, NOW, Map.of()),
            MessageInfo.builder().sender("a@remote.example").recipients(recipients).build())));

        assertThat(dao.find("same-start").orElseThrow().message().recipients()).hasSize(1).allMatch(r -> r.length() <= 320);
    }

    @Test
    void outboxShouldOweAnEventWhoseInformationIsHostile() throws Exception {
        TrackedEvent event = new TrackedEvent("owed", EventType.HELD, NOW, Map.of("Threats Found", HostileText.QUOTES));
        OutboxEntry owed;
        try (java.sql.Connection connection = fixture.store().connection()) {
            owed = TrackingOutbox.owe(connection, event, NOW);
        }

        assertThat(owed).isNotNull();
    }
}
