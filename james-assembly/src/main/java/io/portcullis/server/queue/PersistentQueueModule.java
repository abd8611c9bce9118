package io.portcullis.server.queue;

import javax.inject.Singleton;
import javax.jms.ConnectionFactory;

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

/**
 * The mail queue (spool, outgoing) on an embedded ActiveMQ broker persisting to KahaDB under
 * {@code var/store/activemq}: a message acknowledged with {@code 250} is on disk before the reply, and is
 * processed after a crash or {@code kill -9}. No JMX, no network listener beyond the in-VM transport.
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
        return embeddedActiveMQ.getConnectionFactory();
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> provideManageableFactory(ActiveMQMailQueueFactory factory, ConnectionFactory connectionFactory) {
        factory.setUseJMX(false);
        factory.init();
        // browse() without copying every message (see LazyBrowseMailQueueFactory): the Pending log and James's
        // mail queue routes list the queues while they are consumed
        return new LazyBrowseMailQueueFactory(factory, connectionFactory);
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
