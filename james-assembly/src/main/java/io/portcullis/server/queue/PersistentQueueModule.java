package io.portcullis.server.queue;

import java.time.Duration;

import javax.inject.Singleton;
import javax.jms.ConnectionFactory;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.RedeliveryPolicy;
import org.apache.activemq.store.PersistenceAdapter;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.activemq.EmbeddedActiveMQ;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollector;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollectorNoop;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;

import io.portcullis.storage.StorageGatedMailQueueFactory;
import io.portcullis.storage.StorageGuard;

/**
 * The mail queue (spool, outgoing) on an embedded ActiveMQ broker persisting to KahaDB under
 * {@code var/store/activemq}: a message acknowledged with {@code 250} is on disk before the reply, and is
 * processed after a crash or {@code kill -9}. No JMX, no network listener beyond the in-VM transport.
 * <p>
 * A mail whose processing could not be completed is rolled back into its queue and taken again, however many times
 * (ActiveMQ's default would move it to the broker's dead-letter queue after 6 attempts, where nothing reads it: on a
 * full disk, when even James's error handling fails, that was a loss); and the queues are gated on the free space
 * ({@link StorageGatedMailQueueFactory}): nothing is taken from them while the disk is nearly full.
 */
public class PersistentQueueModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(KahaDBPersistenceAdapter.class).in(Scopes.SINGLETON);
        bind(PersistenceAdapter.class).to(KahaDBPersistenceAdapter.class);
        bind(EmbeddedActiveMQ.class).in(Scopes.SINGLETON);
        bind(ActiveMQMailQueueFactory.class).in(Scopes.SINGLETON);
        bind(ActiveMQMetricCollectorNoop.class).in(Scopes.SINGLETON);
        bind(ActiveMQMetricCollector.class).to(ActiveMQMetricCollectorNoop.class);
    }

    @Provides
    @Singleton
    ConnectionFactory provideConnectionFactory(EmbeddedActiveMQ embeddedActiveMQ) {
        ConnectionFactory factory = embeddedActiveMQ.getConnectionFactory();
        if (factory instanceof ActiveMQConnectionFactory activeMq) {
            RedeliveryPolicy redelivery = activeMq.getRedeliveryPolicy();
            redelivery.setMaximumRedeliveries(RedeliveryPolicy.NO_MAXIMUM_REDELIVERIES);
        }
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> provideManageableFactory(ActiveMQMailQueueFactory factory, ConnectionFactory connectionFactory,
                                                                             StorageGuard storage) {
        factory.setUseJMX(false);
        factory.init();
        // browse() without copying every message (see LazyBrowseMailQueueFactory): the Pending log and James's
        // mail queue routes list the queues while they are consumed; dequeue paused while the disk is nearly full
        return new StorageGatedMailQueueFactory(new LazyBrowseMailQueueFactory(factory, connectionFactory), storage, Duration.ofSeconds(1));
    }

    @Provides
    @Singleton
    MailQueueFactory<?> provideFactory(MailQueueFactory<? extends ManageableMailQueue> factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> provideGenericFactory(ActiveMQMailQueueFactory factory) {
        return factory;
    }
}
