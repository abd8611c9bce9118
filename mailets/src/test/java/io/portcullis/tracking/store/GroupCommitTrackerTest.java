package io.portcullis.tracking.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.TrackingException;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupCommitTrackerTest {
    private TrackingStoreFixture fixture;

    @BeforeAll
    void openStore() throws Exception {
        fixture = new TrackingStoreFixture();
    }

    @AfterAll
    void closeStore() {
        fixture.close();
    }

    @BeforeEach
    void clear() throws Exception {
        fixture.clear();
    }

    private long count(String table) throws Exception {
        try (Connection c = fixture.store().connection(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Counts transactions (writeAll calls) to show that concurrent callers share them. */
    private static class CountingDao extends TrackingDao {
        final AtomicInteger transactions = new AtomicInteger();

        CountingDao(DataSource dataSource) {
            super(dataSource, "node-a");
        }

        @Override
        public void writeAll(List<Write> writes) throws java.sql.SQLException {
            transactions.incrementAndGet();
            super.writeAll(writes);
        }
    }

    @Test
    void concurrentCallersShouldAllBeDurableWhenRecordReturnsAndShareTransactions() throws Exception {
        CountingDao dao = new CountingDao(fixture.store().dataSource());
        int callers = 16;
        int eventsEach = 25;
        try (GroupCommitTracker tracker = new GroupCommitTracker(dao, 200, Duration.ofSeconds(30))) {
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < eventsEach; i++) {
                        String id = "c" + caller + "-" + i;
                        tracker.record(new TrackedEvent(id, EventType.RECEIVED_BY_MTA, Instant.now(), Map.of()),
                            MessageInfo.builder().sender("a@example.com").recipients(List.of("b@acme.test")).build());
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            // every record() has returned: all events must already be committed
            assertThat(count("tracking_event")).isEqualTo((long) callers * eventsEach);
            assertThat(count("tracking_message")).isEqualTo((long) callers * eventsEach);
        }
        assertThat(dao.transactions.get()).isLessThan(callers * eventsEach);
    }

    @Test
    void recordShouldThrowWhenTheStoreFails() {
        TrackingDao failing = new TrackingDao(fixture.store().dataSource(), "node-a") {
            @Override
            public void writeAll(List<Write> writes) throws java.sql.SQLException {
                throw new java.sql.SQLException("disk full");
            }
        };
        try (GroupCommitTracker tracker = new GroupCommitTracker(failing, 10, Duration.ofSeconds(10))) {
            assertThatThrownBy(() -> tracker.record(new TrackedEvent("x", EventType.HELD, Instant.now(), Map.of())))
                .isInstanceOf(TrackingException.class)
                .hasMessageContaining("HELD of x could not be stored: disk full");
        }
    }

    @Test
    void recordShouldThrowWhenNotConfirmedInTime() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        TrackingDao stuck = new TrackingDao(fixture.store().dataSource(), "node-a") {
            @Override
            public void writeAll(List<Write> writes) throws java.sql.SQLException {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new java.sql.SQLException("gave up");
            }
        };
        GroupCommitTracker tracker = new GroupCommitTracker(stuck, 10, Duration.ofMillis(200));
        try {
            assertThatThrownBy(() -> tracker.record(new TrackedEvent("x", EventType.HELD, Instant.now(), Map.of())))
                .isInstanceOf(TrackingException.class)
                .hasMessageContaining("not confirmed within 200 ms");
        } finally {
            release.countDown();
            tracker.close();
        }
    }

    @Test
    void recordShouldRefuseAfterClose() {
        GroupCommitTracker tracker = new GroupCommitTracker(new TrackingDao(fixture.store().dataSource(), "n"), 10, Duration.ofSeconds(5));
        tracker.close();

        assertThatThrownBy(() -> tracker.record(new TrackedEvent("x", EventType.HELD, Instant.now(), Map.of())))
            .isInstanceOf(TrackingException.class)
            .hasMessageContaining("closed");
    }
}
