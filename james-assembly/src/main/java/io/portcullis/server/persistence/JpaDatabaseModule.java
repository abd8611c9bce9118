package io.portcullis.server.persistence;

import java.io.FileNotFoundException;
import java.io.File;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import javax.inject.Singleton;
import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.utils.PropertiesProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/**
 * The JPA EntityManagerFactory behind James's users, domains, aliases, mail repository URLs and mailboxes.
 * Configured by {@code conf/james-database.properties}; without a {@code database.url} the data lives in an
 * embedded Derby database at {@code var/derby} (an absolute path, so the process's current directory does
 * not matter).
 */
public class JpaDatabaseModule extends AbstractModule {
    static final String DRIVER = "database.driverClassName";
    static final String URL = "database.url";
    static final String USER = "database.username";
    static final String PASSWORD = "database.password";
    private static final String DERBY_DRIVER = "org.apache.derby.jdbc.EmbeddedDriver";

    @Provides
    @Singleton
    EntityManagerFactory provideEntityManagerFactory(PropertiesProvider propertiesProvider, JamesDirectoriesProvider directories)
            throws Exception {
        Configuration configuration = load(propertiesProvider);
        Map<String, String> properties = new HashMap<>();
        String url = configuration.getString(URL, "");
        if (url.isBlank()) {
            url = "jdbc:derby:" + new File(directories.getVarDirectory(), "derby").getAbsolutePath() + ";create=true";
        }
        properties.put("openjpa.ConnectionDriverName", configuration.getString(DRIVER, DERBY_DRIVER));
        properties.put("openjpa.ConnectionURL", url);
        String user = configuration.getString(USER, "");
        if (!user.isBlank()) {
            properties.put("openjpa.ConnectionUserName", user);
            properties.put("openjpa.ConnectionPassword", configuration.getString(PASSWORD, ""));
        }
        properties.put("openjpa.Multithreaded", "true");
        Iterator<String> keys = configuration.getKeys("openjpa");
        while (keys.hasNext()) {
            String key = keys.next();
            properties.put(key, configuration.getString(key));
        }
        return Persistence.createEntityManagerFactory("Global", properties);
    }

    private static Configuration load(PropertiesProvider propertiesProvider) throws Exception {
        try {
            return propertiesProvider.getConfiguration("james-database");
        } catch (FileNotFoundException e) {
            return new PropertiesConfiguration();
        }
    }
}
