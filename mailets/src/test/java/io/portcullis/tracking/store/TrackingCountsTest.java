package io.portcullis.tracking.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.commons.dbcp2.BasicDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.TrackedEvent;

/** The V8 message counters: search totals from them equal a plain COUNT of tracking_message in every case. */
class TrackingCountsTest {
    private static final Instant NOW = Instant.parse("2026-11-18T10:07:31.250Z"); // a Wednesday, inside a bucket

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Store {
        private TrackingStoreFixture fixture;
        private TrackingDao nodeA;
        private TrackingDao nodeB;

        @BeforeAll
        void openStore() throws Exception {
            fixture = new TrackingStoreFixture();
            nodeA = new TrackingDao(fixture.store().dataSource(), "node-a");
            nodeB = new TrackingDao(fixture.store().dataSource(), "node-b");
        }

        @AfterAll
        void closeStore() {
            fixture.close();
        }

        @BeforeEach
        void clear() throws Exception {
            fixture.clear();
        }

        /** Messages over the 70 days before NOW (node a and b, some rejected), including some exactly on bucket edges and at NOW. */
        private void writeSpread(int messages) throws Exception {
            Random random = new Random(3);
            List<TrackingDao.Write> a = new ArrayList<>();
            List<TrackingDao.Write> b = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                long at = NOW.toEpochMilli() - (long) (random.nextDouble() * Duration.ofDays(70).toMillis());
                if (i % 7 == 0) {
                    at = TrackingCounts.bucket(at); // on an edge
                } else if (i % 7 == 1) {
                    at = TrackingCounts.bucket(at) - 1; // the last millisecond of a bucket
                }
                EventType type = i % 5 == 0 ? EventType.REJECTED : EventType.RECEIVED_BY_MTA;
                (i % 3 == 0 ? b : a).add(write("s" + i, Instant.ofEpochMilli(at), type));
            }
            a.add(write("now", NOW, EventType.RECEIVED_BY_MTA));
            nodeA.writeAll(a);
            nodeB.writeAll(b);
        }

        private long total(SearchCriteria criteria) throws Exception {
            return nodeA.search(criteria, 1, 20).total();
        }

        @Test
        void periodPresetTotalsShouldEqualAPlainCountWhenResolvedInAnyTimeZone() throws Exception {
            writeSpread(800);

            for (String zone : List.of("UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York", "Pacific/Chatham")) {
                for (DayOfWeek weekStart : List.of(DayOfWeek.MONDAY, DayOfWeek.SUNDAY)) {
                    Periods periods = new Periods(Clock.fixed(NOW, ZoneId.of(zone)), weekStart);
                    for (Periods.Preset preset : Periods.Preset.values()) {
                        Periods.Range range = periods.resolve(preset);
                        SearchCriteria criteria = SearchCriteria.builder().from(range.from()).to(range.to()).build();
                        assertThat(total(criteria)).as("%s in %s", preset, zone).isEqualTo(plainCount(criteria)).isPositive();
                    }
                }
            }
        }

