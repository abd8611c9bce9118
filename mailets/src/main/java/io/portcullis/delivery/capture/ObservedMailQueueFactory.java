package io.portcullis.delivery.capture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import io.portcullis.delivery.DeliveryRecorder;
import io.portcullis.mail.PortcullisAttributes;
/**
 * Decorates the {@link MailQueueFactory} James's mail processing uses (spooler, mailet context, RemoteDelivery) so
 * that the Delivery log sees what RemoteDelivery offers no listener for:
 * <ul>
 *   <li>a deferral: RemoteDelivery puts a mail back in its own queue in the {@code error} state with
 *       {@code is-delivery-permanent-error=false}; the attempt is recorded with the reply observed on the SMTP
 *       conversation, and the reply becomes the mail's error message (the Pending log's "last error");</li>
 *   <li>the hand-over to the onSuccess and bounce processors (through the spool): the observed host, address,
 *       TLS and reply are copied onto the mail as attributes for the mailets there;</li>
 *   <li>a delivery: when RemoteDelivery completes an item of its queue ({@link DeliveryItem}), the recipients it
 *       neither put back in its queue (deferral), nor handed to a processor (bounce, onSuccess), nor kept as failed
 *       were accepted by the receiving server: they are recorded as delivered here, without sending the mail
 *       through the spool again to an onSuccess processor. With {@code onSuccess} configured, every delivered
 *       recipient is handed over and recorded there instead (RecordDeliveryOutcome), never twice. A final failure
 *       of a mail without sender (RemoteDelivery sends it nowhere: no DSN to a null sender) is recorded as
 *       failed.</li>
 *   <li>a mail met again: an item whose mail (tracking id and James mail name) the Delivery log shows delivered to
 *       every recipient is acknowledged without being handed to RemoteDelivery (a crash came between the receiving
 *       server's acceptance and the acknowledgement, or the spool queued the mail twice); recipients already reached
 *       are removed from a partly delivered one.</li>
 * </ul>
 * Every other call goes to the decorated factory unchanged; nothing here can keep a mail from being enqueued.
 */
public class ObservedMailQueueFactory extends io.portcullis.queue.DecoratingMailQueueFactory<MailQueue> {
    private static final org.slf4j.Logger LOGGER = org.slf4j.LoggerFactory.getLogger(ObservedMailQueueFactory.class);
    private final DeliveryRecorder recorder;

    @Inject
    public ObservedMailQueueFactory(MailQueueFactory<? extends MailQueue> delegate, DeliveryRecorder recorder) {
        super(delegate);
        this.recorder = recorder;
    }

    @Override
    protected MailQueue decorate(MailQueue queue) {
        return new ObservedQueue(queue);
    }

    /**
     * What happened to the recipients of the queue item a RemoteDelivery worker thread is delivering: set when the
     * worker takes the mail of the item ({@link DeliveryItem#getMail()}), read when it completes the item; the
     * enqueues the worker makes in between (re-enqueue for a retry, hand-over to a processor) add to it.
     */
    private static final ThreadLocal<DeliveryItem> CURRENT = new ThreadLocal<>();

    /**
     * The receiving server accepted the content of the mail this thread is delivering (its reply to the end of the
     * DATA, seen on the socket before RemoteDelivery reads it): the receipt is journaled now, the earliest moment.
     */
    static void contentAccepted(SmtpConversation conversation) {
        DeliveryItem item = CURRENT.get();
        if (item != null) {
            item.contentAccepted(conversation);
        }
    }

    /**
     * The end of the content of the mail this thread is delivering is about to be sent: journaled, so that a crash
     * before the reply is read is known after the restart (the receiving server may have accepted the mail).
     */
    static void contentEnding(SmtpConversation conversation) {
        DeliveryItem item = CURRENT.get();
        if (item != null) {
            item.contentEnding(conversation);
        }
    }

    /** The receiving server refused the content (4xx, 5xx) of the mail this thread is delivering. */
    static void contentRefused(SmtpConversation conversation) {
        DeliveryItem item = CURRENT.get();
        if (item != null) {
            item.answered();
        }
    }

    private final class ObservedQueue implements MailQueue {
        private final MailQueue queue;

        private ObservedQueue(MailQueue queue) {
            this.queue = queue;
        }

        private void beforeEnqueue(Mail mail) {
            DeliveryItem current = CURRENT.get();
            if (current != null) {
                current.handedOver(mail.getRecipients());
            }
            try {
                boolean spool = queue.getName().equals(MailQueueFactory.SPOOL);
                Optional<SmtpConversation> conversation = ConversationCapture.lastFor(mail.getName());
                if (!spool && Mail.ERROR.equals(mail.getState()) && isTemporaryError(mail)) {
                    recorder.deferred(mail, conversation);
                    ConversationCapture.clear();
                } else if (spool) {
                    conversation.ifPresent(c -> DeliveryRecorder.annotate(mail, c));
                }
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ObservedMailQueueFactory.class)
                    .error("Delivery observation of {} failed; the mail is enqueued anyway", mail.getName(), e);
            }
        }

