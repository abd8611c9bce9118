package io.portcullis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class StorageConfigurationTest {
    private static Properties properties(String... pairs) {
        Properties properties = new Properties();
        for (int i = 0; i < pairs.length; i += 2) {
            properties.setProperty(pairs[i], pairs[i + 1]);
        }
        return properties;
    }

    @Test
    void fromShouldGiveTheDefaultsWhenNothingIsSet() {
        assertThat(StorageConfiguration.from(new Properties())).isEqualTo(StorageConfiguration.defaults());
    }

    @Test
    void fromShouldParseSizesWithUnitsAndFactors() {
        StorageConfiguration configuration = StorageConfiguration.from(properties("storage.minFree", "2g", "storage.spoolMinFree", "512k",
            "storage.messageSizeFactor", "1.5", "storage.queuedFactor", "0", "storage.checkInterval", "500ms"));

        assertThat(configuration.minFreeBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(configuration.spoolMinFreeBytes()).isEqualTo(512L * 1024);
        assertThat(configuration.messageSizeFactor()).isEqualTo(1.5);
        assertThat(configuration.queuedFactor()).isZero();
        assertThat(configuration.checkInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void smtpThresholdShouldBeTheLargerOfMinimumAndMessagesPlusQueuedBytes() {
        StorageConfiguration configuration = new StorageConfiguration(100, 2, 3, 10, Duration.ofSeconds(1));

        assertThat(configuration.smtpThreshold(10, 0)).isEqualTo(100);
        assertThat(configuration.smtpThreshold(80, 0)).isEqualTo(160);
        assertThat(configuration.smtpThreshold(80, 1000)).isEqualTo(3160);
        assertThat(configuration.smtpThreshold(0, 5)).isEqualTo(115);
    }

    @Test
    void fromShouldNameKeyAndValueWhenASizeIsInvalid() {
        assertThatThrownBy(() -> StorageConfiguration.from(properties("storage.minFree", "lots")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("storage.minFree").hasMessageContaining("'lots'");
    }

    @Test
    void fromShouldNameKeyAndValueWhenAFactorIsNegative() {
        assertThatThrownBy(() -> StorageConfiguration.from(properties("storage.queuedFactor", "-1")))
            .hasMessageContaining("storage.queuedFactor").hasMessageContaining("'-1'");
    }

    @Test
    void fromShouldRefuseASpoolMinimumNotBelowTheSmtpMinimum() {
        assertThatThrownBy(() -> StorageConfiguration.from(properties("storage.minFree", "10m", "storage.spoolMinFree", "10m")))
            .hasMessageContaining("storage.spoolMinFree").hasMessageContaining("storage.minFree");
    }

    @Test
    void fromShouldRefuseAnUnknownStorageKey() {
        assertThatThrownBy(() -> StorageConfiguration.from(properties("storage.minfree", "10m")))
            .hasMessageContaining("unknown key 'storage.minfree'");
    }
}
