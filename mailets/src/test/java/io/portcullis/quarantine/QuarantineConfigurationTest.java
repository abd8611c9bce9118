package io.portcullis.quarantine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class QuarantineConfigurationTest {
    private static Properties properties(String... keysAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    @Test
    void defaultsShouldMatchTheIssue() {
        QuarantineConfiguration configuration = QuarantineConfiguration.defaults();

        assertThat(configuration.area("spam").orElseThrow().retention()).contains(Duration.ofDays(14));
        assertThat(configuration.area("spam").orElseThrow().userRelease()).isTrue();
        assertThat(configuration.area("threat").orElseThrow().retention()).contains(Duration.ofDays(30));
        assertThat(configuration.area("threat").orElseThrow().userRelease()).isFalse();
        assertThat(configuration.area("policy").orElseThrow().retention()).contains(Duration.ofDays(30));
        assertThat(configuration.area("stalled").orElseThrow().userRelease()).isFalse();
        assertThat(configuration.releaseProcessor()).isEqualTo("deliver");
        assertThat(configuration.retryProcessor()).isEqualTo("filter");
        assertThat(configuration.forceProcessor()).isEqualTo("deliver");
        assertThat(configuration.notifyTo()).isEmpty();
    }

    @Test
    void fromShouldReadRetentionsUserReleaseExtraAreasAndProcessors() {
        QuarantineConfiguration configuration = QuarantineConfiguration.from(properties(
            "quarantine.area.spam.retention", "7d",
            "quarantine.area.threat.userRelease", "true",
            "quarantine.area.newsletters.retention", "never",
            "quarantine.release.processor", "relay",
            "quarantine.notify.to", "security@portcullis.test",
            "store.url", "jdbc:derby:memory:x"));

        assertThat(configuration.area("spam").orElseThrow().retention()).contains(Duration.ofDays(7));
        assertThat(configuration.area("threat").orElseThrow().userRelease()).isTrue();
        assertThat(configuration.area("newsletters").orElseThrow().retention()).isEqualTo(Optional.empty());
        assertThat(configuration.releaseProcessor()).isEqualTo("relay");
        assertThat(configuration.notifyTo().orElseThrow().asString()).isEqualTo("security@portcullis.test");
    }

    @Test
    void fromShouldFailNamingTheKeyWhenRetentionInvalid() {
        assertThatThrownBy(() -> QuarantineConfiguration.from(properties("quarantine.area.spam.retention", "two weeks")))
            .hasMessageContaining("quarantine.area.spam.retention has invalid value 'two weeks'");
    }

    @Test
    void fromShouldFailWhenUserReleaseNotBoolean() {
        assertThatThrownBy(() -> QuarantineConfiguration.from(properties("quarantine.area.threat.userRelease", "maybe")))
            .hasMessageContaining("quarantine.area.threat.userRelease has invalid value 'maybe': expected true or false");
    }

    @Test
    void fromShouldFailWhenKeyUnknown() {
        assertThatThrownBy(() -> QuarantineConfiguration.from(properties("quarantine.expiry.intreval", "1h")))
            .hasMessageContaining("quarantine.expiry.intreval");
    }

    @Test
    void fromShouldFailWhenNotifyAddressInvalid() {
        assertThatThrownBy(() -> QuarantineConfiguration.from(properties("quarantine.notify.to", "not an address")))
            .hasMessageContaining("quarantine.notify.to has invalid value 'not an address'");
    }
}
