package io.portcullis.guice;

import java.nio.file.Path;
import java.time.Clock;

import javax.inject.Singleton;

import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.PortcullisProperties;
import io.portcullis.store.StoreConfiguration;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackingSettings;
import io.portcullis.tracking.route.MailInLogRoutes;
import io.portcullis.tracking.route.TrackingRoutes;
import io.portcullis.tracking.store.GroupCommitTracker;
import io.portcullis.tracking.store.Periods;
import io.portcullis.tracking.store.TrackingDao;
import io.portcullis.tracking.store.TrackingPurge;

/**
 * Message tracking for the bundled server (and for an existing James through {@code extensions.properties}):
 * the gateway store (from {@code conf/portcullis.properties}, default embedded Derby in
 * {@code var/portcullis-store}), the group-commit {@link MessageTracker} used by {@code TrackEvent}, the SMTP
 * hooks and every capability, the WebAdmin routes {@code /portcullis/tracking…} and {@code /portcullis/logs/mail-in},
 * and the retention purge, started with the server and stopped with it ({@link TrackingLifecycle}).
 *
 * <p>Needs from outside: James's {@code PropertiesProvider} and {@code JamesDirectoriesProvider} (bound by every
 * James Guice server), a WebAdmin server for the routes ({@code JsonTransformer}).
 */
public class TrackingModule extends AbstractModule {
    public static final String DERBY_DIRECTORY = "portcullis-store";

    @Override
    protected void configure() {
        bind(MessageTracker.class).to(GroupCommitTracker.class);
        Multibinder<Routes> routes = Multibinder.newSetBinder(binder(), Routes.class);
        routes.addBinding().to(TrackingRoutes.class);
        routes.addBinding().to(MailInLogRoutes.class);
    }

    @Provides
    @Singleton
    GatewayStore gatewayStore(PortcullisProperties properties, JamesDirectoriesProvider directories) {
        return GatewayStore.open(StoreConfiguration.from(properties.properties(),
            Path.of(directories.getVarDirectory()).resolve(DERBY_DIRECTORY)));
    }

    @Provides
    @Singleton
    TrackingSettings trackingSettings(PortcullisProperties properties) {
        return TrackingSettings.from(properties.properties());
    }

    @Provides
    @Singleton
    TrackingDao trackingDao(GatewayStore store, TrackingSettings settings) {
        return new TrackingDao(store.dataSource(), settings.node());
    }

    @Provides
    @Singleton
    GroupCommitTracker tracker(TrackingDao dao, TrackingSettings settings) {
        return new GroupCommitTracker(dao, settings.commitMaxBatch(), settings.commitMaxWait());
    }

    @Provides
    @Singleton
    Periods periods(TrackingSettings settings) {
        return new Periods(Clock.system(settings.timeZone()), settings.weekStart());
    }

    @Provides
    @Singleton
    TrackingRoutes.TrackingRouteSettings routeSettings(TrackingSettings settings) {
        return new TrackingRoutes.TrackingRouteSettings(settings.csvMaxRows());
    }

    @Provides
    @Singleton
    TrackingPurge purge(TrackingDao dao, TrackingSettings settings) {
        return new TrackingPurge(dao, Clock.systemUTC(), settings.retention(), settings.purgeInterval());
    }

    @ProvidesIntoSet
    InitializationOperation startTracking(TrackingLifecycle lifecycle) {
        return InitilizationOperationBuilder
            .forClass(TrackingLifecycle.class)
            .init(lifecycle::start);
    }
}
