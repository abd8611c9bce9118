package io.portcullis.guice;

import javax.inject.Singleton;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

import io.portcullis.delivery.DeliveryRecorder;
import io.portcullis.delivery.capture.ObservedMailQueueFactory;

/**
 * Rebinds {@code MailQueueFactory<?>} (what James's spooler, mailet context and RemoteDelivery use) to the
 * observing decorator over {@code MailQueueFactory<? extends ManageableMailQueue>}. Install it as an OVERRIDE of
 * the module that binds {@code MailQueueFactory<?>} (in the bundled server: PersistentQueueModule, inside STORAGE):
 * {@code Modules.override(STORAGE).with(new DeliveryQueueObservationModule())}.
 */
public class DeliveryQueueObservationModule extends AbstractModule {
    @Provides
    @Singleton
    MailQueueFactory<?> observedFactory(MailQueueFactory<? extends ManageableMailQueue> queues, DeliveryRecorder recorder) {
        return new ObservedMailQueueFactory((MailQueueFactory<? extends MailQueue>) queues, recorder);
    }

    /** All instances are equal, so Guice installs the module once even when it is listed twice. */
    @Override
    public boolean equals(Object other) {
        return other instanceof DeliveryQueueObservationModule;
    }

    @Override
    public int hashCode() {
        return DeliveryQueueObservationModule.class.hashCode();
    }
}
