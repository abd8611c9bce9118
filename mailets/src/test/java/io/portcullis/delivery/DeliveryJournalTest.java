package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.TrackedEvent;

/** The delivery receipts journal with the real Delivery log on embedded Derby: what a crash leaves is written once. */
class DeliveryJournalTest {
    @RegisterExtension
    static final DeliveryStoreFixture fixture = new DeliveryStoreFixture();
    @TempDir
    Path journalDir;
    DeliveryLog log;
    DeliveryRecorderTest.RecordingTracker tracker;

    @BeforeEach
    void empty() throws Exception {
        log = fixture.emptyLog();
        tracker = new DeliveryRecorderTest.RecordingTracker();
    }

    private static DeliveryAttempt attempt(String trackingId) {
        return new DeliveryAttempt(0, Instant.parse("2026-11-23T08:00:00Z"), Optional.of(trackingId), "mail-" + trackingId, "alice@sender.test",
            List.of("bob@acme.test", "carol@acme.test"), 1, Optional.of("mx.acme.test"), Optional.of("127.0.0.1"), DeliveryAttempt.Tls.YES,
            SmtpReply.parse("250 2.0.0 Ok: queued as 7C"), DeliveryAttempt.Outcome.DELIVERED);
    }

    private static Mail mail(String trackingId) throws Exception {
        return FakeMail.builder().name("mail-" + trackingId).sender("alice@sender.test").recipient("bob@acme.test")
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of(trackingId))).build();
    }

    @Test
    void aReceiptTheDeliveryLogLacksShouldBeWrittenAtTheNextStartOnce() throws Exception {
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            journal.append(attempt("t-cut")); // the crash came before the Delivery-log commit
        }

        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            new DeliveryRecorder(log, tracker, Clock.systemUTC(), journal);
            assertThat(journal.size()).isZero();
        }
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            new DeliveryRecorder(log, tracker, Clock.systemUTC(), journal);
        }

        assertThat(log.attemptsOf("t-cut")).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(DeliveryAttempt.Outcome.DELIVERED);
            assertThat(a.recipients()).containsExactly("bob@acme.test", "carol@acme.test");
            assertThat(a.host()).contains("mx.acme.test");
            assertThat(a.tls()).isEqualTo(DeliveryAttempt.Tls.YES);
            assertThat(a.reply().raw()).isEqualTo("250 2.0.0 Ok: queued as 7C");
        });
        assertThat(tracker.events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.DELIVERED);
            assertThat(e.trackingId()).isEqualTo("t-cut");
        });
        // and the re-delivery check now knows the mail was delivered
        assertThat(new DeliveryRecorder(log, tracker, Clock.systemUTC()).deliveredBefore(mail("t-cut")))
            .containsExactly(new MailAddress("bob@acme.test"));
    }

    @Test
    void aReceiptAlreadyInTheDeliveryLogShouldNotBeWrittenAgain() throws Exception {
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            DeliveryRecorder recorder = new DeliveryRecorder(log, tracker, Clock.systemUTC(), journal);
            recorder.delivered(mail("t-done"), List.of(new MailAddress("bob@acme.test")), Optional.empty());
            assertThat(journal.size()).isPositive(); // emptied only when the files take turns
        }
        tracker.events.clear();

        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            assertThat(journal.leftOver()).hasSize(1);
            new DeliveryRecorder(log, tracker, Clock.systemUTC(), journal);
        }

        assertThat(log.attemptsOf("t-done")).hasSize(1);
        assertThat(tracker.events).isEmpty();
    }

    @Test
    void aReceiptTornByTheCrashShouldBeIgnoredAndTheOthersKept() throws Exception {
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            journal.append(attempt("t-whole"));
        }
        Files.writeString(journalDir.resolve("receipts-0.jsonl"), "{\"at\":17954551", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            assertThat(journal.leftOver()).extracting(DeliveryAttempt::trackingId).containsExactly(Optional.of("t-whole"));
        }
    }

    @Test
    void theFilesShouldTakeTurnsOnceTheirReceiptsAreInTheDeliveryLog() throws Exception {
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir, 2_000)) {
            long largest = 0;
            for (int i = 0; i < 200; i++) {
                journal.committed(journal.append(attempt("t-" + i)));
                largest = Math.max(largest, journal.size());
            }
            assertThat(largest).isLessThan(5_000);
            // a receipt not yet in the Delivery log keeps its file
            DeliveryJournal.Receipt pending = journal.append(attempt("t-pending"));
            for (int i = 0; i < 50; i++) {
                journal.committed(journal.append(attempt("t-more-" + i)));
            }
            assertThat(Files.readString(journalDir.resolve("receipts-" + pending.file() + ".jsonl"))).contains("t-pending");
        }
    }

    @Test
    void concurrentAppendsShouldAllBeKeptWhole() throws Exception {
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int worker = w;
                done.add(workers.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        journal.append(attempt("t-" + worker + "-" + i));
                    }
                    return null;
                }));
            }
            for (var future : done) {
                future.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            workers.shutdown();
        }

        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            assertThat(journal.leftOver()).hasSize(400);
            assertThat(journal.leftOver()).extracting(a -> a.trackingId().orElseThrow()).doesNotHaveDuplicates();
        }
    }

    @Test
    void anEndOfContentNoReplyAnsweredShouldBeFoundCutOffAtTheNextStart() throws Exception {
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            journal.append(attempt("t-accepted"), Optional.of(journal.appendSending(attempt("t-accepted"))));
            journal.answered(journal.appendSending(attempt("t-refused")));
            journal.appendSending(attempt("t-cut")); // the process died here, before the reply was read
        }

        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            assertThat(journal.cutOff()).singleElement().satisfies(cut -> {
                assertThat(cut.trackingId()).contains("t-cut");
                assertThat(cut.outcome()).isEqualTo(DeliveryAttempt.Outcome.DEFERRED);
                assertThat(cut.recipients()).containsExactly("bob@acme.test", "carol@acme.test");
                assertThat(cut.host()).contains("mx.acme.test");
                assertThat(cut.reply().raw()).isEqualTo(DeliveryJournal.CUT_OFF_REPLY);
            });
            assertThat(journal.leftOver()).extracting(a -> a.trackingId().orElseThrow()).containsExactly("t-accepted");
        }
    }

    @Test
    void aCutOffAttemptShouldBeRecordedOnceAsDeferredSayingASecondCopyMayFollow() throws Exception {
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            journal.appendSending(attempt("t-cut"));
        }
        // a crash during the first recovery: the files are emptied only after it, so the second finds the line again
        java.nio.file.Path copy = Files.createTempDirectory("journal-copy");
        for (String name : List.of("receipts-0.jsonl", "receipts-1.jsonl")) {
            Files.copy(journalDir.resolve(name), copy.resolve(name));
        }
        for (Path dir : List.of(journalDir, copy)) {
            try (DeliveryJournal journal = DeliveryJournal.open(dir)) {
                new DeliveryRecorder(log, tracker, Clock.systemUTC(), journal);
                assertThat(journal.size()).isZero();
            }
        }

        assertThat(log.attemptsOf("t-cut")).singleElement().satisfies(attempt -> {
            assertThat(attempt.outcome()).isEqualTo(DeliveryAttempt.Outcome.DEFERRED);
            assertThat(attempt.explanation()).contains("second copy");
        });
        assertThat(tracker.events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(EventType.DELIVERY_FAILED);
            assertThat(event.info()).containsEntry(DeliveryRecorder.NOTE, DeliveryRecorder.CUT_OFF_NOTE)
                .containsEntry(DeliveryRecorder.RETRY, "true");
        });
    }

    @Test
    void aCutOffAttemptWhoseDeliveryIsRecordedShouldNotBeReported() throws Exception {
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            journal.appendSending(attempt("t-known"));
            // an earlier run's receipt line lost, the Delivery log has the delivery (e.g. recorded by onSuccess)
            log.record(attempt("t-known"));
        }
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            assertThat(journal.cutOff()).hasSize(1);
            new DeliveryRecorder(log, tracker, Clock.systemUTC(), journal);
        }
        assertThat(log.attemptsOf("t-known")).extracting(DeliveryAttempt::outcome).containsExactly(DeliveryAttempt.Outcome.DELIVERED);
        assertThat(tracker.events).isEmpty();
    }

    @Test
    void anOpenEndOfContentShouldKeepItsFileWhenTheFilesTakeTurns() throws Exception {
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir, 2_000)) {
            DeliveryJournal.Receipt open = journal.appendSending(attempt("t-open"));
            for (int i = 0; i < 100; i++) {
                DeliveryJournal.Receipt sending = journal.appendSending(attempt("t-" + i));
                journal.committed(journal.append(attempt("t-" + i), Optional.of(sending)));
            }
            assertThat(Files.readString(journalDir.resolve("receipts-" + open.file() + ".jsonl"))).contains("t-open");
        }
        try (DeliveryJournal journal = DeliveryJournal.open(journalDir)) {
            assertThat(journal.cutOff()).extracting(a -> a.trackingId().orElseThrow()).containsExactly("t-open");
        }
    }
}
