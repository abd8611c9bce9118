package io.portcullis.guice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.PropertiesProvider;
import org.apache.james.webadmin.Routes;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;

import io.portcullis.quarantine.Quarantine;
import io.portcullis.quarantine.QuarantineConfiguration;
import io.portcullis.quarantine.QuarantineScheduler;
import io.portcullis.quarantine.QuarantineService;
import io.portcullis.quarantine.RecordingTracker;
import io.portcullis.quarantine.ReleaseGate;
import io.portcullis.quarantine.route.QuarantineRoutes;
import io.portcullis.store.GatewayStore;
import io.portcullis.store.StoreConfiguration;
import io.portcullis.tracking.MessageTracker;

class QuarantineModuleTest {
    @TempDir
    static Path dir;
    static GatewayStore store;

    @BeforeAll
    static void open() {
        store = GatewayStore.open(StoreConfiguration.embeddedDerby(dir.resolve("store")));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private static Injector injector() {
        return Guice.createInjector(new QuarantineModule(), new org.apache.james.onami.lifecycle.PreDestroyModule(), binder -> {
            binder.bind(GatewayStore.class).toInstance(store);
            binder.bind(MessageTracker.class).toInstance(new RecordingTracker());
            binder.bind(MailetContext.class).toInstance(FakeMailContext.defaultContext());
            binder.bind(PropertiesProvider.class).toInstance(PropertiesProvider.forTesting());
        });
    }

    @Test
    void moduleShouldBindTheRoutesTheMailetsAndTheScheduler() throws Exception {
        Injector injector = injector();

        Set<Routes> routes = injector.getInstance(Key.get(new TypeLiteral<Set<Routes>>() { }));
        assertThat(routes).hasOnlyElementsOfType(QuarantineRoutes.class).hasSize(1);
        assertThat(injector.getInstance(QuarantineService.class)).isSameAs(injector.getInstance(QuarantineService.class));
        Quarantine quarantine = injector.getInstance(Quarantine.class);
        quarantine.init(FakeMailetConfig.builder().mailetName("Quarantine").setProperty("area", "threat").build());
        assertThat(quarantine.area().userRelease()).isFalse();
        assertThat(injector.getInstance(ReleaseGate.class)).isNotNull();
    }

    @Test
    void initializationOperationShouldStartTheSchedulerAndServerStopShouldStopIt() throws Exception {
        Injector injector = injector();
        Set<InitializationOperation> operations = injector.getInstance(Key.get(new TypeLiteral<Set<InitializationOperation>>() { }));
        QuarantineScheduler scheduler = injector.getInstance(QuarantineScheduler.class);

        for (InitializationOperation operation : operations) {
            operation.initModule();
        }
        assertThat(scheduler.isRunning()).isTrue();
        // what GuiceJamesServer.stop() does
        injector.getInstance(Key.get(new TypeLiteral<org.apache.james.onami.lifecycle.Stager<javax.annotation.PreDestroy>>() { })).stage();

        assertThat(scheduler.isRunning()).isFalse();
    }

    @Test
    void toPropertiesShouldKeepCommaSeparatedValuesWhole() {
        BaseConfiguration configuration = new BaseConfiguration();
        configuration.setListDelimiterHandler(new org.apache.commons.configuration2.convert.DefaultListDelimiterHandler(','));
        configuration.addProperty("quarantine.area.bulk.retention", "7d");
        configuration.addProperty("other.list", "a,b");

        Properties properties = QuarantineModule.toProperties(configuration);

        assertThat(properties.getProperty("other.list")).isEqualTo("a,b");
        assertThat(QuarantineConfiguration.from(properties).area("bulk")).isPresent();
    }
}
