package io.portcullis.store;

import java.io.FileNotFoundException;
import java.util.Iterator;
import java.util.Properties;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.utils.PropertiesProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The content of {@code conf/portcullis.properties} (James's {@link PropertiesProvider}, so {@code ${env:...}}
 * interpolation works). A missing file means every default. Shared by the Portcullis modules: it is a
 * just-in-time singleton, bound by no module, so several modules can inject it.
 */
@Singleton
public class PortcullisProperties {
    private static final Logger LOGGER = LoggerFactory.getLogger(PortcullisProperties.class);
    public static final String FILE_NAME = "portcullis";

    private final Properties properties;

    @Inject
    public PortcullisProperties(PropertiesProvider provider) throws ConfigurationException {
        this(load(provider));
    }

    public PortcullisProperties(Properties properties) {
        this.properties = properties;
    }

    private static Properties load(PropertiesProvider provider) throws ConfigurationException {
        Properties properties = new Properties();
        try {
            Configuration configuration = provider.getConfiguration(FILE_NAME);
            Iterator<String> keys = configuration.getKeys();
            while (keys.hasNext()) {
                String key = keys.next();
                // commons-configuration splits values on commas; a value is given back whole
                properties.setProperty(key, String.join(",", configuration.getStringArray(key)));
            }
        } catch (FileNotFoundException e) {
            LOGGER.info("No conf/portcullis.properties: Portcullis uses its defaults");
        }
        return properties;
    }

    /** A copy of the properties. */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }
}