        private boolean isTemporaryError(Mail mail) {
            return mail.getAttribute(DeliveryRecorder.IS_PERMANENT_ERROR)
                .map(attribute -> Boolean.FALSE.equals(attribute.getValue().value()))
                .orElse(false);
        }

        @Override
        public MailQueueName getName() {
            return queue.getName();
        }

        @Override
        public void enQueue(Mail mail, Duration delay) throws MailQueueException {
            beforeEnqueue(mail);
            queue.enQueue(mail, delay);
        }

        @Override
        public void enQueue(Mail mail) throws MailQueueException {
            beforeEnqueue(mail);
            queue.enQueue(mail);
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            beforeEnqueue(mail); // on the caller's thread, where the conversation is known
            return queue.enqueueReactive(mail);
        }

        /**
         * The decorated queue's items, taken on a thread of their own. James's ActiveMQ queue takes items with a
         * blocking JMS receive in an endless repeat loop; RemoteDelivery (3.8.1) subscribes to it on the same bounded
         * elastic scheduler that runs its deliveries, so the loop ends up occupying one of the delivery workers for
         * good, and the deliveries queued on that worker never run: their messages stay locked in the queue (seen
         * after a downstream outage: the retries falling due together left a dozen messages undeliverable, not even
         * removable, until a restart). Subscribing (and requesting) on a dedicated thread keeps the loop off the
         * workers.
         */
        @Override
        public Publisher<MailQueueItem> deQueue() {
            boolean spool = queue.getName().equals(MailQueueFactory.SPOOL);
            return Flux.defer(() -> {
                Scheduler thread = Schedulers.newSingle("portcullis-dequeue-" + queue.getName().asString(), true);
                return Flux.from(queue.deQueue())
                    .filter(item -> spool || !deliveredBefore(item))
                    .map(item -> spool ? item : new DeliveryItem(item))
                    .subscribeOn(thread).doFinally(signal -> thread.dispose());
            });
        }

        /**
         * Whether every recipient of the item's mail was already reached by a delivered attempt of this very mail
         * (the Delivery log is written before RemoteDelivery acknowledges an item): a crash between the receiving
         * server's acceptance and the acknowledgement, or a crash after the spool queued the mail but before it
         * acknowledged its own item (the mail is then queued twice), would otherwise deliver it twice. Such an item is
         * acknowledged and not handed to RemoteDelivery; recipients already reached are removed from a partly
         * delivered mail. A failure to read the log hands the item on unchanged.
         */
        private boolean deliveredBefore(MailQueue.MailQueueItem item) {
            Mail mail = item.getMail();
            try {
                List<MailAddress> reached = recorder.deliveredBefore(mail);
                if (reached.isEmpty()) {
                    return false;
                }
                List<MailAddress> remaining = mail.getRecipients().stream().filter(r -> !reached.contains(r)).toList();
                if (!remaining.isEmpty()) {
                    LOGGER.info("{} was already delivered to {} (before a restart); delivering it to {} only", mail.getName(), reached, remaining);
                    mail.setRecipients(remaining);
                    return false;
                }
                LOGGER.info("{} was already delivered to {} (before a restart); not delivered again", mail.getName(), reached);
                recorder.notDeliveredAgain(mail, reached);
            } catch (RuntimeException e) {
                LOGGER.error("Cannot tell whether {} was delivered before; delivering it", mail.getName(), e);
                return false;
            }
            try {
                item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            } catch (MailQueue.MailQueueException e) {
                LOGGER.error("Cannot acknowledge {}, already delivered; it is offered again", mail.getName(), e);
            } finally {
                // what RemoteDelivery does with the mails it took (else James reports a leaked message source)
                org.apache.james.lifecycle.api.LifecycleUtil.dispose(mail);
            }
            return true;
        }

