package io.portcullis.guice;

import java.nio.file.Path;
import java.time.Clock;

import javax.inject.Singleton;

import org.apache.james.filesystem.api.JamesDirectoriesProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

import io.portcullis.store.GatewayStore;
import io.portcullis.store.PortcullisProperties;
import io.portcullis.store.StoreConfiguration;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackingSettings;
import io.portcullis.tracking.route.TrackingRoutes;
import io.portcullis.tracking.store.GroupCommitTracker;
import io.portcullis.tracking.store.TrackingOutbox;
import io.portcullis.tracking.store.Periods;
import io.portcullis.tracking.store.TrackingDao;
import io.portcullis.tracking.store.TrackingPurge;

/**
 * The services of message tracking, without WebAdmin routes or start-up operations: what an existing James
 * lists in {@code extensions.properties} ({@code guice.extension.module}; James's extension injector cannot add
 * to the server's own sets of routes and start-up operations, so those are listed separately there:
 * {@code guice.extension.startable=io.portcullis.guice.PortcullisStartable} and {@code extensions.routes} in
 * webadmin.properties). The bundled server installs {@link TrackingModule}, which adds them.
 *
 * <p>Message tracking:
 * the gateway store (from {@code conf/portcullis.properties}, default embedded Derby in
 * {@code var/portcullis-store}), the group-commit {@link MessageTracker} used by {@code TrackEvent}, the SMTP
 * hooks and every capability, the WebAdmin routes {@code /portcullis/tracking…} and {@code /portcullis/logs/mail-in},
 * and the retention purge, started with the server and stopped with it ({@link TrackingLifecycle}).
 *
 * <p>Needs from outside: James's {@code PropertiesProvider} and {@code JamesDirectoriesProvider} (bound by every
 * James Guice server), a WebAdmin server for the routes ({@code JsonTransformer}).
 */
public class TrackingServicesModule extends AbstractModule {
    public static final String DERBY_DIRECTORY = "portcullis-store";

    @Override
    protected void configure() {
        bind(MessageTracker.class).to(GroupCommitTracker.class);
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

    @Provides
    @Singleton
    TrackingOutbox outbox(GatewayStore store, GroupCommitTracker tracker) {
        return new TrackingOutbox(store.dataSource(), tracker, Clock.systemUTC());
    }

}
