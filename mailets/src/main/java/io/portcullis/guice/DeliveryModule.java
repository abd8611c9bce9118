package io.portcullis.guice;

import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import io.portcullis.delivery.PendingTimeouts;
import io.portcullis.delivery.webadmin.DeliveryRoutes;

/**
 * Delivery in the bundled server: {@link DeliveryServicesModule} plus the WebAdmin routes
 * {@code /portcullis/logs/pending|delivery} and the pending-timeout job started with the server.
 */
public class DeliveryModule extends AbstractModule {
    @Override
    protected void configure() {
        install(new DeliveryServicesModule());
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(DeliveryRoutes.class);
    }

    @ProvidesIntoSet
    InitializationOperation startPendingTimeouts(PendingTimeouts timeouts) {
        return InitilizationOperationBuilder.forClass(PendingTimeouts.class).init(timeouts::start);
    }

    /** All instances are equal, so Guice installs the module once even when it is listed twice. */
    @Override
    public boolean equals(Object other) {
        return other instanceof DeliveryModule;
    }

    @Override
    public int hashCode() {
        return DeliveryModule.class.hashCode();
    }
}
