package io.portcullis.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Where the gateway store lives. Read from {@code conf/portcullis.properties}:
 *
 * <pre>
 * store.url=jdbc:derby:/abs/path/var/portcullis-store;create=true   (default: embedded Derby under var/)
 * store.user=
 * store.password=
 * store.maxConnections=16
 * </pre>
 */
public record StoreConfiguration(String url, Optional<String> user, Optional<String> password, int maxConnections) {
    public static final String URL = "store.url";
    public static final String USER = "store.user";
    public static final String PASSWORD = "store.password";
    public static final String MAX_CONNECTIONS = "store.maxConnections";
    public static final String PREFIX = "store.";
    /** Every key read; any other {@code store.*} key is refused. */
    public static final Set<String> KEYS = Set.of(URL, USER, PASSWORD, MAX_CONNECTIONS);

    public StoreConfiguration {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("portcullis.properties: " + URL + " has invalid value '" + url + "': expected a JDBC URL (jdbc:...)");
        }
        if (maxConnections < 1 || maxConnections > 1000) {
            throw new IllegalArgumentException("portcullis.properties: " + MAX_CONNECTIONS + " has invalid value '" + maxConnections + "': expected 1 to 1000");
        }
    }

    /** Embedded Derby in {@code directory} (made absolute: Derby resolves relative paths against the process's cwd). */
    public static StoreConfiguration embeddedDerby(Path directory) {
        return new StoreConfiguration("jdbc:derby:" + directory.toAbsolutePath().normalize() + ";create=true",
            Optional.empty(), Optional.empty(), 16);
    }

    public static StoreConfiguration from(Properties properties, Path defaultDerbyDirectory) {
        KnownKeys.refuseUnknown(properties, PREFIX, KEYS);
        String url = Optional.ofNullable(properties.getProperty(URL)).map(String::trim).filter(s -> !s.isEmpty())
            .orElseGet(() -> embeddedDerby(defaultDerbyDirectory).url());
        String max = Optional.ofNullable(properties.getProperty(MAX_CONNECTIONS)).map(String::trim).orElse("16");
        int maxConnections;
        try {
            maxConnections = Integer.parseInt(max);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("portcullis.properties: " + MAX_CONNECTIONS + " has invalid value '" + max + "': expected 1 to 1000");
        }
        return new StoreConfiguration(url,
            Optional.ofNullable(properties.getProperty(USER)).map(String::trim).filter(s -> !s.isEmpty()),
            Optional.ofNullable(properties.getProperty(PASSWORD)).filter(s -> !s.isEmpty()),
            maxConnections);
    }

    public boolean isDerby() {
        return url.startsWith("jdbc:derby:");
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }
}
