package io.portcullis.storage;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;

import io.portcullis.mail.PortcullisAttributes;
import io.portcullis.queue.DecoratingMailQueueFactory;

/**
 * The mail queues with a gate on {@link #deQueue}: while a watched filesystem is below {@code storage.spoolMinFree}
 * ({@link StorageGuard#spoolShortage()}), a mail taken from a queue waits, still unacknowledged, before it is
 * handed to its consumer (the spooler, RemoteDelivery), and the consumer asks for no more: processing pauses
 * instead of failing on every mail, and resumes by itself when space returns (checked every
 * {@code pollInterval}). A mail taken from the spool is stamped with the processor it starts in
 * ({@link PortcullisAttributes#SPOOL_STATE}), where {@link RetryOnStorageFailure} puts it back when its processing
 * fails for lack of space. Everything else goes to the decorated queues unchanged.
 */
public class StorageGatedMailQueueFactory extends DecoratingMailQueueFactory<ManageableMailQueue> {
    private final StorageGuard guard;
    private final Duration pollInterval;
    private final ConcurrentMap<MailQueueName, GatedQueue> queues = new ConcurrentHashMap<>();

    public StorageGatedMailQueueFactory(MailQueueFactory<? extends ManageableMailQueue> delegate, StorageGuard guard, Duration pollInterval) {
        super(delegate);
        this.guard = guard;
        this.pollInterval = pollInterval;
    }

    @Override
    protected ManageableMailQueue decorate(ManageableMailQueue queue) {
        return queues.compute(queue.getName(), (name, gated) -> gated != null && gated.queue == queue ? gated : new GatedQueue(queue));
    }

    /**
     * Returns at once when there is room, else when a later check finds room again: called on the thread that takes
     * mail from the queue, so nothing more is taken meanwhile (and the consumer's requests are left as they are).
     */
    void awaitRoom() {
        while (guard.spoolShortage().isPresent()) {
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class GatedQueue implements ManageableMailQueue {
        private final ManageableMailQueue queue;

        private GatedQueue(ManageableMailQueue queue) {
            this.queue = queue;
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            boolean spool = MailQueueFactory.SPOOL.equals(queue.getName());
            // The gate waits on the taking thread and never changes the consumer's demand: an operator that buffers
            // or re-requests here (delayUntil, flatMap) left the last mail of a burst waiting in the spool until the
            // next one arrived.
            return Flux.from(queue.deQueue())
                .doOnNext(item -> awaitRoom())
                .doOnNext(item -> {
                    if (spool) {
                        stampState(item.getMail());
                    }
                });
        }

        private void stampState(Mail mail) {
            if (mail.getState() != null) {
                mail.setAttribute(new Attribute(PortcullisAttributes.SPOOL_STATE, AttributeValue.of(mail.getState())));
            }
        }

        @Override
        public MailQueueName getName() {
            return queue.getName();
        }

        @Override
        public void enQueue(Mail mail, Duration delay) throws MailQueueException {
            queue.enQueue(mail, delay);
        }

        @Override
        public void enQueue(Mail mail) throws MailQueueException {
            queue.enQueue(mail);
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return queue.enqueueReactive(mail);
        }

        @Override
        public long getSize() throws MailQueueException {
            return queue.getSize();
        }

        @Override
        public Publisher<Long> getSizeReactive() {
            return queue.getSizeReactive();
        }

        @Override
        public long flush() throws MailQueueException {
            return queue.flush();
        }

        @Override
        public long clear() throws MailQueueException {
            return queue.clear();
        }

        @Override
        public long remove(Type type, String value) throws MailQueueException {
            return queue.remove(type, value);
        }

        @Override
        public MailQueueIterator browse() throws MailQueueException {
            return queue.browse();
        }

        @Override
        public void close() throws IOException {
            queue.close();
        }

        @Override
        public String toString() {
            return queue.toString();
        }
    }
}
