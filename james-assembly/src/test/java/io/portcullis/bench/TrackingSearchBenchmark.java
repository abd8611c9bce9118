package io.portcullis.bench;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageInfo;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.store.SearchCriteria;
import io.portcullis.tracking.store.SearchResult;
import io.portcullis.tracking.store.SubjectTokens;
import io.portcullis.tracking.store.SubjectVocabulary;
import io.portcullis.tracking.store.TrackingCounts;
import io.portcullis.tracking.store.TrackingDao;

/**
 * Message tracking search benchmark (not a test). Loads N synthetic messages (default 1,000,000, 5 events each,
 * 1-2 recipients, 20% with an attachment, 1% null sender, spread over 120 days) into a fresh embedded Derby
 * gateway store in a temporary directory, then times the searches the WebAdmin routes run (first page of 20 and
 * the total count) by sender, @domain, recipient, recipient @domain, period and subject-contains (whole words, word
 * starts, and mid-word fragments that go through the V7 subject vocabulary), p50/p95 over repeated queries with
 * varying values, and a CSV export of 100,000 rows. Every figure is also given as a ratio to a baseline measured in
 * the same run: the message detail by tracking id (primary key lookup + its events). The store's V6 index tables
 * and V7 vocabulary are filled as TrackingDao fills them; run against code before V7, the vocabulary is skipped. The V8
 * message counters are filled per loaded batch by {@link TrackingCounts.Deltas#apply} (the code TrackingDao runs at
 * each commit); before V8 they are skipped. Last, the write path is timed: {@code writeMessages} (default 10,000)
 * new messages of 5 events each written through {@link TrackingDao#writeAll} in group-commit batches of 100 events.
 *
 * <pre>
 * cd /work/main   # or a worktree
 * mvn -B -o -q -pl mailets,matchers,james-assembly test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
 * java -Xmx1g -cp james-assembly/target/test-classes:james-assembly/target/classes:$(cat james-assembly/target/bench.cp) \
 *     io.portcullis.bench.TrackingSearchBenchmark [messages] [repetitions] [derbyPageCachePages] [writeMessages]
 * </pre>
 */
public final class TrackingSearchBenchmark {
    private static final Instant NOW = Instant.now();
    private static final long SPAN_MS = Duration.ofDays(120).toMillis();
    private static final String[] WORDS = ("invoice report meeting lunch project budget offer order delivery update weekly monthly "
        + "contract review draft final urgent question reminder newsletter holiday payroll security account password reset "
        + "shipment tracking welcome support ticket feedback survey agenda minutes quarterly annual planning release").split(" ");
    private static final int SENDER_DOMAINS = 2_000;
    private static final int SENDERS = 50_000;
    private static final int RECIPIENT_DOMAINS = 50;
    private static final int RECIPIENTS = 20_000;

