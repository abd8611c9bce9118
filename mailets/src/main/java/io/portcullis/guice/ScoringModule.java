package io.portcullis.guice;

import java.io.FileNotFoundException;
import java.util.Iterator;
import java.util.Properties;

import javax.inject.Singleton;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.utils.PropertiesProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

import io.portcullis.dns.DnsConfiguration;
import io.portcullis.dns.DnsLookupService;
import io.portcullis.scoring.CheckRunner;
import io.portcullis.scoring.ScoringBudget;

/**
 * Services of the scoring capability: the DNS lookup service the checks use, configured by the {@code dns.*}
 * keys of {@code conf/portcullis.properties} (default: the system resolvers). {@code ScoreFilter},
 * {@code ApplySenderLists}, {@code TagSuspect} and the checks need nothing else but James's own
 * {@code FileSystem} (to find {@code conf/content-rules.conf} and {@code conf/sender-lists.conf}) and
 * {@code PropertiesProvider}, both bound by every James server.
 */
public class ScoringModule extends AbstractModule {
    public static final String PROPERTIES = "portcullis";

    @Override
    protected void configure() {
        // everything is provided below
    }

    @Provides
    @Singleton
    DnsConfiguration dnsConfiguration(PropertiesProvider propertiesProvider) throws ConfigurationException {
        return DnsConfiguration.from(read(propertiesProvider));
    }

    @Provides
    @Singleton
    DnsLookupService dnsLookupService(DnsConfiguration configuration) {
        return new DnsLookupService(configuration);
    }

    @Provides
    @Singleton
    ScoringBudget scoringBudget(PropertiesProvider propertiesProvider) throws ConfigurationException {
        return ScoringBudget.from(read(propertiesProvider));
    }

    @Provides
    @Singleton
    CheckRunner checkRunner(ScoringBudget budget) {
        return new CheckRunner(budget);
    }

    /** {@code conf/portcullis.properties} as plain properties; empty when the file does not exist. */
    static Properties read(PropertiesProvider propertiesProvider) throws ConfigurationException {
        Properties properties = new Properties();
        try {
            Configuration configuration = propertiesProvider.getConfiguration(PROPERTIES);
            Iterator<String> keys = configuration.getKeys();
            while (keys.hasNext()) {
                String key = keys.next();
                properties.setProperty(key, String.join(",", configuration.getStringArray(key)));
            }
        } catch (FileNotFoundException e) {
            return properties;
        }
        return properties;
    }
}
