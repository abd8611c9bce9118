package io.portcullis.queue;

import java.util.Optional;
import java.util.Set;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;

/**
 * A {@link MailQueueFactory} handing out James's queues decorated by {@link #decorate}: what the bundled server's
 * queue decorators (the delivery observation, the Pending log's browse) have in common.
 */
public abstract class DecoratingMailQueueFactory<Q extends MailQueue> implements MailQueueFactory<Q> {
    private final MailQueueFactory<? extends Q> delegate;

    protected DecoratingMailQueueFactory(MailQueueFactory<? extends Q> delegate) {
        this.delegate = delegate;
    }

    /** The queue handed out in place of {@code queue}. */
    protected abstract Q decorate(Q queue);

    @Override
    public Optional<Q> getQueue(MailQueueName name, PrefetchCount count) {
        return delegate.getQueue(name, count).map(this::decorate);
    }

    @Override
    public Q createQueue(MailQueueName name, PrefetchCount count) {
        return decorate(delegate.createQueue(name, count));
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return delegate.listCreatedMailQueues();
    }
}
