package io.portcullis.delivery.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.portcullis.delivery.DeliveryAttempt;
import io.portcullis.delivery.DeliveryLog;
import io.portcullis.delivery.DeliveryRecorder;
import io.portcullis.delivery.DeliveryStoreFixture;
import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackedEvent;

/**
 * The delivered / failed recording of {@link ObservedMailQueueFactory}'s RemoteDelivery queue items, driven the way
 * RemoteDelivery 3.8.1 drives them on one worker thread (take the mail, deliver, re-enqueue or hand over, complete),
 * with the real Delivery log on embedded Derby.
 */
class DeliveryOutcomeObservationTest {
    static final class RecordingTracker implements MessageTracker {
        final List<TrackedEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void record(TrackedEvent event) {
            events.add(event);
        }

        List<EventType> types() {
            return events.stream().map(TrackedEvent::type).toList();
        }
    }

    /** A queue handing out the mails it is given, completing nothing itself. */
    static final class ListQueue implements MailQueue {
        final MailQueueName name;
        final List<Mail> enqueued = new CopyOnWriteArrayList<>();
        final List<MailQueue.MailQueueItem.CompletionStatus> completions = new CopyOnWriteArrayList<>();
        List<Mail> toDeliver = List.of();

        ListQueue(MailQueueName name) {
            this.name = name;
        }

        @Override
        public MailQueueName getName() {
            return name;
        }

        @Override
        public void enQueue(Mail mail, Duration delay) {
            enqueued.add(mail);
        }

        @Override
        public void enQueue(Mail mail) {
            enqueued.add(mail);
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return Mono.fromRunnable(() -> enqueued.add(mail));
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            return Flux.fromIterable(toDeliver).map(mail -> new MailQueueItem() {
                @Override
                public Mail getMail() {
                    return mail;
                }

                @Override
                public void done(CompletionStatus status) {
                    completions.add(status);
                }
            });
        }

        @Override
        public void close() {
        }
    }

    @RegisterExtension
    static final DeliveryStoreFixture fixture = new DeliveryStoreFixture();

    DeliveryLog log;
    RecordingTracker tracker;
    Map<MailQueueName, ListQueue> queues;
    ObservedMailQueueFactory factory;