        @Test
        void customRangeTotalsShouldEqualAPlainCountWhenTheEdgesCutBuckets() throws Exception {
            writeSpread(800);
            Random random = new Random(11);
            List<SearchCriteria> ranges = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                long from = NOW.toEpochMilli() - (long) (random.nextDouble() * Duration.ofDays(75).toMillis());
                long to = from + (long) (random.nextDouble() * (i % 4 == 0 ? Duration.ofMinutes(20) : Duration.ofDays(20)).toMillis());
                ranges.add(SearchCriteria.builder().from(Instant.ofEpochMilli(from)).to(Instant.ofEpochMilli(to)).build());
            }
            long edge = TrackingCounts.bucket(NOW.toEpochMilli() - Duration.ofDays(3).toMillis());
            ranges.add(SearchCriteria.builder().from(Instant.ofEpochMilli(edge)).to(Instant.ofEpochMilli(edge + TrackingCounts.BUCKET_MS)).build());
            ranges.add(SearchCriteria.builder().from(Instant.ofEpochMilli(edge - 1)).to(Instant.ofEpochMilli(edge + 1)).build());
            ranges.add(SearchCriteria.builder().from(Instant.ofEpochMilli(edge + 5)).to(Instant.ofEpochMilli(edge + 6)).build());
            long day = TrackingCounts.day(NOW.toEpochMilli() - Duration.ofDays(9).toMillis());
            ranges.add(SearchCriteria.builder().from(Instant.ofEpochMilli(day)).to(Instant.ofEpochMilli(day + 3 * TrackingCounts.DAY_MS)).build());
            ranges.add(SearchCriteria.builder().from(Instant.ofEpochMilli(day - TrackingCounts.BUCKET_MS - 7))
                .to(Instant.ofEpochMilli(day + 3 * TrackingCounts.DAY_MS + TrackingCounts.BUCKET_MS + 7)).build()); // days, buckets, partial buckets
            ranges.add(SearchCriteria.builder().from(Instant.ofEpochMilli(day + 5)).to(Instant.ofEpochMilli(day + TrackingCounts.DAY_MS + 5)).build());
            ranges.add(SearchCriteria.builder().from(NOW).to(NOW.plusMillis(1)).build()); // just the message at NOW
            ranges.add(SearchCriteria.builder().from(NOW.minus(Duration.ofDays(30))).to(NOW.plusSeconds(1)).build()); // as the benchmark
            ranges.add(SearchCriteria.builder().from(NOW.minus(Duration.ofDays(30))).build()); // open end
            ranges.add(SearchCriteria.builder().to(NOW.minus(Duration.ofDays(30))).build()); // open start
            ranges.add(SearchCriteria.builder().from(NOW).to(NOW.minusSeconds(1)).build()); // empty
            ranges.add(SearchCriteria.all());

