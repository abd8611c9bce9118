package io.portcullis.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class AllowedHostsTest {
    private final AllowedHosts hosts = AllowedHosts.of("127.0.0.1", List.of("Gateway.Example.COM", "192.0.2.10", "2001:db8::1"));

    @Test
    void allowsShouldAcceptLoopbackNamesAndListedNamesWithOrWithoutAPort() {
        assertThat(hosts.allows("127.0.0.1")).isTrue();
        assertThat(hosts.allows("localhost:8000")).isTrue();
        assertThat(hosts.allows("[::1]:8000")).isTrue();
        assertThat(hosts.allows("[0:0:0:0:0:0:0:1]")).isTrue();
        assertThat(hosts.allows("gateway.example.com:443")).isTrue();
        assertThat(hosts.allows("gateway.example.com.")).isTrue();
        assertThat(hosts.allows("192.0.2.10")).isTrue();
        assertThat(hosts.allows("[2001:DB8:0::1]:8000")).isTrue();
    }

    @Test
    void allowsShouldRefuseOtherNamesAndMalformedValues() {
        assertThat(hosts.allows("rebind.evil.example")).isFalse();
        assertThat(hosts.allows("127.0.0.1.evil.example")).isFalse();
        assertThat(hosts.allows("localhost:80x")).isFalse();
        assertThat(hosts.allows("localhost@evil.example")).isFalse();
        assertThat(hosts.allows("[::1")).isFalse();
        assertThat(hosts.allows("[::1]evil")).isFalse();
        assertThat(hosts.allows("")).isFalse();
    }

    @Test
    void ofShouldRefuseAnEntryThatIsNotAHostName() {
        assertThatThrownBy(() -> AllowedHosts.of("127.0.0.1", List.of("https://gateway.example.com")))
            .hasMessageContaining("allowed.hosts").hasMessageContaining("https://gateway.example.com");
        assertThatThrownBy(() -> AllowedHosts.of("127.0.0.1", List.of("gateway.example.com:8000")))
            .hasMessageContaining("gateway.example.com:8000");
    }

    @Test
    void ofShouldAllowEveryAddressOfThisMachineOnAWildcardBind() {
        assertThat(AllowedHosts.of("0.0.0.0", List.of()).allows("127.0.0.1")).isTrue();
        assertThat(AllowedHosts.of("0.0.0.0", List.of()).hosts()).hasSizeGreaterThanOrEqualTo(3);
    }
}
