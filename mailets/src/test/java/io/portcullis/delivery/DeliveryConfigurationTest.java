package io.portcullis.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.apache.james.core.Domain;
import org.junit.jupiter.api.Test;

class DeliveryConfigurationTest {
    @Test
    void defaultsShouldBeLocalModeWithoutVerificationAndTheSeedTimeouts() {
        DeliveryConfiguration configuration = DeliveryConfiguration.defaults();

        assertThat(configuration.modeOf(Domain.of("any.test"))).isEqualTo(DeliveryMode.LOCAL);
        assertThat(configuration.verifiesRecipients(Domain.of("any.test"))).isFalse();
        assertThat(configuration.verificationCacheTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(configuration.outboundTimeout()).isEqualTo(Duration.ofHours(24));
        assertThat(configuration.inboundTimeout()).isEqualTo(Duration.ofDays(7));
        assertThat(configuration.pendingQueues()).containsExactly("spool", "outgoing", "outbound");
    }

    @Test
    void verificationShouldBeOnByDefaultForForwardAndHybridDomainsWhenNotConfigured() {
        DeliveryConfiguration configuration = DeliveryConfiguration.parse(Map.of(
            "domain.f.test.mode", "forward", "domain.h.test.mode", "hybrid", "domain.l.test.mode", "local"));

        assertThat(configuration.verifiesRecipients(Domain.of("f.test"))).isTrue();
        assertThat(configuration.verifiesRecipients(Domain.of("h.test"))).isTrue();
        assertThat(configuration.verifiesRecipients(Domain.of("l.test"))).isFalse();
    }

    @Test
    void verificationShouldBeOffForAForwardDomainOnlyWhenTurnedOff() {
        DeliveryConfiguration configuration = DeliveryConfiguration.parse(Map.of(
            "default.mode", "forward", "domain.open.test.verifyRecipients", "false"));

        assertThat(configuration.verifiesRecipients(Domain.of("open.test"))).isFalse();
        assertThat(configuration.verifiesRecipients(Domain.of("other.test"))).isTrue();
    }

    @Test
    void parseShouldApplyPerDomainModesAndVerification() {
        DeliveryConfiguration configuration = DeliveryConfiguration.parse(Map.of(
            "default.mode", "forward",
            "domain.local.test.mode", "local",
            "domain.Hybrid.Test.mode", "HYBRID",
            "domain.acme.test.verifyRecipients", "true",
            "downstream", "10.0.0.5:2525"));

        assertThat(configuration.modeOf(Domain.of("acme.test"))).isEqualTo(DeliveryMode.FORWARD);
        assertThat(configuration.modeOf(Domain.of("local.test"))).isEqualTo(DeliveryMode.LOCAL);
        assertThat(configuration.modeOf(Domain.of("hybrid.test"))).isEqualTo(DeliveryMode.HYBRID);
        assertThat(configuration.verifiesRecipients(Domain.of("acme.test"))).isTrue();
        assertThat(configuration.verifiesRecipients(Domain.of("local.test"))).isFalse();
        assertThat(configuration.downstream()).isEqualTo(new DeliveryConfiguration.HostPort("10.0.0.5", 2525));
    }

    @Test
    void routeShouldFollowTheModeAndTheExistenceOfTheUser() {
        DeliveryConfiguration configuration = DeliveryConfiguration.parse(Map.of(
            "domain.f.test.mode", "forward", "domain.l.test.mode", "local", "domain.h.test.mode", "hybrid"));

        assertThat(configuration.route(Domain.of("f.test"), true)).isEqualTo(DeliveryRoute.FORWARD);
        assertThat(configuration.route(Domain.of("f.test"), false)).isEqualTo(DeliveryRoute.FORWARD);
        assertThat(configuration.route(Domain.of("l.test"), true)).isEqualTo(DeliveryRoute.LOCAL);
        assertThat(configuration.route(Domain.of("l.test"), false)).isEqualTo(DeliveryRoute.NONE);
        assertThat(configuration.route(Domain.of("h.test"), true)).isEqualTo(DeliveryRoute.LOCAL);
        assertThat(configuration.route(Domain.of("h.test"), false)).isEqualTo(DeliveryRoute.FORWARD);
    }

    @Test
    void routeShouldNotLookTheUserUpWhenTheDomainIsForwarded() {
        DeliveryConfiguration configuration = DeliveryConfiguration.parse(Map.of(
            "domain.f.test.mode", "forward", "domain.h.test.mode", "hybrid"));
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();

        assertThat(configuration.route(Domain.of("f.test"), () -> lookups.incrementAndGet() > 0)).isEqualTo(DeliveryRoute.FORWARD);
        assertThat(lookups).hasValue(0);
        assertThat(configuration.route(Domain.of("h.test"), () -> lookups.incrementAndGet() > 0)).isEqualTo(DeliveryRoute.LOCAL);
        assertThat(lookups).hasValue(1);
    }

    @Test
    void parseShouldFailNamingTheKeyWhenAModeIsInvalid() {
        assertThatThrownBy(() -> DeliveryConfiguration.parse(Map.of("domain.acme.test.mode", "relay")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("domain.acme.test.mode").hasMessageContaining("'relay'").hasMessageContaining("local, forward or hybrid");
    }

    @Test
    void parseShouldFailWhenAKeyIsUnknown() {
        assertThatThrownBy(() -> DeliveryConfiguration.parse(Map.of("defualt.mode", "local")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key 'defualt.mode'");
    }

    @Test
    void parseShouldFailWhenADurationIsInvalid() {
        assertThatThrownBy(() -> DeliveryConfiguration.parse(Map.of("pending.inboundTimeout", "seven days")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pending.inboundTimeout").hasMessageContaining("'seven days'");
        assertThatThrownBy(() -> DeliveryConfiguration.parse(Map.of("verification.timeout", "0s")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("verification.timeout");
    }

    @Test
    void parseShouldFailWhenTheDownstreamPortIsInvalid() {
        assertThatThrownBy(() -> DeliveryConfiguration.parse(Map.of("downstream", "mail.corp:99999")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("downstream").hasMessageContaining("host:port");
    }
}
