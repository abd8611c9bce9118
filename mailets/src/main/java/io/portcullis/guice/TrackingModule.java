package io.portcullis.guice;

import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import io.portcullis.tracking.route.MailInLogRoutes;
import io.portcullis.tracking.route.TrackingRoutes;

/**
 * Message tracking in the bundled server: {@link TrackingServicesModule} plus the WebAdmin routes
 * {@code /portcullis/tracking…}, {@code /portcullis/logs/mail-in} and the retention purge started with the
 * server and stopped with it ({@link TrackingLifecycle}).
 */
public class TrackingModule extends AbstractModule {
    public static final String DERBY_DIRECTORY = TrackingServicesModule.DERBY_DIRECTORY;

    @Override
    protected void configure() {
        install(new TrackingServicesModule());
        // Created with the injector, before James's mail spooler and mailets: James stops objects in the reverse
        // order of their creation, so the tracking writer and the store close after the spooler and every mailet's
        // destroy() (created lazily by the first mailet, they closed first and in-flight mail failed to track).
        bind(TrackingLifecycle.class).asEagerSingleton();
        Multibinder<Routes> routes = Multibinder.newSetBinder(binder(), Routes.class);
        routes.addBinding().to(TrackingRoutes.class);
        routes.addBinding().to(MailInLogRoutes.class);
    }

    @ProvidesIntoSet
    InitializationOperation startTracking(TrackingLifecycle lifecycle) {
        return InitilizationOperationBuilder
            .forClass(TrackingLifecycle.class)
            .init(lifecycle::start);
    }
}