    @BeforeEach
    void empty() throws Exception {
        log = fixture.emptyLog();
        tracker = new RecordingTracker();
        queues = new ConcurrentHashMap<>();
        factory = new ObservedMailQueueFactory(factoryDelegate(),
            new DeliveryRecorder(log, tracker, Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"), ZoneOffset.UTC)));
    }

    private MailQueueFactory<MailQueue> factoryDelegate() {
        return new MailQueueFactory<>() {
            @Override
            public Optional<MailQueue> getQueue(MailQueueName name, PrefetchCount count) {
                return Optional.of(queues.computeIfAbsent(name, ListQueue::new));
            }

            @Override
            public MailQueue createQueue(MailQueueName name, PrefetchCount count) {
                return queues.computeIfAbsent(name, ListQueue::new);
            }

            @Override
            public Set<MailQueueName> listCreatedMailQueues() {
                return queues.keySet();
            }
        };
    }

    private static Mail mail(String sender, String... recipients) throws Exception {
        FakeMail.Builder builder = FakeMail.builder().name("mail-1")
            .attribute(new Attribute(PortcullisAttributes.TRACKING_ID, AttributeValue.of("track-1")));
        if (sender != null) {
            builder.sender(sender);
        }
        for (String recipient : recipients) {
            builder.recipient(recipient);
        }
        return builder.build();
    }

    /** Like RemoteDelivery: each item taken, delivered by {@code attempt} and completed, on one thread. */
    private void deliver(Mail mail, ThrowingConsumer attempt, MailQueue.MailQueueItem.CompletionStatus status) throws Exception {
        queues.computeIfAbsent(MailQueueName.of("outgoing"), ListQueue::new).toDeliver = List.of(mail);
        MailQueue outgoing = factory.createQueue(MailQueueName.of("outgoing"));
        MailQueue.MailQueueItem item = Flux.from(outgoing.deQueue()).blockFirst(Duration.ofSeconds(10));
        Mail taken = item.getMail();
        attempt.accept(taken);
        item.done(status);
        assertThat(queues.get(MailQueueName.of("outgoing")).completions).containsExactly(status);
    }

    interface ThrowingConsumer {
        void accept(Mail mail) throws Exception;
    }

    private void permanentFailure(Mail mail) {
        mail.setAttribute(new Attribute(DeliveryRecorder.IS_PERMANENT_ERROR, AttributeValue.of(true)));
    }

    private void handToProcessor(Mail mail, String state) throws Exception {
        mail.setState(state);
        factory.createQueue(MailQueueFactory.SPOOL).enQueue(mail);
    }

    private List<DeliveryAttempt> attempts() {
        return log.attemptsOf("track-1");
    }

    @Test
    void theReceiptShouldBeJournaledWhenTheServerAcceptsTheContentBeforeRemoteDeliveryReadsTheReply(@TempDir Path journalDir) throws Exception {
        io.portcullis.delivery.DeliveryJournal journal = io.portcullis.delivery.DeliveryJournal.open(journalDir);
        factory = new ObservedMailQueueFactory(factoryDelegate(), new DeliveryRecorder(log, tracker,
            Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"), ZoneOffset.UTC), journal));
        List<Long> journaledBeforeDone = new java.util.ArrayList<>();

        deliver(mail("alice@sender.test", "bob@acme.test", "carol@acme.test"), taken -> {
            SmtpConversation conversation = untilContentSent();
            long sendingLine = journal.size();
            assertThat(sendingLine).isPositive();
            conversation.serverLine("250 2.0.0 Ok: queued as 9A\r".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            journaledBeforeDone.add(journal.size() - sendingLine);
        }, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(journaledBeforeDone).singleElement().satisfies(size -> assertThat(size).isPositive());
        journal.close();
        try (io.portcullis.delivery.DeliveryJournal reopened = io.portcullis.delivery.DeliveryJournal.open(journalDir)) {
            // one receipt, reused by the Delivery-log record made when RemoteDelivery completed the item; it answers
            // the end of content
            assertThat(reopened.leftOver()).singleElement().satisfies(receipt ->
                assertThat(receipt.recipients()).containsExactly("bob@acme.test", "carol@acme.test"));
            assertThat(reopened.cutOff()).isEmpty();
        }
        assertThat(log.attemptsOf("track-1")).singleElement().satisfies(attempt ->
            assertThat(attempt.reply().raw()).isEqualTo("250 2.0.0 Ok: queued as 9A"));
        ConversationCapture.clear();
    }

    /** A conversation of mail-1 (bob accepted, carol accepted, dan refused) driven up to the end of its content, sent. */
    private static SmtpConversation untilContentSent() {
        org.slf4j.MDC.put(ConversationCapture.MDC_MAIL, "mail-1"); // as RemoteDelivery's DeliveryRunnable does
        SmtpConversation conversation = ConversationCapture.open();
        org.slf4j.MDC.remove(ConversationCapture.MDC_MAIL);
        for (String[] exchange : new String[][] {{null, "220 corp ESMTP"}, {"MAIL FROM:<alice@sender.test>", "250 2.1.0 Ok"},
            {"RCPT TO:<bob@acme.test>", "250 2.1.5 Ok"}, {"RCPT TO:<carol@acme.test>", "250 2.1.5 Ok"},
            {"RCPT TO:<dan@acme.test>", "550 5.1.1 unknown"}, {"DATA", "354 go ahead"}}) {
            if (exchange[0] != null) {
                conversation.clientLine((exchange[0] + "\r").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            conversation.serverLine((exchange[1] + "\r").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        conversation.endOfContent(); // what ObservedSocket calls before the final dot leaves
        return conversation;
    }

    @Test
    void anEndOfContentSentWhenTheProcessDiesShouldBeFoundCutOffAtTheNextStart(@TempDir Path journalDir) throws Exception {
        io.portcullis.delivery.DeliveryJournal journal = io.portcullis.delivery.DeliveryJournal.open(journalDir);
        factory = new ObservedMailQueueFactory(factoryDelegate(), new DeliveryRecorder(log, tracker,
            Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"), ZoneOffset.UTC), journal));
        queues.computeIfAbsent(MailQueueName.of("outgoing"), ListQueue::new).toDeliver = List.of(mail("alice@sender.test",
            "bob@acme.test", "carol@acme.test", "dan@acme.test"));
        MailQueue.MailQueueItem item = Flux.from(factory.createQueue(MailQueueName.of("outgoing")).deQueue()).blockFirst(Duration.ofSeconds(10));
        ClassLoader contextLoader = Thread.currentThread().getContextClassLoader();
        try {
            item.getMail();
            untilContentSent();
            journal.close(); // the process dies before the reply is read: the item is never completed
        } finally {
            Thread.currentThread().setContextClassLoader(contextLoader); // what done() would have given back
        }

        try (io.portcullis.delivery.DeliveryJournal reopened = io.portcullis.delivery.DeliveryJournal.open(journalDir)) {
            assertThat(reopened.cutOff()).singleElement().satisfies(cut -> {
                assertThat(cut.trackingId()).contains("track-1");
                assertThat(cut.mailName()).isEqualTo("mail-1");
                assertThat(cut.recipients()).containsExactly("bob@acme.test", "carol@acme.test");
            });
            assertThat(reopened.leftOver()).isEmpty();
        }
        ConversationCapture.clear();
    }

    @Test
    void anEndOfContentRefusedOrUnansweredShouldNotBeFoundCutOff(@TempDir Path journalDir) throws Exception {
        io.portcullis.delivery.DeliveryJournal journal = io.portcullis.delivery.DeliveryJournal.open(journalDir);
        factory = new ObservedMailQueueFactory(factoryDelegate(), new DeliveryRecorder(log, tracker,
            Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"), ZoneOffset.UTC), journal));

        deliver(mail("alice@sender.test", "bob@acme.test"), taken -> {
            untilContentSent().serverLine("451 4.3.0 try again later\r".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (io.portcullis.delivery.DeliveryJournal now = io.portcullis.delivery.DeliveryJournal.open(journalDir)) {
                assertThat(now.cutOff()).isEmpty(); // answered by the refusal, before RemoteDelivery even completes the item
            }
            deferAgain(taken);
        }, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        queues.get(MailQueueName.of("outgoing")).completions.clear();
        deliver(mail("alice@sender.test", "bob@acme.test"), taken -> {
            untilContentSent(); // then the connection is lost: RemoteDelivery gets an exception, defers, completes the item
            deferAgain(taken);
        }, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        journal.close();

        try (io.portcullis.delivery.DeliveryJournal reopened = io.portcullis.delivery.DeliveryJournal.open(journalDir)) {
            assertThat(reopened.cutOff()).isEmpty();
        }
        ConversationCapture.clear();
    }

    @Test
    void theWorkerShouldDeliverWithTheProviderLookupCacheAndGetItsContextClassLoaderBack() throws Exception {
        ClassLoader original = Thread.currentThread().getContextClassLoader();
        ClassLoader before = getClass().getClassLoader(); // tests that never complete their items leave the thread's changed
        Thread.currentThread().setContextClassLoader(before);
        List<ClassLoader> during = new java.util.ArrayList<>();
        try {
            deliver(mail("alice@sender.test", "bob@acme.test"), taken -> during.add(Thread.currentThread().getContextClassLoader()),
                MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

            assertThat(during).singleElement().isInstanceOf(ProviderLookupCache.class)
                .satisfies(loader -> assertThat(loader.getParent()).isSameAs(before));
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
        } finally {
            Thread.currentThread().setContextClassLoader(original);
        }
    }

    /** What RemoteDelivery does with a mail to try again later. */
    private void deferAgain(Mail mail) throws Exception {
        mail.setState(Mail.ERROR);
        mail.setAttribute(new Attribute(DeliveryRecorder.IS_PERMANENT_ERROR, AttributeValue.of(false)));
        factory.createQueue(MailQueueName.of("outgoing")).enQueue(mail, Duration.ofMinutes(1));
    }

    private void recordAttempt(DeliveryAttempt.Outcome outcome, String... recipients) {
        log.record(new DeliveryAttempt(0, Instant.parse("2026-11-23T07:59:00Z"), Optional.of("track-1"), "mail-1", "alice@sender.test",
            List.of(recipients), 1, Optional.of("mx.acme.test"), Optional.of("127.0.0.1"), DeliveryAttempt.Tls.NO,
            io.portcullis.delivery.SmtpReply.parse(outcome == DeliveryAttempt.Outcome.DELIVERED ? "250 2.0.0 Ok" : "450 4.2.0 later"), outcome));
    }

    private List<MailQueue.MailQueueItem> offer(Mail mail) {
        queues.computeIfAbsent(MailQueueName.of("outgoing"), ListQueue::new).toDeliver = List.of(mail);
        MailQueue outgoing = factory.createQueue(MailQueueName.of("outgoing"));
        return Flux.from(outgoing.deQueue()).collectList().block(Duration.ofSeconds(10));
    }

    @Test
    void aMailAlreadyDeliveredToEveryRecipientShouldBeAcknowledgedAndNotDeliveredAgain() throws Exception {
        // delivered and recorded, then the server died before RemoteDelivery acknowledged its queue item
        recordAttempt(DeliveryAttempt.Outcome.DELIVERED, "bob@acme.test", "carol@acme.test");

        List<MailQueue.MailQueueItem> offered = offer(mail("alice@sender.test", "bob@acme.test", "Carol@acme.test"));

        assertThat(offered).isEmpty();
        assertThat(queues.get(MailQueueName.of("outgoing")).completions).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(log.attemptsOf("track-1")).hasSize(1);
        // the spool's second pass left the message "processing": the event puts it back to delivered, saying why
        assertThat(tracker.events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(EventType.DELIVERED);
            assertThat(event.info()).containsEntry("Note", io.portcullis.delivery.DeliveryRecorder.NOT_DELIVERED_AGAIN)
                .containsEntry("Recipients", "bob@acme.test, Carol@acme.test");
        });
    }

    @Test
    void aMailAlreadyDeliveredToSomeRecipientsShouldBeOfferedForTheOthersOnly() throws Exception {
        recordAttempt(DeliveryAttempt.Outcome.DELIVERED, "bob@acme.test");

        List<MailQueue.MailQueueItem> offered = offer(mail("alice@sender.test", "bob@acme.test", "carol@acme.test"));

        assertThat(offered).singleElement().satisfies(item ->
            assertThat(item.getMail().getRecipients()).containsExactly(new MailAddress("carol@acme.test")));
        assertThat(queues.get(MailQueueName.of("outgoing")).completions).isEmpty();
        assertThat(tracker.events).isEmpty();
    }

    @Test
    void aMailOnlyDeferredBeforeShouldBeOfferedUnchanged() throws Exception {
        recordAttempt(DeliveryAttempt.Outcome.DEFERRED, "bob@acme.test");

        List<MailQueue.MailQueueItem> offered = offer(mail("alice@sender.test", "bob@acme.test"));

        assertThat(offered).singleElement().satisfies(item ->
            assertThat(item.getMail().getRecipients()).containsExactly(new MailAddress("bob@acme.test")));
    }

    @Test
    void aSuccessfulAttemptShouldBeRecordedAsDeliveredForEveryRecipient() throws Exception {
        deliver(mail("alice@sender.test", "bob@acme.test", "carol@acme.test"), mail -> { }, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(attempts()).singleElement().satisfies(attempt -> {
            assertThat(attempt.outcome()).isEqualTo(DeliveryAttempt.Outcome.DELIVERED);
            assertThat(attempt.recipients()).containsExactly("bob@acme.test", "carol@acme.test");
        });
        assertThat(tracker.types()).containsExactly(EventType.DELIVERED);
    }

    @Test
    void aSuccessAfterAnEarlierDeferralShouldBeRecordedAsDelivered() throws Exception {
        Mail mail = mail("alice@sender.test", "bob@acme.test");
        mail.setAttribute(new Attribute(DeliveryRecorder.IS_PERMANENT_ERROR, AttributeValue.of(false))); // left by the deferral
        mail.setState(Mail.ERROR);

        deliver(mail, m -> { }, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(attempts()).extracting(DeliveryAttempt::outcome).containsExactly(DeliveryAttempt.Outcome.DELIVERED);
    }

    @Test
    void aDeferralShouldBeRecordedAsDeferredAndNotAsDelivered() throws Exception {
        deliver(mail("alice@sender.test", "bob@acme.test"), mail -> {
            mail.setState(Mail.ERROR);
            mail.setAttribute(new Attribute(DeliveryRecorder.IS_PERMANENT_ERROR, AttributeValue.of(false)));
            factory.createQueue(MailQueueName.of("outgoing")).enQueue(mail, Duration.ofMinutes(1));
        }, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(attempts()).extracting(DeliveryAttempt::outcome).containsExactly(DeliveryAttempt.Outcome.DEFERRED);
        assertThat(tracker.types()).containsExactly(EventType.DELIVERY_FAILED);
    }

    @Test
    void aBounceHandedToTheBounceProcessorShouldBeLeftToItsRecorder() throws Exception {
        deliver(mail("alice@sender.test", "bob@acme.test"), mail -> {
            permanentFailure(mail);
            handToProcessor(mail, "bounces");
        }, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(attempts()).isEmpty();
        assertThat(tracker.events).isEmpty();
        assertThat(queues.get(MailQueueFactory.SPOOL).enqueued).hasSize(1);
    }

    @Test
    void aFinalFailureOfAMailWithoutSenderShouldBeRecordedAsFailed() throws Exception {
        deliver(mail(null, "bob@acme.test"), this::permanentFailure, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(attempts()).extracting(DeliveryAttempt::outcome).containsExactly(DeliveryAttempt.Outcome.FAILED);
        assertThat(tracker.types()).contains(EventType.DELIVERY_FAILED, EventType.NON_DELIVERED).doesNotContain(EventType.DELIVERED);
    }

    @Test
    void aPartialDeliveryShouldRecordTheAcceptedRecipientsAsDeliveredAndLeaveTheFailedOnesToTheBounce() throws Exception {
        deliver(mail("alice@sender.test", "bob@acme.test", "nobody@acme.test"), mail -> {
            // sendpartial: RemoteDelivery keeps the refused recipient on the mail and bounces it
            mail.setRecipients(List.of(new MailAddress("nobody@acme.test")));
            permanentFailure(mail);
            handToProcessor(mail, "bounces");
        }, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(attempts()).singleElement().satisfies(attempt -> {
            assertThat(attempt.outcome()).isEqualTo(DeliveryAttempt.Outcome.DELIVERED);
            assertThat(attempt.recipients()).containsExactly("bob@acme.test");
        });
    }

    @Test
    void aPartialDeliveryFollowedByADeferralShouldRecordOnlyTheAcceptedRecipients() throws Exception {
        deliver(mail("alice@sender.test", "bob@acme.test", "later@acme.test"), mail -> {
            mail.setRecipients(List.of(new MailAddress("later@acme.test")));
            mail.setState(Mail.ERROR);
            mail.setAttribute(new Attribute(DeliveryRecorder.IS_PERMANENT_ERROR, AttributeValue.of(false)));
            factory.createQueue(MailQueueName.of("outgoing")).enQueue(mail, Duration.ofMinutes(1));
        }, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(attempts()).extracting(DeliveryAttempt::outcome, DeliveryAttempt::recipients).containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(DeliveryAttempt.Outcome.DEFERRED, List.of("later@acme.test")),
            org.assertj.core.groups.Tuple.tuple(DeliveryAttempt.Outcome.DELIVERED, List.of("bob@acme.test")));
    }

    @Test
    void aDeliveryHandedToAnOnSuccessProcessorShouldNotBeRecordedTwice() throws Exception {
        deliver(mail("alice@sender.test", "bob@acme.test"), mail -> handToProcessor(mail, "delivered"),
            MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(attempts()).isEmpty();
        assertThat(tracker.events).isEmpty();
    }

    @Test
    void anAttemptThatThrewShouldRecordNothing() throws Exception {
        deliver(mail("alice@sender.test", "bob@acme.test"), mail -> { }, MailQueue.MailQueueItem.CompletionStatus.RETRY);

        assertThat(attempts()).isEmpty();
        assertThat(tracker.events).isEmpty();
    }

    @Test
    void spoolItemsShouldNotBeRecorded() throws Exception {
        queues.computeIfAbsent(MailQueueFactory.SPOOL, ListQueue::new).toDeliver = List.of(mail("alice@sender.test", "bob@acme.test"));
        MailQueue.MailQueueItem item = Flux.from(factory.createQueue(MailQueueFactory.SPOOL).deQueue()).blockFirst(Duration.ofSeconds(10));
        item.getMail();
        item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        assertThat(attempts()).isEmpty();
        assertThat(tracker.events).isEmpty();
    }
}
