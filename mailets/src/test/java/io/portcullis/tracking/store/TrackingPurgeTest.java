package io.portcullis.tracking.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.TrackedEvent;

class TrackingPurgeTest {
    private static final Instant NOW = Instant.parse("2026-11-18T10:00:00Z");
    private TrackingStoreFixture fixture;
    private TrackingDao dao;

    @BeforeEach
    void open() throws Exception {
        fixture = new TrackingStoreFixture();
        dao = new TrackingDao(fixture.store().dataSource(), "node-a");
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private void received(String id, Instant at) throws Exception {
        dao.writeAll(List.of(new TrackingDao.Write(new TrackedEvent(id, EventType.RECEIVED_BY_MTA, at, Map.of()),
            MessageInfo.builder().sender("a@example.com").recipients(List.of("b@acme.test")).build())));
    }

    @Test
    void runOnceShouldDeleteWhatIsOlderThanTheRetentionAtTheClocksTime() throws Exception {
        for (int i = 0; i < 25; i++) {
            received("old-" + i, NOW.minus(Duration.ofDays(91)));
        }
        received("recent", NOW.minus(Duration.ofDays(89)));
        TrackingPurge purge = new TrackingPurge(dao, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(90), Duration.ofDays(1));

        assertThat(purge.runOnce()).isEqualTo(25);
        assertThat(dao.search(SearchCriteria.all(), 1, 20).messages()).extracting(TrackedMessage::trackingId).containsExactly("recent");

        TrackingPurge later = new TrackingPurge(dao, Clock.fixed(NOW.plus(Duration.ofDays(2)), ZoneOffset.UTC), Duration.ofDays(90), Duration.ofDays(1));
        assertThat(later.runOnce()).isEqualTo(1);
        assertThat(dao.search(SearchCriteria.all(), 1, 20).total()).isZero();
    }
}