        @Override
        public void close() throws java.io.IOException {
            queue.close();
        }
    }

    /**
     * An item of a RemoteDelivery queue. RemoteDelivery (3.8.1) takes the mail, delivers it and completes the item
     * on one worker thread: {@code SUCCESS} once the attempt is over, whatever its outcome (delivered, put back in
     * the queue for a retry, handed to the bounce processor); {@code RETRY} only when it threw.
     */
    final class DeliveryItem implements MailQueue.MailQueueItem {
        private final MailQueue.MailQueueItem item;
        private Mail mail;
        private Thread worker;
        private List<MailAddress> recipients = List.of();
        private final Set<MailAddress> handedOver = new LinkedHashSet<>();
        /** The worker's context class loader before the delivery, given back when the item is completed. */
        private ClassLoader contextLoader;

        DeliveryItem(MailQueue.MailQueueItem item) {
            this.item = item;
        }

        @Override
        public Mail getMail() {
            Mail taken = item.getMail();
            if (mail == null) {
                mail = taken;
                worker = Thread.currentThread();
                recipients = new ArrayList<>(taken.getRecipients());
                // RemoteDelivery sets it on every failure path: absent after the attempt means no failure
                taken.removeAttribute(DeliveryRecorder.IS_PERMANENT_ERROR);
                CURRENT.set(this);
                contextLoader = worker.getContextClassLoader();
                worker.setContextClassLoader(ProviderLookupCache.over(contextLoader));
            }
            return taken;
        }

        void handedOver(Collection<MailAddress> addresses) {
            handedOver.addAll(addresses);
        }

        private Optional<DeliveryRecorder.Journaled> journaled = Optional.empty();
        /** The sending line of the end of content sent on this thread, until a reply (or the end of the attempt) answers it. */
        private Optional<io.portcullis.delivery.DeliveryJournal.Receipt> sending = Optional.empty();

        private boolean ours(SmtpConversation conversation) {
            return mail != null && worker == Thread.currentThread() && conversation.mailName().equals(mail.getName());
        }

        /** The item's recipients the receiving server accepted (RCPT TO) on this conversation. */
        private List<MailAddress> reached(SmtpConversation conversation) {
            Set<String> accepted = new java.util.HashSet<>();
            conversation.acceptedRecipients().forEach(a -> accepted.add(a.toLowerCase(java.util.Locale.ROOT)));
            return recipients.stream().filter(r -> accepted.contains(r.asString().toLowerCase(java.util.Locale.ROOT))).toList();
        }

        void contentEnding(SmtpConversation conversation) {
            if (!ours(conversation)) {
                return;
            }
            try {
                answered(); // an earlier host's end of content, never answered (cannot happen with JavaMail; kept safe)
                List<MailAddress> reached = reached(conversation);
                if (!reached.isEmpty()) {
                    sending = recorder.journalSending(mail, reached, Optional.of(conversation));
                }
            } catch (RuntimeException e) {
                LOGGER.warn("End of content of {} not journaled", mail.getName(), e);
            }
        }

        void answered() {
            sending.ifPresent(recorder::answered);
            sending = Optional.empty();
        }

        void contentAccepted(SmtpConversation conversation) {
            if (!ours(conversation)) {
                return;
            }
            try {
                List<MailAddress> reached = reached(conversation);
                if (!reached.isEmpty()) {
                    journaled.ifPresent(recorder::release);
                    journaled = recorder.journal(mail, reached, Optional.of(conversation), sending);
                    sending = Optional.empty();
                }
            } catch (RuntimeException e) {
                LOGGER.error("Delivery receipt of {} not journaled at the end of its content", mail.getName(), e);
            }
        }

        @Override
        public void done(CompletionStatus status) throws MailQueue.MailQueueException {
            try {
                if (status == CompletionStatus.SUCCESS && mail != null && worker == Thread.currentThread()) {
                    recordOutcome();
                }
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ObservedMailQueueFactory.class)
                    .error("Delivery outcome of {} not recorded", mail.getName(), e);
            } finally {
                if (CURRENT.get() == this) {
                    CURRENT.remove();
                }
                if (worker == Thread.currentThread() && contextLoader != null) {
                    worker.setContextClassLoader(contextLoader);
                }
                // RETRY: RemoteDelivery threw; the item is offered again (a receipt kept would only keep its file)
                journaled.ifPresent(recorder::release);
                journaled = Optional.empty();
                // an end of content no reply answered (a lost connection, a timeout): the attempt is over, not cut off
                answered();
            }
            item.done(status);
        }

        private void recordOutcome() {
            boolean failed = mail.getAttribute(DeliveryRecorder.IS_PERMANENT_ERROR).isPresent();
            // on a failure RemoteDelivery keeps only the recipients that failed on the mail (sendpartial)
            Set<MailAddress> notDelivered = new LinkedHashSet<>(handedOver);
            if (failed) {
                notDelivered.addAll(mail.getRecipients());
            }
            List<MailAddress> delivered = recipients.stream().filter(recipient -> !notDelivered.contains(recipient)).toList();
            Optional<SmtpConversation> conversation = ConversationCapture.lastFor(mail.getName());
            if (!delivered.isEmpty()) {
                recorder.delivered(mail, delivered, conversation, journaled);
            } else {
                journaled.ifPresent(recorder::release);
            }
            journaled = Optional.empty();
            if (failed && handedOver.isEmpty() && !mail.hasSender()) {
                // a final failure RemoteDelivery sends nowhere (no DSN to the null sender)
                conversation.ifPresent(c -> {
                    DeliveryRecorder.annotate(mail, c);
                    c.failureReply().ifPresent(reply -> mail.setAttribute(
                        new org.apache.mailet.Attribute(PortcullisAttributes.DELIVERY_REPLY, org.apache.mailet.AttributeValue.of(reply.raw()))));
                });
                recorder.failed(mail);
            }
        }
    }
}