    private TrackingSearchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        String pageCache = args.length > 2 ? args[2] : "16000"; // as the start script
        int writeMessages = args.length > 3 ? Integer.parseInt(args[3].replace("_", "")) : 10_000;
        Path dir = Files.createTempDirectory("portcullis-bench");
        System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
        System.setProperty("derby.storage.pageCacheSize", pageCache);
        // Loading only: no log sync per commit (the searches measured read committed data; durability of
        // tracking writes is the group-commit tracker's business, covered by its tests).
        System.setProperty("derby.system.durability", "test");
        System.out.printf(Locale.ROOT, "Tracking search benchmark: %,d messages, %d repetitions, Derby page cache %s pages, store %s%n",
            n, repetitions, pageCache, dir);
        try (GatewayStore store = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("db")))) {
            long loadStart = System.nanoTime();
            List<String> indexes = secondaryIndexes();
            execute(store, indexes.stream().map(ddl -> "DROP INDEX " + ddl.split("\\s+")[2]).toList());
            boolean vocabulary = hasTable(store, "TRACKING_SUBJECT_VOCAB");
            if (vocabulary) {
                // the vocabulary's primary keys are built by sorting after the load too (the loader adds each word once)
                execute(store, List.of("ALTER TABLE tracking_subject_vocab DROP PRIMARY KEY", "ALTER TABLE tracking_subject_suffix DROP PRIMARY KEY"));
                indexes = new ArrayList<>(indexes);
                indexes.add("ALTER TABLE tracking_subject_vocab ADD CONSTRAINT tracking_svocab_pk PRIMARY KEY (word_key)");
                indexes.add("ALTER TABLE tracking_subject_suffix ADD CONSTRAINT tracking_ssuffix_pk PRIMARY KEY (suffix, word_key)");
            }
            boolean counters = hasTable(store, "TRACKING_COUNT");
            try (Connection c = store.connection()) {
                load(c, n, vocabulary, counters);
            }
            double rowSeconds = (System.nanoTime() - loadStart) / 1e9;
            System.out.printf(Locale.ROOT, "  rows inserted in %.1f s; creating the %d secondary indexes of V2__tracking.sql and V6__tracking_search.sql"
                + " (and the V7 vocabulary keys: %s; V8 counters filled: %s)%n", rowSeconds, indexes.size(), vocabulary, counters);
            execute(store, indexes);
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            System.out.printf(Locale.ROOT, "Loaded %,d messages / %,d events in %.1f s (%,.0f messages/s)%n",
                n, n * 5L, loadSeconds, n / loadSeconds);
            TrackingDao dao = new TrackingDao(store.dataSource(), "bench");
            run(dao, n, repetitions);
            writePath(dao, writeMessages);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The secondary indexes of the tracking tables as the migrations leave them (V2, V6 create; V9 drops; V11
     * recreates with other columns), as CREATE INDEX statements: dropped for the bulk load, then built by sorting.
     */
    private static List<String> secondaryIndexes() throws Exception {
        java.util.Map<String, String> indexes = new java.util.LinkedHashMap<>();
        for (String migration : List.of("V2__tracking.sql", "V6__tracking_search.sql", "V9__tracking_write_indexes.sql",
                "V11__tracking_criteria_order.sql")) {
            for (String ddl : statementsOf(migration, "")) {
                String[] words = ddl.split("\\s+");
                if (ddl.startsWith("CREATE INDEX")) {
                    indexes.put(words[2].toLowerCase(Locale.ROOT), ddl);
                } else if (ddl.startsWith("DROP INDEX")) {
                    indexes.remove(words[2].toLowerCase(Locale.ROOT));
                }
            }
        }
        return List.copyOf(indexes.values());
    }

    /** The statements of {@code migration} starting with {@code kind}; none when the migration is absent (older code). */
    private static List<String> statementsOf(String migration, String kind) throws Exception {
        try (java.io.InputStream in = TrackingSearchBenchmark.class.getClassLoader().getResourceAsStream("db/migration/portcullis/" + migration)) {
            if (in == null) {
                return List.of();
            }
            String sql = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return Arrays.stream(sql.split(";"))
                .map(statement -> statement.lines().filter(line -> !line.trim().startsWith("--")).collect(java.util.stream.Collectors.joining(" ")).trim())
                .filter(statement -> !statement.isEmpty() && statement.startsWith(kind))
                .toList();
        }
    }

    private static boolean hasTable(GatewayStore store, String name) throws Exception {
        try (Connection c = store.connection(); java.sql.ResultSet rs = c.getMetaData().getTables(null, null, name, null)) {
            return rs.next();
        }
    }

    private static void execute(GatewayStore store, List<String> statements) throws Exception {
        try (Connection c = store.connection(); java.sql.Statement statement = c.createStatement()) {
            for (String sql : statements) {
                statement.executeUpdate(sql);
            }
        }
    }

    private static String sender(int i) {
        return "user" + i + "@sender" + (i % SENDER_DOMAINS) + ".example";
    }

    private static String recipient(int i) {
        return "rcpt" + i + "@corp" + (i % RECIPIENT_DOMAINS) + ".test";
    }

    /**
     * Loads {@code n} synthetic messages; {@code vocabulary}: fill the V7 subject vocabulary too (absent before V7);
     * {@code counters}: maintain the V8 message counters as TrackingDao does, in each batch's transaction (absent before V8).
     */
    static void load(Connection c, int n, boolean vocabulary, boolean counters) throws Exception {
        Random random = new Random(42);
        TrackingCounts.Deltas deltas = new TrackingCounts.Deltas();
        java.util.Set<String> words = new java.util.HashSet<>();
        {
            c.setAutoCommit(false);
            try (PreparedStatement message = c.prepareStatement("INSERT INTO tracking_message (tracking_id, first_seen, last_update, node, "
                    + "sender, sender_domain, recipients, subject, subject_lc, message_id, sending_host, sending_ip, helo, size_bytes, attachments, "
                    + "message_security, tls, auth_user, status, action, outcome, reject_reason, last_event) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement rcpt = c.prepareStatement("INSERT INTO tracking_recipient (tracking_id, recipient, recipient_domain) VALUES (?, ?, ?)");
                 PreparedStatement attachment = c.prepareStatement("INSERT INTO tracking_attachment (tracking_id, position, name_lc) VALUES (?, ?, ?)");
                 PreparedStatement event = c.prepareStatement("INSERT INTO tracking_event (tracking_id, event_time, event_type, info) VALUES (?, ?, ?, ?)");
                 PreparedStatement rdomain = c.prepareStatement("INSERT INTO tracking_recipient_domain (tracking_id, domain, first_seen) VALUES (?, ?, ?)");
                 PreparedStatement token = c.prepareStatement("INSERT INTO tracking_subject_token (tracking_id, token, first_seen) VALUES (?, ?, ?)");
                 PreparedStatement vocab = vocabulary ? c.prepareStatement("INSERT INTO tracking_subject_vocab (word_key) VALUES (?)") : null;
                 PreparedStatement suffix = vocabulary ? c.prepareStatement("INSERT INTO tracking_subject_suffix (suffix, word_key, token) VALUES (?, ?, ?)") : null) {
                EventType[] flow = {EventType.RECEIVED_BY_MTA, EventType.ACCEPTED, EventType.SUCCESSFULLY_PROCESSED,
                    EventType.ACCEPTED_FOR_OUTBOUND, EventType.DELIVERED};
                for (int i = 0; i < n; i++) {
                    String id = String.format(Locale.ROOT, "m%09d", i);
                    long seen = NOW.toEpochMilli() - (long) (random.nextDouble() * SPAN_MS);
                    boolean nullSender = random.nextInt(100) == 0;
                    String sender = nullSender ? "" : sender(random.nextInt(SENDERS));
                    int rcptCount = 1 + random.nextInt(2);
                    List<String> recipients = new ArrayList<>();
                    for (int r = 0; r < rcptCount; r++) {
                        String address = recipient(random.nextInt(RECIPIENTS));
                        if (!recipients.contains(address)) {
                            recipients.add(address);
                        }
                    }
                    String subject = WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + " "
                        + WORDS[random.nextInt(WORDS.length)] + " #" + random.nextInt(1_000_000);
                    boolean hasAttachment = random.nextInt(5) == 0;
                    String file = hasAttachment ? WORDS[random.nextInt(WORDS.length)] + random.nextInt(1000) + ".pdf" : null;
                    int outcome = random.nextInt(100);
                    boolean rejected = outcome < 5;
                    String ip = "198.51." + random.nextInt(40) + "." + random.nextInt(250);
                    message.setString(1, id);
                    message.setLong(2, seen);
                    message.setLong(3, seen + 4000);
                    message.setString(4, "node-" + (i % 2));
                    message.setString(5, sender);
                    message.setString(6, nullSender ? "" : sender.substring(sender.indexOf('@') + 1));
                    message.setString(7, String.join(", ", recipients));
                    message.setString(8, subject);
                    message.setString(9, subject.toLowerCase(Locale.ROOT));
                    message.setString(10, "<" + id + "@bench.example>");
                    message.setString(11, ip);
                    message.setString(12, ip);
                    message.setString(13, "mx" + random.nextInt(1000) + ".example");
                    message.setLong(14, 2000 + random.nextInt(200_000));
                    message.setString(15, file);
                    message.setString(16, random.nextInt(50) == 0 ? "smime" : "none");
                    message.setShort(17, (short) random.nextInt(2));
                    message.setString(18, null);
                    message.setString(19, rejected ? "REJECTED" : outcome < 10 ? "HELD" : outcome < 15 ? "DEFERRED" : "DELIVERED");
                    message.setString(20, rejected ? "rejected" : "accepted");
                    message.setString(21, rejected ? "Rejected" : "Delivered to destination SMTP server");
                    message.setString(22, rejected ? "spam:rbllookup" : null);
                    message.setString(23, rejected ? "REJECTED" : "DELIVERED");
                    message.addBatch();
                    if (counters) {
                        deltas.add(seen, "node-" + (i % 2), rejected ? "rejected" : "accepted", 1);
                    }
                    for (String r : recipients) {
                        rcpt.setString(1, id);
                        rcpt.setString(2, r);
                        rcpt.setString(3, r.substring(r.indexOf('@') + 1));
                        rcpt.addBatch();
                    }
                    for (String domain : recipients.stream().map(r -> r.substring(r.indexOf('@') + 1)).distinct().toList()) {
                        rdomain.setString(1, id);
                        rdomain.setString(2, domain);
                        rdomain.setLong(3, seen);
                        rdomain.addBatch();
                    }
                    for (String word : SubjectTokens.of(subject)) {
                        token.setString(1, id);
                        token.setString(2, word);
                        token.setLong(3, seen);
                        token.addBatch();
                        if (vocabulary && words.add(word)) { // as TrackingDao: each new word once, with its suffixes
                            vocab.setString(1, SubjectVocabulary.key(word));
                            vocab.addBatch();
                            for (SubjectVocabulary.SuffixRow row : SubjectVocabulary.suffixRows(word)) {
                                suffix.setString(1, row.suffix());
                                suffix.setString(2, row.wordKey());
                                suffix.setString(3, row.token());
                                suffix.addBatch();
                            }
                        }
                    }
                    if (hasAttachment) {
                        attachment.setString(1, id);
                        attachment.setInt(2, 0);
                        attachment.setString(3, file);
                        attachment.addBatch();
                    }
                    for (int e = 0; e < flow.length; e++) {
                        event.setString(1, id);
                        event.setLong(2, seen + e * 1000L);
                        event.setString(3, flow[e].name());
                        event.setString(4, e == 0 ? "{\"Recipients\":\"" + String.join(", ", recipients) + "\",\"Sending Host\":\"" + ip + "\"}"
                            : e == 4 ? "{\"Hostname\":\"mail.corp.test\"}" : null);
                        event.addBatch();
                    }
                    if ((i + 1) % 2_000 == 0 || i == n - 1) {
                        message.executeBatch();
                        rcpt.executeBatch();
                        attachment.executeBatch();
                        event.executeBatch();
                        rdomain.executeBatch();
                        token.executeBatch();
                        if (vocabulary) {
                            vocab.executeBatch();
                            suffix.executeBatch();
                        }
                        if (counters) {
                            deltas.apply(c);
                        }
                        c.commit();
                    }
                    if ((i + 1) % 100_000 == 0) {
                        System.out.printf(Locale.ROOT, "  loaded %,d%n", i + 1);
                    }
                }
            }
            c.commit();
            c.setAutoCommit(true);
        }
    }

    /**
     * Times the tracking write path: {@code messages} new messages, 5 events each (1 in 20 rejected at its second
     * event, then processed again: two action changes), written through {@link TrackingDao#writeAll} in batches of
     * 100 events as the group-commit writer forms them under load (20 new messages and the later events of 80 others).
     */
    private static void writePath(TrackingDao dao, int messages) throws Exception {
        if (messages <= 0) {
            return;
        }
        EventType[] flow = {EventType.RECEIVED_BY_MTA, EventType.ACCEPTED, EventType.SUCCESSFULLY_PROCESSED,
            EventType.ACCEPTED_FOR_OUTBOUND, EventType.DELIVERED};
        int perRound = 20;
        for (String phase : List.of("warm-up", "timed")) {
            int count = phase.equals("warm-up") ? Math.max(perRound, messages / 10) : messages;
            String prefix = phase.equals("warm-up") ? "u" : "w";
            long base = Instant.now().toEpochMilli();
            int rounds = (count + perRound - 1) / perRound;
            long writes = 0;
            long start = System.nanoTime();
            for (int round = 0; round < rounds + flow.length - 1; round++) {
                List<TrackingDao.Write> batch = new ArrayList<>();
                for (int e = 0; e < flow.length; e++) {
                    int block = round - e;
                    if (block < 0 || block >= rounds) {
                        continue;
                    }
                    for (int k = 0; k < perRound; k++) {
                        int j = block * perRound + k;
                        if (j >= count) {
                            break;
                        }
                        EventType type = e == 1 && j % 20 == 0 ? EventType.REJECTED : flow[e];
                        Instant at = Instant.ofEpochMilli(base + j * 100L + e * 1000L);
                        MessageInfo info = e == 0 ? MessageInfo.builder().sender(sender(j % SENDERS)).recipients(List.of(recipient(j % RECIPIENTS)))
                            .subject(WORDS[j % WORDS.length] + " write path #" + j).build() : MessageInfo.unknown();
                        batch.add(new TrackingDao.Write(new TrackedEvent(String.format(Locale.ROOT, "%s%09d", prefix, j), type, at, Map.of()), info));
                    }
                }
                dao.writeAll(batch);
                writes += batch.size();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "Write path (%s): %,d messages / %,d events through TrackingDao.writeAll in batches of %d events: %.2f s"
                + " = %,.0f events/s, %,.0f messages/s, %.3f ms per batch%n", phase, count, writes, perRound * flow.length, seconds,
                writes / seconds, count / seconds, seconds * 1000 / (rounds + flow.length - 1));
        }
    }

    private record Result(String name, double p50, double p95, double meanTotal) {
    }

    private static Result time(String name, int repetitions, IntFunction<Long> query) {
        for (int i = 0; i < 3; i++) {
            query.apply(1_000 + i); // warm-up
        }
        double[] ms = new double[repetitions];
        long totals = 0;
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            totals += query.apply(i);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return new Result(name, ms[(int) Math.floor(0.5 * (repetitions - 1))], ms[(int) Math.ceil(0.95 * (repetitions - 1))],
            (double) totals / repetitions);
    }

    private static IntFunction<Long> search(TrackingDao dao, IntFunction<SearchCriteria> criteria) {
        return i -> {
            try {
                SearchResult result = dao.search(criteria.apply(i), 1, 20);
                return result.total();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static void run(TrackingDao dao, int n, int repetitions) throws Exception {
        Random random = new Random(7);
        Map<String, Result> results = new LinkedHashMap<>();
        Result baseline = time("baseline: detail by tracking id (PK)", repetitions, i -> {
            try {
                return dao.find(String.format(Locale.ROOT, "m%09d", random.nextInt(n))).map(d -> (long) d.events().size()).orElse(0L);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        results.put("baseline", baseline);
        results.put("sender", time("sender (exact)", repetitions, search(dao, i -> SearchCriteria.builder().sender(sender(random.nextInt(SENDERS))).build())));
        results.put("senderDomain", time("sender @domain", repetitions, search(dao, i -> SearchCriteria.builder()
            .sender("@sender" + random.nextInt(SENDER_DOMAINS) + ".example").build())));
        results.put("nullSender", time("sender <>", repetitions, search(dao, i -> SearchCriteria.builder().sender("<>").build())));
        results.put("recipient", time("recipient (exact)", repetitions, search(dao, i -> SearchCriteria.builder()
            .recipient(recipient(random.nextInt(RECIPIENTS))).build())));
        results.put("recipientDomain", time("recipient @domain (2% of all)", repetitions, search(dao, i -> SearchCriteria.builder()
            .recipient("@corp" + random.nextInt(RECIPIENT_DOMAINS) + ".test").build())));
        results.put("today", time("period: last 24 h", repetitions, search(dao, i -> SearchCriteria.builder()
            .from(NOW.minus(Duration.ofDays(1))).to(NOW.plusSeconds(1)).build())));
        results.put("week", time("period: last 7 days", repetitions, search(dao, i -> SearchCriteria.builder()
            .from(NOW.minus(Duration.ofDays(7))).to(NOW.plusSeconds(1)).build())));
        results.put("month", time("period: last 30 days", repetitions, search(dao, i -> SearchCriteria.builder()
            .from(NOW.minus(Duration.ofDays(30))).to(NOW.plusSeconds(1)).build())));
        results.put("allTime", time("all time (no criteria)", repetitions, search(dao, i -> SearchCriteria.all())));
        results.put("rejectedMonth", time("action rejected + last 30 days", repetitions, search(dao, i -> SearchCriteria.builder()
            .action("rejected").from(NOW.minus(Duration.ofDays(30))).to(NOW.plusSeconds(1)).build())));
        results.put("senderWeek", time("sender @domain + last 7 days", repetitions, search(dao, i -> SearchCriteria.builder()
            .sender("@sender" + random.nextInt(SENDER_DOMAINS) + ".example").from(NOW.minus(Duration.ofDays(7))).to(NOW.plusSeconds(1)).build())));
        results.put("subject", time("subject contains (all time)", Math.max(5, repetitions / 4), search(dao, i -> SearchCriteria.builder()
            .subjectContains("#" + (100_000 + random.nextInt(800_000))).build())));
        results.put("subjectWord", time("subject contains word (all time, capped)", Math.max(5, repetitions / 4), search(dao, i -> SearchCriteria.builder()
            .subjectContains(" " + WORDS[random.nextInt(WORDS.length)] + " ").build())));
        int subjectRepetitions = Math.max(5, repetitions / 4);
        results.put("subjectScan", time("subject mid-word `nvoic` (1 word)", subjectRepetitions, search(dao, i -> SearchCriteria.builder()
            .subjectContains("nvoic").build())));
        results.put("subjectEnd", time("subject mid-word `eport` (1 word)", subjectRepetitions, search(dao, i -> SearchCriteria.builder()
            .subjectContains("eport").build())));
        results.put("subjectRe", time("subject mid-word `re` (several words)", subjectRepetitions, search(dao, i -> SearchCriteria.builder()
            .subjectContains("re").build())));
        results.put("subjectDigits5", time("subject mid-number 5 digits (rare)", subjectRepetitions, search(dao, i -> SearchCriteria.builder()
            .subjectContains(String.valueOf(10_000 + random.nextInt(90_000))).build())));
        results.put("subjectDigits4", time("subject mid-number 4 digits (rare)", subjectRepetitions, search(dao, i -> SearchCriteria.builder()
            .subjectContains(String.valueOf(1_000 + random.nextInt(9_000))).build())));
        results.put("subjectDigits2", time("subject mid-number 2 digits (common)", subjectRepetitions, search(dao, i -> SearchCriteria.builder()
            .subjectContains(String.valueOf(10 + random.nextInt(90))).build())));
        results.put("subjectNone", time("subject fragment matching nothing", subjectRepetitions, search(dao, i -> SearchCriteria.builder()
            .subjectContains("qz" + (char) ('a' + random.nextInt(26)) + "x").build())));
        results.put("subjectWeek", time("subject contains + last 7 days", repetitions, search(dao, i -> SearchCriteria.builder()
            .subjectContains(WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)])
            .from(NOW.minus(Duration.ofDays(7))).to(NOW.plusSeconds(1)).build())));
        results.put("attachment", time("attachment name", repetitions, search(dao, i -> SearchCriteria.builder()
            .attachment(WORDS[random.nextInt(WORDS.length)] + random.nextInt(1000) + ".pdf").build())));

        System.out.println();
        System.out.printf(Locale.ROOT, "%-40s %10s %10s %12s %10s%n", "query (first page of 20 + total)", "p50 ms", "p95 ms", "avg total", "p95/base");
        for (Result r : results.values()) {
            System.out.printf(Locale.ROOT, "%-40s %10.1f %10.1f %12.0f %10.1f%n", r.name(), r.p50(), r.p95(), r.meanTotal(), r.p95() / baseline.p95());
        }

        int rows = Math.min(100_000, n);
        for (int run = 0; run < 3; run++) {
            AtomicLong chars = new AtomicLong();
            Writer sink = new Writer() {
                @Override
                public void write(char[] cbuf, int off, int len) {
                    chars.addAndGet(len);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            long start = System.nanoTime();
            CSVPrinter printer = new CSVPrinter(sink, CSVFormat.RFC4180);
            long streamed = dao.stream(SearchCriteria.all(), rows, m -> {
                try {
                    printer.printRecord(m.firstSeen().toString(), m.lastEvent().map(EventType::label).orElse(""), m.trackingId(),
                        m.messageId().orElse(""), m.node(), m.sender(), String.join(", ", m.recipients()), m.subject().orElse(""),
                        m.status().name().toLowerCase(Locale.ROOT), m.outcome().orElse(""), m.rejectReason().orElse(""),
                        String.join(", ", m.attachments()), m.messageSecurity(), m.tls() ? "TLS" : "None");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            printer.flush();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "CSV export run %d: %,d rows, %,d chars in %.2f s = %,.0f rows/s%n", run + 1, streamed, chars.get(),
                seconds, streamed / seconds);
        }
    }
}
