package io.portcullis.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.JsonTransformerModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;

import io.portcullis.store.PortcullisProperties;
import io.portcullis.tracking.EventType;
import io.portcullis.tracking.MessageTracker;
import io.portcullis.tracking.TrackedEvent;
import io.portcullis.tracking.TrackingSettings;
import io.portcullis.tracking.route.MailInLogRoutes;
import io.portcullis.tracking.route.TrackingRoutes;
import io.portcullis.tracking.store.SearchCriteria;
import io.portcullis.tracking.store.TrackingDao;

class TrackingModuleTest {
    @TempDir
    Path dir;

    private Injector injector(Properties properties) throws Exception {
        Files.createDirectories(dir.resolve("var"));
        return Guice.createInjector(new TrackingModule(), binder -> {
            binder.bind(PortcullisProperties.class).toInstance(new PortcullisProperties(properties));
            binder.bind(JamesDirectoriesProvider.class).toInstance(new JamesServerResourceLoader(dir.toString()));
            Multibinder.newSetBinder(binder, JsonTransformerModule.class);
        });
    }

    @Test
    void moduleShouldWireTheTrackerRoutesAndLifecycleOnDerbyUnderVar() throws Exception {
        Injector injector = injector(new Properties());
        TrackingLifecycle lifecycle = injector.getInstance(TrackingLifecycle.class);
        try {
            Set<Routes> routes = injector.getInstance(Key.get(new TypeLiteral<Set<Routes>>() { }));
            assertThat(routes).hasAtLeastOneElementOfType(TrackingRoutes.class).hasAtLeastOneElementOfType(MailInLogRoutes.class);
            assertThat(injector.getInstance(Key.get(new TypeLiteral<Set<InitializationOperation>>() { }))).hasSize(1);

            injector.getInstance(MessageTracker.class).record(new TrackedEvent("id-1", EventType.RECEIVED_BY_MTA, Instant.now(), Map.of()));

            assertThat(injector.getInstance(TrackingDao.class).search(SearchCriteria.all(), 1, 20).total()).isEqualTo(1);
            assertThat(dir.resolve("var").resolve(TrackingModule.DERBY_DIRECTORY)).isDirectory();
        } finally {
            lifecycle.stop();
        }
    }

    @Test
    void theShippedPortcullisPropertiesShouldGiveTheDefaults() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        org.apache.james.utils.PropertiesProvider provider = new org.apache.james.utils.PropertiesProvider(
            new org.apache.james.server.core.filesystem.FileSystemImpl(new JamesServerResourceLoader(root.toString())),
            new org.apache.james.server.core.configuration.Configuration.ConfigurationPath("file://conf/"));
        Properties properties = new PortcullisProperties(provider).properties();

        assertThat(properties.getProperty(TrackingSettings.RETENTION)).isEqualTo("90d");
        TrackingSettings settings = TrackingSettings.from(properties);
        assertThat(settings.weekStart()).isEqualTo(DayOfWeek.MONDAY);
        assertThat(io.portcullis.store.StoreConfiguration.from(properties, dir).url()).startsWith("jdbc:derby:");
    }

    @Test
    void settingsShouldReadEveryKeyAndRefuseBadValues() {
        Properties properties = new Properties();
        properties.setProperty(TrackingSettings.WEEK_START, "sunday");
        properties.setProperty(TrackingSettings.RETENTION, "30d");
        properties.setProperty(TrackingSettings.NODE, "gw-1");
        TrackingSettings settings = TrackingSettings.from(properties);
        assertThat(settings.weekStart()).isEqualTo(DayOfWeek.SUNDAY);
        assertThat(settings.retention().toDays()).isEqualTo(30);
        assertThat(settings.node()).isEqualTo("gw-1");

        properties.setProperty(TrackingSettings.RETENTION, "forever");
        assertThatThrownBy(() -> TrackingSettings.from(properties))
            .hasMessageContaining("tracking.retention has invalid value 'forever'");
        properties.setProperty(TrackingSettings.RETENTION, "30d");
        properties.setProperty(TrackingSettings.WEEK_START, "Moonday");
        assertThatThrownBy(() -> TrackingSettings.from(properties))
            .hasMessageContaining("tracking.weekStart has invalid value 'Moonday'");
    }
}
