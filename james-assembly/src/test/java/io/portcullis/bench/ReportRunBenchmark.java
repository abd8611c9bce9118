package io.portcullis.bench;

import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetContext;

import io.portcullis.quarantine.EntryState;
import io.portcullis.quarantine.QuarantineConfiguration;
import io.portcullis.quarantine.QuarantineEntry;
import io.portcullis.quarantine.QuarantineService;
import io.portcullis.quarantine.QuarantineStore;
import io.portcullis.report.ReportConfiguration;
import io.portcullis.report.ReportService;
import io.portcullis.report.ReportStore;
import io.portcullis.report.token.ReportTokens;
import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;

/**
 * Scheduled report run for 10,000 recipients × 20 held messages (200,000 entries) in a fresh embedded Derby
 * store: time to query, build (text + HTML, 3 signed links per item) and enqueue every report. "Enqueue" is a
 * counting sink that serialises each MIME message (writeTo a null stream), standing in for the mail queue;
 * the mailet context is a proxy that only knows the postmaster. Baseline, same run: building one recipient's
 * report (entries read once) 10,000 times, i.e. the same rendering and signing without the per-recipient queries.
 * Target: the run under 60 s.
 *
 * <pre>
 * mvn -B -o -Pbenchmark verify -DskipTests -Dbenchmark=ReportRunBenchmark -pl james-assembly -am
 * </pre>
 */
public final class ReportRunBenchmark {
    static final int RECIPIENTS = Integer.getInteger("recipients", 10_000);
    static final int PER_RECIPIENT = Integer.getInteger("perRecipient", 20);

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("report-bench");
        MailAddress postmaster = new MailAddress("postmaster@portcullis.test");
        MailetContext context = (MailetContext) Proxy.newProxyInstance(ReportRunBenchmark.class.getClassLoader(),
            new Class<?>[] {MailetContext.class}, (proxy, method, methodArgs) -> method.getName().equals("getPostmaster") ? postmaster : null);
        Clock clock = Clock.systemUTC();
        try (GatewayStore store = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("db")))) {
            long fillStart = System.nanoTime();
            fill(store, clock.instant());
            System.out.printf(Locale.ROOT, "filled %,d entries (%,d recipients x %d) in %.1f s%n", (long) RECIPIENTS * PER_RECIPIENT,
                RECIPIENTS, PER_RECIPIENT, (System.nanoTime() - fillStart) / 1e9);

            QuarantineService quarantine = new QuarantineService(new QuarantineStore(store), event -> { }, context,
                QuarantineConfiguration.from(new Properties()), clock);
            AtomicLong reports = new AtomicLong();
            AtomicLong bytes = new AtomicLong();
            ReportService.ReportSink sink = (from, to, report) -> {
                CountingStream out = new CountingStream();
                try {
                    report.writeTo(out);
                } catch (java.io.IOException e) {
                    throw new javax.mail.MessagingException("write", e);
                }
                reports.incrementAndGet();
                bytes.addAndGet(out.count);
            };
            ReportService service = new ReportService(quarantine, new ReportStore(store),
                new ReportTokens("0123456789abcdef0123456789abcdef".getBytes(), clock), event -> { }, context,
                ReportConfiguration.defaults(), clock, sink);

            // warm-up (JIT), then baseline: one recipient's report built and enqueued 10,000 times
            List<QuarantineEntry> one = service.heldFor("user0@acme.test", Optional.empty());
            for (int i = 0; i < 500; i++) {
                sink.send(postmaster, new MailAddress("user0@acme.test"), service.build("user0@acme.test", one, 14));
            }
            reports.set(0);
            bytes.set(0);
            long baseStart = System.nanoTime();
            for (int i = 0; i < RECIPIENTS; i++) {
                sink.send(postmaster, new MailAddress("user0@acme.test"), service.build("user0@acme.test", one, 14));
            }
            double baseline = (System.nanoTime() - baseStart) / 1e9;
            System.out.printf(Locale.ROOT, "baseline: build+enqueue one report (%d items) x %,d: %.1f s (%,d bytes)%n",
                one.size(), RECIPIENTS, baseline, bytes.get());

            reports.set(0);
            bytes.set(0);
            long runStart = System.nanoTime();
            ReportService.RunSummary summary = service.run(Optional.empty());
            double run = (System.nanoTime() - runStart) / 1e9;
            System.out.printf(Locale.ROOT, "scheduled run: %,d recipients, %,d reports, %,d items, %d failures, %,d bytes in %.1f s "
                    + "(%.0f reports/s); ratio to baseline %.2f; target < 60 s: %s%n",
                summary.recipients(), reports.get(), summary.items(), summary.failures(), bytes.get(), run, reports.get() / run,
                run / baseline, run < 60 ? "MET" : "MISSED");
        }
    }

    static void fill(GatewayStore store, Instant now) throws Exception {
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement message = c.prepareStatement("INSERT INTO quarantine_message (message_id, mail_name, tracking_id, "
                    + "sender, subject, area, score, reasons, triggered_rules, direction, arrival, size_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement entry = c.prepareStatement("INSERT INTO quarantine_entry (entry_id, message_id, recipient, state, arrival, "
                     + "expiry, state_changed, notify_pending) VALUES (?, ?, ?, ?, ?, ?, ?, 0)")) {
                int n = 0;
                for (int r = 0; r < RECIPIENTS; r++) {
                    for (int m = 0; m < PER_RECIPIENT; m++) {
                        String id = "m" + r + "-" + m;
                        long arrival = now.minus(Duration.ofMinutes(1 + (long) m * 60 + r % 50)).toEpochMilli();
                        message.setString(1, id);
                        message.setString(2, "mail-" + id);
                        message.setString(3, "t-" + id);
                        message.setString(4, "sender" + (m % 7) + "@remote" + (r % 100) + ".example");
                        message.setString(5, "Offer number " + m + " for user " + r);
                        message.setString(6, m % 5 == 0 ? "threat" : "spam");
                        message.setInt(7, 60 + m);
                        message.setString(8, "dnsbl: listed +40\ncontent: pills +25\nspf: fail +5");
                        message.setString(9, "dnsbl,content,spf");
                        message.setString(10, "inbound");
                        message.setLong(11, arrival);
                        message.setLong(12, 4000);
                        message.addBatch();
                        entry.setString(1, "e" + id);
                        entry.setString(2, id);
                        entry.setString(3, "user" + r + "@acme.test");
                        entry.setString(4, EntryState.HELD.name());
                        entry.setLong(5, arrival);
                        entry.setLong(6, arrival + Duration.ofDays(14).toMillis());
                        entry.setLong(7, arrival);
                        entry.addBatch();
                        if (++n % 2000 == 0) {
                            message.executeBatch();
                            entry.executeBatch();
                            c.commit();
                        }
                    }
                }
                message.executeBatch();
                entry.executeBatch();
                c.commit();
            }
        }
    }

    static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
