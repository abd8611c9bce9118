package io.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.portcullis.delivery.DeliveryConfiguration;
import io.portcullis.dns.DnsConfiguration;
import io.portcullis.quarantine.QuarantineConfiguration;
import io.portcullis.report.ReportConfiguration;
import io.portcullis.tracking.TrackingSettings;

/**
 * The shipped {@code conf/portcullis.properties} (and {@code conf/delivery.properties}) hold exactly the keys the
 * code reads: a key in the file that no settings class reads (a misspelling, a leftover) fails, and so does a key a
 * settings class reads that the file does not show to the administrator.
 *
 * <p>A new key: add it to its settings class's {@code KEYS} (which its parser uses to refuse unknown keys of its
 * prefix) and, commented, to the file. A new prefix: one more entry in {@link SettingsKeys}.
 */
class PortcullisPropertiesTest {
    private static final Path CONF = Path.of("..", "conf");

    @Test
    void everyKeyOfPortcullisPropertiesShouldBeReadByTheCode() throws IOException {
        Set<String> unknown = keys("portcullis.properties").stream().filter(key -> !SettingsKeys.isRead(key))
            .collect(Collectors.toCollection(TreeSet::new));
        assertThat(unknown).as("keys in conf/portcullis.properties that no settings class reads").isEmpty();
    }

    @Test
    void everyKeyTheCodeReadsShouldBeInPortcullisProperties() throws IOException {
        Set<String> undocumented = new TreeSet<>(SettingsKeys.keysRead());
        undocumented.removeAll(keys("portcullis.properties"));
        assertThat(undocumented).as("keys the code reads that conf/portcullis.properties does not show").isEmpty();
    }

    @Test
    void deliveryPropertiesShouldHoldExactlyTheKeysTheCodeReads() throws IOException {
        Set<String> file = keys("delivery.properties");
        assertThat(file.stream().filter(key -> !DeliveryConfiguration.isKey(key)).toList()).as("unknown keys of conf/delivery.properties").isEmpty();
        assertThat(DeliveryConfiguration.PLAIN_KEYS.stream().filter(key -> !file.contains(key)).toList())
            .as("keys read but not in conf/delivery.properties").isEmpty();
    }

    @Test
    void everyPrefixShouldRefuseAKeyItDoesNotRead() {
        assertThatThrownBy(() -> TrackingSettings.from(properties("tracking.retension", "90d")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tracking.retension").hasMessageContaining("tracking.retention");
        assertThatThrownBy(() -> StoreConfiguration.from(properties("store.passwd", "x"), Path.of("var")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store.passwd").hasMessageContaining("store.password");
        assertThatThrownBy(() -> DnsConfiguration.from(properties("dns.server", "127.0.0.1")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dns.server").hasMessageContaining("dns.servers");
        assertThatThrownBy(() -> QuarantineConfiguration.from(properties("quarantine.notify.too", "a@b.example")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quarantine.notify.too");
        assertThatThrownBy(() -> ReportConfiguration.from(properties("report.dayz", "14")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("report.dayz");
    }

    @Test
    void aSettingsClassShouldIgnoreTheKeysOfOtherPrefixes() {
        Properties mixed = properties("report.days", "14");
        mixed.setProperty("store.maxConnections", "8");
        assertThat(TrackingSettings.from(mixed).commitMaxBatch()).isEqualTo(500);
        assertThat(StoreConfiguration.from(mixed, Path.of("var")).maxConnections()).isEqualTo(8);
        assertThat(List.of(DnsConfiguration.from(mixed))).hasSize(1);
    }

    private static Properties properties(String key, String value) {
        Properties properties = new Properties();
        properties.setProperty(key, value);
        return properties;
    }

    private static Set<String> keys(String file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(CONF.resolve(file), StandardCharsets.ISO_8859_1)) {
            properties.load(reader);
        }
        return new TreeSet<>(properties.stringPropertyNames());
    }
}
