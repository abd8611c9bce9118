package io.portcullis.guice;

import java.io.FileNotFoundException;
import java.time.Clock;
import java.util.Iterator;
import java.util.Properties;

import javax.inject.Singleton;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.utils.PropertiesProvider;
import org.apache.mailet.MailetContext;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;

import io.portcullis.quarantine.QuarantineConfiguration;
import io.portcullis.quarantine.QuarantineScheduler;
import io.portcullis.quarantine.QuarantineService;
import io.portcullis.quarantine.QuarantineStore;
import io.portcullis.quarantine.route.QuarantineRoutes;
import io.portcullis.tracking.MessageTracker;

/**
 * The quarantine capability: store, service (used by the {@code Quarantine} and {@code ReleaseGate} mailets,
 * the WebAdmin routes and the reports), the {@code /portcullis/quarantine} routes and the scheduler (recovery
 * at start, expiry, digest) started with the server and stopped with it. Reads the {@code quarantine.*} keys of
 * {@code conf/portcullis.properties} (defaults when the file is absent).
 *
 * <p>Needs from outside: {@link io.portcullis.store.GatewayStore} and {@link MessageTracker} (tracking module),
 * {@link MailetContext} and {@link PropertiesProvider} (James).
 */
public class QuarantineServicesModule extends AbstractModule {
    public static final String PROPERTIES = "portcullis";

    @Override
    protected void configure() {
        bind(QuarantineStore.class).in(Scopes.SINGLETON);
        bind(QuarantineScheduler.class).in(Scopes.SINGLETON);
        bind(QuarantineRoutes.class).in(Scopes.SINGLETON);
    }

    @Provides
    @Singleton
    QuarantineConfiguration configuration(PropertiesProvider propertiesProvider) throws ConfigurationException {
        try {
            return QuarantineConfiguration.from(toProperties(propertiesProvider.getConfiguration(PROPERTIES)));
        } catch (FileNotFoundException e) {
            return QuarantineConfiguration.defaults();
        }
    }

    static Properties toProperties(Configuration configuration) {
        Properties properties = new Properties();
        Iterator<String> keys = configuration.getKeys();
        while (keys.hasNext()) {
            String key = keys.next();
            properties.setProperty(key, String.join(",", configuration.getList(String.class, key)));
        }
        return properties;
    }

    @Provides
    @Singleton
    QuarantineService service(QuarantineStore store, MessageTracker tracker, MailetContext context, QuarantineConfiguration configuration) {
        return new QuarantineService(store, tracker, context, configuration, Clock.systemUTC());
    }

}