            for (SearchCriteria criteria : ranges) {
                assertThat(total(criteria)).as("%s .. %s", criteria.from(), criteria.to()).isEqualTo(plainCount(criteria));
            }
            assertThat(total(SearchCriteria.builder().from(NOW).to(NOW.plusMillis(1)).build())).isEqualTo(1);
            assertThat(total(SearchCriteria.all())).isEqualTo(801);
        }

        @Test
        void totalsShouldEqualAPlainCountWhenNodeAndActionAreCriteria() throws Exception {
            writeSpread(500);
            Instant from = NOW.minus(Duration.ofDays(30)).plusMillis(12_345);
            for (Optional<String> node : List.of(Optional.<String>empty(), Optional.of("node-a"), Optional.of("node-b"), Optional.of("node-z"))) {
                for (Optional<String> action : List.of(Optional.<String>empty(), Optional.of("accepted"), Optional.of("rejected"))) {
                    SearchCriteria.Builder builder = SearchCriteria.builder().from(from).to(NOW.plusSeconds(1));
                    node.ifPresent(builder::node);
                    action.ifPresent(builder::action);
                    SearchCriteria criteria = builder.build();
                    assertThat(total(criteria)).as("%s %s", node, action).isEqualTo(plainCount(criteria));
                }
            }
            assertThat(total(SearchCriteria.builder().node("node-b").action("rejected").build())).isEqualTo(plainCount(
                SearchCriteria.builder().node("node-b").action("rejected").build())).isPositive();
        }

        @Test
        void countersShouldFollowTheActionWhenEventsChangeItWithinAndAcrossTransactions() throws Exception {
            Instant at = NOW.minus(Duration.ofDays(2));
            nodeA.writeAll(List.of(write("x1", at, EventType.RECEIVED_BY_MTA), write("x2", at, EventType.RECEIVED_BY_MTA)));
            nodeA.writeAll(List.of(write("x1", at.plusSeconds(1), EventType.REJECTED)));
            // one transaction: x3 created, rejected, released; x2 rejected, then viewed (no status: action stays)
            nodeA.writeAll(List.of(write("x3", at, EventType.RECEIVED_BY_MTA), write("x3", at.plusSeconds(1), EventType.REJECTED),
                write("x3", at.plusSeconds(2), EventType.RELEASED), write("x2", at.plusSeconds(3), EventType.REJECTED),
                write("x2", at.plusSeconds(4), EventType.VIEWED)));
            // another node records an event of node a's message: the count stays on node a
            nodeB.writeAll(List.of(write("x1", at.plusSeconds(5), EventType.RELEASED)));

            SearchCriteria accepted = SearchCriteria.builder().action("accepted").from(at.minusSeconds(3600)).to(NOW).build();
            SearchCriteria rejected = SearchCriteria.builder().action("rejected").from(at.minusSeconds(3600)).to(NOW).build();
            assertThat(total(accepted)).isEqualTo(plainCount(accepted)).isEqualTo(2); // x1 (released), x3 (released)
            assertThat(total(rejected)).isEqualTo(plainCount(rejected)).isEqualTo(1); // x2
            assertThat(counters()).containsExactly(
                Map.entry(new TrackingCounts.Key(TrackingCounts.bucket(at.toEpochMilli()), "node-a", "accepted"), 2L),
                Map.entry(new TrackingCounts.Key(TrackingCounts.bucket(at.toEpochMilli()), "node-a", "rejected"), 1L));
            assertThat(dayCounters()).containsExactly(
                Map.entry(new TrackingCounts.Key(TrackingCounts.day(at.toEpochMilli()), "node-a", "accepted"), 2L),
                Map.entry(new TrackingCounts.Key(TrackingCounts.day(at.toEpochMilli()), "node-a", "rejected"), 1L));
            assertThat(total(SearchCriteria.builder().node("node-b").build())).isZero();
        }

        @Test
        void totalsShouldEqualAPlainCountAfterThePurgeAndEmptyOldCountersShouldBeDropped() throws Exception {
            writeSpread(500);
            Instant cutoff = NOW.minus(Duration.ofDays(40)).plusMillis(777); // inside a bucket
            long purged = plainCount(SearchCriteria.builder().to(cutoff).build());

            TrackingPurge purge = new TrackingPurge(nodeA, Clock.fixed(cutoff.plus(Duration.ofDays(90)), ZoneOffset.UTC), Duration.ofDays(90),
                Duration.ofDays(1));
            assertThat(purge.runOnce()).isEqualTo(purged).isPositive();

            for (SearchCriteria criteria : List.of(SearchCriteria.all(), SearchCriteria.builder().to(cutoff.plus(Duration.ofDays(1))).build(),
                    SearchCriteria.builder().from(cutoff.minus(Duration.ofDays(1))).to(cutoff.plus(Duration.ofDays(5))).action("rejected").build())) {
                assertThat(total(criteria)).isEqualTo(plainCount(criteria));
            }
            assertThat(total(SearchCriteria.all())).isEqualTo(501 - purged);
            assertThat(counters()).allSatisfy((key, messages) -> assertThat(messages).as("%s", key).isPositive());
            assertThat(counters()).isEqualTo(groupedCount());
            assertThat(dayCounters()).allSatisfy((key, messages) -> assertThat(messages).as("%s", key).isPositive());
            assertThat(dayCounters()).isEqualTo(groupedDayCount());
        }

        @Test
        void countersShouldEqualTheMessagesWhenSeveralWritersAddToTheSameNewBucketsConcurrently() throws Exception {
            int writers = 6;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    TrackingDao dao = w % 2 == 0 ? nodeA : nodeB; // several threads per DAO and per node
                    int writer = w;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int round = 0; round < 10; round++) {
                            List<TrackingDao.Write> batch = new ArrayList<>();
                            for (int k = 0; k < 10; k++) {
                                // the same few buckets for every writer, each new to all of them in round 0
                                Instant at = NOW.minus(Duration.ofMinutes(15L * k)).plusMillis(writer * 100 + round);
                                String id = "c" + writer + "-" + round + "-" + k;
                                batch.add(write(id, at, EventType.RECEIVED_BY_MTA));
                                if (k % 3 == 0) {
                                    batch.add(write(id, at.plusSeconds(1), EventType.REJECTED));
                                }
                            }
                            dao.writeAll(batch);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> future : done) {
                    future.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            assertThat(plainCount(SearchCriteria.all())).isEqualTo(writers * 10 * 10);
            assertThat(counters()).isEqualTo(groupedCount());
            assertThat(dayCounters()).isEqualTo(groupedDayCount());
            assertThat(total(SearchCriteria.all())).isEqualTo(writers * 10 * 10);
            SearchCriteria rejected = SearchCriteria.builder().action("rejected").from(NOW.minus(Duration.ofHours(3))).to(NOW.plusSeconds(5)).build();
            assertThat(total(rejected)).isEqualTo(plainCount(rejected)).isEqualTo(writers * 10 * 4);
        }

        @Test
        void applyShouldAddTheAggregatedDeltasAndSkipZeroOnesWhenAppliedInSeveralTransactions() throws Exception {
            long bucket = TrackingCounts.bucket(NOW.toEpochMilli());
            try (Connection c = fixture.store().connection()) {
                c.setAutoCommit(false);
                TrackingCounts.Deltas deltas = new TrackingCounts.Deltas();
                deltas.add(NOW.toEpochMilli(), "node-a", "accepted", 2);
                deltas.add(NOW.toEpochMilli() + 1, "node-a", "accepted", 1);
                deltas.add(NOW.toEpochMilli(), "node-a", "rejected", 0);
                deltas.apply(c);
                c.commit();
                deltas.add(NOW.toEpochMilli(), "node-a", "accepted", -1);
                deltas.apply(c);
                c.commit();
                c.setAutoCommit(true);
            }
            assertThat(counters()).containsExactly(Map.entry(new TrackingCounts.Key(bucket, "node-a", "accepted"), 2L));
        }

        private Map<TrackingCounts.Key, Long> counters() throws Exception {
            return grouped("SELECT bucket, node, action, messages FROM tracking_count");
        }

        private Map<TrackingCounts.Key, Long> dayCounters() throws Exception {
            return grouped("SELECT day, node, action, messages FROM tracking_count_day");
        }

        private Map<TrackingCounts.Key, Long> groupedDayCount() throws Exception {
            return grouped("SELECT b.day, b.node, b.action, COUNT(*) FROM (SELECT (first_seen / 86400000) * 86400000 AS day, node, action "
                + "FROM tracking_message) b GROUP BY b.day, b.node, b.action");
        }

        private Map<TrackingCounts.Key, Long> groupedCount() throws Exception {
            return grouped("SELECT b.bucket, b.node, b.action, COUNT(*) FROM (SELECT (first_seen / 900000) * 900000 AS bucket, node, action "
                + "FROM tracking_message) b GROUP BY b.bucket, b.node, b.action");
        }

        private Map<TrackingCounts.Key, Long> grouped(String sql) throws Exception {
            try (Connection c = fixture.store().connection()) {
                return TrackingCountsTest.grouped(c, sql);
            }
        }

        /** COUNT(*) of tracking_message with the criteria as plain conditions. */
        private long plainCount(SearchCriteria criteria) throws Exception {
            try (Connection c = fixture.store().connection()) {
                return TrackingCountsTest.plainCount(c, criteria);
            }
        }
    }

    @Test
    void migrationShouldCountTheMessagesStoredBeforeItWhenTheStoreIsUpgraded() throws Exception {
        Path dir = Files.createTempDirectory("portcullis-tracking-v8");
        StoreConfiguration configuration = StoreConfiguration.embeddedDerby(dir.resolve("db"));
        Map<TrackingCounts.Key, Long> expected = new TreeMap<>(java.util.Comparator.comparing(TrackingCounts.Key::toString));
        Map<TrackingCounts.Key, Long> expectedDays = new TreeMap<>(java.util.Comparator.comparing(TrackingCounts.Key::toString));
        try (BasicDataSource v7 = new BasicDataSource()) {
            v7.setUrl(configuration.url());
            v7.setDriverClassName("org.apache.derby.jdbc.EmbeddedDriver");
            Flyway.configure(getClass().getClassLoader()).dataSource(v7).locations("classpath:db/migration/portcullis")
                .table("portcullis_schema_history").placeholders(Map.of("binaryType", "BLOB")).target("7.1").load().migrate();
            Random random = new Random(5);
            try (Connection c = v7.getConnection(); PreparedStatement m = c.prepareStatement("INSERT INTO tracking_message (tracking_id, first_seen, "
                    + "last_update, node, sender, sender_domain, message_security, tls, status, action) VALUES (?, ?, ?, ?, 'a@example.com', "
                    + "'example.com', 'none', 0, 'DELIVERED', ?)")) {
                for (int i = 0; i < 500; i++) {
                    long at = NOW.toEpochMilli() - (long) (random.nextDouble() * Duration.ofDays(3).toMillis());
                    if (i % 10 == 0) {
                        at = TrackingCounts.bucket(at) - (i % 20 == 0 ? 0 : 1); // on and just before an edge
                    }
                    String node = "old-" + (i % 3);
                    String action = i % 4 == 0 ? "rejected" : "accepted";
                    m.setString(1, "old" + i);
                    m.setLong(2, at);
                    m.setLong(3, at);
                    m.setString(4, node);
                    m.setString(5, action);
                    m.executeUpdate();
                    expected.merge(new TrackingCounts.Key(TrackingCounts.bucket(at), node, action), 1L, Long::sum);
                    expectedDays.merge(new TrackingCounts.Key(TrackingCounts.day(at), node, action), 1L, Long::sum);
                }
            }
        }
        try (GatewayStore store = GatewayStore.open(configuration)) {
            try (Connection c = store.connection()) {
                assertThat(grouped(c, "SELECT bucket, node, action, messages FROM tracking_count")).isEqualTo(expected);
                assertThat(grouped(c, "SELECT day, node, action, messages FROM tracking_count_day")).isEqualTo(expectedDays).hasSizeGreaterThan(6);
            }
            TrackingDao dao = new TrackingDao(store.dataSource(), "node-a");
            dao.writeAll(List.of(write("new1", NOW, EventType.RECEIVED_BY_MTA)));
            try (Connection c = store.connection()) {
                for (SearchCriteria criteria : List.of(SearchCriteria.all(), SearchCriteria.builder().node("old-1").build(),
                        SearchCriteria.builder().from(NOW.minus(Duration.ofDays(1)).plusMillis(3)).to(NOW.plusMillis(1)).action("rejected").build(),
                        SearchCriteria.builder().from(NOW.minus(Duration.ofDays(2))).build())) {
                    assertThat(dao.search(criteria, 1, 20).total()).isEqualTo(plainCount(c, criteria));
                }
            }
            assertThat(dao.search(SearchCriteria.all(), 1, 20).total()).isEqualTo(501);
        }
    }

    private static TrackingDao.Write write(String id, Instant at, EventType type) {
        return new TrackingDao.Write(new TrackedEvent(id, type, at, Map.of()),
            MessageInfo.builder().sender("alice@example.com").recipients(List.of("bob@acme.test")).subject("count me").build());
    }

    private static Map<TrackingCounts.Key, Long> grouped(Connection c, String sql) throws Exception {
        Map<TrackingCounts.Key, Long> rows = new TreeMap<>(java.util.Comparator.comparing(TrackingCounts.Key::toString));
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                rows.put(new TrackingCounts.Key(rs.getLong(1), rs.getString(2), rs.getString(3)), rs.getLong(4));
            }
        }
        return rows;
    }

    private static long plainCount(Connection c, SearchCriteria criteria) throws Exception {
        StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM tracking_message WHERE 1 = 1");
        List<Object> values = new ArrayList<>();
        criteria.from().ifPresent(f -> {
            sql.append(" AND first_seen >= ?");
            values.add(f.toEpochMilli());
        });
        criteria.to().ifPresent(t -> {
            sql.append(" AND first_seen < ?");
            values.add(t.toEpochMilli());
        });
        criteria.node().ifPresent(n -> {
            sql.append(" AND node = ?");
            values.add(n);
        });
        criteria.action().ifPresent(a -> {
            sql.append(" AND action = ?");
            values.add(a);
        });
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) instanceof Long l) {
                    s.setLong(i + 1, l);
                } else {
                    s.setString(i + 1, (String) values.get(i));
                }
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
