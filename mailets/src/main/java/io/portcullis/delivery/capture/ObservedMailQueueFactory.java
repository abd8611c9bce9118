package io.portcullis.delivery.capture;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import io.portcullis.delivery.DeliveryRecorder;
/**
 * Decorates the {@link MailQueueFactory} James's mail processing uses (spooler, mailet context, RemoteDelivery) so
 * that the Delivery log sees what RemoteDelivery offers no listener for:
 * <ul>
 *   <li>a deferral: RemoteDelivery puts a mail back in its own queue in the {@code error} state with
 *       {@code is-delivery-permanent-error=false}; the attempt is recorded with the reply observed on the SMTP
 *       conversation, and the reply becomes the mail's error message (the Pending log's "last error");</li>
 *   <li>the hand-over to the onSuccess and bounce processors (through the spool): the observed host, address,
 *       TLS and reply are copied onto the mail as attributes for the mailets there.</li>
 * </ul>
 * Every other call goes to the decorated factory unchanged; nothing here can keep a mail from being enqueued.
 */
public class ObservedMailQueueFactory implements MailQueueFactory<MailQueue> {
    private final MailQueueFactory<? extends MailQueue> delegate;
    private final DeliveryRecorder recorder;

    @Inject
    public ObservedMailQueueFactory(MailQueueFactory<? extends MailQueue> delegate, DeliveryRecorder recorder) {
        this.delegate = delegate;
        this.recorder = recorder;
    }

    @Override
    public Optional<MailQueue> getQueue(MailQueueName name, PrefetchCount count) {
        return delegate.getQueue(name, count).map(this::observe);
    }

    @Override
    public MailQueue createQueue(MailQueueName name, PrefetchCount count) {
        return observe(delegate.createQueue(name, count));
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return delegate.listCreatedMailQueues();
    }

    private MailQueue observe(MailQueue queue) {
        return new ObservedQueue(queue);
    }

    private final class ObservedQueue implements MailQueue {
        private final MailQueue queue;

        private ObservedQueue(MailQueue queue) {
            this.queue = queue;
        }

        private void beforeEnqueue(Mail mail) {
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
            return Flux.defer(() -> {
                Scheduler thread = Schedulers.newSingle("portcullis-dequeue-" + queue.getName().asString(), true);
                return Flux.from(queue.deQueue()).subscribeOn(thread).doFinally(signal -> thread.dispose());
            });
        }

        @Override
        public void close() throws java.io.IOException {
            queue.close();
        }
    }
}
