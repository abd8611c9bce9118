package io.portcullis.delivery;

import io.portcullis.quarantine.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import org.apache.james.GuiceJamesServer;
import org.apache.james.utils.GuiceProbe;

import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;

import io.portcullis.guice.DeliveryModule;
import io.portcullis.guice.DeliveryQueueObservationModule;
import io.portcullis.server.DataDirectories;
import io.portcullis.server.PortcullisServerMain;
import io.portcullis.server.PortcullisTestServer;
import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;
import io.portcullis.tracking.MessageTracker;

/**
 * The bundled server as {@code PortcullisServerMain} composes it, plus the delivery module and the queue observation
 * override (installed once even if the main already lists them: the modules are equal to each other), a recording
 * tracker, the gateway store and a movable clock.
 */
final class DeliveryTestServer implements AutoCloseable {
    final PortcullisTestServer ports;
    final RecordingTracker tracker = new RecordingTracker();
    final MutableClock clock = new MutableClock(java.time.Instant.now());
    private final GatewayStore store;
    private final GuiceJamesServer server;

    DeliveryTestServer(Path dir, Map<String, String> environment, String extraDeliveryProperties) throws Exception {
        ports = PortcullisTestServer.prepare(dir, environment);
        Files.writeString(dir.resolve("conf/delivery.properties"), "\n" + extraDeliveryProperties + "\n", StandardOpenOption.APPEND);
        store = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("var/store/portcullis-test")));
        Module testBindings = binder -> {
            binder.bind(MessageTracker.class).toInstance(tracker);
            binder.bind(java.time.Clock.class).toInstance(clock);
            binder.bind(GatewayStore.class).toInstance(store);
        };
        Module probes = binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(DeliveryProbe.class);
        server = GuiceJamesServer.forConfiguration(DataDirectories.configuration(dir.toString()))
            .combineWith(PortcullisServerMain.SERVER, PortcullisServerMain.STORAGE, PortcullisServerMain.PROTOCOLS,
                PortcullisServerMain.WEBADMIN, PortcullisServerMain.PORTCULLIS, new DeliveryModule(), probes)
            .overrideWith(new DeliveryQueueObservationModule(), testBindings);
    }

    /** Appends lines to a file of the working copy's conf (before {@link #start()}). */
    DeliveryTestServer appendConf(String file, String lines) throws java.io.IOException {
        Files.writeString(ports.workingDirectory().resolve("conf").resolve(file), "\n" + lines + "\n", StandardOpenOption.APPEND);
        return this;
    }

    DeliveryTestServer start() throws Exception {
        server.start();
        return this;
    }

    DeliveryProbe probe() {
        return server.getProbe(DeliveryProbe.class);
    }

    @Override
    public void close() {
        server.stop();
        store.close();
    }
}
